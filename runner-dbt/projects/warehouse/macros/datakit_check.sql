{#-
  runner-dbt check: find every declared bronze source and make sure silver and gold exist.
  Logs one line "datakit_check {json}" that the runner reads back into its result.
-#}
{% macro datakit_check() %}
    {% set found = [] %}
    {% set missing = [] %}
    {% for source in graph.sources.values() %}
        {% set relation = adapter.get_relation(
            database=source.database, schema=source.schema, identifier=source.identifier) %}
        {% set name = source.schema ~ '.' ~ source.identifier %}
        {% if relation is none %}
            {% do missing.append(name) %}
        {% else %}
            {% do found.append(name) %}
        {% endif %}
    {% endfor %}
    {% set created = [] %}
    {% for schema in [var('datakit_silver_schema', 'silver'), var('datakit_gold_schema', 'gold')] %}
        {#- Only a missing one: Postgres wants the database's CREATE privilege for
            `create schema if not exists` even when the schema exists (a tenant role has none). -#}
        {% if not adapter.check_schema_exists(target.database, schema) %}
            {% do adapter.create_schema(api.Relation.create(database=target.database, schema=schema)) %}
        {% endif %}
        {% do created.append(schema) %}
    {% endfor %}
    {% do log('datakit_check ' ~ tojson({
        'bronze_sources': found | sort,
        'missing_sources': missing | sort,
        'writable_schemas': created,
    }), info=True) %}
{% endmacro %}
