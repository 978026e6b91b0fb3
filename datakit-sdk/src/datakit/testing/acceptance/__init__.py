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

_SUITES: dict[tuple[str, str], type] = {("postgres", "postgres"): PostgresToPostgresAcceptance}


def acceptance_class(*, source: str, warehouse: str) -> type:
    """The acceptance test base class for a source/warehouse pair."""
    try:
        return _SUITES[(source, warehouse)]
    except KeyError:
        known = ", ".join(f"{s}->{w}" for s, w in sorted(_SUITES))
        raise ValueError(
            f"no acceptance suite for {source}->{warehouse} (known: {known})"
        ) from None


__all__ = ["PostgresToPostgresAcceptance", "acceptance_class"]
