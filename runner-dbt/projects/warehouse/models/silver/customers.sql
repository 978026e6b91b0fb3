-- Current state of every customer that still exists: the open version of its history.
select
    customer_id,
    customer_name,
    email,
    city,
    country,
    segment,
    created_at,
    updated_at,
    valid_from as current_since
from {{ ref('customers_snapshot') }}
where valid_to is null
