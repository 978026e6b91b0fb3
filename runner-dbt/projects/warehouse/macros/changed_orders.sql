{#-
  The incremental scope of the order facts: orders touched by the newest bronze loads.

  An order is "changed" when its header, one of its lines or one of its payments was loaded into
  bronze at or after the newest _loaded_at already in the fact ({{ this }}). The facts rebuild
  exactly those orders (delete+insert keyed on order_id), so a status change, a late line or a
  late payment all land, and a daily build reads only the day's changes.

  On Spark (parquet, insert_overwrite by month partition) the scope widens to every order of
  each month holding a changed order, because a partition is replaced whole.

  Returns "1 = 1" outside an incremental run. Models calling it must name the three upstream
  models with -- depends_on comments (dbt does not see refs in a branch that is not rendered at
  parse time).
-#}
{% macro changed_orders(order_id_expr, order_date_expr) -%}
    {%- if not is_incremental() -%}
        1 = 1
    {%- else -%}
        {{ adapter.dispatch('changed_orders', 'warehouse')(order_id_expr, order_date_expr) }}
    {%- endif -%}
{%- endmacro %}

{% macro changed_order_ids() -%}
    {%- set since = "(select max(_loaded_at) from " ~ this ~ ")" -%}
    select order_id from {{ ref('orders') }} where _loaded_at >= {{ since }}
    union
    select order_id from {{ ref('order_lines') }} where _loaded_at >= {{ since }}
    union
    select order_id from {{ ref('payments') }} where _loaded_at >= {{ since }}
{%- endmacro %}

{% macro default__changed_orders(order_id_expr, order_date_expr) -%}
    {{ order_id_expr }} in ({{ warehouse.changed_order_ids() }})
{%- endmacro %}

{% macro spark__changed_orders(order_id_expr, order_date_expr) -%}
    {{ month_start(order_date_expr) }} in (
        select distinct changed.order_month
        from {{ ref('orders') }} as changed
        where changed.order_id in ({{ warehouse.changed_order_ids() }})
    )
{%- endmacro %}

{#- The later of two timestamps, without greatest() (SQL Server before 2022 lacks it). -#}
{% macro later_of(a, b) -%}
    case when {{ a }} >= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}
