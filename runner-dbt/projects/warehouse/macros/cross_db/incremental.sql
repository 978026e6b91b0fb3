{#-
  How the large facts stay incremental on every engine.

  A fact rebuilds the orders loaded into bronze since its last build (see changed_orders.sql).
  Every strategy below replaces rows rather than appending them, so a rerun is harmless.

  - postgres / sqlserver: delete+insert on the fact's unique key: only changed rows are touched.
  - spark (parquet tables, no MERGE without Delta/Iceberg): insert_overwrite of whole month
    partitions, so the model selects every row of each month that has a change.
-#}
{% macro fact_incremental_strategy() -%}
    {{ return(adapter.dispatch('fact_incremental_strategy', 'warehouse')()) }}
{%- endmacro %}

{% macro default__fact_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__fact_incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{#- Spark partitions facts by month; elsewhere the tables are not partitioned. -#}
{% macro fact_partition_by(column) -%}
    {{ return(adapter.dispatch('fact_partition_by', 'warehouse')(column)) }}
{%- endmacro %}

{% macro default__fact_partition_by(column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__fact_partition_by(column) -%}
    {{ return([column]) }}
{%- endmacro %}
