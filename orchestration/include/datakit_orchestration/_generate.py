"""``python -m datakit_orchestration._generate``: regenerate the schema validators.

Run after editing ``include/tenant.schema.json``, ``include/platform.schema.json`` or
``include/deployments.schema.json``;
``tests/unit/test_validation.py`` fails while the generated code is stale (DAG parsing then
falls back to compiling the validator at every parse, which is correct but slower).
"""

from __future__ import annotations

from datakit_orchestration import paths
from datakit_orchestration._schema import (
    GENERATED_DIR,
    generate_validator_code,
    generated_module_name,
)


def main() -> None:
    GENERATED_DIR.mkdir(exist_ok=True)
    (GENERATED_DIR / "__init__.py").write_text(
        '"""Validators generated from include/*.schema.json by _generate.py (see _schema.py)."""\n'
    )
    for schema_file in (
        paths.TENANT_SCHEMA_FILE,
        paths.PLATFORM_SCHEMA_FILE,
        paths.DEPLOYMENTS_SCHEMA_FILE,
    ):
        target = GENERATED_DIR / f"{generated_module_name(schema_file)}.py"
        target.write_text(generate_validator_code(schema_file))
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
