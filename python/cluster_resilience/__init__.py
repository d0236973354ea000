"""Estimation library of the cluster resilience warehouse.

Plain Python (pandas, numpy, scipy, statsmodels); no dbt import. The dbt Python models in
``models/estimates/`` read marts, call the functions here and write the tidy tables back.
"""

__version__ = "0.1.0"
