"""Validators generated from include/*.schema.json by _generate.py (see _schema.py)."""
