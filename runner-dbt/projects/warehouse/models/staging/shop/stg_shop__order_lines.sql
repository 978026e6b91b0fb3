select
    {{ as_bigint('order_line_id') }} as order_line_id,
    {{ as_bigint('order_id') }} as order_id,
    {{ as_bigint('product_id') }} as product_id,
    {{ as_bigint('quantity') }} as quantity,
    {{ money('unit_price') }} as unit_price,
    {{ money('amount') }} as amount,
    {{ utc_timestamp('updated_at') }} as updated_at,
    _datakit_loaded_at as _loaded_at
from {{ source('shop', 'order_lines') }}
