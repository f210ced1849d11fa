"""Service adapters: one declarative module per NDXP service on the shared machinery in `_base`."""
