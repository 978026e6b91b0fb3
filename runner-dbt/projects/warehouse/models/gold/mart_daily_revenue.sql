-- Revenue per order day: the numbers finance reconciles against the shop. Rebuilt from the
-- facts on every run (a few hundred rows per year; the scan of fct_orders is the whole cost).
select
    orders.order_date,
    count(*) as order_count,
    sum(orders.line_count) as order_line_count,
    sum(orders.item_count) as item_count,
    {{ money('sum(orders.order_amount)') }} as revenue,
    {{ money('sum(orders.paid_amount)') }} as paid_amount,
    count(distinct orders.customer_id) as customer_count
from {{ ref('fct_orders') }} as orders
group by orders.order_date
