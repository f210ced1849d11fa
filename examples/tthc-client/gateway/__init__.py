"""The TTHC system's gateway layer: how it talks to the provincial LGSP."""
