{#-
  Consecutive dates from start_date for a number of days, without introspective queries:
  dbt.date_spine runs a query at compile time to size itself, which an offline compile cannot
  do. Digits cross-joined four times count up to 10,000 days, enough for 27 years.
-#}
{% macro days_from(start_date, days) -%}
    {%- set digits -%}
        select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
        union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
    {%- endset -%}
    select {{ as_date(dbt.dateadd('day', 'n.day_offset', "cast('" ~ start_date ~ "' as date)")) }} as date_day
    from (
        select ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d as day_offset
        from ({{ digits }}) as ones
        cross join ({{ digits }}) as tens
        cross join ({{ digits }}) as hundreds
        cross join ({{ digits }}) as thousands
    ) as n
    where n.day_offset < {{ days }}
{%- endmacro %}
