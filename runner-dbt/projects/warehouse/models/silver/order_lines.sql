-- Order lines (a view, like orders: no full-table copy in a daily build).
{{ config(materialized='view') }}

select
    order_line_id,
    order_id,
    product_id,
    quantity,
    unit_price,
    amount,
    updated_at,
    _loaded_at
from {{ ref('stg_shop__order_lines') }}
