{#-
  Snapshots on Spark without Delta, Iceberg or Hudi.

  dbt-spark's own snapshot materialization needs MERGE INTO, which plain parquet tables in a
  Hive/in-memory catalog do not have, and the Delta/Iceberg runtimes are not part of this image.
  This materialization keeps dbt's snapshot semantics (the same staging query, strategies,
  column names and hard-delete handling, from dbt's global macros) and replaces only the final
  MERGE: the snapshot's next state (old rows with closed intervals + new rows) is written to a
  scratch table, then swapped in with INSERT OVERWRITE. Cost grows with the snapshot's size, not
  the change, which is fine for the dimension-sized tables snapshots are used for.

  For Delta/Iceberg/Hudi tables (file_format set to one of them) the MERGE path is kept.
  hard_deletes='new_record' is not supported here; use 'invalidate' or 'ignore'.
-#}
{% materialization snapshot, adapter='spark' %}
  {%- set target_table = model.get('alias', model.get('name')) -%}
  {%- set strategy_name = config.get('strategy') -%}
  {%- set file_format = config.get('file_format') or 'parquet' -%}
  {%- set grant_config = config.get('grants') -%}
  {%- set mergeable = file_format in ['delta', 'iceberg', 'hudi'] -%}

  {%- if config.get('hard_deletes') == 'new_record' and not mergeable -%}
    {% do exceptions.raise_compiler_error("snapshot " ~ target_table ~ ": hard_deletes='new_record' needs file_format delta, iceberg or hudi on Spark (use 'invalidate')") %}
  {%- endif -%}

  {% set target_relation_exists, target_relation = get_or_create_relation(
          database=none, schema=model.schema, identifier=target_table, type='table') -%}

  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}

  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

  {% if not target_relation_exists %}
      {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
      {% call statement('main') %}
          {{ create_table_as(False, target_relation, build_sql) }}
      {% endcall %}
  {% else %}
      {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}
      {{ adapter.valid_snapshot_target(target_relation, columns) }}

      {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}
      {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
                                   | rejectattr('name', 'equalto', 'dbt_change_type')
                                   | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                   | rejectattr('name', 'equalto', 'dbt_unique_key')
                                   | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                   | list %}
      {% do create_columns(target_relation, missing_columns) %}

      {% if mergeable %}
          {% set source_columns = adapter.get_columns_in_relation(staging_table)
                                       | rejectattr('name', 'equalto', 'dbt_change_type')
                                       | rejectattr('name', 'equalto', 'dbt_unique_key')
                                       | list %}
          {% set quoted = [] %}
          {% for column in source_columns %}{% do quoted.append(adapter.quote(column.name)) %}{% endfor %}
          {% call statement('main') %}
              {{ snapshot_merge_sql(target=target_relation, source=staging_table, insert_cols=quoted) }}
          {% endcall %}
      {% else %}
          {% call statement('main') %}
              {{ warehouse.spark_snapshot_overwrite_sql(target_relation, staging_table, columns) }}
          {% endcall %}
          {% do adapter.drop_relation(api.Relation.create(identifier=target_table ~ '__dbt_next',
                                       schema=model.schema, database=none, type='table')) %}
      {% endif %}
  {% endif %}

  {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {% if staging_table is defined %}
      {% do post_snapshot(staging_table) %}
  {% endif %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#-
  The MERGE of dbt's snapshot, as a rewrite: rows still open whose key was updated or deleted get
  the staging row's valid_to; staging inserts are appended. Written to a scratch table first,
  because Spark cannot overwrite a table it is reading in the same statement.
-#}
{% macro spark_snapshot_overwrite_sql(target, staging, columns) %}
  {%- set target_columns = adapter.get_columns_in_relation(target) -%}
  {%- set scratch = api.Relation.create(identifier=target.identifier ~ '__dbt_next',
                                         schema=target.schema, database=none, type='table') -%}
  {%- set select_old = [] -%}
  {%- set select_new = [] -%}
  {%- for column in target_columns -%}
    {%- set name = adapter.quote(column.name) -%}
    {%- if column.name | lower == columns.dbt_valid_to | lower -%}
      {%- do select_old.append("case when dest." ~ name ~ " is null and changes.change_valid_to is not null then changes.change_valid_to else dest." ~ name ~ " end as " ~ name) -%}
    {%- else -%}
      {%- do select_old.append("dest." ~ name) -%}
    {%- endif -%}
    {%- do select_new.append("src." ~ name) -%}
  {%- endfor -%}
  {% call statement('snapshot_next_drop') %}
    drop table if exists {{ scratch }}
  {% endcall %}
  {% call statement('snapshot_next_build') %}
    create table {{ scratch }} using parquet as
    select {{ select_old | join(', ') }}
    from {{ target }} as dest
    left join (
        select {{ columns.dbt_scd_id }} as change_scd_id, max({{ columns.dbt_valid_to }}) as change_valid_to
        from {{ staging }}
        where dbt_change_type in ('update', 'delete')
        group by {{ columns.dbt_scd_id }}
    ) as changes
      on dest.{{ columns.dbt_scd_id }} = changes.change_scd_id
    union all
    select {{ select_new | join(', ') }}
    from {{ staging }} as src
    where src.dbt_change_type = 'insert'
  {% endcall %}
  insert overwrite table {{ target }}
  select * from {{ scratch }}
{% endmacro %}
