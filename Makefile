# Datakit workspace entry points. Every component is independent (own pyproject, lock, venv);
# these targets only loop over them.
COMPONENTS := datakit-sdk runner-postgres runner-dbt orchestration
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
export UV_LINK_MODE ?= copy
# Byte-compile at install: this environment sets PYTHONDONTWRITEBYTECODE, and compiling the
# drivers on every start would cost a runner ~0.3 s.
export UV_COMPILE_BYTECODE ?= 1

.PHONY: help bootstrap sync test lint demo demo-bronze validate bench clean $(addprefix test-,$(COMPONENTS))

help:
	@echo "make demo    the demo tenant's DAG (bronze -> silver -> gold) over two days, embedded Postgres"
	@echo "make demo-bronze  only the bronze job, without Airflow"
	@echo "make test    install what the tests need and run every component's tests"
	@echo "make lint    ruff over every component"
	@echo "make validate  check every tenant file (file:line path: message)"
	@echo "make bench   run the benchmarks (slow; prints ratios, not pass/fail)"

bootstrap:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

sync: bootstrap
	@for c in $(COMPONENTS); do (cd $$c && $(UV) sync --frozen --all-extras --all-groups --quiet) || exit 1; done

test: sync $(addprefix test-,$(COMPONENTS))

$(addprefix test-,$(COMPONENTS)): test-%: bootstrap
	cd $* && $(UV) sync --frozen --all-extras --all-groups --quiet && $(UV) run --frozen pytest

lint: sync
	@for c in $(COMPONENTS); do (cd $$c && $(UV) run --frozen ruff check . && $(UV) run --frozen ruff format --check .) || exit 1; done

demo: bootstrap
	@for c in runner-postgres runner-dbt orchestration; do (cd $$c && $(UV) sync --frozen --quiet) || exit 1; done
	cd orchestration && $(UV) run --frozen python scripts/demo.py

demo-bronze: bootstrap
	cd runner-postgres && $(UV) sync --frozen --quiet && $(UV) run --frozen python ../scripts/demo.py

validate: bootstrap
	cd orchestration && $(UV) sync --frozen --quiet && $(UV) run --frozen python -m datakit_orchestration.validate

bench: bootstrap
	cd runner-postgres && $(UV) sync --frozen --all-groups --quiet && $(UV) run --frozen python benchmarks/bench_extract.py
	cd orchestration && $(UV) sync --frozen --all-groups --quiet && $(UV) run --frozen python benchmarks/bench_parse.py

clean:
	rm -rf .demo orchestration/.demo */.venv */.pytest_cache */.ruff_cache
