"""``python -m datakit_orchestration.validate [PATH ...]``: check tenant files, for CI and editors.

Prints every problem as ``file:line path: message`` (the format editors and CI annotations
understand), then a one-line summary on stderr. Exit codes: 0 all valid, 1 problems found,
2 usage error. The platform file is checked too, since tenants are judged against it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from datakit_orchestration import paths
from datakit_orchestration.errors import PlatformConfigError
from datakit_orchestration.platform import load_platform
from datakit_orchestration.validation import load_tenants, tenant_files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m datakit_orchestration.validate",
        description="Validate Datakit tenant files against the JSON Schema and semantic rules.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help=f"tenant files or folders (default: ${paths.TENANTS_DIR_ENV} or include/tenants)",
    )
    parser.add_argument(
        "--platform",
        type=Path,
        default=None,
        help=f"platform file (default: ${paths.PLATFORM_FILE_ENV} or include/platform.yaml)",
    )
    args = parser.parse_args(argv)
    locations = args.paths or [paths.tenants_dir()]
    missing = [str(path) for path in locations if not path.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")

    try:
        platform = load_platform(args.platform)
    except PlatformConfigError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in the platform file", file=sys.stderr)
        return 1

    files = tenant_files(locations)
    catalog = load_tenants(platform, files)
    for problem in catalog.all_problems:
        print(problem)
    if catalog.problems:
        count = len(catalog.all_problems)
        print(
            f"{count} problem{'s' if count != 1 else ''} in {len(catalog.problems)} of "
            f"{len(files)} tenant file{'s' if len(files) != 1 else ''}",
            file=sys.stderr,
        )
        return 1
    names = ", ".join(sorted(catalog.tenants)) or "none"
    print(f"ok: {len(catalog.tenants)} tenant file(s) valid ({names})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
