"""Every source words a table it cannot find the same way (datakit.sources.missing_table)."""

from __future__ import annotations

from datakit.contracts import TableRef
from datakit.engines.postgres.dialect import DIALECT as POSTGRES
from datakit.engines.sqlserver.dialect import DIALECT as SQLSERVER
from datakit.errors import ConfigError
from datakit.sources.missing_table import missing_table_error


def test_names_the_table_where_and_close_names_case_insensitively() -> None:
    error = missing_table_error(
        TableRef("dbo", "ordrs"),
        ["dbo.Orders", "dbo.OrderLines", "sales.Customers"],
        where="mssql://reader:***@db:1433/shop",
        dialect=SQLSERVER,
    )
    assert isinstance(error, ConfigError) and error.exit_code == 3
    assert str(error) == (
        "config error: source table dbo.ordrs does not exist or is not readable in "
        "mssql://reader:***@db:1433/shop (did you mean: dbo.Orders, dbo.OrderLines?)"
    )


def test_no_hint_when_nothing_is_close() -> None:
    error = missing_table_error(
        TableRef("public", "zzz"), ["shop.orders"], where="postgresql://x", dialect=POSTGRES
    )
    assert "did you mean" not in str(error)


def test_the_table_is_spelled_in_its_own_engines_quoting() -> None:
    """A SQL Server name is never shown Postgres-style: brackets where T-SQL needs them."""
    sqlserver = missing_table_error(
        TableRef("dbo", "Order Lines"), [], where="mssql://x", dialect=SQLSERVER
    )
    assert "source table dbo.[Order Lines] does" in str(sqlserver)
    assert "source table dbo.Ordrs does" in str(
        missing_table_error(TableRef("dbo", "Ordrs"), [], where="mssql://x", dialect=SQLSERVER)
    )
    postgres = missing_table_error(
        TableRef("public", "Ordrs"), [], where="postgresql://x", dialect=POSTGRES
    )
    assert 'source table public."Ordrs" does' in str(postgres)
