"""``python -m datakit_orchestration.render_k8s --out DIR [--tenant NAME ...]``: per-tenant objects.

Writes ``DIR/<tenant>.yaml`` for each tenant (all of them unless ``--tenant`` names some): the
Namespace, ResourceQuota, LimitRange, NetworkPolicy, ServiceAccount and one PodTemplate per queue
(see :mod:`datakit_orchestration.k8s_objects`), ready for ``kubectl apply -f``. The image pull
Secret and the connection Secrets are referenced by name and created outside the project.

Problems print as ``file:line path: message``; nothing is written unless every requested tenant
renders. Exit codes: 0 written, 2 usage (unknown tenant), 3 configuration (invalid tenant or
platform file, or a connection without ``endpoint``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from datakit_orchestration import paths
from datakit_orchestration.errors import PlatformConfigError, Problem
from datakit_orchestration.k8s_objects import render_problems, render_yaml, tenant_objects
from datakit_orchestration.platform import load_platform
from datakit_orchestration.validation import load_tenants

EXIT_USAGE = 2
EXIT_CONFIG = 3


def _report(problems: Sequence[Problem], what: str) -> int:
    for problem in sorted(problems):
        print(problem)
    print(f"{len(problems)} problem(s) in {what}: nothing written", file=sys.stderr)
    return EXIT_CONFIG


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m datakit_orchestration.render_k8s",
        description="Render each tenant's Kubernetes objects from its tenant file.",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for <tenant>.yaml files")
    parser.add_argument(
        "--tenant", action="append", default=[], help="render only this tenant (repeatable)"
    )
    parser.add_argument(
        "--tenants-dir",
        type=Path,
        default=None,
        help=f"tenant files (default: ${paths.TENANTS_DIR_ENV} or include/tenants)",
    )
    parser.add_argument(
        "--platform",
        type=Path,
        default=None,
        help=f"platform file (default: ${paths.PLATFORM_FILE_ENV} or include/platform.yaml)",
    )
    args = parser.parse_args(argv)

    try:
        platform = load_platform(args.platform)
    except PlatformConfigError as exc:
        return _report(exc.problems, "the platform file")
    tenants_dir = args.tenants_dir or paths.tenants_dir()
    if not tenants_dir.is_dir():
        parser.error(f"--tenants-dir: no such folder: {tenants_dir}")
    catalog = load_tenants(platform, [tenants_dir])
    wanted = args.tenant or sorted(set(catalog.tenants) | {p.stem for p in catalog.problems})
    known = set(catalog.tenants) | {path.stem for path in catalog.problems}
    unknown = sorted(set(wanted) - known)
    if unknown:
        parser.error(f"--tenant: no tenant file for {', '.join(unknown)} in {tenants_dir}")

    problems = [
        problem
        for path, found in catalog.problems.items()
        if path.stem in wanted
        for problem in found
    ]
    for name in wanted:
        if name in catalog.tenants:
            problems.extend(render_problems(catalog.tenants[name]))
    if problems:
        return _report(problems, "the tenant files")

    rendered = {
        name: render_yaml(tenant_objects(catalog.tenants[name], platform)) for name in wanted
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        # Written beside the target, then renamed: a reader never sees half a file.
        with tempfile.NamedTemporaryFile(
            "w", dir=args.out, prefix=f".{name}.", suffix=".tmp", delete=False, encoding="utf-8"
        ) as handle:
            handle.write(text)
        Path(handle.name).replace(args.out / f"{name}.yaml")
        print(f"wrote {args.out / f'{name}.yaml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
