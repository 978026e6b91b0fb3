"""Airflow import errors for broken tenant files; this file defines no DAG.

Airflow records import errors per Python file and hides every DAG of a file that fails, so the
tenants' DAGs are built in ``warehouse.py`` (which never fails for one bad tenant) and the
problems of broken tenant files are raised here, all at once, as
``include/tenants/<file>.yaml:<line> <field>: <message>``. ``airflow dags list-import-errors``
and the UI show them under this file's name until the tenant files are fixed.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import datakit_orchestration  # noqa: F401
except ModuleNotFoundError:  # an Astro image without PYTHONPATH set: include/ is next to dags/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "include"))

from datakit_orchestration.dag import raise_for_broken_tenants

raise_for_broken_tenants()
