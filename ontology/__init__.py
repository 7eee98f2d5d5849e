"""Data only: the ontology, SHACL shapes, JSON-LD context and reference data, installed beside `mappings`."""
from pathlib import Path

DIR = Path(__file__).resolve().parent  # where the files lie, for the stages that read them
