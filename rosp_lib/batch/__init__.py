"""Batch runs of the report notebooks (papermill)."""
