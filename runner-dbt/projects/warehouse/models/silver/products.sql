-- Current state of every product that still exists: the open version of its history.
select
    product_id,
    sku,
    product_name,
    category,
    unit_price,
    is_active,
    created_at,
    updated_at,
    valid_from as current_since
from {{ ref('products_snapshot') }}
where valid_to is null
