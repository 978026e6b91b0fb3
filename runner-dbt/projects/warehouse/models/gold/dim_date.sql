-- One row per calendar day from var('date_spine_start') for var('date_spine_days') days.
{{ config(indexes=dimension_indexes('date_day')) }}

with days as (
    {{ days_from(var('date_spine_start'), var('date_spine_days')) }}
)

select
    date_day,
    {{ date_number('year', 'date_day') }} as year_number,
    {{ date_number('quarter', 'date_day') }} as quarter_number,
    {{ date_number('month', 'date_day') }} as month_number,
    {{ date_number('day', 'date_day') }} as day_of_month,
    {{ month_start('date_day') }} as month_start_date
from days
