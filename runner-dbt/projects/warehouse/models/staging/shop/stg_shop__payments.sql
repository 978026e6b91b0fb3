select
    {{ as_bigint('payment_id') }} as payment_id,
    {{ as_bigint('order_id') }} as order_id,
    {{ as_text('method') }} as payment_method,
    {{ money('amount') }} as amount,
    {{ utc_timestamp('paid_at') }} as paid_at,
    {{ utc_timestamp('updated_at') }} as updated_at,
    _datakit_loaded_at as _loaded_at
from {{ source('shop', 'payments') }}
