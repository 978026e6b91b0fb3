"""The result object: the last line of stdout, and the KubernetesPodOperator's XCom file."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

XCOM_DIR_VARIABLE = "DATAKIT_XCOM_DIR"
DEFAULT_XCOM_DIR = "/airflow/xcom"


def emit_result(result: dict[str, Any]) -> None:
    """Print *result* as one JSON line on stdout and write it to ``return.json`` for XCom.

    The XCom file is written only when its folder exists (the pod's xcom sidecar mounts it), so the
    same image behaves the same under DockerOperator (which reads the last stdout line) and
    KubernetesPodOperator. The file is replaced atomically so the sidecar never reads half of it.
    """
    line = json.dumps(result, default=str, separators=(",", ":"), sort_keys=True)
    sys.stdout.flush()
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    folder = Path(os.environ.get(XCOM_DIR_VARIABLE) or DEFAULT_XCOM_DIR)
    if folder.is_dir():
        tmp = folder / ".return.json.tmp"
        tmp.write_text(line, encoding="utf-8")
        os.replace(tmp, folder / "return.json")


__all__ = ["emit_result"]
