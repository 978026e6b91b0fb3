"""``mssql://`` connection URLs -> ODBC connection strings, for Microsoft's driver or FreeTDS.

``mssql://user:password@host:1433/database?param=value&...`` (``mssql+pyodbc://`` too). Every
query parameter is either translated here or refused by name, so a typo never silently drops a
security setting:

===========================  ===============================  ==================================
URL parameter                ODBC Driver 18 (default)         FreeTDS
===========================  ===============================  ==================================
``driver``                   ``odbc18`` (default), ``odbc17`` ``freetds``; or a full driver name
``encrypt`` yes|no|strict    ``Encrypt=``                     ``Encryption=`` require|request|strict
``trust_server_certificate`` ``TrustServerCertificate=``      ``yes`` only (FreeTDS verifies a
                                                              certificate only with a ``ca file``
                                                              in freetds.conf): ``no`` is refused
``trusted_connection=yes``   ``Trusted_Connection=yes``       ``Trusted_Connection=yes`` (GSSAPI)
                             (Kerberos, no user/password)
``server_spn``               ``ServerSPN=``                   ``ServerSPN=``
``application_name``         ``APP=`` (default ``datakit``)   ``APP=``
``application_intent``       ``ApplicationIntent=``           ``ApplicationIntent=``
``multi_subnet_failover``    ``MultiSubnetFailover=``         refused
``host_name_in_certificate`` ``HostNameInCertificate=``       refused
``tds_version``              refused                          ``TDS_Version=`` (default ``7.4``)
``login_timeout`` seconds    the ODBC login timeout           the ODBC login timeout
===========================  ===============================  ==================================

The server is ``Server=tcp:host,port`` for Microsoft's driver and ``Server=host;Port=port`` for
FreeTDS (which reads ``host,port`` as a host name). FreeTDS always gets ``ClientCharset=UTF-8``
so non-ASCII names and text survive.

Every free-form value (driver, server, database, user, password, names) is wrapped in ``{}``
with ``}`` doubled (the ODBC rule), so a password with ``;``, ``=``, ``{`` or ``}`` cannot end its
attribute and inject another; values from this module's own tables (``yes``, ``ReadOnly``, a
port, a checked TDS version) are written bare, as the drivers document them. The password is revealed only
into :attr:`OdbcConnectionString.secret` and registered for masking, so a driver message that
quotes it prints ``***``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from datakit.errors import ConfigError
from datakit.secrets import Secret, register_secrets
from datakit.settings import DatabaseUrl

DEFAULT_PORT = 1433
DEFAULT_DRIVER = "ODBC Driver 18 for SQL Server"
FREETDS_DRIVER = "FreeTDS"
FREETDS_TDS_VERSION = "7.4"
SCHEMES = ("mssql", "mssql+pyodbc", "sqlserver")
DRIVER_ALIASES = {
    "odbc18": DEFAULT_DRIVER,
    "odbc17": "ODBC Driver 17 for SQL Server",
    "freetds": FREETDS_DRIVER,
}
_YES_NO = {"yes": "yes", "true": "yes", "1": "yes", "no": "no", "false": "no", "0": "no"}
_ENCRYPT = {**_YES_NO, "strict": "strict", "mandatory": "yes", "optional": "no"}
_FREETDS_ENCRYPTION = {"yes": "require", "no": "request", "strict": "strict"}
_INTENTS = {"readonly": "ReadOnly", "readwrite": "ReadWrite"}
_MICROSOFT_ONLY = ("multi_subnet_failover", "host_name_in_certificate")
_FREETDS_ONLY = ("tds_version",)
KNOWN_PARAMETERS = (
    "driver",
    "encrypt",
    "trust_server_certificate",
    "trusted_connection",
    "server_spn",
    "application_name",
    "application_intent",
    "multi_subnet_failover",
    "host_name_in_certificate",
    "tds_version",
    "login_timeout",
)


@dataclass(frozen=True)
class OdbcConnectionString:
    """A built connection string: the secret text for the driver and a masked one for logs."""

    secret: Secret
    masked: str
    driver: str
    trusted: bool
    login_timeout: int | None

    @property
    def is_freetds(self) -> bool:
        return self.driver == FREETDS_DRIVER


def odbc_escape(value: str) -> str:
    """``{value}`` with every ``}`` doubled: an ODBC attribute value that nothing can break out of."""
    return "{" + value.replace("}", "}}") + "}"


#: Attributes whose values come from this module's own tables (``yes``, ``ReadOnly``, a port, a
#: TDS version checked below): written bare, as the drivers document them. Every other value
#: (driver, server, database, user, password, names) may hold anything and is braced.
_BARE = frozenset(
    {
        "Port",
        "Encrypt",
        "Encryption",
        "TrustServerCertificate",
        "Trusted_Connection",
        "ApplicationIntent",
        "MultiSubnetFailover",
        "TDS_Version",
        "ClientCharset",
    }
)


def _attributes(pairs: list[tuple[str, str]]) -> str:
    return "".join(
        f"{key}={value if key in _BARE else odbc_escape(value)};" for key, value in pairs
    )


def _choice(variable: str, name: str, value: str, allowed: dict[str, str]) -> str:
    chosen = allowed.get(value.strip().lower())
    if chosen is None:
        options = "|".join(dict.fromkeys(allowed))
        raise ConfigError(f"config error: {variable}: ?{name}={value!r} is not one of {options}")
    return chosen


def driver_name(value: str | None) -> str:
    """The ODBC driver name for a ``driver=`` parameter (alias or full name)."""
    if not value:
        return DEFAULT_DRIVER
    alias = DRIVER_ALIASES.get(value.strip().lower())
    if alias:
        return alias
    return FREETDS_DRIVER if value.strip().lower() == FREETDS_DRIVER.lower() else value.strip()


def build_connection_string(url: DatabaseUrl) -> OdbcConnectionString:
    """The ODBC connection string for *url*; a one-line ConfigError naming the bad part.

    Messages name the variable and the parameter, never a value of the user or password.
    """
    parts = url.parts
    variable = url.variable
    if parts.scheme not in SCHEMES:
        raise ConfigError(
            f"config error: {variable} must be an mssql:// URL, got {parts.scheme}:// ({url.masked})"
        )
    if not parts.host:
        raise ConfigError(f"config error: {variable} has no host ({url.masked})")
    database = parts.database.strip("/")
    if not database:
        raise ConfigError(f"config error: {variable} names no database ({url.masked})")
    query: dict[str, str] = {}
    for key, value in parts.query:
        name = key.strip().lower()
        if name not in KNOWN_PARAMETERS:
            raise ConfigError(
                f"config error: {variable}: unknown URL parameter {key!r} "
                f"(known: {', '.join(KNOWN_PARAMETERS)})"
            )
        if name in query:
            raise ConfigError(f"config error: {variable}: URL parameter {key!r} is given twice")
        query[name] = value
    driver = driver_name(query.get("driver"))
    freetds = driver == FREETDS_DRIVER
    for name in _FREETDS_ONLY if not freetds else _MICROSOFT_ONLY:
        if name in query:
            raise ConfigError(
                f"config error: {variable}: ?{name}= does not apply to driver {driver!r}"
            )
    trusted = (
        _choice(variable, "trusted_connection", query["trusted_connection"], _YES_NO) == "yes"
        if "trusted_connection" in query
        else False
    )
    port = parts.port or DEFAULT_PORT
    pairs: list[tuple[str, str]] = [("Driver", driver)]
    if freetds:
        pairs += [("Server", parts.host), ("Port", str(port))]
    else:
        pairs.append(("Server", f"tcp:{parts.host},{port}"))
    pairs.append(("Database", database))
    password = parts.password.reveal() if parts.password is not None else None
    if trusted:
        if password is not None:
            raise ConfigError(
                f"config error: {variable}: trusted_connection=yes (Kerberos) takes no password "
                f"in the URL ({url.masked})"
            )
        pairs.append(("Trusted_Connection", "yes"))
    else:
        if not parts.username or password is None:
            raise ConfigError(
                f"config error: {variable} needs user and password, or ?trusted_connection=yes "
                f"for Kerberos ({url.masked})"
            )
        pairs += [("UID", parts.username), ("PWD", password)]
    if "encrypt" in query:
        encrypt = _choice(variable, "encrypt", query["encrypt"], _ENCRYPT)
        if freetds:
            pairs.append(("Encryption", _FREETDS_ENCRYPTION[encrypt]))
        else:
            pairs.append(("Encrypt", encrypt))
    if "trust_server_certificate" in query:
        trust = _choice(
            variable, "trust_server_certificate", query["trust_server_certificate"], _YES_NO
        )
        if freetds and trust == "no":
            raise ConfigError(
                f"config error: {variable}: driver FreeTDS checks a server certificate only with "
                "a 'ca file' in freetds.conf, not by trust_server_certificate=no (use "
                "driver=odbc18, or configure freetds.conf and drop the parameter)"
            )
        if not freetds:
            pairs.append(("TrustServerCertificate", trust))
    if "server_spn" in query:
        pairs.append(("ServerSPN", query["server_spn"]))
    pairs.append(("APP", query.get("application_name") or "datakit"))
    if "application_intent" in query:
        pairs.append(
            (
                "ApplicationIntent",
                _choice(variable, "application_intent", query["application_intent"], _INTENTS),
            )
        )
    if "multi_subnet_failover" in query:
        pairs.append(
            (
                "MultiSubnetFailover",
                _choice(variable, "multi_subnet_failover", query["multi_subnet_failover"], _YES_NO),
            )
        )
    if "host_name_in_certificate" in query:
        pairs.append(("HostNameInCertificate", query["host_name_in_certificate"]))
    tds_version = (query.get("tds_version") or FREETDS_TDS_VERSION).strip()
    if not re.fullmatch(r"\d\.\d|auto", tds_version):
        raise ConfigError(
            f"config error: {variable}: ?tds_version={tds_version!r} is not a TDS version such "
            "as 7.4 (or auto)"
        )
    if freetds:
        pairs += [
            ("TDS_Version", tds_version),
            ("ClientCharset", "UTF-8"),
        ]
    login_timeout = None
    if "login_timeout" in query:
        text = query["login_timeout"].strip()
        if not text.isdigit() or not 0 < int(text) <= 3600:
            raise ConfigError(
                f"config error: {variable}: ?login_timeout={text!r} is not a number of seconds "
                "from 1 to 3600"
            )
        login_timeout = int(text)
    if password:
        register_secrets((password,))
    masked_pairs = [(k, "***") if k == "PWD" else (k, v) for k, v in pairs]
    return OdbcConnectionString(
        secret=Secret(_attributes(pairs)),
        masked=_attributes(masked_pairs),
        driver=driver,
        trusted=trusted,
        login_timeout=login_timeout,
    )


__all__ = [
    "DEFAULT_DRIVER",
    "DEFAULT_PORT",
    "DRIVER_ALIASES",
    "FREETDS_DRIVER",
    "KNOWN_PARAMETERS",
    "OdbcConnectionString",
    "build_connection_string",
    "driver_name",
    "odbc_escape",
]
