{#-
  Fresh planner statistics on Postgres, so that a daily build filters before it joins, paid
  only where they are missing or stale.

  A table just created (a fact's first build, a snapshot, a table model rebuilt) has no
  statistics until autovacuum gets to it, and without them Postgres guesses that a third of the
  rows changed and joins whole tables. ANALYZE samples ~30,000 rows: a fraction of a second on
  an idle machine, but one per table and per run, it was a tenth of a daily build. So a table is
  analyzed when it has never been (new in this run included) or when more than a tenth of its
  rows changed since it last was (autovacuum's own default threshold); a daily merge of 1% of
  the rows is not. A range filter above the newest value a statistic knows (the day's loads)
  is still estimated as a few rows, so stale-by-a-day statistics plan the same way.

  Bronze tables are checked at the start of a run and analyzed when the role may (otherwise
  Postgres skips them with a warning); every table this project builds is checked after it is
  built. Other engines do nothing here.
-#}
{% macro analyze_sources() -%}
    {%- if not execute or target.type != 'postgres' or var('datakit_offline_compile', false) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relations = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- set relation = adapter.get_relation(database=source.database, schema=source.schema,
                                                identifier=source.identifier) -%}
        {%- if relation is not none and relation.type == 'table' -%}
            {%- do relations.append(relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(warehouse.analyze_if_stale(relations)) }}
{%- endmacro %}

{% macro analyze_built() -%}
    {%- if target.type != 'postgres' or config.get('materialized') == 'view' or this is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(warehouse.analyze_if_stale([this])) }}
{%- endmacro %}

{#- One statement (a DO block) that analyzes those of *relations* whose statistics are missing
    or older than a tenth of their rows' changes; '' for none. -#}
{% macro analyze_if_stale(relations) -%}
    {%- if relations | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for relation in relations -%}
        {%- do names.append("to_regclass('" ~ (relation.include(database=false) | string).replace("'", "''") ~ "')") -%}
    {%- endfor -%}
    {%- set statement -%}
do $datakit_analyze$
declare stale regclass;
begin
    for stale in
        select c.oid::regclass
        from pg_class as c
        left join pg_stat_user_tables as s on s.relid = c.oid
        where c.oid in ({{ names | join(', ') }})
          and (s.relid is null
               or coalesce(s.last_analyze, s.last_autoanalyze) is null
               or s.n_mod_since_analyze > 0.1 * greatest(c.reltuples, 1))
    loop
        execute format('analyze %s', stale);
    end loop;
end
$datakit_analyze$
    {%- endset -%}
    {{ return(statement) }}
{%- endmacro %}
