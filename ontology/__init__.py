"""Data only: the ontology, SHACL shapes, JSON-LD context and reference data, installed beside `mappings`."""
