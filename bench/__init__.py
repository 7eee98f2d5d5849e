"""Benchmarks of the build: a synthetic corpus generator (corpus.py) and the build timer (build.py)."""
