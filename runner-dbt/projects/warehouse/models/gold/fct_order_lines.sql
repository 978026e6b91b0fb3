-- One row per order line, joined to the customer and product versions that were valid when the
-- order was placed (point in time), not to today's versions. Incremental: see changed_orders.
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=fact_incremental_strategy(),
    partition_by=fact_partition_by('order_month'),
    on_schema_change='append_new_columns',
    indexes=fact_indexes(),
) }}

select
    lines.order_line_id,
    lines.order_id,
    orders.order_date,
    orders.ordered_at,
    customer.customer_key,
    orders.customer_id,
    product.product_key,
    lines.product_id,
    lines.quantity,
    lines.unit_price,
    lines.amount,
    {{ later_of('lines._loaded_at', 'orders._loaded_at') }} as _loaded_at,
    {{ run_timestamp() }} as _built_at,
    orders.order_month
from {{ ref('order_lines') }} as lines
inner join {{ ref('orders') }} as orders
    on lines.order_id = orders.order_id
left join {{ ref('dim_customer') }} as customer
    on orders.customer_id = customer.customer_id
    and orders.ordered_at >= customer.effective_from
    and orders.ordered_at < customer.effective_to
left join {{ ref('dim_product') }} as product
    on lines.product_id = product.product_id
    and orders.ordered_at >= product.effective_from
    and orders.ordered_at < product.effective_to
where {{ changed_orders('lines.order_id', 'orders.order_date', ['orders', 'order_lines']) }}
