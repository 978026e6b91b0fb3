select
    {{ as_bigint('product_id') }} as product_id,
    {{ as_text('sku') }} as sku,
    {{ as_text('name') }} as product_name,
    {{ as_text('category') }} as category,
    {{ money('unit_price') }} as unit_price,
    cast(active as {{ dbt.type_boolean() }}) as is_active,
    {{ utc_timestamp('created_at') }} as created_at,
    {{ utc_timestamp('updated_at') }} as updated_at,
    _datakit_loaded_at as _loaded_at
from {{ source('shop', 'products') }}
