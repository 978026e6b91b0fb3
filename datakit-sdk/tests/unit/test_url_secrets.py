"""Malformed connection URLs: exit 3 naming the variable, and never any piece of the password.

A generated table of cases (seeded, so a failure reproduces): passwords mixing letters with
``@ : / % space # ?`` placed unencoded into otherwise ordinary URLs, URLs without a scheme, bad
``%`` escapes. Each goes through the shared CLI in-process (result line, XCom file, log events)
for every URL variable and its ``*_FILE`` form. The same passwords, percent-encoded, must parse
back exactly: the strict parser refuses only what is really malformed.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from urllib.parse import quote

import click
import pytest

from datakit.cli.app import invoke, runner_group
from datakit.cli.runner_commands import add_runner_commands
from datakit.errors import ConfigError
from datakit.settings import RunnerSettings, parse_url

SPECIALS = "@:/% #?"
BREAKING = "@/ #?%"  # unencoded, each of these makes a URL ambiguous (':' alone does not)
_rng = random.Random(20261202)


def _password(rng: random.Random) -> str:
    """Letters and digits around at least one breaking character, e.g. ``Xk3@pq:9 /zz``."""
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    # Every piece starts with a letter that no timestamp, pid or hex run id holds, so a piece
    # found in the output is a leak, not a coincidence (a bare '343' also occurs in a timestamp).
    distinctive = "ghjkmnpqrstuvwxyzGHJKLMNPQRSTUVWXYZ"
    pieces = []
    for _ in range(rng.randint(2, 5)):
        head = rng.choice(distinctive)
        pieces.append(head + "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 7))))
        pieces.append(rng.choice(SPECIALS) * rng.randint(1, 2))
    if not any(ch in BREAKING for ch in "".join(pieces)):
        pieces.insert(rng.randrange(len(pieces)), rng.choice(BREAKING))
    password = "".join(pieces)
    # A '%' followed by two hex digits would be a valid escape; keep every '%' a bad one.
    return re.sub(r"%(?=[0-9A-Fa-f]{2})", "%z", password)


def _malformed(rng: random.Random, password: str) -> str:
    user = rng.choice(["loader", "etl_user", "u"])
    host = rng.choice(["db.example", "127.0.0.1", "[::1]", "warehouse"])
    port = rng.choice(["", ":5432", ":6543"])
    db = rng.choice(["erp", "bronze", "d"])
    query = rng.choice(["", "?sslmode=disable", "?connect_timeout=5"])
    shape = rng.randrange(4)
    if shape == 0:  # no scheme at all
        return f"{user}:{password}@{host}{port}/{db}{query}"
    if shape == 1:  # scheme typo without '//'
        return f"postgresql:{user}:{password}@{host}{port}/{db}{query}"
    if shape == 2:  # an encoded password with a stray bad escape appended
        return f"postgresql://{user}:{quote(password, safe='')}%G{password[-3:]}@{host}{port}/{db}"
    return f"postgresql://{user}:{password}@{host}{port}/{db}{query}"  # unencoded


CASES = [
    (password, _malformed(_rng, password)) for password in (_password(_rng) for _ in range(400))
]
VARIABLES = [
    "DATAKIT_SOURCE_URL",
    "DATAKIT_WAREHOUSE_URL",
    "DATAKIT_SOURCE_URL_FILE",
    "DATAKIT_WAREHOUSE_URL_FILE",
]


def secret_pieces(password: str) -> list[str]:
    """The password and each of its parts split on ``@ : / % space # ?`` of length 3 or more."""
    parts = [p for p in re.split(r"[@:/% #?]+", password) if len(p) >= 3]
    return [password, *parts]


def assert_no_secret(text: str, password: str) -> None:
    for piece in secret_pieces(password):
        assert piece not in text, f"{piece!r} of the password leaked: {text[:400]!r}"


def test_generated_cases_are_malformed_in_many_ways() -> None:
    """The table is not trivially narrow: every special character and every shape occurs."""
    passwords = "".join(password for password, _ in CASES)
    assert all(ch in passwords for ch in SPECIALS)
    assert sum(1 for _, url in CASES if "://" not in url) > 50
    assert sum(1 for _, url in CASES if url.startswith("postgresql://")) > 150


@pytest.mark.parametrize(("password", "url"), CASES[:200])
def test_parser_refuses_without_quoting_the_password(password: str, url: str) -> None:
    with pytest.raises(ConfigError) as info:
        RunnerSettings.from_env({"DATAKIT_SOURCE_URL": url})
    message = str(info.value)
    assert "DATAKIT_SOURCE_URL is not a valid connection URL" in message
    assert "\n" not in message
    assert_no_secret(message, password)


@pytest.mark.parametrize("password", [password for password, _ in CASES[:200]])
def test_the_same_password_encoded_parses_back_exactly(password: str) -> None:
    url = f"postgresql://loader:{quote(password, safe='')}@db.example:5432/erp?sslmode=disable"
    parts = parse_url(url, "DATAKIT_SOURCE_URL")
    assert parts.password is not None and parts.password.reveal() == password
    assert (parts.username, parts.host, parts.port, parts.database) == (
        "loader",
        "db.example",
        5432,
        "erp",
    )
    assert parts.query == (("sslmode", "disable"),)


def _group() -> click.Group:
    group = runner_group(name="fuzz-runner", version="0.0.0", help="fuzz")

    def no_source() -> object:
        raise AssertionError("settings must fail before a source is built")

    add_runner_commands(
        group, source_type="postgres", source_factory=no_source, warehouse_engine="postgres"
    )
    return group


GOOD = "postgresql://loader:Good-Pw-1@127.0.0.1:1/erp"


@pytest.mark.parametrize(
    ("index", "variable"), [(i, VARIABLES[i % len(VARIABLES)]) for i in range(200, 400)]
)
def test_cli_exits_3_and_no_output_carries_the_password(
    index: int,
    variable: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    password, url = CASES[index]
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATAKIT_SOURCE_URL", GOOD)
    monkeypatch.setenv("DATAKIT_WAREHOUSE_URL", GOOD)
    base = variable.removesuffix("_FILE")
    if variable.endswith("_FILE"):
        secret = tmp_path / "url"
        secret.write_text(url + "\n")
        monkeypatch.delenv(base)
        monkeypatch.setenv(variable, str(secret))
    else:
        monkeypatch.setenv(variable, url)
    xcom = tmp_path / "xcom"
    xcom.mkdir()
    monkeypatch.setenv("DATAKIT_XCOM_DIR", str(xcom))
    monkeypatch.setenv("DATAKIT_LOG_FORMAT", "json")
    command = ["check"] if index % 2 else ["extract", "--table", "public.t"]
    assert invoke(_group(), command) == 3
    out, err = capsys.readouterr()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["error"]["kind"] == "config"
    assert variable in result["error"]["message"]
    assert_no_secret(out + err + (xcom / "return.json").read_text(), password)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:Secret-Pw-9@h:0/db",
        "postgresql://u:Secret-Pw-9@h:70000/db",
        "postgresql://u:Secret-Pw-9@h1:5432,h2:5432/db",
        "postgresql://u:Secret-Pw-9@h/db%00x",
        "postgresql://u:Secret-Pw-9@h/db#frag",
        "postgresql://u:Secret%FFPw@h/db",
    ],
    ids=["port-0", "port-too-big", "several-hosts", "nul", "fragment", "not-utf8"],
)
def test_other_malformed_parts_are_refused_without_the_password(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_url(url, "DATAKIT_WAREHOUSE_URL")
    assert "DATAKIT_WAREHOUSE_URL" in str(info.value)
    assert "Secret" not in str(info.value)
