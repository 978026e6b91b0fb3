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
  built, inside the build's transaction. Other engines do nothing here.

  A built table counts only the rows this build changed (pg_stat_xact_user_tables), not
  n_mod_since_analyze: an ANALYZE inside the transaction that wrote the rows resets that counter
  before the commit adds the same rows to it, so after a first build it reads "every row
  changed" although the statistics are fresh, and the next day analyzed every fact and
  snapshot again (~1.8 s of SQL in a ~10 s day-2 build at scale 35). Changes that add up over days without reaching a
  tenth in one build are autovacuum's to catch (its counter still holds them).
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
    {{ return(warehouse.analyze_if_stale(relations, changed='s.n_mod_since_analyze')) }}
{%- endmacro %}

{% macro analyze_built() -%}
    {%- if target.type != 'postgres' or config.get('materialized') == 'view' or this is none -%}
        {{ return('') }}
    {%- endif -%}
    {#- this build's own inserted, updated and deleted rows, before its commit -#}
    {%- set changed = 'coalesce(x.n_tup_ins + x.n_tup_upd + x.n_tup_del, 0)' -%}
    {{ return(warehouse.analyze_if_stale([this], changed=changed)) }}
{%- endmacro %}

{#- One statement (a DO block) that analyzes those of *relations* whose statistics are missing
    or whose *changed* rows (an expression over s: pg_stat_user_tables, x:
    pg_stat_xact_user_tables) exceed a tenth of their rows; '' for none. -#}
{% macro analyze_if_stale(relations, changed) -%}
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
        left join pg_stat_xact_user_tables as x on x.relid = c.oid
        where c.oid in ({{ names | join(', ') }})
          and (s.relid is null
               or coalesce(s.last_analyze, s.last_autoanalyze) is null
               or {{ changed }} > 0.1 * greatest(c.reltuples, 1))
    loop
        execute format('analyze %s', stale);
    end loop;
end
$datakit_analyze$
    {%- endset -%}
    {{ return(statement) }}
{%- endmacro %}
