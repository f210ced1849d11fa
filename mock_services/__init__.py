"""Mock backends of the 24 NDXP services, served by one process (see BACKENDS.md)."""
