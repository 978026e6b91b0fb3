select
    {{ as_bigint('customer_id') }} as customer_id,
    {{ as_text('name') }} as customer_name,
    {{ as_text('email') }} as email,
    {{ as_text('city') }} as city,
    {{ as_text('country') }} as country,
    {{ as_text('segment') }} as segment,
    {{ utc_timestamp('created_at') }} as created_at,
    {{ utc_timestamp('updated_at') }} as updated_at,
    _datakit_loaded_at as _loaded_at
from {{ source('shop', 'customers') }}
