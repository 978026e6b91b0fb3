"""The shared SQL Server pieces, offline: connection strings, errors, quoting, T-SQL watermarks."""

from __future__ import annotations

import pytest

from datakit.engines.sqlserver.errors import classify_odbc
from datakit.engines.sqlserver.identifiers import quote_ident, quote_qualified, quote_string
from datakit.engines.sqlserver.odbc import build_connection_string, odbc_escape
from datakit.engines.sqlserver.watermarks import (
    check_lookback,
    parse_time_lookback,
    render_lower_bound,
)
from datakit.errors import (
    ConfigError,
    ContractError,
    DatakitError,
    Terminated,
    TransientError,
    UsageError,
)
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl
from datakit.watermark import Watermark

PASSWORD = "p;w}d={x"
ENCODED = "p%3Bw%7Dd%3D%7Bx"


def url(text: str) -> DatabaseUrl:
    return DatabaseUrl(Secret(text), "DATAKIT_SOURCE_URL")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            "Driver={ODBC Driver 18 for SQL Server};Server={tcp:db.example,1433};Database={shop};"
            "UID={sa};PWD={p;w}}d={x};APP={datakit};",
        ),
        (
            "?encrypt=yes&trust_server_certificate=no&application_name=etl",
            "Driver={ODBC Driver 18 for SQL Server};Server={tcp:db.example,1433};Database={shop};"
            "UID={sa};PWD={p;w}}d={x};Encrypt=yes;TrustServerCertificate=no;APP={etl};",
        ),
        (
            "?encrypt=strict&host_name_in_certificate=db.corp&multi_subnet_failover=yes"
            "&application_intent=readonly",
            "Driver={ODBC Driver 18 for SQL Server};Server={tcp:db.example,1433};Database={shop};"
            "UID={sa};PWD={p;w}}d={x};Encrypt=strict;APP={datakit};"
            "ApplicationIntent=ReadOnly;MultiSubnetFailover=yes;HostNameInCertificate={db.corp};",
        ),
        (
            "?driver=odbc17&encrypt=no",
            "Driver={ODBC Driver 17 for SQL Server};Server={tcp:db.example,1433};Database={shop};"
            "UID={sa};PWD={p;w}}d={x};Encrypt=no;APP={datakit};",
        ),
        (
            "?driver=freetds&encrypt=yes&trust_server_certificate=yes",
            "Driver={FreeTDS};Server={db.example};Port=1433;Database={shop};UID={sa};"
            "PWD={p;w}}d={x};Encryption=require;APP={datakit};TDS_Version=7.4;"
            "ClientCharset=UTF-8;",
        ),
        (
            "?driver=FreeTDS&tds_version=7.3&encrypt=no",
            "Driver={FreeTDS};Server={db.example};Port=1433;Database={shop};UID={sa};"
            "PWD={p;w}}d={x};Encryption=request;APP={datakit};TDS_Version=7.3;"
            "ClientCharset=UTF-8;",
        ),
    ],
)
def test_connection_string_per_parameter(query: str, expected: str) -> None:
    built = build_connection_string(url(f"mssql://sa:{ENCODED}@db.example:1433/shop{query}"))
    assert built.secret.reveal() == expected
    assert PASSWORD not in built.masked and "PWD={***}" in built.masked
    assert PASSWORD not in repr(built)


def test_kerberos_connection_strings() -> None:
    ms = build_connection_string(
        url("mssql://db.example:1444/shop?trusted_connection=yes&server_spn=MSSQLSvc/db:1444")
    )
    assert ms.trusted
    assert ms.secret.reveal() == (
        "Driver={ODBC Driver 18 for SQL Server};Server={tcp:db.example,1444};Database={shop};"
        "Trusted_Connection=yes;ServerSPN={MSSQLSvc/db:1444};APP={datakit};"
    )
    tds = build_connection_string(
        url("mssql://db.example/shop?trusted_connection=yes&driver=freetds")
    )
    assert "Trusted_Connection=yes;" in tds.secret.reveal() and "UID" not in tds.secret.reveal()


def test_login_timeout_and_escape() -> None:
    built = build_connection_string(url("mssql://u:pw@h/db?login_timeout=7"))
    assert built.login_timeout == 7
    assert odbc_escape("a}b{c;d") == "{a}}b{c;d}"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("postgresql://u:pw@h/db", "mssql://"),
        ("mssql://u:pw@h/", "names no database"),
        ("mssql://u@h/db", "needs user and password"),
        ("mssql://u:pw@h/db?trusted_connection=yes", "takes no password"),
        ("mssql://u:pw@h/db?encrypt=maybe", "?encrypt='maybe' is not one of"),
        ("mssql://u:pw@h/db?trusted_connection=sure", "trusted_connection"),
        ("mssql://u:pw@h/db?colour=red", "unknown URL parameter 'colour'"),
        ("mssql://u:pw@h/db?encrypt=yes&encrypt=no", "given twice"),
        ("mssql://u:pw@h/db?tds_version=7.4", "?tds_version= does not apply"),
        ("mssql://u:pw@h/db?driver=freetds&multi_subnet_failover=yes", "multi_subnet_failover"),
        ("mssql://u:pw@h/db?driver=freetds&trust_server_certificate=no", "ca file"),
        ("mssql://u:pw@h/db?login_timeout=0", "login_timeout"),
        ("mssql://u:pw@h/db?driver=freetds&tds_version=7.4;UID=x", "tds_version"),
    ],
)
def test_bad_urls_are_one_line_config_errors(text: str, names: str) -> None:
    text = text.replace("u:pw@", f"u:{ENCODED}@")
    with pytest.raises(ConfigError) as caught:
        build_connection_string(url(text))
    message = str(caught.value)
    assert names in message and "DATAKIT_SOURCE_URL" in message
    assert "\n" not in message and PASSWORD not in message and ENCODED not in message


@pytest.mark.parametrize(
    ("sqlstate", "message", "error"),
    [
        (
            "28000",
            "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Login failed for user 'sa'. (18456) (SQLDriverConnect)",
            ConfigError,
        ),
        (
            "42000",
            '[SQL Server]Cannot open database "x" requested by the login. (4060)',
            ConfigError,
        ),
        (
            "42000",
            "[SQL Server]The SELECT permission was denied on the object 't'. (229) (SQLExecDirectW)",
            ConfigError,
        ),
        ("42S02", "[SQL Server]Invalid object name 'dbo.nope'. (208)", ConfigError),
        (
            "01000",
            "[unixODBC][Driver Manager]Can't open lib 'ODBC Driver 18 for SQL Server' : file not found (0) (SQLDriverConnect)",
            ConfigError,
        ),
        (
            "IM002",
            "[unixODBC][Driver Manager]Data source name not found and no default driver specified (0) (SQLDriverConnect)",
            ConfigError,
        ),
        (
            "HY000",
            "[SQL Server]Snapshot isolation transaction failed accessing database 'x' because snapshot isolation is not allowed (3952)",
            ConfigError,
        ),
        (
            "08001",
            "[Microsoft][ODBC Driver 18 for SQL Server]TCP Provider: Error code 0x2749 (10057) (SQLDriverConnect)",
            TransientError,
        ),
        (
            "08001",
            "[FreeTDS][SQL Server]Unable to connect to data source (0) (SQLDriverConnect)",
            TransientError,
        ),
        (
            "08S01",
            "[FreeTDS][SQL Server]Unable to connect: Adaptive Server is unavailable or does not exist (20009)",
            TransientError,
        ),
        (
            "HYT00",
            "[Microsoft][ODBC Driver 18 for SQL Server]Login timeout expired (0) (SQLDriverConnect)",
            TransientError,
        ),
        (
            "40001",
            "[SQL Server]Transaction (Process ID 52) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction. (1205)",
            TransientError,
        ),
        ("HY000", "[SQL Server]Transaction was deadlocked (1205)", TransientError),
        (
            "HY000",
            "[SQL Server]Snapshot isolation transaction aborted due to update conflict. (3960)",
            TransientError,
        ),
        ("HY000", "[SQL Server]Lock request time out period exceeded. (1222)", TransientError),
        (
            "22003",
            "[SQL Server]Arithmetic overflow error converting numeric to data type numeric. (8115)",
            ContractError,
        ),
        (
            "22007",
            "[SQL Server]Conversion failed when converting date and/or time from character string. (241)",
            ContractError,
        ),
        ("23000", "[SQL Server]Violation of PRIMARY KEY constraint 'pk'. (2627)", ContractError),
        ("22018", "[SQL Server]Operand type clash (206)", ContractError),
        (
            "HY008",
            "[Microsoft][ODBC Driver 18 for SQL Server]Operation canceled (0)",
            TransientError,
        ),
        ("42000", "[SQL Server]Incorrect syntax near 'FROM'. (102)", DatakitError),
    ],
)
def test_error_classification_table(sqlstate: str, message: str, error: type) -> None:
    found = classify_odbc(sqlstate, message, "source mssql://sa:***@h:1433/db")
    assert type(found) is error
    assert "\n" not in str(found) and "[SQL Server]" not in str(found)
    assert "source mssql://sa:***@h:1433/db" in str(found)


def test_classification_masks_a_password_the_driver_quotes() -> None:
    build_connection_string(url(f"mssql://sa:{ENCODED}@h/db"))  # registers the password
    found = classify_odbc("28000", f"Login failed for user 'sa' with {PASSWORD} (18456)", "source")
    assert PASSWORD not in str(found) and type(found) is ConfigError


def test_cancel_while_stopping_is_terminated(monkeypatch: pytest.MonkeyPatch) -> None:
    from datakit import cancel

    monkeypatch.setattr(cancel, "stopping", lambda: True)
    assert type(classify_odbc("HY008", "Operation canceled (0)", "source")) is Terminated


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("orders", "[orders]"),
        ("odd]name", "[odd]]name]"),
        ("with space", "[with space]"),
        ("Überschrift", "[Überschrift]"),
        ("select", "[select]"),
        ("[x]", "[[x]]]"),
    ],
)
def test_quote_ident(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


def test_quote_qualified_and_refusals() -> None:
    assert quote_qualified("sales", "my]table") == "[sales].[my]]table]"
    assert quote_string("O'Brien") == "N'O''Brien'"
    for bad in ("", "a\0b", "x" * 129):
        with pytest.raises(ConfigError):
            quote_ident(bad)


@pytest.mark.parametrize(
    ("kind", "text", "type_name", "lookback", "expected"),
    [
        ("int", "42", "int", None, "CAST(42 AS int)"),
        ("int", "42", "bigint", "10", "(CAST(42 AS bigint) - 10)"),
        ("decimal", "12.50", "decimal(12,2)", "0.5", "(CAST(12.50 AS decimal(12,2)) - 0.5)"),
        ("int", "5000", "rowversion", None, "CAST(CAST(5000 AS bigint) AS binary(8))"),
        ("int", "5000", "timestamp", "100", "CAST(CAST(4900 AS bigint) AS binary(8))"),
        ("date", "2026-01-31", "date", None, "CAST('2026-01-31' AS date)"),
        (
            "date",
            "2026-01-31",
            "date",
            "2 days",
            "DATEADD(second, -172800, CAST(CAST('2026-01-31' AS date) AS datetime2(7)))",
        ),
        (
            "timestamp",
            "2026-01-31T10:00:00.123456",
            "datetime2(7)",
            "2 hours",
            "DATEADD(second, -7200, CAST('2026-01-31T10:00:00.123456' AS datetime2(7)))",
        ),
        (
            "timestamp",
            "2026-01-31T10:00:00.123456",
            "datetime",
            "1 month 1.5 seconds",
            "DATEADD(month, -1, DATEADD(second, -1, DATEADD(microsecond, -500000, "
            "CAST(CAST(CAST('2026-01-31T10:00:00.123456' AS datetime2(7)) AS datetime) "
            "AS datetime2(7)))))",
        ),
        (
            "timestamptz",
            "2026-01-31T10:00:00+02:00",
            "datetimeoffset(7)",
            None,
            "CAST('2026-01-31T10:00:00+02:00' AS datetimeoffset(7))",
        ),
        (
            "timestamptz",
            "2026-01-31T10:00:00+00:00:30",
            "datetimeoffset(3)",
            None,
            "CAST('2026-01-31T09:59:30+00:00' AS datetimeoffset(3))",
        ),
    ],
)
def test_watermark_rendered_in_tsql(
    kind: str, text: str, type_name: str, lookback: str | None, expected: str
) -> None:
    assert render_lower_bound(Watermark(kind, text), type_name, lookback) == expected  # type: ignore[arg-type]


def test_lookbacks_parse_and_refuse() -> None:
    assert parse_time_lookback("2 hours") == (0, 7200, 0)
    assert parse_time_lookback("1 day 30 minutes") == (0, 88200, 0)
    assert parse_time_lookback("250ms") == (0, 0, 250000)
    assert parse_time_lookback("1 year 2 months") == (14, 0, 0)
    for bad, kind in (
        ("2 fortnights", "time"),
        ("soon", "time"),
        ("-1", "number"),
        ("x", "number"),
    ):
        with pytest.raises(UsageError, match="--lookback"):
            check_lookback("updated_at", "datetime2(7)", kind, bad)


def test_watermarks_outside_sql_server_are_refused() -> None:
    with pytest.raises(ContractError):
        render_lower_bound(Watermark("date", "0000-01-01"), "date")
    with pytest.raises(ContractError):
        render_lower_bound(Watermark("timestamp", "infinity"), "datetime2(7)")
    with pytest.raises(UsageError):
        render_lower_bound(Watermark("int", "1"), "nvarchar(20)")
