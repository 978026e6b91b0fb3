"""``python -m datakit_registry tls|up|down|status|push|pull-secret``: what ``make platform``,
``make platform-down``, ``make push`` and ``make pull-secret`` run.

Exit codes (datakit.errors): 0 ok, 2 usage, 3 configuration (a missing tool or image, a
registry that does not answer), 1 internal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from datakit.testing.containers import detect_engine, find_repo_root
from datakit_registry.paths import PlatformPaths
from datakit_registry.pull_secret import (
    check_dns_label,
    default_out,
    default_servers,
    platform_settings,
    read_credentials,
    render_documents,
    write_secret_file,
)
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


def _pull_secret(paths: PlatformPaths, args: argparse.Namespace) -> int:
    """Render the image pull Secret per namespace from the credentials file (never argv)."""
    creds = read_credentials(paths)
    try:
        repo_root: Path | None = find_repo_root()
    except FileNotFoundError:  # an installed copy, outside the repository: the defaults
        repo_root = None
    platform_name, registry_host = platform_settings(repo_root)
    name = args.name or platform_name
    servers = args.server or default_servers(registry_host)
    text = render_documents(creds, name=name, namespaces=args.namespace, servers=servers)
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.out).resolve() if args.out else default_out(paths)
    write_secret_file(out, text)
    namespaces = ", ".join(dict.fromkeys(args.namespace))
    print(f"wrote Secret {name} ({', '.join(servers)}) for {namespaces} to {out} (0600)")
    print(f"apply with: kubectl apply -f {out}")
    return 0


COMMANDS = {"tls": _tls, "up": _up, "down": _down, "status": _status}


def _dns_label(option: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            return check_dns_label(value, option)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return check


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="datakit-platform", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name in sorted(COMMANDS):
        sub.add_parser(name)
    push = sub.add_parser("push")
    push.add_argument("runners", nargs="*", help="only these runners (default: all)")
    secret = sub.add_parser(
        "pull-secret",
        help="render the registry's image pull Secret (kubernetes.io/dockerconfigjson)",
        description="Render the image pull Secret from the credentials file (the password is "
        "read from it, never taken as an option), one per --namespace, into a 0600 file.",
    )
    secret.add_argument(
        "--namespace",
        action="append",
        required=True,
        type=_dns_label("--namespace"),
        help="a tenant namespace (repeat for several)",
    )
    secret.add_argument(
        "--name",
        type=_dns_label("--name"),
        help="the Secret's name (default: platform.yaml kubernetes.image_pull_secret)",
    )
    secret.add_argument(
        "--server",
        action="append",
        help="registry host[:port] the auth is for (repeatable; default: platform.yaml "
        "registry and DATAKIT_REGISTRY_ADDR)",
    )
    secret.add_argument(
        "--out",
        help="file to write (default: .state/k8s/pull-secret.yaml); '-' prints it to stdout",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = PlatformPaths.default()
    try:
        if args.command == "push":
            return _push(paths, args.runners)
        if args.command == "pull-secret":
            return _pull_secret(paths, args)
        return COMMANDS[args.command](paths)
    except PlatformError as error:
        print(f"datakit-platform {args.command}: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
