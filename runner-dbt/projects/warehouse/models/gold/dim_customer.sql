-- Customers as a type 2 dimension: one row per version, a surrogate key per version, and the
-- interval in which each version is the one a fact must use.
--
-- effective_from / effective_to are valid_from / valid_to made join-friendly: the first version
-- of a customer reaches back to 1900-01-01 (a customer's first known attributes are the best
-- answer for events before the warehouse saw them), and the open version reaches 9999-12-31.
{{ config(indexes=dimension_indexes('customer_key')) }}

with versions as (
    select
        snap.*,
        row_number() over (partition by snap.customer_id order by snap.valid_from) as version_number
    from {{ ref('customers_snapshot') }} as snap
)

select
    {{ surrogate_key(['customer_id', 'valid_from']) }} as customer_key,
    customer_id,
    customer_name,
    email,
    city,
    country,
    segment,
    created_at,
    version_number,
    valid_from,
    valid_to,
    case
        when version_number = 1 then {{ timestamp_literal('1900-01-01 00:00:00') }}
        else valid_from
    end as effective_from,
    coalesce(valid_to, {{ timestamp_literal('9999-12-31 00:00:00') }}) as effective_to,
    case when valid_to is null then 1 else 0 end as is_current
from versions
