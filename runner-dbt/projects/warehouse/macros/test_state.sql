{#-
  Tests of the bronze-sized views read only the rows loaded since their tests last passed.

  A model opts in with meta: {datakit_test_scope: loaded_since}; it must carry _loaded_at (its
  bronze source's _datakit_loaded_at, the source's loaded_at_field) and have exactly one source
  among its ancestors. Its not_null, accepted_values and relationships tests then read the rows
  loaded after the watermark, and its unique tests every row whose key is among those (a new row
  that repeats an old key is caught); any other test reads the whole model.

  The watermark lives in the warehouse, in <silver schema>._datakit_test_state, so that it
  survives the throw-away containers the runner runs in:

  - on-run-start (test_scope_start): for each selected opted-in model, the newest
    _datakit_loaded_at of its source now, before any test runs, as a 'started' row of this
    invocation;
  - on-run-end (test_scope_finish): the same value as a 'passed' row for each model whose
    every test ran and passed in this invocation (a model that failed skips its tests);
  - a test reads the newest 'passed' value of its model (tested_through).

  A failed, cancelled or killed run records nothing, so its rows are tested again next time; a
  lost or emptied table means every row is tested, never fewer. Rows of a bronze load that
  commits while a build runs are assumed absent (bronze runs finish before dbt starts, as for
  the facts, see changed_orders.sql). --vars '{"datakit_test_all_rows": true}' tests every row.
-#}
{% macro test_state_relation() -%}
    {#- Spark's targets have no database: its relations take none. -#}
    {{ return(api.Relation.create(database=target.get('database') or none,
                                  schema=var('datakit_silver_schema', 'silver'),
                                  identifier='_datakit_test_state')) }}
{%- endmacro %}

{#- The opted-in models with a test in this invocation's selection (build, or test alone). -#}
{% macro scoped_models() -%}
    {%- set tested = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'test' and node.unique_id in selected_resources -%}
            {%- do tested.append(node.get('attached_node')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set found = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.unique_id in tested
              and node.config.meta.get('datakit_test_scope') == 'loaded_since' -%}
            {%- do found.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- The unique ids of the sources among a node's ancestors. -#}
{% macro ancestor_sources(unique_id, depth=0) -%}
    {%- set found = [] -%}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- if node is none or depth > 10 -%}{{ return(found) }}{%- endif -%}
    {%- for parent in node.depends_on.nodes -%}
        {%- if parent.startswith('source.') -%}
            {%- do found.append(parent) -%}
        {%- else -%}
            {%- do found.extend(warehouse.ancestor_sources(parent, depth + 1)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found | unique | list) }}
{%- endmacro %}

{% macro test_scope_start() -%}
    {%- if not execute or var('datakit_offline_compile', false) -%}{{ return('') }}{%- endif -%}
    {%- set models = warehouse.scoped_models() -%}
    {%- if models | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set state = warehouse.test_state_relation() -%}
    {%- if adapter.get_relation(database=state.database, schema=state.schema,
                                identifier=state.identifier) is none -%}
        {#- Only a missing schema: Postgres checks the database's CREATE privilege before it
            looks whether the schema exists, and a tenant role owns its schemas, not the database. -#}
        {%- if not adapter.check_schema_exists(state.database, state.schema) -%}
            {%- do adapter.create_schema(state) -%}
        {%- endif -%}
        {%- do run_query(adapter.dispatch('create_test_state', 'warehouse')(state)) -%}
    {%- endif -%}
    {%- set newest = {} -%}
    {%- set rows = [] -%}
    {%- for node in models -%}
        {%- set sources = warehouse.ancestor_sources(node.unique_id) -%}
        {%- if sources | length == 1 -%}
            {%- set source = graph.sources[sources[0]] -%}
            {%- if sources[0] not in newest and source.loaded_at_field -%}
                {%- set relation = adapter.get_relation(database=source.database,
                        schema=source.schema, identifier=source.identifier) -%}
                {%- set found = run_query("select max(" ~ source.loaded_at_field ~ ") from "
                                          ~ relation) if relation is not none else none -%}
                {%- set value = found.columns[0].values()[0] if found is not none and found.rows | length > 0 else none -%}
                {%- do newest.update({sources[0]: value}) -%}
            {%- endif -%}
            {%- set value = newest.get(sources[0]) -%}
            {%- if value is not none -%}
                {%- set text = value.isoformat() if value is not string else value -%}
                {%- do rows.append("('" ~ node.unique_id ~ "', '" ~ text ~ "', '"
                                   ~ invocation_id ~ "', 'started')") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if rows | length == 0 -%}{{ return('') }}{%- endif -%}
    {{ return("insert into " ~ state ~ " (node_id, loaded_through, invocation_id, status) values "
              ~ rows | join(", ")) }}
{%- endmacro %}

{% macro default__create_test_state(state) -%}
    create table {{ state }} (node_id {{ dbt.type_string() }}, loaded_through {{ dbt.type_string() }},
        invocation_id {{ dbt.type_string() }}, status {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__create_test_state(state) -%}
    {{ warehouse.default__create_test_state(state) }} using parquet
{%- endmacro %}

{% macro test_scope_finish(results) -%}
    {%- if not execute or var('datakit_offline_compile', false) -%}{{ return('') }}{%- endif -%}
    {%- set models = warehouse.scoped_models() -%}
    {%- if models | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set status = {} -%}
    {%- for result in results -%}
        {%- do status.update({result.node.unique_id: result.status}) -%}
    {%- endfor -%}
    {%- set passed = [] -%}
    {%- for node in models -%}
        {%- set tests = [] -%}
        {%- for test in graph.nodes.values() if test.resource_type == 'test'
                                               and test.get('attached_node') == node.unique_id -%}
            {%- do tests.append(status.get(test.unique_id) == 'pass') -%}
        {%- endfor -%}
        {%- if tests and tests | reject | list | length == 0 -%}
            {%- do passed.append("'" ~ node.unique_id ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if passed | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set state = warehouse.test_state_relation() -%}
    {{ return("insert into " ~ state ~ " (node_id, loaded_through, invocation_id, status) "
              ~ "select node_id, loaded_through, invocation_id, 'passed' from " ~ state
              ~ " where invocation_id = '" ~ invocation_id ~ "' and status = 'started'"
              ~ " and node_id in (" ~ passed | join(", ") ~ ")") }}
{%- endmacro %}

{#- The newest source load time whose rows a model's tests have passed on, or none. -#}
{% macro tested_through(unique_id) -%}
    {%- if not execute or var('datakit_offline_compile', false) -%}{{ return(none) }}{%- endif -%}
    {%- set state = warehouse.test_state_relation() -%}
    {%- if adapter.get_relation(database=state.database, schema=state.schema,
                                identifier=state.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query("select max(loaded_through) from " ~ state ~ " where node_id = '"
                              ~ unique_id ~ "' and status = 'passed'") -%}
    {%- set text = found.columns[0].values()[0] if found is not none and found.rows | length > 0 else none -%}
    {{ return(modules.datetime.datetime.fromisoformat(text) if text else none) }}
{%- endmacro %}
