-- One row per USCM sub-cluster (316), with its cluster.
select
    subclusters.cluster_code,
    subclusters.subcluster_code,
    subclusters.subcluster_name,
    clusters.cluster_name,
    clusters.cluster_type
from {{ ref('stg_uscm__subclusters') }} as subclusters
inner join {{ ref('stg_uscm__clusters') }} as clusters
    on subclusters.cluster_code = clusters.cluster_code
