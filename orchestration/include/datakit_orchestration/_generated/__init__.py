"""Validators generated from include/*.schema.json (see _schema.py)."""
