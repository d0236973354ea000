-- Values that look wrong, one row per state, outcome, year and reason, with the raw file they come
-- from: a robust check on every outcome's yearly growth across states, so that a plausible wrong
-- value (a state's number for one year replaced by another year's, a shifted column) does not
-- publish silently. Reasons:
--   growth_outlier: the state's growth is more than var anomaly_mad_threshold robust standard
--                   deviations (1.4826 x the median absolute deviation) from that year's
--                   cross-state median growth;
--   repeated_value: the state's level equals its level in another year, and the value is precise
--                   enough for that to be no coincidence (at least var anomaly_repeat_min_digits
--                   significant digits) or its growth is at least var anomaly_repeat_mad_threshold
--                   robust standard deviations from the median.
-- The build prints them as warnings (test mart_data_anomalies_reviewed, severity warn).
{%- set mad_threshold = var('anomaly_mad_threshold') %}
{%- set repeat_threshold = var('anomaly_repeat_mad_threshold') %}
{%- set min_digits = var('anomaly_repeat_min_digits') %}
with

levels as (

    select * from {{ ref('fct_state_outcome_year') }}
    where value is not null

),

growth as (

    select state_fips, outcome, year, growth_rate
    from {{ ref('fct_state_growth') }}
    where growth_rate is not null

),

medians as (

    select outcome, year, percentile_cont(0.5) within group (order by growth_rate) as median_growth  -- noqa: LT14
    from growth
    group by outcome, year

),

deviations as (

    select growth.*, medians.median_growth, abs(growth.growth_rate - medians.median_growth) as deviation
    from growth
    inner join medians on growth.outcome = medians.outcome and growth.year = medians.year

),

spreads as (

    select outcome, year, 1.4826 * percentile_cont(0.5) within group (order by deviation) as robust_sd  -- noqa: LT14
    from deviations
    group by outcome, year

),

scored as (

    select
        deviations.state_fips,
        deviations.outcome,
        deviations.year,
        deviations.growth_rate,
        deviations.median_growth,
        case
            when spreads.robust_sd > 0
                then (deviations.growth_rate - deviations.median_growth) / spreads.robust_sd
        end as robust_z
    from deviations
    inner join spreads on deviations.outcome = spreads.outcome and deviations.year = spreads.year

),

repeats as (

    -- a level equal to the same state's level of the same outcome in another year
    select
        current_year.state_fips,
        current_year.outcome,
        current_year.year,
        min(other_year.year) as equal_to_year
    from levels as current_year
    inner join levels as other_year
        on current_year.state_fips = other_year.state_fips
            and current_year.outcome = other_year.outcome
            and current_year.year <> other_year.year
            and current_year.value = other_year.value
    group by current_year.state_fips, current_year.outcome, current_year.year

),

precision as (

    -- significant digits of the level: integer digits plus the decimals it needs (up to 6)
    select
        state_fips,
        outcome,
        year,
        floor(log10(abs(value))) + 1
        + case
            when abs(value - round(value, 0)) < 1e-9 then 0
            when abs(value - round(value, 1)) < 1e-9 then 1
            when abs(value - round(value, 2)) < 1e-9 then 2
            when abs(value - round(value, 3)) < 1e-9 then 3
            else 6
        end as significant_digits
    from levels
    where value <> 0

),

flagged as (

    select
        scored.state_fips,
        scored.outcome,
        scored.year,
        'growth_outlier' as reason,
        scored.robust_z,
        cast(null as integer) as equal_to_year
    from scored
    where abs(scored.robust_z) > {{ mad_threshold }}

    union all

    select
        repeats.state_fips,
        repeats.outcome,
        repeats.year,
        'repeated_value' as reason,
        scored.robust_z,
        repeats.equal_to_year
    from repeats
    inner join precision
        on repeats.state_fips = precision.state_fips
            and repeats.outcome = precision.outcome
            and repeats.year = precision.year
    left join scored
        on repeats.state_fips = scored.state_fips
            and repeats.outcome = scored.outcome
            and repeats.year = scored.year
    where precision.significant_digits >= {{ min_digits }}
        or abs(scored.robust_z) >= {{ repeat_threshold }}

)

select
    vintages.raw_file_path as source_file,
    levels.source,
    flagged.outcome,
    flagged.state_fips,
    flagged.year,
    levels.value,
    growth.growth_rate,
    flagged.robust_z,
    flagged.equal_to_year,
    flagged.reason,
    case flagged.reason
        when 'growth_outlier' then {{ dbt.concat([
            "'growth '", "cast(round(growth.growth_rate, 4) as " ~ dbt.type_string() ~ ")",
            "' is '", "cast(round(flagged.robust_z, 1) as " ~ dbt.type_string() ~ ")",
            "' robust SDs from the median of states'"]) }}
        else {{ dbt.concat([
            "'value equals its '", "cast(flagged.equal_to_year as " ~ dbt.type_string() ~ ")",
            "' value'"]) }}
    end as why
from flagged
inner join levels
    on flagged.state_fips = levels.state_fips
        and flagged.outcome = levels.outcome
        and flagged.year = levels.year
left join growth
    on flagged.state_fips = growth.state_fips
        and flagged.outcome = growth.outcome
        and flagged.year = growth.year
left join {{ ref('dim_source_vintage') }} as vintages on levels.source = vintages.source_name
