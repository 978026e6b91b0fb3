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

  The counter Postgres keeps (n_mod_since_analyze) misleads after an ANALYZE inside the
  transaction that wrote the rows: the ANALYZE resets it and the commit then adds the same rows,
  so the table reads "every row changed" although its statistics are fresh. Both writers here
  analyze that way (this project's post-hook, and the bronze runners' load), so:
  - a built table counts only the rows this build changed (pg_stat_xact_user_tables); before,
    the first day 2 after a build analyzed every fact and snapshot again (~1.8 s of SQL in a
    ~10 s day-2 build at scale 35);
  - a bronze table whose counter says a tenth changed is skipped when its statistics are newer
    than its newest rows (the source's loaded_at_field, a load's transaction time): the load
    analyzed them itself. Before, every full-refresh bronze table was analyzed twice a day.
    Finding the newest row reads the table, so this is checked only up to the pages ANALYZE
    reads anyway (30,000 at the default target, ~240 MB); a larger table is analyzed again.
  Changes that add up over days without reaching a tenth at once are autovacuum's to catch (its
  counter still holds them).
-#}
{% macro analyze_sources() -%}
    {%- if not execute or target.type != 'postgres' or var('datakit_offline_compile', false) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relations = [] -%}
    {%- set loaded_at = {} -%}
    {%- for source in graph.sources.values() -%}
        {%- set relation = adapter.get_relation(database=source.database, schema=source.schema,
                                                identifier=source.identifier) -%}
        {%- if relation is not none and relation.type == 'table' -%}
            {%- do relations.append(relation) -%}
            {%- do loaded_at.update({relation | string: source.loaded_at_field}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(warehouse.analyze_if_stale(relations, changed='s.n_mod_since_analyze',
                                         loaded_at=loaded_at)) }}
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
    pg_stat_xact_user_tables) exceed a tenth of their rows, unless *loaded_at* names the
    relation's load-time column (by relation) and the statistics are newer than its newest
    value; '' for none. -#}
{% macro analyze_if_stale(relations, changed, loaded_at={}) -%}
    {%- if relations | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- set columns = [] -%}
    {%- for relation in relations -%}
        {%- set name = "to_regclass('" ~ (relation.include(database=false) | string).replace("'", "''") ~ "')" -%}
        {%- do names.append(name) -%}
        {%- set column = loaded_at.get(relation | string) -%}
        {%- if column -%}
            {%- do columns.append("(" ~ name ~ ", '" ~ column.replace("'", "''") ~ "')") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set statement -%}
do $datakit_analyze$
declare
    candidate record;
    newest timestamptz;
begin
    for candidate in
        select c.oid::regclass as rel, c.relpages as pages,
               greatest(s.last_analyze, s.last_autoanalyze) as analyzed_at,
               {% if columns -%}
               -- a column, as Datakit's bronze has it (not an expression, not a dropped column)
               case when exists (select from pg_attribute as a where a.attrelid = c.oid
                                 and a.attname = l.loaded_at and a.attnum > 0
                                 and not a.attisdropped)
                    then l.loaded_at end
               {%- else -%}
               null::text
               {%- endif %} as loaded_at
        from pg_class as c
        left join pg_stat_user_tables as s on s.relid = c.oid
        left join pg_stat_xact_user_tables as x on x.relid = c.oid
        {%- if columns %}
        left join (values {{ columns | join(', ') }}) as l (rel, loaded_at) on l.rel = c.oid
        {%- endif %}
        where c.oid in ({{ names | join(', ') }})
          and (s.relid is null
               or coalesce(s.last_analyze, s.last_autoanalyze) is null
               or {{ changed }} > 0.1 * greatest(c.reltuples, 1))
    loop
        -- The check reads the whole table, so only where ANALYZE would read every page too
        -- (it samples 300 x statistics target pages): never more than the ANALYZE it saves.
        if candidate.analyzed_at is not null and candidate.loaded_at is not null
           and candidate.pages <= 300 * current_setting('default_statistics_target')::int then
            execute format('select max(%I)::timestamptz from %s', candidate.loaded_at, candidate.rel)
                into newest;
            continue when newest is not null and candidate.analyzed_at >= newest;
        end if;
        execute format('analyze %s', candidate.rel);
    end loop;
end
$datakit_analyze$
    {%- endset -%}
    {{ return(statement) }}
{%- endmacro %}
