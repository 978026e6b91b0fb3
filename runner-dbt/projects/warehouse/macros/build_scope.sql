{#-
  Which rows a daily build writes, and which rows its tests read.

  Every fact row carries _built_at, the start of the dbt run that wrote it (the same value for
  the whole run). A generic test on such a model checks only the rows the latest build of the
  model wrote: after a full build that is every row, after a daily incremental
  build only the day's changes. A model opts in with meta: {datakit_test_scope: latest_build};
  its generic tests are then scoped without further config. Unchanged rows were tested when they were written, and
  delete+insert by order_id cannot duplicate them, so a daily build's test cost follows the
  change instead of the table. --vars '{"datakit_test_all_rows": true}' tests every row (a
  weekly check, or after a manual fix).
-#}
{% macro run_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- dbt's get_where_subquery, plus the "latest_build" scope described above and the
    "loaded_since" scope of macros/test_state.sql. -#}
{% macro get_where_subquery(relation) -%}
    {%- set attached = model.get('attached_node') if model is mapping else none -%}
    {%- set node = graph.nodes.get(attached) if attached else none -%}
    {%- set scope = node.config.meta.get('datakit_test_scope') if node else none -%}
    {%- if scope == 'latest_build' and config.get('where') is none
          and not var('datakit_test_all_rows', false) -%}
        {%- set scoped -%}
            (select * from {{ relation }} where {{ warehouse.latest_build(relation) }}) as dbt_subquery
        {%- endset -%}
        {{ return(scoped) }}
    {%- endif -%}
    {%- if scope == 'loaded_since' and config.get('where') is none
          and not var('datakit_test_all_rows', false) -%}
        {{ return(warehouse.loaded_since_subquery(relation, node, model)) }}
    {%- endif -%}
    {{ return(dbt.get_where_subquery(relation)) }}
{%- endmacro %}

{#-
  The condition "written by the latest build of *relation*" on its _built_at (qualified by
  *alias* when given).

  On Postgres the latest _built_at is read first (an index-only lookup) and compared as a
  literal: after a model's first build every row shares one _built_at, so its statistics say
  one distinct value, and "_built_at = (select max(...))" (a value the planner cannot see) is
  estimated as every row: each scoped test of a fact scanned the whole fact on day 2. A literal
  the statistics do not know is estimated as a few rows and read through the _built_at index.
  Other engines keep the subquery (one query fewer; Spark has no index to use).
-#}
{% macro latest_build(relation, alias=none) -%}
    {{ return(adapter.dispatch('latest_build', 'warehouse')(relation, alias)) }}
{%- endmacro %}

{% macro default__latest_build(relation, alias) -%}
    {{ return((alias ~ '.' if alias else '') ~ '_built_at = (select max(latest._built_at) from '
              ~ relation ~ ' as latest)') }}
{%- endmacro %}

{% macro postgres__latest_build(relation, alias) -%}
    {%- if not execute or var('datakit_offline_compile', false) -%}
        {{ return(warehouse.default__latest_build(relation, alias)) }}
    {%- endif -%}
    {%- set found = run_query('select max(_built_at) from ' ~ relation) -%}
    {%- set value = found.columns[0].values()[0] if found is not none and found.rows | length > 0 else none -%}
    {%- if value is none -%}
        {#- an empty table: nothing was built, and the subquery form selects nothing either -#}
        {{ return(warehouse.default__latest_build(relation, alias)) }}
    {%- endif -%}
    {#- _built_at is a timestamp without time zone: compared as one, so the index applies -#}
    {{ return((alias ~ '.' if alias else '') ~ '_built_at = '
              ~ warehouse.default__timestamp_value(value)) }}
{%- endmacro %}

{#- The rows a test of a "loaded_since" model reads (see macros/test_state.sql). -#}
{% macro loaded_since_subquery(relation, node, test) -%}
    {%- set metadata = (test.get('test_metadata') if test is mapping else none) or {} -%}
    {%- set kind = metadata.get('name') -%}
    {%- set key = (metadata.get('kwargs') or {}).get('column_name') -%}
    {%- if kind not in ('unique', 'not_null', 'accepted_values', 'relationships')
          or (kind == 'unique' and not key) -%}
        {{ return(dbt.get_where_subquery(relation)) }}
    {%- endif -%}
    {%- set since = warehouse.tested_through(node.unique_id) -%}
    {%- if since is none -%}
        {{ return(dbt.get_where_subquery(relation)) }}
    {%- endif -%}
    {%- set changed = '_loaded_at > ' ~ adapter.dispatch('timestamp_value', 'warehouse')(since) -%}
    {%- if kind == 'unique' -%}
        {%- set scoped -%}
            (select * from {{ relation }}
             where {{ key }} in (select changed.{{ key }} from {{ relation }} as changed
                                 where changed.{{ changed }})) as dbt_subquery
        {%- endset -%}
    {%- else -%}
        {%- set scoped -%}
            (select * from {{ relation }} where {{ changed }}) as dbt_subquery
        {%- endset -%}
    {%- endif -%}
    {{ return(scoped) }}
{%- endmacro %}

{#- Indexes for the facts on Postgres (delete+insert deletes by order_id; tests filter on
    _built_at, and newest_loaded_at reads max(_loaded_at) of the latest build from the index
    alone); other engines take none. -#}
{% macro fact_indexes() -%}
    {{ return(adapter.dispatch('fact_indexes', 'warehouse')()) }}
{%- endmacro %}

{% macro default__fact_indexes() -%}
    {{ return([]) }}
{%- endmacro %}

{#- An index on a dimension's key on Postgres: the facts' scoped relationships tests (and the
    point-in-time test) look up a day's few thousand keys in it; other engines take none. -#}
{% macro dimension_indexes(key) -%}
    {{ return(adapter.dispatch('dimension_indexes', 'warehouse')(key)) }}
{%- endmacro %}

{% macro default__dimension_indexes(key) -%}
    {{ return([]) }}
{%- endmacro %}

{% macro postgres__dimension_indexes(key) -%}
    {{ return([{'columns': [key]}]) }}
{%- endmacro %}

{% macro postgres__fact_indexes() -%}
    {{ return([{'columns': ['order_id']}, {'columns': ['_built_at', '_loaded_at']}]) }}
{%- endmacro %}
