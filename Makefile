# Datakit workspace entry points. Every component is independent (own pyproject, lock, venv);
# these targets only loop over them.
COMPONENTS := datakit-sdk runner-postgres runner-sqlserver runner-dbt runner-spark orchestration registry
# uv from PATH, else a private copy in .tools/venv (`make bootstrap` creates it): a stock Debian
# Python refuses `pip install` outside a virtual environment (PEP 668, externally managed).
UV_VENV := $(CURDIR)/.tools/venv
UV ?= $(shell command -v uv 2>/dev/null || echo $(UV_VENV)/bin/uv)
export UV
export UV_LINK_MODE ?= copy
# Byte-compile at install: this environment sets PYTHONDONTWRITEBYTECODE, and compiling the
# drivers on every start would cost a runner ~0.3 s.
export UV_COMPILE_BYTECODE ?= 1
# A component's `bench` dependency group (runner-postgres: the peers Sling and dlt, Sling's binary
# alone ~260 MB) is installed by `make bench` only: the test and lint syncs, run in the
# component's folder, leave it out (uv refuses --no-group for a group a project does not define).
NO_BENCH_GROUP = $$(grep -qs '^bench = ' pyproject.toml && echo --no-group bench)

.PHONY: help bootstrap sync test lint images platform platform-tls platform-down push pull-secret demo demo-bronze demo-stop validate k8s-objects bench clean $(addprefix test-,$(COMPONENTS)) $(addprefix lint-,$(COMPONENTS))

help:
	@echo "make demo    the demo tenant's DAG (bronze -> silver -> gold) over two days, embedded Postgres"
	@echo "              DATAKIT_EXECUTION=docker: the runner images under DockerOperator (podman's Docker API); =pod: as podman kube play pods"
	@echo "make demo-bronze  only the bronze job, without Airflow"
	@echo "make demo-stop  stop the Postgres server a demo left running (for psql)"
	@echo "make test    install what the tests need and run every component's tests"
	@echo "make lint    ruff over every component"
	@echo "make images  build every runner image (Docker, else podman; air-gapped base where no registry answers)"
	@echo "make platform  the local platform: CA + certificates (registry/.tls), the registry (TLS, htpasswd) on 127.0.0.1:5000"
	@echo "make platform-down  stop it; make platform-tls  only the CA and certificates"
	@echo "make push    push every runner image (version + sha tags) to it, then verify a pull by digest"
	@echo "make pull-secret NAMESPACES='datakit-acme ...'  its image pull Secret per namespace (registry/.state/k8s, 0600)"
	@echo "make validate  check every tenant file (file:line path: message)"
	@echo "make k8s-objects  render each tenant's Kubernetes objects into build/k8s/<tenant>.yaml (K8S_OUT=DIR, TENANT=name)"
	@echo "make bench   run the benchmarks (slow; prints ratios, not pass/fail)"

bootstrap:
	@command -v $(UV) >/dev/null 2>&1 || { \
	  echo "==> uv is not on PATH: installing it into $(UV_VENV)"; \
	  python3 -m venv $(UV_VENV) && $(UV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv; \
	} || { echo "make bootstrap: cannot install uv into $(UV_VENV) (python3 -m venv, then pip install uv); install python3-venv (Debian/Ubuntu: apt-get install python3-venv) or uv (https://docs.astral.sh/uv/)" >&2; exit 1; }

sync: bootstrap
	@for c in $(COMPONENTS); do (cd $$c && $(UV) sync --frozen --all-extras --all-groups $(NO_BENCH_GROUP) --quiet) || exit 1; done

test: sync $(addprefix test-,$(COMPONENTS))

# Each component prints its name, pytest's summary and its wall time; `make test` stops at the
# first failing component with that component's exit status. PYTEST_ARGS selects, e.g.
# PYTEST_ARGS="-m container" (the image tests, as the workflows' image job runs them).
$(addprefix test-,$(COMPONENTS)): test-%: bootstrap
	@echo "==> $*: installing its environment and running its tests ($$(date -u +%H:%M:%S) UTC)"
	@start=$$(date +%s); \
	(cd $* && $(UV) sync --frozen --all-extras --all-groups $(NO_BENCH_GROUP) --quiet && $(UV) run --frozen pytest -q -p no:cacheprovider $(PYTEST_ARGS)); \
	status=$$?; \
	echo "<== $*: $$([ $$status -eq 0 ] && echo passed || echo "FAILED (exit $$status)") in $$(( $$(date +%s) - start )) s"; \
	exit $$status

lint: $(addprefix lint-,$(COMPONENTS))

$(addprefix lint-,$(COMPONENTS)): lint-%: bootstrap
	cd $* && $(UV) sync --frozen --all-extras --all-groups $(NO_BENCH_GROUP) --quiet && $(UV) run --frozen ruff check . && $(UV) run --frozen ruff format --check .

# Every runner-*/Dockerfile, built by the one script CI and the image tests use (images/build.py):
# Docker where `docker info` answers, else podman; the official python base where it can be
# pulled, else the air-gapped base from Debian packages. A no-op per image whose content is
# unchanged. RUNNERS=runner-postgres limits it; DATAKIT_REGISTRY / DATAKIT_IMAGE_GROUP rename.
images: bootstrap
	cd datakit-sdk && $(UV) sync --frozen --all-extras --all-groups --quiet && $(UV) run --frozen python ../images/build.py $(RUNNERS)

# The local platform (registry/README.md): the registry runs as Debian's docker-registry process
# (the program of the compose file's registry:2); Traefik and the databases of
# docker-compose.yml need Docker (`docker compose up -d`). DATAKIT_REGISTRY_ADDR moves it.
PLATFORM = cd registry && $(UV) sync --frozen --inexact --quiet && $(UV) run --frozen python -m datakit_registry

platform-tls: bootstrap
	$(PLATFORM) tls

platform: bootstrap
	$(PLATFORM) up

platform-down: bootstrap
	$(PLATFORM) down

push: bootstrap
	$(PLATFORM) push $(RUNNERS)

# The registry's image pull Secret for Kubernetes, one per namespace, from its credentials file.
pull-secret: bootstrap
	$(PLATFORM) pull-secret $(addprefix --namespace ,$(NAMESPACES)) $(if $(OUT),--out $(abspath $(OUT)))

demo: bootstrap
	@for c in runner-postgres runner-dbt orchestration; do echo "==> $$c: installing its environment (uv sync)"; (cd $$c && $(UV) sync --frozen --inexact --quiet) || exit 1; done
	cd orchestration && $(UV) run --frozen python scripts/demo.py

demo-bronze: bootstrap
	cd runner-postgres && $(UV) sync --frozen --inexact --quiet && $(UV) run --frozen python ../scripts/demo.py

# The demos leave their Postgres running for a look with psql; this stops it (both demos).
demo-stop: bootstrap
	cd runner-postgres && $(UV) run --frozen python -m datakit.testing.demo stop $(if $(DEMO_DIR),$(abspath $(DEMO_DIR)),$(CURDIR)/orchestration/.demo $(CURDIR)/.demo)

validate: bootstrap
	cd orchestration && $(UV) sync --frozen --inexact --quiet && $(UV) run --frozen python -m datakit_orchestration.validate

K8S_OUT ?= $(CURDIR)/build/k8s
k8s-objects: bootstrap
	cd orchestration && $(UV) sync --frozen --inexact --quiet && $(UV) run --frozen python -m datakit_orchestration.render_k8s --out $(abspath $(K8S_OUT)) $(if $(TENANT),--tenant $(TENANT))

bench: bootstrap
	cd runner-postgres && $(UV) sync --frozen --inexact --all-groups --quiet && $(UV) run --frozen python benchmarks/bench_extract.py
	# Sling and dlt (runner-postgres's bench group) on the same table, beside the runner and the pipe.
	cd runner-postgres && $(UV) run --frozen python benchmarks/bench_peers.py
	# Day-2 / day-1 dbt build at scale 35 (1.05M order lines), and runner-dbt over plain dbt.
	cd runner-dbt && $(UV) sync --frozen --inexact --all-groups --quiet && $(UV) run --frozen python benchmarks/bench_build.py --rounds 3 --repeats 1
	cd orchestration && $(UV) sync --frozen --inexact --all-groups --quiet && $(UV) run --frozen python benchmarks/bench_parse.py
	cd runner-spark && $(UV) sync --frozen --inexact --all-groups --quiet && $(UV) run --frozen python benchmarks/bench_extract.py
	# Prints "skipped" without DATAKIT_BENCH_SQLSERVER_URL (a SQL Server: the GitHub workflow's service container).
	cd runner-sqlserver && $(UV) sync --frozen --inexact --all-groups --quiet && $(UV) run --frozen python benchmarks/bench_extract.py

clean:
	rm -rf .demo orchestration/.demo */.venv */.pytest_cache */.ruff_cache
