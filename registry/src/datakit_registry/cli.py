"""``python -m datakit_registry tls|up|down|status|push``: what ``make platform``,
``make platform-down`` and ``make push`` run.

Exit codes (datakit.errors): 0 ok, 2 usage, 3 configuration (a missing tool or image, a
registry that does not answer), 1 internal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from datakit.testing.containers import detect_engine, find_repo_root
from datakit_registry.paths import PlatformPaths
from datakit_registry.push import push_all, runner_tags
from datakit_registry.server import (
    PlatformError,
    is_running,
    registry_addr,
    start,
    stop,
)
from datakit_registry.tls import ensure_tls, trust_instructions

#: What the compose file declares that ``make platform`` cannot run on a machine without Docker.
NOT_RUN_HERE = (
    "traefik: no Traefik binary or image on this machine (no Debian package, no registry to pull "
    "from); the compose file's TLS routes are validated offline instead",
    "source-db, warehouse-db: not started by make platform; tests and demos start embedded "
    "PostgreSQL clusters themselves (`make demo`)",
    "registry:2 image: not pullable here; the same program runs as Debian's docker-registry",
)


def _tls(paths: PlatformPaths) -> int:
    result = ensure_tls(paths)
    state = f"wrote {', '.join(result.written)}" if result.written else "kept (still valid)"
    print(f"TLS material in {paths.tls}: {state}")
    print(trust_instructions(paths, registry_addr()))
    return 0


def _up(paths: PlatformPaths) -> int:
    addr = registry_addr()
    start(paths, addr)
    print(f"registry: https://{addr}/v2/ (TLS, htpasswd auth; credentials in {paths.credentials})")
    print(
        "not started here (docker-compose.yml declares them; `docker compose up` where Docker runs):"
    )
    for line in NOT_RUN_HERE:
        print(f"  - {line}")
    print(trust_instructions(paths, addr))
    return 0


def _down(paths: PlatformPaths) -> int:
    print("registry stopped" if stop(paths) else "registry was not running")
    return 0


def _status(paths: PlatformPaths) -> int:
    print(f"registry: {'running' if is_running(paths) else 'stopped'} ({registry_addr()})")
    return 0


def _push(paths: PlatformPaths, runners: Sequence[str] = ()) -> int:
    addr = registry_addr()
    if not is_running(paths):
        raise PlatformError("the registry is not running: `make platform` first")
    repo_root = find_repo_root()
    engine = detect_engine(repo_root)
    if engine is None:
        raise PlatformError("no container engine answers (podman or Docker)")
    creds = start(paths, addr)  # already running: returns the credentials
    refs = runner_tags(engine, repo_root, components=runners)
    for pushed in push_all(engine, paths, addr, creds, refs):
        print(
            f"pushed {pushed.target} {pushed.digest} (pull by digest: same image {pushed.image_id[:12]})"
        )
    return 0


COMMANDS = {"tls": _tls, "up": _up, "down": _down, "status": _status, "push": _push}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="datakit-platform", description=__doc__)
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("runners", nargs="*", help="push: only these runners (default: all)")
    args = parser.parse_args(argv)
    if args.runners and args.command != "push":
        parser.error(f"{args.command} takes no runner names")
    paths = PlatformPaths.default()
    try:
        if args.command == "push":
            return _push(paths, args.runners)
        return COMMANDS[args.command](paths)
    except PlatformError as error:
        print(f"datakit-platform {args.command}: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
