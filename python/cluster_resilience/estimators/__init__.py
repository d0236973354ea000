"""Estimators: least squares from per-cluster moments, its inference methods, and the model
designs (DID, factor regression, event study); the RDD calls rdrobust/rddensity.

Plain functions of numbers: nothing here reads the warehouse or imports dbt.
"""
