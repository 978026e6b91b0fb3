{#-
  A deterministic surrogate key: md5 over the fields' text forms joined with '|', NULL spelled
  as a marker so that (NULL, 'a') and ('', 'a') differ. Built only from dbt's cross-database
  macros (hash, concat, cast, type_string), so the same key comes out on postgres, sqlserver and
  spark. Written here because packages from the dbt hub are not used (see the project README).
-#}
{% macro surrogate_key(fields) -%}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append("coalesce(" ~ dbt.cast(field, api.Column.translate_type('string')) ~ ", '_dk_null_')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
