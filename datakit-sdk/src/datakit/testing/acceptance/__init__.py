"""The runner acceptance suite: every runner's tests subclass the class for its pair.

```python
from datakit.testing import acceptance_class

class TestRunnerPostgres(acceptance_class(source="postgres", warehouse="postgres")):
    @pytest.fixture
    def runner_command(self) -> list[str]:
        return [sys.executable, "-m", "datakit_runner_postgres"]
```
"""

from __future__ import annotations

from datakit.testing.acceptance.postgres_postgres import PostgresToPostgresAcceptance


def acceptance_class(*, source: str, warehouse: str) -> type:
    """The acceptance test base class for a pair, from the ``datakit.acceptance`` entry point
    ``<source>_to_<warehouse>`` (a runner package can register its own pair's suite)."""
    from datakit.errors import ConfigError
    from datakit.plugins import load_plugin, pair_name

    try:
        suite: type = load_plugin(
            "datakit.acceptance", pair_name(source, warehouse), what="acceptance suite"
        )
    except ConfigError as exc:
        raise ValueError(exc.message.removeprefix("config error: ")) from None
    return suite


__all__ = ["PostgresToPostgresAcceptance", "acceptance_class"]
