"""``python -m datakit_registry``: see ``datakit_registry.cli``."""

from datakit_registry.cli import main

raise SystemExit(main())
