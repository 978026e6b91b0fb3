"""Postgres facts shared by the Postgres source and the Postgres warehouse (no driver import).

``dialect``: identifier rules (``public``, lower-case folding, 63 bytes, ``"..."``), registered
as the ``postgres`` entry point of ``datakit.dialects``.
"""
