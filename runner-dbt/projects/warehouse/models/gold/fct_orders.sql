-- One row per order: header, status, line and payment totals, and the customer version valid
-- when the order was placed. Incremental: see changed_orders (a status change rebuilds the order).
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=fact_incremental_strategy(),
    partition_by=fact_partition_by('order_month'),
    on_schema_change='append_new_columns',
    indexes=fact_indexes(),
) }}

with scoped_orders as (
    select *
    from {{ ref('orders') }} as orders
    where {{ changed_orders('orders.order_id', 'orders.order_date') }}
),

line_totals as (
    select
        lines.order_id,
        count(*) as line_count,
        sum(lines.quantity) as item_count,
        sum(lines.amount) as order_amount,
        max(lines._loaded_at) as _loaded_at
    from {{ ref('order_lines') }} as lines
    where lines.order_id in (select order_id from scoped_orders)
    group by lines.order_id
),

payment_totals as (
    select
        payments.order_id,
        count(*) as payment_count,
        sum(payments.amount) as paid_amount,
        max(payments._loaded_at) as _loaded_at
    from {{ ref('payments') }} as payments
    where payments.order_id in (select order_id from scoped_orders)
    group by payments.order_id
)

select
    orders.order_id,
    orders.order_date,
    orders.ordered_at,
    customer.customer_key,
    orders.customer_id,
    orders.status,
    coalesce(line_totals.line_count, 0) as line_count,
    coalesce(line_totals.item_count, 0) as item_count,
    {{ money('coalesce(line_totals.order_amount, 0)') }} as order_amount,
    coalesce(payment_totals.payment_count, 0) as payment_count,
    {{ money('coalesce(payment_totals.paid_amount, 0)') }} as paid_amount,
    {{ later_of(later_of('orders._loaded_at', 'coalesce(line_totals._loaded_at, orders._loaded_at)'),
                'coalesce(payment_totals._loaded_at, orders._loaded_at)') }} as _loaded_at,
    {{ run_timestamp() }} as _built_at,
    orders.order_month
from scoped_orders as orders
left join line_totals
    on orders.order_id = line_totals.order_id
left join payment_totals
    on orders.order_id = payment_totals.order_id
left join {{ ref('dim_customer') }} as customer
    on orders.customer_id = customer.customer_id
    and orders.ordered_at >= customer.effective_from
    and orders.ordered_at < customer.effective_to
