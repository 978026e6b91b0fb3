"""Tenant isolation in a shared Postgres warehouse: one role per tenant, owning only its schemas.

``<tenant>_bronze``, ``<tenant>_silver`` and ``<tenant>_gold`` are owned by the role
``<tenant>_loader``; nothing is granted to PUBLIC, so another tenant's role can neither read nor
write them. Running it again changes nothing but the password (so a rotated secret applies).
The password travels only as a SCRAM-SHA-256 verifier computed here (see ``scram``).
"""

from __future__ import annotations

from psycopg import sql

from datakit.settings import DatabaseUrl
from datakit.tenants import ProvisionReport, tenant_role, tenant_schemas
from datakit.warehouses.postgres.connection import connect, translate_errors
from datakit.warehouses.postgres.scram import scram_sha256_verifier


def provision_tenant(url: DatabaseUrl, *, tenant: str, password: str) -> ProvisionReport:
    """Create (or repair) the tenant's role and schemas; idempotent, one transaction."""
    role = tenant_role(tenant)
    schemas = tenant_schemas(tenant)
    report = ProvisionReport(tenant=tenant, role=role, schemas=schemas)
    with connect(url, role="warehouse") as conn, translate_errors(f"warehouse {url.masked}"):
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"datakit:tenant:{tenant}",)
        )
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        # Role DDL takes no bind parameters, and a statement's text can reach the server log
        # (log_statement = ddl) and pg_stat_activity: send the SCRAM verifier, never the password.
        conn.execute(
            sql.SQL(verb + " ROLE {} LOGIN NOINHERIT PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(scram_sha256_verifier(password))
            )
        )
        if not exists:
            report.created.append(f"role {role}")
        database = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(database), sql.Identifier(role)
            )
        )
        for schema in schemas:
            if not conn.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
            ).fetchone():
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
                report.created.append(f"schema {schema}")
            conn.execute(
                sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(
                    sql.Identifier(schema), sql.Identifier(role)
                )
            )
            conn.execute(
                sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(schema))
            )
            # Tables loaded before the tenant had a role (e.g. by an admin) move to the role too.
            foreign = conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND pg_get_userbyid(c.relowner) <> %s",
                (schema, role),
            ).fetchall()
            for (name,) in foreign:
                conn.execute(
                    sql.SQL("ALTER TABLE {} OWNER TO {}").format(
                        sql.Identifier(schema, name), sql.Identifier(role)
                    )
                )
        conn.commit()
    return report


__all__ = ["provision_tenant"]
