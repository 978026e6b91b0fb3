{#- Exact money: decimal(18, 2) on every engine, so sums reconcile to the cent. -#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{#- Whole-number ids and counts. -#}
{% macro as_bigint(expression) -%}
    cast({{ expression }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro as_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro as_date(expression) -%}
    cast({{ expression }} as date)
{%- endmacro %}

{#- A timestamp literal of the engine's plain timestamp type (SQL Server: datetime2). -#}
{% macro timestamp_literal(text) -%}
    cast('{{ text }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#-
  A point in time as a UTC timestamp without time zone. Bronze keeps the source's types, so on
  Postgres this is timestamptz: converting it with "at time zone 'UTC'" (rather than a cast, which
  would use the session's time zone) gives the same wall-clock value on every session.
-#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'warehouse')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    cast({{ expression }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro postgres__utc_timestamp(expression) -%}
    ({{ expression }} at time zone 'UTC')
{%- endmacro %}

{% macro sqlserver__utc_timestamp(expression) -%}
    cast(switchoffset(cast({{ expression }} as datetimeoffset(6)), '+00:00') as datetime2(6))
{%- endmacro %}

{#- year / month / day of a date as integers (extract on most engines, datepart on SQL Server). -#}
{% macro date_number(part, expression) -%}
    {{ return(adapter.dispatch('date_number', 'warehouse')(part, expression)) }}
{%- endmacro %}

{% macro default__date_number(part, expression) -%}
    cast(extract({{ part }} from {{ expression }}) as integer)
{%- endmacro %}

{% macro sqlserver__date_number(part, expression) -%}
    datepart({{ part }}, {{ expression }})
{%- endmacro %}

{#- The first day of the date's month, as a date. -#}
{% macro month_start(expression) -%}
    cast({{ dbt.date_trunc('month', expression) }} as date)
{%- endmacro %}
