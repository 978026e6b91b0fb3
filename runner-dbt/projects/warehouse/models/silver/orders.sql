-- Orders as the business sees them. A view: bronze already holds the current state (merged on
-- the key), so copying it would only add a full-table write to every daily build.
{{ config(materialized='view') }}

select
    order_id,
    customer_id,
    order_date,
    {{ month_start('order_date') }} as order_month,
    status,
    ordered_at,
    updated_at,
    _loaded_at
from {{ ref('stg_shop__orders') }}
