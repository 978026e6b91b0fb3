{#-
  dbt's is_incremental(), made usable by an offline compile.

  dbt's version asks the warehouse whether the model's table exists, which needs a connection
  even under `dbt compile --no-introspect`. `runner-dbt compile --offline` sets the var
  datakit_offline_compile, and then the answer is "no" without asking: the SQL compiles as for an
  empty warehouse (the first build). Every other run uses dbt's own macro unchanged.
-#}
{% macro is_incremental() %}
    {% if var('datakit_offline_compile', false) %}
        {{ return(false) }}
    {% endif %}
    {{ return(dbt.is_incremental()) }}
{% endmacro %}
