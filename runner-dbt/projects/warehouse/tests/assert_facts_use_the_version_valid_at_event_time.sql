-- Point in time: the customer version a line points at was valid when the order was placed.
select lines.order_line_id
from {{ ref('fct_order_lines') }} as lines
inner join {{ ref('dim_customer') }} as customer
    on lines.customer_key = customer.customer_key
where not (
    lines.ordered_at >= customer.effective_from
    and lines.ordered_at < customer.effective_to
)
{% if not var('datakit_test_all_rows', false) %}
    -- the rows of the latest build (see macros/build_scope.sql)
    and {{ warehouse.latest_build(ref('fct_order_lines'), 'lines') }}
{% endif %}
