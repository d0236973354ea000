{#-
  Agency value decoding, shared by every staging model.
  BEA, Census and USCM publish suppression or footnote codes in numeric columns:
    (D) suppressed to avoid disclosure, (NA) not available, (L) less than $50,000 (BEA),
    (X) not applicable, (S) below reliability standards.
  decode_suppressed_value() gives NULL for a code (never 0) and the number otherwise; a value that
  is neither a number nor a known code fails the cast, so a new agency code cannot pass silently.
  suppression_code() gives the code itself (NULL for a published number).
-#}
{% macro suppression_codes() -%}
    ('(D)', '(NA)', '(L)', '(X)', '(S)')
{%- endmacro %}

{% macro decode_suppressed_value(column, type='double') -%}
    case
        when nullif(trim({{ column }}), '') is null then null
        when trim({{ column }}) in {{ suppression_codes() }} then null
        else cast(replace(trim({{ column }}), ',', '') as {{ type }})
    end
{%- endmacro %}

{% macro suppression_code(column) -%}
    case when trim({{ column }}) in {{ suppression_codes() }} then trim({{ column }}) end
{%- endmacro %}

{#- R's NA as written by the EconData CBP extract (an emp or qp1 of 0 was set to NA there). -#}
{% macro decode_r_na(column, type='bigint') -%}
    cast(nullif(nullif(trim({{ column }}), ''), 'NA') as {{ type }})
{%- endmacro %}
