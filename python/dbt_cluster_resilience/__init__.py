"""dbt plugin of this project. dbt-core imports every top-level module whose name starts with
``dbt_`` when a command starts and instantiates the ``dbtPlugin`` classes of its ``plugins``
list. This one registers the ``session`` submission method for Python models on dbt-spark
(cluster_resilience.warehouse.spark_session) when dbt-spark is installed (the ``spark`` extra);
with DuckDB alone it does nothing and imports nothing."""

from __future__ import annotations

from importlib.util import find_spec

from dbt.plugins.manager import dbtPlugin


class SparkSessionPythonModels(dbtPlugin):
    """Python models run in dbt's own SparkSession (method: session)."""

    def initialize(self) -> None:
        if find_spec("dbt.adapters.spark") is None:
            return
        from cluster_resilience.warehouse.spark_session import register

        register()


plugins = [SparkSessionPythonModels]
