{#-
  A type 2 history is well formed when, per key, at most one version is open (valid_to NULL) and
  each closed version ends exactly where the next one starts (intervals touch: no gap, no
  overlap). Returns the offending versions.
-#}
{% test scd2_history(model, column_name, valid_from='valid_from', valid_to='valid_to') %}

with versions as (
    select
        {{ column_name }} as entity_key,
        {{ valid_from }} as version_from,
        {{ valid_to }} as version_to,
        lead({{ valid_from }}) over (
            partition by {{ column_name }} order by {{ valid_from }}
        ) as next_from,
        sum(case when {{ valid_to }} is null then 1 else 0 end) over (
            partition by {{ column_name }}
        ) as open_versions
    from {{ model }}
)

select *
from versions
where open_versions > 1
    or (next_from is not null and (version_to is null or version_to <> next_from))

{% endtest %}
