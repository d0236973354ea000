"""Python models on Spark without Databricks: the ``session`` submission method of dbt-spark.

dbt-spark submits Python models only to Databricks (``all_purpose_cluster``, ``job_cluster``).
With ``method: session`` dbt itself runs inside a SparkSession, so a model can simply run there:
``SessionPythonJobHelper`` executes the compiled model (the model code plus dbt's ``dbtObj``
prelude and dbt-spark's ``py_write_table`` epilogue, which writes the returned frame as a table)
with ``spark`` bound to dbt's own session. ``register()`` adds it to the adapter's
``python_submission_helpers`` and makes it the default for session connections; the dbt plugin
in ``python/dbt_cluster_resilience`` calls it whenever dbt starts, so plain ``dbt build --target
spark`` works. Thrift/ODBC connections have no session in dbt's process: they are refused.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.base import PythonJobHelper
from dbt.adapters.spark.connections import SparkConnectionMethod
from dbt.adapters.spark.impl import SparkAdapter
from dbt_common.exceptions import DbtRuntimeError

SUBMISSION_METHOD = "session"


class SessionPythonJobHelper(PythonJobHelper):
    """Runs a compiled dbt Python model in the SparkSession of the dbt process."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        if credentials.method != SparkConnectionMethod.SESSION:
            raise DbtRuntimeError(
                f"Python model {parsed_model['alias']}: submission_method 'session' needs a "
                f"profile with method: session (this one has method: {credentials.method})."
            )
        self.identifier = f"{parsed_model['schema']}.{parsed_model['alias']}"

    def submit(self, compiled_code: str) -> None:
        from pyspark.sql import SparkSession

        # dbt's cursor created the session (with the profile's server_side_parameters); this
        # returns that same session.
        spark = SparkSession.builder.getOrCreate()
        code = compile(compiled_code, f"<dbt Python model {self.identifier}>", "exec")
        exec(code, {"__name__": f"dbt_python_model_{self.identifier}", "spark": spark})


def register() -> None:
    """Add the ``session`` method to dbt-spark's submission helpers (idempotent) and make it
    the default submission method of ``method: session`` connections."""
    if getattr(SparkAdapter, "_cluster_resilience_session", False):
        return
    helpers = SparkAdapter.python_submission_helpers.fget
    default = SparkAdapter.default_python_submission_method.fget

    def python_submission_helpers(self: SparkAdapter) -> dict[str, type[PythonJobHelper]]:
        return {**helpers(self), SUBMISSION_METHOD: SessionPythonJobHelper}

    def default_python_submission_method(self: SparkAdapter) -> str:
        method = self.connections.profile.credentials.method
        return SUBMISSION_METHOD if method == SparkConnectionMethod.SESSION else default(self)

    SparkAdapter.python_submission_helpers = property(python_submission_helpers)
    SparkAdapter.default_python_submission_method = property(default_python_submission_method)
    SparkAdapter._cluster_resilience_session = True
