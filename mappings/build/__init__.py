"""The build: read → extract → link → emit → validate → publish, over a folder of articles.

In: article paths and an output directory. Out: a published build, and the articles left out with their reasons.
`pipeline.py` runs the stages and the publishing; `worker.py` is what each worker process does with one chunk
of articles (read, extract, resolve, emit, validate, with a per-article cache); `parallel.py` maps work over
the worker processes.
May import: every stage below (publishing, validation, emission, linking, extraction, reading).
"""
