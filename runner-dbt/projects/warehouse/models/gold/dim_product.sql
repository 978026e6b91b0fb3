-- Products as a type 2 dimension (prices change): one row per version, see dim_customer for
-- the meaning of effective_from / effective_to.
{{ config(indexes=dimension_indexes('product_key')) }}

with versions as (
    select
        snap.*,
        row_number() over (partition by snap.product_id order by snap.valid_from) as version_number
    from {{ ref('products_snapshot') }} as snap
)

select
    {{ surrogate_key(['product_id', 'valid_from']) }} as product_key,
    product_id,
    sku,
    product_name,
    category,
    unit_price as list_price,
    is_active,
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
