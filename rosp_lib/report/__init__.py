"""Per-pharmacy reports: what the notebooks call (tables, texts, charts, Explorer) and the narrative texts."""
