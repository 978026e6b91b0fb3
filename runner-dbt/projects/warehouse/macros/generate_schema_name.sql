{#-
  Layer names -> the tenant's schemas. A model configured with +schema: silver lands in
  var('datakit_silver_schema') (acme_silver for tenant acme), not in dbt's default
  "<target schema>_silver", so the orchestrator and analysts find every tenant's layers under
  one predictable name. Any other custom schema is used as written.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set layers = {
        'bronze': var('datakit_bronze_schema', 'bronze'),
        'silver': var('datakit_silver_schema', 'silver'),
        'gold': var('datakit_gold_schema', 'gold'),
    } -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- elif custom_schema_name | trim in layers -%}
        {{ layers[custom_schema_name | trim] }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
