"""Runs: the grid that fits every model once per (model, window, outcome, rule, layout) and
re-infers it per spec, the RDD run, and the tidy result tables the dbt Python models return."""
