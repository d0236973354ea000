"""What a dbt Python model reads, as pandas, whichever engine dbt runs on.

``dbt.ref(...)`` returns the engine's own handle on the table: a DuckDB relation with dbt-duckdb,
a Spark DataFrame with dbt-spark. The estimation code takes pandas frames, so the Python models
read every input through ``to_pandas`` and stay the same on both engines. (What they return,
pandas frames, both adapters write as tables: dbt-spark converts them to Spark DataFrames.)
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def to_pandas(relation: Any) -> pd.DataFrame:
    """The rows of a table read with ``dbt.ref()`` / ``dbt.source()`` as a pandas DataFrame:
    a Spark DataFrame (``toPandas``, Arrow-based where enabled) or a DuckDB relation (``df``)."""
    if hasattr(relation, "toPandas"):
        return relation.toPandas()
    if hasattr(relation, "df"):
        return relation.df()
    raise TypeError(
        f"cannot read {type(relation).__name__} as pandas: expected a DuckDB relation or a "
        "Spark DataFrame (what dbt.ref() returns on dbt-duckdb / dbt-spark)"
    )
