from __future__ import annotations

from pathlib import Path

import pytest

from datakit.errors import ConfigError
from datakit.secrets import Secret, mask_text, mask_url
from datakit.settings import RunnerSettings

URL = "postgresql://loader:S3cret-pw@db.example:5432/erp"


def test_reads_urls_tenant_and_run_id() -> None:
    settings = RunnerSettings.from_env(
        {
            "DATAKIT_SOURCE_URL": URL,
            "DATAKIT_TENANT": "acme",
            "DATAKIT_RUN_ID": "r1",
            "DATAKIT_LOG_FORMAT": "json",
        }
    )
    assert settings.source_url is not None
    assert settings.source_url.masked == "postgresql://loader:***@db.example:5432/erp"
    assert (settings.tenant, settings.run_id, settings.log_format) == ("acme", "r1", "json")
    assert settings.secrets() == ("S3cret-pw",)
    assert "S3cret" not in repr(settings) + str(settings)


def test_url_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "url"
    secret.write_text(URL + "\n")
    settings = RunnerSettings.from_env({"DATAKIT_WAREHOUSE_URL_FILE": str(secret)})
    assert settings.require_url("warehouse").secret.reveal() == URL


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    env = {
        "DATAKIT_SOURCE_URL": URL,
        "DATAKIT_SOURCE_URL_FILE": str(tmp_path / "x"),
        "DATAKIT_WAREHOUSE_URL_FILE": str(tmp_path / "missing"),
        "DATAKIT_TENANT": "Bad Tenant",
        "DATAKIT_LOG_FORMAT": "xml",
    }
    with pytest.raises(ConfigError) as info:
        RunnerSettings.from_env(env)
    message = str(info.value)
    for expected in [
        "DATAKIT_SOURCE_URL and DATAKIT_SOURCE_URL_FILE are both set",
        "DATAKIT_WAREHOUSE_URL_FILE=",
        "cannot be read",
        "DATAKIT_TENANT='Bad Tenant'",
        "DATAKIT_LOG_FORMAT='xml'",
    ]:
        assert expected in message
    assert "S3cret" not in message


def test_required_url_missing() -> None:
    with pytest.raises(ConfigError, match="DATAKIT_WAREHOUSE_URL is not set"):
        RunnerSettings.from_env({}, require=("warehouse",))


@pytest.mark.parametrize("value", ["not a url", "postgresql://u:p@h:99999/db"])
def test_bad_url_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="DATAKIT_SOURCE_URL"):
        RunnerSettings.from_env({"DATAKIT_SOURCE_URL": value})


def test_secret_never_prints() -> None:
    secret = Secret("hunter22")
    assert "hunter22" not in f"{secret} {secret!r}"
    assert secret.reveal() == "hunter22"


def test_masking() -> None:
    assert mask_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert "pw" not in mask_text("failed for postgresql://u:pw@h/db and password=pw")
    assert mask_text("the value hunter22 leaked", ("hunter22",)) == "the value *** leaked"


def test_run_id_option_wins_over_the_environment_without_writing_it() -> None:
    """``--run-id`` reaches the settings as an argument (it used to be written to os.environ)."""
    import os

    before = os.environ.get("DATAKIT_RUN_ID")
    settings = RunnerSettings.from_env({"DATAKIT_RUN_ID": "from-env"}, run_id="from-option")
    assert settings.run_id == "from-option"
    assert os.environ.get("DATAKIT_RUN_ID") == before
    with pytest.raises(ConfigError, match=r"--run-id 'bad id' has characters outside"):
        RunnerSettings.from_env({}, run_id="bad id")
    with pytest.raises(ConfigError, match=r"DATAKIT_RUN_ID='bad id' has characters outside"):
        RunnerSettings.from_env({"DATAKIT_RUN_ID": "bad id"})
