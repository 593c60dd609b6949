"""The exchange format: schemas, readers, writers, validation, the census store, the demo county."""
