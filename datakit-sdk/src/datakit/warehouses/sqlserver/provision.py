"""Tenant isolation in a shared SQL Server database: one login + user per tenant, owning its schemas.

``<tenant>_bronze``, ``<tenant>_silver`` and ``<tenant>_gold`` are owned by the database user
``<tenant>_loader`` (mapped to the server login of the same name). Owning a schema gives full
control of what is in it and nothing outside it; the user also gets the database-level
``CREATE TABLE`` / ``CREATE VIEW`` that creating objects needs (SQL Server still requires ALTER on
the target schema, which only its own schemas give). Nothing is granted to ``public``, so another
tenant's user can neither read nor write them.

Each statement is idempotent and runs on its own (autocommit), serialised per tenant by a
session-owned ``sp_getapplock``: CREATE/ALTER LOGIN is a server-level statement, and running the
whole again converges (and applies a rotated password, like the Postgres warehouse).

The password travels only as a bound parameter: the login statement is assembled on the server
by ``sp_executesql`` from it, so neither the client's statement text nor a client-side log holds
it (SQL Server itself redacts CREATE/ALTER LOGIN passwords from traces).
"""

from __future__ import annotations

from typing import Any

from datakit.contracts import TableRef
from datakit.engines.sqlserver.connection import connect
from datakit.engines.sqlserver.errors import translate_errors
from datakit.engines.sqlserver.identifiers import quote_ident, quote_qualified, quote_string
from datakit.settings import DatabaseUrl
from datakit.tenants import ProvisionReport, tenant_role, tenant_schemas
from datakit.warehouses.sqlserver import tsql
from datakit.warehouses.sqlserver.warehouse import execute, get_applock

#: Database-level permissions a tenant's user needs to create objects in its own schemas.
DATABASE_PERMISSIONS = ("CREATE TABLE", "CREATE VIEW")


def lock(tenant: str) -> tsql.Statement:
    return tsql.applock(tsql.lock_resource("tenant", tenant))


def login_exists(login: str) -> tsql.Statement:
    return tsql.Statement("SELECT CASE WHEN SUSER_ID(?) IS NULL THEN 0 ELSE 1 END", (login,))


def set_login(login: str, password: str) -> tsql.Statement:
    """CREATE the login, or ALTER its password; the password only as the parameter ``@pw``."""
    return tsql.Statement(
        "SET NOCOUNT ON; DECLARE @login sysname = ?, @pw nvarchar(128) = ?; DECLARE @sql nvarchar(max) ="
        " CASE WHEN SUSER_ID(@login) IS NULL THEN N'CREATE' ELSE N'ALTER' END"
        " + N' LOGIN ' + QUOTENAME(@login) + N' WITH PASSWORD = N'''"
        " + REPLACE(@pw, N'''', N'''''') + N''''"
        " + CASE WHEN SUSER_ID(@login) IS NULL"
        " THEN N', DEFAULT_DATABASE = ' + QUOTENAME(DB_NAME()) + N', CHECK_EXPIRATION = OFF'"
        " ELSE N'' END; EXEC sys.sp_executesql @sql",
        (login, password),
    )


def user_exists(login: str) -> tsql.Statement:
    return tsql.Statement(
        "SELECT CASE WHEN DATABASE_PRINCIPAL_ID(?) IS NULL THEN 0 ELSE 1 END", (login,)
    )


def set_user(login: str, default_schema: str) -> tsql.Statement:
    """The database user for the login; an existing one is re-mapped (a recreated login)."""
    user, schema = quote_ident(login), quote_ident(default_schema)
    create = quote_string(f"CREATE USER {user} FOR LOGIN {user} WITH DEFAULT_SCHEMA = {schema}")
    alter = quote_string(f"ALTER USER {user} WITH LOGIN = {user}, DEFAULT_SCHEMA = {schema}")
    return tsql.Statement(
        f"IF DATABASE_PRINCIPAL_ID(?) IS NULL EXEC({create}) ELSE EXEC({alter})", (login,)
    )


def grant_database(login: str) -> tsql.Statement:
    return tsql.Statement(f"GRANT {', '.join(DATABASE_PERMISSIONS)} TO {quote_ident(login)}")


def schema_exists(schema: str) -> tsql.Statement:
    return tsql.Statement("SELECT CASE WHEN SCHEMA_ID(?) IS NULL THEN 0 ELSE 1 END", (schema,))


def create_schema(schema: str, login: str) -> tsql.Statement:
    inner = quote_string(f"CREATE SCHEMA {quote_ident(schema)} AUTHORIZATION {quote_ident(login)}")
    return tsql.Statement(f"IF SCHEMA_ID(?) IS NULL EXEC({inner})", (schema,))


def own_schema(schema: str, login: str) -> tsql.Statement:
    return tsql.Statement(
        f"ALTER AUTHORIZATION ON SCHEMA::{quote_ident(schema)} TO {quote_ident(login)}"
    )


def foreign_objects(schema: str) -> tsql.Statement:
    """Objects in the schema owned explicitly by someone else (loaded before the tenant existed)."""
    return tsql.Statement(
        "SELECT o.name FROM sys.objects o WHERE o.schema_id = SCHEMA_ID(?)"
        " AND o.principal_id IS NOT NULL AND o.type IN ('U', 'V', 'SO', 'FN', 'IF', 'TF', 'P')",
        (schema,),
    )


def own_object(ref: TableRef) -> tsql.Statement:
    return tsql.Statement(
        f"ALTER AUTHORIZATION ON OBJECT::{quote_qualified(ref.schema, ref.name)} TO SCHEMA OWNER"
    )


def release(tenant: str) -> tsql.Statement:
    return tsql.Statement(
        "EXEC sp_releaseapplock @Resource = ?, @LockOwner = 'Session'",
        (tsql.lock_resource("tenant", tenant),),
    )


def provision_statements(*, tenant: str, database: str, password: str) -> list[tsql.Statement]:
    """Every statement :func:`provision_tenant` may send, in order (for the snapshot test).

    *database* is only for the reader: the login's default database is the connection's.
    """
    del database
    login = tenant_role(tenant)
    schemas = tenant_schemas(tenant)
    out = [lock(tenant), login_exists(login), set_login(login, password)]
    out += [user_exists(login), set_user(login, schemas[0]), grant_database(login)]
    for schema in schemas:
        out += [schema_exists(schema), create_schema(schema, login), own_schema(schema, login)]
        out += [foreign_objects(schema)]
    out += [own_object(TableRef(schemas[0], "orders_loaded_by_an_admin")), release(tenant)]
    return out


def provision_tenant(url: DatabaseUrl, *, tenant: str, password: str) -> ProvisionReport:
    """Create (or repair) the tenant's login, user and schemas; idempotent, serialised."""
    login = tenant_role(tenant)
    schemas = tenant_schemas(tenant)
    report = ProvisionReport(tenant=tenant, role=login, schemas=schemas)
    with translate_errors(f"warehouse {url.masked}"):
        conn = connect(url, role="warehouse", autocommit=True)
        try:

            def run(statement: tsql.Statement) -> list[Any]:
                return execute(conn, statement)

            get_applock(run, tsql.lock_resource("tenant", tenant))
            if not run(login_exists(login))[0][0]:
                report.created.append(f"login {login}")
            run(set_login(login, password))
            if not run(user_exists(login))[0][0]:
                report.created.append(f"user {login}")
            run(set_user(login, schemas[0]))
            run(grant_database(login))
            for schema in schemas:
                if not run(schema_exists(schema))[0][0]:
                    report.created.append(f"schema {schema}")
                run(create_schema(schema, login))
                run(own_schema(schema, login))
                for (name,) in run(foreign_objects(schema)):
                    run(own_object(TableRef(schema, str(name))))
            run(release(tenant))
        finally:
            conn.close()
    return report


__all__ = ["provision_statements", "provision_tenant"]
