-- One row per USCM cluster (67: 51 traded, 16 local).
select
    cluster_code,
    cluster_key,
    cluster_name,
    cluster_short_name,
    cluster_type,
    n_subclusters,
    n_naics_2012
from {{ ref('stg_uscm__clusters') }}
