-- One row per payment, with the customer version valid when the payment was made.
-- Incremental: see changed_orders.
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=fact_incremental_strategy(),
    partition_by=fact_partition_by('order_month'),
    on_schema_change='append_new_columns',
    indexes=fact_indexes(),
) }}

select
    payments.payment_id,
    payments.order_id,
    orders.order_date,
    {{ as_date('payments.paid_at') }} as payment_date,
    payments.paid_at,
    customer.customer_key,
    orders.customer_id,
    payments.payment_method,
    payments.amount,
    {{ later_of('payments._loaded_at', 'orders._loaded_at') }} as _loaded_at,
    {{ run_timestamp() }} as _built_at,
    orders.order_month
from {{ ref('payments') }} as payments
inner join {{ ref('orders') }} as orders
    on payments.order_id = orders.order_id
left join {{ ref('dim_customer') }} as customer
    on orders.customer_id = customer.customer_id
    and payments.paid_at >= customer.effective_from
    and payments.paid_at < customer.effective_to
where {{ changed_orders('payments.order_id', 'orders.order_date', ['orders', 'payments']) }}
