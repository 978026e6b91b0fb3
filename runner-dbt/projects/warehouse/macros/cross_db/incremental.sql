{#-
  How the large facts stay incremental on every engine.

  A fact is rebuilt for the rows whose bronze load time (_loaded_at) is at or after the newest
  load already in the fact. Rows at exactly that time are read again, so a load that committed
  late with the same timestamp is never skipped; re-reading is harmless because every strategy
  below replaces rows rather than appending them.

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

{#-
  The incremental predicate of a fact, for use inside "where". key_column names what changed
  rows identify in *changes_sql* (a select of key_column plus _loaded_at over the upstream
  tables); month_column is the fact's month partition column. Outside an incremental run it is
  "1 = 1".
-#}
{% macro fact_changed(key_column, changes_sql, month_column) -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('fact_changed', 'warehouse')(key_column, changes_sql, month_column)) }}
    {%- else -%}
        {{ return('1 = 1') }}
    {%- endif -%}
{%- endmacro %}

{% macro default__fact_changed(key_column, changes_sql, month_column) -%}
    {{ key_column }} in (
        select changes.{{ key_column }} from ({{ changes_sql }}) as changes
        where changes._loaded_at >= (select max(_loaded_at) from {{ this }})
    )
{%- endmacro %}

{% macro spark__fact_changed(key_column, changes_sql, month_column) -%}
    {{ month_column }} in (
        select distinct changes.{{ month_column }} from ({{ changes_sql }}) as changes
        where changes._loaded_at >= (select max(_loaded_at) from {{ this }})
    )
{%- endmacro %}
