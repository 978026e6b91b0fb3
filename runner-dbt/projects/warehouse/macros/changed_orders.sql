{#-
  The incremental scope of the order facts: orders touched by the newest bronze loads.

  An order is "changed" when its header, one of its lines or one of its payments was loaded into
  bronze after the newest _loaded_at already in the fact ({{ this }}). The facts rebuild
  exactly those orders (delete+insert keyed on order_id), so a status change, a late line or a
  late payment all land, and a daily build reads only the day's changes.

  On Spark (parquet, insert_overwrite by month partition) the scope widens to every order of
  each month holding a changed order, because a partition is replaced whole.

  Returns "1 = 1" outside an incremental run. *parts* are the upstream models whose load times
  make up the fact's _loaded_at; a model must ref each of them (dbt does not see refs in a branch
  that is not rendered at parse time).
-#}
{% macro changed_orders(order_id_expr, order_date_expr, parts=['orders', 'order_lines', 'payments']) -%}
    {%- if not is_incremental() -%}
        1 = 1
    {%- else -%}
        {{ adapter.dispatch('changed_orders', 'warehouse')(order_id_expr, order_date_expr, parts) }}
    {%- endif -%}
{%- endmacro %}

{#-
  Order ids loaded into bronze after the fact's newest _loaded_at, from the given parts only: a
  fact scopes on exactly the inputs its _loaded_at is made of (fct_order_lines on orders and
  lines, not payments), so its own watermark never lags behind an input it does not track.
-#}
{% macro changed_order_ids(parts) -%}
    {%- set since = warehouse.newest_loaded_at(this) -%}
    {%- for part in parts %}
    select order_id from {{ ref(part) }} where _loaded_at > {{ since }}
    {%- if not loop.last %}
    union{% endif -%}
    {%- endfor -%}
{%- endmacro %}

{#-
  The newest bronze load time already in *relation*, as a literal. Read once, before the model's
  query runs, rather than as a subquery inside it: with a literal, the planner estimates the
  changed rows from the column's statistics (a handful) instead of guessing a third of the
  table, and so filters before it joins. Bronze rows of one load share one _datakit_loaded_at,
  so "later than the newest one already built" is exactly the loads since the last build
  (bronze runs finish before dbt starts; the orchestrator runs bronze, then silver, then gold).

  Read from the rows of the latest build only (indexed on _built_at on Postgres, where a max over
  the whole fact was a full scan): a build writes exactly the orders loaded after the previous
  newest, so the newest of all is among the latest non-empty build's rows. Should rows go
  missing, the answer can only be older, which rebuilds more orders, never fewer.
-#}
{% macro newest_loaded_at(relation) -%}
    {%- set found = run_query("select max(_loaded_at) as newest from " ~ relation
                              ~ " where " ~ warehouse.latest_build(relation)) -%}
    {%- set value = found.columns[0].values()[0] if found is not none and found.rows | length > 0 else none -%}
    {%- if value is none -%}
        {{ return(adapter.dispatch('timestamp_value', 'warehouse')(none)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('timestamp_value', 'warehouse')(value)) }}
{%- endmacro %}

{% macro default__timestamp_value(value) -%}
    {%- if value is none -%}{{ return("cast('1900-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}{%- endif -%}
    {{ return("cast('" ~ value.isoformat(sep=' ') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{% macro postgres__timestamp_value(value) -%}
    {%- if value is none -%}{{ return("'-infinity'::timestamptz") }}{%- endif -%}
    {{ return("'" ~ value.isoformat() ~ "'::timestamptz") }}
{%- endmacro %}

{% macro sqlserver__timestamp_value(value) -%}
    {%- if value is none -%}{{ return("cast('0001-01-01' as datetimeoffset(7))") }}{%- endif -%}
    {{ return("cast('" ~ value.isoformat(sep=' ') ~ "' as datetimeoffset(7))") }}
{%- endmacro %}

{% macro default__changed_orders(order_id_expr, order_date_expr, parts) -%}
    {{ order_id_expr }} in ({{ warehouse.changed_order_ids(parts) }})
{%- endmacro %}

{% macro spark__changed_orders(order_id_expr, order_date_expr, parts) -%}
    {{ month_start(order_date_expr) }} in (
        select distinct changed.order_month
        from {{ ref('orders') }} as changed
        where changed.order_id in ({{ warehouse.changed_order_ids(parts) }})
    )
{%- endmacro %}

{#- The later of two timestamps, without greatest() (SQL Server before 2022 lacks it). -#}
{% macro later_of(a, b) -%}
    case when {{ a }} >= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}
