-- The shop's invariant, checked in gold: an order's payments add up to its lines, to the cent.
select order_id, order_amount, paid_amount
from {{ ref('fct_orders') }}
where order_amount <> paid_amount
{% if not var('datakit_test_all_rows', false) %}
    and {{ warehouse.latest_build(ref('fct_orders')) }}
{% endif %}
