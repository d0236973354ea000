"""Python models on both engines: the adapter-agnostic reader and the `session` submission method
registered on dbt-spark (the full Spark build runs in test_spark_equality.py)."""

from __future__ import annotations

import os
from importlib.util import find_spec
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from cluster_resilience.runs.relations import to_pandas


def test_to_pandas_reads_a_duckdb_relation():
    relation = duckdb.connect().sql("select 1 as a, 'x' as b union all select 2, 'y'")
    frame = to_pandas(relation)
    assert list(frame.columns) == ["a", "b"] and sorted(frame["a"]) == [1, 2]


def test_to_pandas_reads_anything_spark_like_through_topandas():
    expected = pd.DataFrame({"a": [1.5]})
    spark_like = SimpleNamespace(toPandas=lambda: expected)
    assert to_pandas(spark_like) is expected


def test_to_pandas_names_what_it_cannot_read():
    with pytest.raises(TypeError, match="list"):
        to_pandas([1, 2])


@pytest.fixture
def spark_adapter():
    if find_spec("dbt.adapters.spark") is None:
        message = "the spark extra is not installed (make install-spark)"
        if os.environ.get("CLUSTER_REQUIRE_SPARK") == "1":  # make test installs it
            pytest.fail(message)
        pytest.skip(message)
    from cluster_resilience.warehouse.spark_session import register
    from dbt.adapters.spark.impl import SparkAdapter

    register()
    register()  # idempotent
    return SparkAdapter


def _adapter_with(method: str) -> SimpleNamespace:
    profile = SimpleNamespace(credentials=SimpleNamespace(method=method))
    return SimpleNamespace(connections=SimpleNamespace(profile=profile))


def test_session_method_is_registered_and_default_for_session_connections(spark_adapter):
    from cluster_resilience.warehouse.spark_session import SessionPythonJobHelper

    helpers = spark_adapter.python_submission_helpers.fget(_adapter_with("session"))
    assert helpers["session"] is SessionPythonJobHelper
    assert {"job_cluster", "all_purpose_cluster"} <= set(helpers)  # Databricks ones kept
    default = spark_adapter.default_python_submission_method.fget
    assert default(_adapter_with("session")) == "session"
    assert default(_adapter_with("thrift")) == "all_purpose_cluster"


def test_session_method_refuses_a_connection_without_a_session(spark_adapter):
    from cluster_resilience.warehouse.spark_session import SessionPythonJobHelper
    from dbt_common.exceptions import DbtRuntimeError

    model = {"alias": "int_est_params", "schema": "intermediate"}
    with pytest.raises(DbtRuntimeError, match="method: session"):
        SessionPythonJobHelper(model, SimpleNamespace(method="thrift"))


def test_dbt_plugin_registers_the_session_method(spark_adapter):
    import dbt_cluster_resilience

    (plugin,) = dbt_cluster_resilience.plugins
    plugin(project_name="cluster_resilience")
    assert "session" in spark_adapter.python_submission_helpers.fget(_adapter_with("session"))
