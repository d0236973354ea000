# Two commands for a newcomer: `make build` (set up .venv, build the warehouse) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := build

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WAREHOUSE ?= warehouse/cluster_resilience.duckdb

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export CLUSTER_GIT_REVISION := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

.PHONY: build test install install-spark lint dbt-build rollback clean docs

# The pinned environment: every package at the version in constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The optional `spark` extra (dbt-spark + pyspark, ~0.5 GB): `make build TARGET=spark` and the
# DuckDB = Spark equality test of `make test`.
SPARK_STAMP := $(VENV)/.spark-installed
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,spark]'
	touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP)

## build: build, test and publish the warehouse from the shipped data (write-audit-publish)
## build TARGET=spark: the same warehouse on Apache Spark (dbt target spark: local Spark inside
##   dbt, Parquet tables under warehouse/spark/; TARGET=spark_cluster: SPARK_MASTER). Installs the
##   `spark` extra on first use; needs Java 17. docs/spark.md
TARGET ?= dev
ifneq ($(filter spark%,$(TARGET)),)
build: $(SPARK_STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.spark_build --target $(TARGET)
else
build: $(STAMP)
	$(BIN)/python -m cluster_resilience.warehouse.build --warehouse $(WAREHOUSE)
endif

## test: lint, then every test (pytest, incl. a full `dbt build` with all dbt data and unit tests)
test: $(STAMP) $(SPARK_STAMP) lint
	CLUSTER_REQUIRE_SPARK=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check python tests models dashboard
	mkdir -p target/sqlfluff
	CLUSTER_WAREHOUSE_PATH=target/sqlfluff/lint.duckdb DBT_TARGET_PATH=target/sqlfluff $(BIN)/sqlfluff lint models analyses tests/data

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

## dashboard: the Dash BI dashboard on http://127.0.0.1:$(DASHBOARD_PORT)/ (warehouse read-only)
DASHBOARD_PORT ?= 8050
.PHONY: dashboard
dashboard: $(STAMP)
	$(BIN)/python dashboard/app.py --warehouse $(WAREHOUSE) --port $(DASHBOARD_PORT)

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

clean:
	rm -rf target logs

## docs: the dbt docs site, offline and static (target/docs/static_index.html), from a snapshot
## of the published warehouse (readers of the published file are not disturbed)
docs: $(STAMP)
	@test -f $(WAREHOUSE) || { echo "no warehouse at $(WAREHOUSE): run make build first"; exit 1; }
	mkdir -p target/docs
	cp $(WAREHOUSE) target/docs/warehouse_snapshot.duckdb
	CLUSTER_WAREHOUSE_PATH=target/docs/warehouse_snapshot.duckdb $(BIN)/dbt docs generate --static --target-path target/docs
	rm -f target/docs/warehouse_snapshot.duckdb
	@echo "docs site: target/docs/static_index.html (open it in a browser; no network needed)"
