"""``python -m datakit_orchestration.render_deployments --out DIR``: what each deployment needs.

For every deployment of ``include/deployments.yaml`` it writes ``DIR/<deployment>/``:

- ``values.yaml``: values for the Apache Airflow Helm chart (image, executor, worker queues and
  resources, ``DATAKIT_DEPLOYMENT`` selecting its tenants, its connections as references to
  Kubernetes Secrets, the FAB auth manager and its ``webserver_config.py``);
- ``webserver_config.py``: the FAB auth manager settings (LDAP or OAuth, every secret read from
  the environment at start-up) and one role per access level whose permissions name only this
  deployment's DAGs;
- ``roles.sh``: the same roles as ``airflow roles`` commands (explicit rows in the database);
- ``pools.json``: its tenants' pools, for ``airflow pools import``.

Secrets are never read here: connections and identity-provider credentials are Secret names
and keys, resolved by Kubernetes in the deployment's namespace. Everything is validated before
anything is written (deployments file, platform file, the deployment's tenant files), so a
problem writes nothing. Exit codes: 0 written, 2 usage, 3 configuration problems (each printed
as ``file:line path: message``).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import yaml

from datakit_orchestration import paths
from datakit_orchestration.deployments import (
    AuthConfig,
    Deployment,
    deployment_tenant_files,
    load_deployments,
)
from datakit_orchestration.errors import ConfigError
from datakit_orchestration.platform import PlatformConfig, load_platform
from datakit_orchestration.pools import tenant_pools
from datakit_orchestration.validation import TenantCatalog, load_tenants

EXIT_CONFIG = 3
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"

#: Access level -> FAB actions on each of the deployment's DAGs (resource ``DAG:<dag_id>``)
#: and their runs (``DAG Run:<dag_id>``). Nothing grants access to a DAG by a wildcard.
ROLE_ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "viewer": {"DAG": ("can_read",), "DAG Run": ("can_read",)},
    "operator": {"DAG": ("can_read", "can_edit"), "DAG Run": ("can_read", "can_create")},
    "admin": {
        "DAG": ("can_read", "can_edit", "can_delete"),
        "DAG Run": ("can_read", "can_create", "can_edit", "can_delete"),
    },
}
#: Pages every role needs to see its DAGs at all (no DAG is named by these).
BASE_PERMISSIONS = (
    ("can_read", "Website"),
    ("can_read", "My Profile"),
    ("can_read", "Task Instances"),
    ("can_read", "Task Logs"),
    ("can_read", "Assets"),
    ("menu_access", "Browse"),
    ("menu_access", "DAGs"),
)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the embedded webserver_config.py) as readable ``|`` blocks."""

    # PyYAML keeps representers in a per-class table; this class's own copy, stated as such.
    yaml_representers: ClassVar[dict[Any, Any]] = dict(yaml.SafeDumper.yaml_representers)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def conn_env_name(conn_id: str) -> str:
    """Airflow reads connection ``<id>`` from ``AIRFLOW_CONN_<ID>``."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def connection_ids(catalog: TenantCatalog, platform: PlatformConfig) -> list[str]:
    """The connections the deployment's DAGs use: its tenants' own, and the admin connection of
    each warehouse type they provision (the provision task's, never handed to a tenant's task)."""
    ids: set[str] = set()
    for tenant in catalog.tenants.values():
        ids.add(tenant.warehouse.conn_id)
        ids.update(source.conn_id for source in tenant.sources)
        provisioning = platform.provisioning.get(tenant.warehouse.type)
        if provisioning is not None:
            ids.add(provisioning.admin_conn_id)
    return sorted(ids)


def role_name(deployment: Deployment, level: str) -> str:
    return f"datakit_{deployment.name.replace('-', '_')}_{level}"


def role_permissions(deployment: Deployment, dag_ids: Sequence[str], level: str) -> list[Any]:
    """``[[action, resource], ...]`` of one role: per-DAG resources of this deployment only."""
    permissions: list[Any] = [list(entry) for entry in BASE_PERMISSIONS]
    for dag_id in dag_ids:
        for kind, actions in ROLE_ACTIONS[level].items():
            permissions.extend([action, f"{kind}:{dag_id}"] for action in actions)
    return permissions


def roles_script(deployment: Deployment, dag_ids: Sequence[str]) -> str:
    """``roles.sh``: the same roles as ``FAB_ROLES``, stored in the metadata database.

    ``FAB_ROLES`` is evaluated by Flask-AppBuilder at start-up; the script makes the per-DAG
    permissions explicit rows (``airflow roles add-perms``), visible and auditable under
    Security > Roles, and is idempotent (run after ``airflow db migrate``).
    """
    lines = [
        "#!/bin/sh",
        f"# Roles of Datakit deployment {deployment.name!r} (generated by render_deployments):",
        "# run in the deployment's API server pod after `airflow db migrate`.",
        "set -eu",
    ]
    for level in deployment.auth.groups:
        role = role_name(deployment, level)
        lines.append(f"airflow roles create {shlex.quote(role)}")
        by_action: dict[str, list[str]] = {}
        for action, resource in role_permissions(deployment, dag_ids, level):
            by_action.setdefault(action, []).append(resource)
        for action, resources in by_action.items():
            quoted = " ".join(shlex.quote(resource) for resource in resources)
            lines.append(
                f"airflow roles add-perms {shlex.quote(role)} -a {shlex.quote(action)} -r {quoted}"
            )
    return "\n".join(lines) + "\n"


def _auth_secret_env(auth: AuthConfig) -> list[tuple[str, str]]:
    """(environment variable, key of the auth Secret) the webserver config reads."""
    if auth.type == "ldap":
        return [
            ("DATAKIT_LDAP_URL", "url"),
            ("DATAKIT_LDAP_BIND_USER", "bind-user"),
            ("DATAKIT_LDAP_BIND_PASSWORD", "bind-password"),
        ]
    return [
        ("DATAKIT_OAUTH_CLIENT_ID", "client-id"),
        ("DATAKIT_OAUTH_CLIENT_SECRET", "client-secret"),
        ("DATAKIT_OAUTH_METADATA_URL", "metadata-url"),
    ]


def webserver_config(deployment: Deployment, dag_ids: Sequence[str]) -> str:
    """``webserver_config.py`` for the FAB auth manager: sign-in, group -> role, roles."""
    auth = deployment.auth
    roles = {
        role_name(deployment, level): role_permissions(deployment, dag_ids, level)
        for level in auth.groups
    }
    mapping = {group: [role_name(deployment, level)] for level, group in auth.groups.items()}
    lines = [
        f'"""FAB auth manager of Datakit deployment {deployment.name!r} '
        "(generated by render_deployments).",
        "",
        "Secrets come from the environment (Kubernetes Secret "
        f"{auth.secret!r}); roles name only this deployment's DAGs.",
        '"""',
        "",
        "import os",
        "",
    ]
    if auth.type == "ldap":
        lines += [
            "from flask_appbuilder.const import AUTH_LDAP",
            "",
            "AUTH_TYPE = AUTH_LDAP",
            'AUTH_LDAP_SERVER = os.environ["DATAKIT_LDAP_URL"]',
            'AUTH_LDAP_BIND_USER = os.environ["DATAKIT_LDAP_BIND_USER"]',
            'AUTH_LDAP_BIND_PASSWORD = os.environ["DATAKIT_LDAP_BIND_PASSWORD"]',
            f"AUTH_LDAP_SEARCH = {auth.user_search_base!r}",
            f"AUTH_LDAP_UID_FIELD = {auth.uid_field!r}",
            f"AUTH_LDAP_GROUP_FIELD = {auth.group_field!r}",
        ]
    else:
        lines += [
            "from flask_appbuilder.const import AUTH_OAUTH",
            "",
            "AUTH_TYPE = AUTH_OAUTH",
            "OAUTH_PROVIDERS = [",
            "    {",
            f"        'name': {auth.provider!r},",
            "        'token_key': 'access_token',",
            "        'remote_app': {",
            "            'client_id': os.environ['DATAKIT_OAUTH_CLIENT_ID'],",
            "            'client_secret': os.environ['DATAKIT_OAUTH_CLIENT_SECRET'],",
            "            'server_metadata_url': os.environ['DATAKIT_OAUTH_METADATA_URL'],",
            "            'client_kwargs': {'scope': 'openid email profile'},",
            "        },",
            "    }",
            "]",
            f"DATAKIT_OAUTH_GROUPS_CLAIM = {auth.groups_claim!r}",
        ]
    lines += [
        "",
        "# Users get a role only through their directory groups; nobody self-registers into one.",
        "AUTH_USER_REGISTRATION = True",
        'AUTH_USER_REGISTRATION_ROLE = "Public"',
        "AUTH_ROLES_SYNC_AT_LOGIN = True",
        f"AUTH_ROLES_MAPPING = {json.dumps(mapping, indent=4, sort_keys=True)}",
        "",
        "# Per-DAG permissions (resources 'DAG:<dag_id>', 'DAG Run:<dag_id>') of this deployment's",
        f"# tenants: {', '.join(deployment.tenants)}.",
        f"FAB_ROLES = {json.dumps(roles, indent=4, sort_keys=True)}",
        "",
    ]
    return "\n".join(lines)


def helm_values(
    deployment: Deployment, platform: PlatformConfig, catalog: TenantCatalog, config_py: str
) -> dict[str, Any]:
    """Values for the Apache Airflow Helm chart; secrets by Secret name and key only."""
    resources = deployment.worker_resources
    secret_env = [
        {
            "envName": conn_env_name(conn_id),
            "secretName": platform.secret_name(conn_id),
            "secretKey": "url",
        }
        for conn_id in connection_ids(catalog, platform)
    ] + [
        {"envName": env, "secretName": deployment.auth.secret, "secretKey": key}
        for env, key in _auth_secret_env(deployment.auth)
    ]
    workers: dict[str, Any] = {
        "replicas": deployment.worker_replicas,
        "resources": {
            "requests": {"cpu": resources.cpu, "memory": resources.memory},
            "limits": {"cpu": resources.cpu, "memory": resources.memory},
        },
    }
    if "CeleryExecutor" in deployment.executor:
        workers["args"] = [
            "bash",
            "-c",
            f"exec airflow celery worker --queues {','.join(deployment.queues)}",
        ]
    return {
        "images": {
            "airflow": {
                "repository": deployment.image_repository,
                "tag": deployment.image_tag,
                "pullPolicy": "IfNotPresent",
            }
        },
        "executor": deployment.executor,
        "env": [
            {"name": paths.DEPLOYMENT_ENV, "value": deployment.name},
            {"name": "DATAKIT_EXECUTION", "value": "kubernetes"},
        ],
        "secret": secret_env,
        "workers": workers,
        "config": {
            "core": {"auth_manager": FAB_AUTH_MANAGER},
            "operators": {"default_queue": deployment.queues[0]},
        },
        "apiServer": {"apiServerConfig": config_py},
        "labels": {"datakit.example/deployment": deployment.name},
    }


def render(
    out: Path,
    *,
    deployments_file: Path | None = None,
    platform_file: Path | None = None,
    tenants_dir: Path | None = None,
) -> list[Path]:
    """Validate everything, then write every deployment's files; return the folders written."""
    platform = load_platform(platform_file)
    folder = tenants_dir or paths.tenants_dir()
    config = load_deployments(deployments_file, tenants_dir=folder, platform=platform)
    rendered: dict[str, dict[str, str]] = {}
    problems = []
    for deployment in config.deployments.values():
        catalog = load_tenants(platform, deployment_tenant_files(deployment, folder))
        problems.extend(catalog.all_problems)
        dag_ids = sorted(tenant.dag_id for tenant in catalog.tenants.values())
        config_py = webserver_config(deployment, dag_ids)
        values = helm_values(deployment, platform, catalog, config_py)
        rendered[deployment.name] = {
            "values.yaml": f"# Helm values of Datakit deployment {deployment.name!r}: "
            f"helm upgrade --install airflow-{deployment.name} apache-airflow/airflow "
            f"--namespace {deployment.namespace} -f values.yaml\n"
            + yaml.dump(values, Dumper=_Dumper, sort_keys=False, width=100),
            "webserver_config.py": config_py,
            "pools.json": json.dumps(tenant_pools(platform, catalog), indent=2) + "\n",
            "roles.sh": roles_script(deployment, dag_ids),
        }
    if problems:
        raise ConfigError(problems, what="tenant configuration")
    written = []
    for name, files in rendered.items():
        target = out / name
        target.mkdir(parents=True, exist_ok=True)
        for file_name, text in files.items():
            (target / file_name).write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m datakit_orchestration.render_deployments",
        description="Write each deployment's Helm values, webserver_config.py and pools.",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument(
        "--deployments",
        type=Path,
        default=None,
        help=f"deployments file (default: ${paths.DEPLOYMENTS_FILE_ENV} or include/deployments.yaml)",
    )
    parser.add_argument("--platform", type=Path, default=None, help="platform file")
    parser.add_argument("--tenants", type=Path, default=None, help="tenants folder")
    args = parser.parse_args(argv)
    try:
        written = render(
            args.out,
            deployments_file=args.deployments,
            platform_file=args.platform,
            tenants_dir=args.tenants,
        )
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} configuration problem(s); nothing written", file=sys.stderr)
        return EXIT_CONFIG
    for folder in written:
        print(f"wrote {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
