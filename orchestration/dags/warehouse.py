"""Airflow DAGs ``warehouse__<tenant>``: one per valid tenant file in include/tenants/.

The logic lives in ``include/datakit_orchestration`` (tenant config, DAG building, one task
adapter per execution mode); this file only builds the DAGs. ``DATAKIT_EXECUTION`` chooses
docker | kubernetes | local; ``DATAKIT_TENANTS_DIR`` overrides the tenants folder.

A broken tenant file only drops that tenant's DAG; its problems show as the import error of
``tenant_config_errors.py`` next to this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Imported here (not only inside the package) so that Airflow's DAG processor pre-imports them
# once (`parsing_pre_import_modules`) instead of in every parsing process.
import airflow.providers.cncf.kubernetes.operators.pod
import airflow.providers.docker.operators.docker
import airflow.sdk  # noqa: F401

try:
    import datakit_orchestration  # noqa: F401
except ModuleNotFoundError:  # an Astro image without PYTHONPATH set: include/ is next to dags/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "include"))

from datakit_orchestration.dag import build_dags

globals().update(build_dags())
