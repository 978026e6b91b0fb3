-- Payments (a view, like orders: no full-table copy in a daily build).
{{ config(materialized='view') }}

select
    payment_id,
    order_id,
    payment_method,
    amount,
    paid_at,
    updated_at,
    _loaded_at
from {{ ref('stg_shop__payments') }}
