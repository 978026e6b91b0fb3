{#-
  Fresh planner statistics on Postgres, so that a daily build filters before it joins.

  A table just created (a fact's first build, a snapshot) or just merged into (bronze) has no or
  stale statistics until autovacuum gets to it, and without them Postgres guesses that a third of
  the rows changed and joins whole tables. ANALYZE samples ~30,000 rows, a fraction of a second.
  Bronze tables are analyzed at the start of a run when the role may (otherwise Postgres skips
  them with a warning); every table this project builds is analyzed after it is built. Other
  engines do nothing here.
-#}
{% macro analyze_sources() -%}
    {%- if not execute or target.type != 'postgres' or var('datakit_offline_compile', false) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- set relation = adapter.get_relation(database=source.database, schema=source.schema,
                                                identifier=source.identifier) -%}
        {%- if relation is not none and relation.type == 'table' -%}
            {%- do names.append(relation.render()) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('analyze ' ~ names | join(', ') if names else '') }}
{%- endmacro %}

{% macro analyze_built() -%}
    {%- if target.type != 'postgres' or config.get('materialized') == 'view' -%}
        {{ return('') }}
    {%- endif -%}
    {{ return('analyze ' ~ this) }}
{%- endmacro %}
