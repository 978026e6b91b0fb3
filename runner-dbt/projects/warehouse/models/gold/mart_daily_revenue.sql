-- Revenue per order day: the numbers finance reconciles against the shop. Incremental on
-- Postgres and SQL Server: the days whose orders the latest fct_orders build rewrote are
-- recomputed (delete+insert by order_date); on Spark a small table rebuilt each run.
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='order_date',
    incremental_strategy='delete+insert',
) }}

select
    orders.order_date,
    count(*) as order_count,
    sum(orders.line_count) as order_line_count,
    sum(orders.item_count) as item_count,
    {{ money('sum(orders.order_amount)') }} as revenue,
    {{ money('sum(orders.paid_amount)') }} as paid_amount,
    count(distinct orders.customer_id) as customer_count
from {{ ref('fct_orders') }} as orders
{% if is_incremental() %}
where orders.order_date in (
    select touched.order_date
    from {{ ref('fct_orders') }} as touched
    where {{ warehouse.latest_build(ref('fct_orders'), 'touched') }}
)
{% endif %}
group by orders.order_date
