"""Manifests: their typed models (models.py), the YAML reader (yamlread.py) and the state loader (load.py)."""
