# Two commands for a newcomer: `make build` (set up .venv, build the warehouse) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := build

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BI_VENV := .venv-bi
BI_STAMP := $(BI_VENV)/.installed
WAREHOUSE ?= warehouse/cluster_resilience.duckdb
# What a plain `dbt build` writes (profiles.yml default); `make publish` publishes it.
DEV_WAREHOUSE ?= warehouse/dev.duckdb
# The oldest DuckDB the published file must open in (tests only): its own venv.
COMPAT_VENV := .venv-compat
COMPAT_STAMP := $(COMPAT_VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export CLUSTER_GIT_REVISION := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

.PHONY: build test install install-spark lint dbt-build rollback clean docs publish

# The pinned environment: every package at the version in constraints.txt (pip prints each
# package as it is collected and installed).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -c constraints.txt -e '.[test]'
	touch $(STAMP)

$(COMPAT_STAMP): requirements-compat.txt
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar on --no-deps -r requirements-compat.txt
	touch $(COMPAT_STAMP)

install: $(STAMP) $(COMPAT_STAMP)

# The optional `spark` extra (dbt-spark + pyspark): `make build TARGET=spark` and the
# DuckDB = Spark equality test of `make test` (tests/python/test_spark_equality.py).
SPARK_STAMP := $(VENV)/.spark-installed
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -c constraints.txt -e '.[test,spark]'
	touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP)

## build: build, test and publish the warehouse from the shipped data (write-audit-publish).
##   VARS='{bootstrap_reps: 199}' passes dbt vars; NO_CHANGE=1 refuses to publish if any table
##   would change (scheduled rebuilds); the change report is target/change_report.md
## build TARGET=spark: the same project on Apache Spark (dbt target spark: local Spark inside
##   dbt, Parquet tables under warehouse/spark/; TARGET=spark_cluster: SPARK_MASTER). Installs
##   the `spark` extra on first use; needs Java 17. docs/spark.md
TARGET ?= dev
ifneq ($(filter spark%,$(TARGET)),)
build: $(SPARK_STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.spark_build --target $(TARGET) $(if $(VARS),-- --vars "$$VARS")
else
build: $(STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.build --warehouse $(WAREHOUSE) $(if $(NO_CHANGE),--refuse-changes) $(if $(VARS),-- --vars "$$VARS")
endif

## publish: publish $(DEV_WAREHOUSE), built by a plain `dbt build`, through the same door,
##   audit, change report and atomic rename as `make build` (NO_CHANGE=1 works here too)
publish: $(STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.build --warehouse $(WAREHOUSE) --publish-from $(DEV_WAREHOUSE) $(if $(NO_CHANGE),--refuse-changes)

## test: lint, then every test (pytest, incl. a full `dbt build` with all dbt data and unit tests,
## the Superset dashboard in headless chromium, hence the BI venv and `make browser`, an older
## DuckDB reading the published file, hence .venv-compat, and the same build on Spark, hence the
## spark extra; CLUSTER_REQUIRE_SPARK=1 / CLUSTER_REQUIRE_BROWSER=1 make a missing Spark or browser
## fail their tests instead of skipping them)
test: $(STAMP) $(SPARK_STAMP) $(BI_STAMP) $(COMPAT_STAMP) browser lint
	CLUSTER_REQUIRE_SPARK=1 CLUSTER_REQUIRE_BROWSER=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check python tests models bi
	mkdir -p target/sqlfluff
	@# models read the registry seeds at compile time: load them into the lint warehouse first
	CLUSTER_WAREHOUSE_PATH=target/sqlfluff/lint.duckdb DBT_TARGET_PATH=target/sqlfluff $(BIN)/dbt seed --quiet
	CLUSTER_WAREHOUSE_PATH=target/sqlfluff/lint.duckdb DBT_TARGET_PATH=target/sqlfluff $(BIN)/sqlfluff lint --processes 2 models analyses tests/data

## rollback: restore the previously published warehouse
rollback: $(STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.build --warehouse $(WAREHOUSE) --rollback

## validate-raw: only the Great Expectations checks of data/raw (every file re-validated, no dbt);
## Data Docs in target/gx_data_docs/index.html
.PHONY: validate-raw
validate-raw: $(STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.build --warehouse $(WAREHOUSE) --validate-only --revalidate

## export: every public mart and estimate table as Parquet + CSV with a manifest, under exports/
EXPORTS ?= exports
.PHONY: export
export: $(STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.export --warehouse $(WAREHOUSE) --out $(EXPORTS)

## report: the self-contained HTML report (paper tables, plots, maps, coverage) from the warehouse
REPORT ?= target/report/cluster_resilience_report.html
.PHONY: report
report: $(STAMP)
	$(BIN)/python -m cluster_resilience.report --warehouse $(WAREHOUSE) --out $(REPORT)

## bi: Apache Superset in its own venv (.venv-bi, pins in bi/constraints.txt) on
## http://127.0.0.1:$(BI_PORT)/, the dashboard imported from bi/superset/assets/, the published
## warehouse opened read-only; a fresh metadata DB under $(BI_STATE)/ on every start.
## `make bi-stop` stops its process group.
BI_PORT ?= 8088
BI_STATE ?= target/bi
.PHONY: bi bi-install bi-stop
$(BI_STAMP): bi/requirements.txt bi/constraints.txt
	@echo "installing Superset into $(BI_VENV) (pinned by bi/constraints.txt; ~1-3 min, ~900 MB)"
	$(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar on -c bi/constraints.txt -r bi/requirements.txt
	touch $(BI_STAMP)

bi-install: $(BI_STAMP)

bi: $(BI_STAMP)
	$(BI_VENV)/bin/python bi/superset_server.py start --warehouse $(WAREHOUSE) --port $(BI_PORT) --state-dir $(BI_STATE)

bi-stop:
	@if [ -x $(BI_VENV)/bin/python ]; then $(BI_VENV)/bin/python bi/superset_server.py stop --state-dir $(BI_STATE); fi

## refresh: download newer agency releases into data/raw/ with refresh_manifest.json (network;
## optional: `make build` never fetches). Needs CENSUS_API_KEY (Census trade) and
## CLUSTER_REFRESH_CONTACT (an e-mail for the User-Agent, BLS); see docs/data_refresh.md.
## Options: REFRESH_ARGS='--source bea --dry-run' (also --years 2019-2023, --out DIR)
REFRESH_ARGS ?=
REFRESH_STAMP := $(VENV)/.refresh-installed
$(REFRESH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[refresh]'
	touch $(REFRESH_STAMP)

.PHONY: refresh
refresh: $(REFRESH_STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.refresh $(REFRESH_ARGS)

## bench: the county-scale benchmark on a SYNTHETIC panel (docs/benchmarks.md): generate in DuckDB,
## moments with the project's macros, DID + CRV1 + wild bootstrap, vs pyfixest on the same rows;
## Spark local[2] at BENCH_SPARK_SIZES when the spark extra is installed. Prints the tables.
BENCH_SIZES ?= 1000000,5000000,20000000
BENCH_SPARK_SIZES ?= 5000000,20000000
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m cluster_resilience.bench --sizes $(BENCH_SIZES) --spark-sizes "$(BENCH_SPARK_SIZES)"

clean:
	rm -rf target logs

## docs: the dbt docs site, offline and static (target/docs/static_index.html), from a snapshot
## of the last build's full dbt database (the published file holds only the public tables)
BUILD_FILE = $(basename $(WAREHOUSE)).build.duckdb
docs: $(STAMP)
	@test -f $(BUILD_FILE) || { echo "no build file at $(BUILD_FILE): run make build first"; exit 1; }
	mkdir -p target/docs
	cp $(BUILD_FILE) target/docs/warehouse_snapshot.duckdb
	CLUSTER_WAREHOUSE_PATH=target/docs/warehouse_snapshot.duckdb $(BIN)/dbt docs generate --static --target-path target/docs
	rm -f target/docs/warehouse_snapshot.duckdb
	@echo "docs site: target/docs/static_index.html (open it in a browser; no network needed)"

## browser: Debian's chromium and chromium-driver for the headless dashboard test (apt-get, as
##   root; a no-op when both are on PATH). Browser downloads by tools (selenium-manager) fail here.
.PHONY: browser
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
		echo "chromium and chromedriver present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else \
		echo "make browser: install Debian's chromium and chromium-driver (needs root: sudo apt-get install chromium chromium-driver)" >&2; exit 1; \
	fi
