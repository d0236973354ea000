"""Result tables of one estimation pass, as the dbt Python models return them.

A dbt Python model returns one frame; estimating once and splitting afterwards (the public SQL
models select their ``result_table`` with typed columns, macros/select_result_table.sql) keeps
one pass over the fits for several published tables.
"""

from __future__ import annotations

import pandas as pd

RUN_METADATA_COLUMNS = ["run_id", "run_started_at", "git_revision", "data_vintages"]


def attach_run_metadata(frame: pd.DataFrame, run_metadata: pd.DataFrame) -> pd.DataFrame:
    """Append the run's id, start time, git revision and data vintages to every row."""
    if len(run_metadata) != 1:
        raise ValueError(f"est_run_metadata must have exactly one row, found {len(run_metadata)}")
    row = run_metadata.iloc[0]
    return frame.assign(**{column: row[column] for column in RUN_METADATA_COLUMNS})


def stack_result_tables(run_metadata: pd.DataFrame, **tables: pd.DataFrame) -> pd.DataFrame:
    """One frame holding several result tables, told apart by a ``result_table`` column, each
    row with the run metadata attached. Columns that exist in only some tables are NULL
    elsewhere; booleans and strings stay objects with None (not NaN) so they type cleanly."""
    frames = [
        attach_run_metadata(frame, run_metadata).assign(result_table=name)
        for name, frame in tables.items()
    ]
    stacked = pd.concat(frames, ignore_index=True, sort=False)
    for column in stacked.columns:
        if stacked[column].dtype == object:
            stacked[column] = stacked[column].astype(object).where(stacked[column].notna(), None)
    return stacked
