select
    {{ as_bigint('order_id') }} as order_id,
    {{ as_bigint('customer_id') }} as customer_id,
    {{ as_date('order_date') }} as order_date,
    {{ as_text('status') }} as status,
    {{ utc_timestamp('ordered_at') }} as ordered_at,
    {{ utc_timestamp('updated_at') }} as updated_at,
    _datakit_loaded_at as _loaded_at
from {{ source('shop', 'orders') }}
