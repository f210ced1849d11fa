"""pytest plugin: fixtures that start the simulator for a test session (inert unless used)."""
