# Generated from platform.schema.json by `python -m datakit_orchestration._generate`.
# Do not edit; regenerate after changing the schema (a test checks it is current).
# ruff: noqa
SCHEMA_SHA256 = "542194526e634992866ed399ac32601ea6c0b21a4628fb864fc4622a1cfc0ef7"
VERSION = "2.22.3"
from decimal import Decimal
import re
from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException


REGEX_PATTERNS = {
    '^[a-z][a-z0-9_]*$': re.compile('^[a-z][a-z0-9_]*\\Z'),
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': re.compile('^[0-9]{4}-[0-9]{2}-[0-9]{2}\\Z'),
    '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$': re.compile('^([0-9]+(\\.[0-9]+)?|[0-9]+m)\\Z'),
    '^[0-9]+(Ki|Mi|Gi|Ti)$': re.compile('^[0-9]+(Ki|Mi|Gi|Ti)\\Z'),
    '\\{tenant\\}': re.compile('\\{tenant\\}'),
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': re.compile('^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\Z'),
    '\\{connection\\}': re.compile('\\{connection\\}'),
    '^[A-Z_][A-Z0-9_]*$': re.compile('^[A-Z_][A-Z0-9_]*\\Z'),
    '^[a-z0-9][a-z0-9._/-]*$': re.compile('^[a-z0-9][a-z0-9._/-]*\\Z'),
    '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$': re.compile('^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\\Z'),
    '^[A-Za-z0-9_.-]+$': re.compile('^[A-Za-z0-9_.-]+\\Z')
}

NoneType = type(None)

def validate_https___datakit_example_schemas_platform_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://datakit.example/schemas/platform.schema.json', 'title': 'Datakit platform settings', 'description': 'orchestration/include/platform.yaml: registry, runner images and tags, provisioning, defaults, queues, Docker, Kubernetes and local settings.', 'type': 'object', 'additionalProperties': False, 'required': ['registry', 'runners', 'transform', 'defaults', 'pool_name', 'queues', 'docker', 'kubernetes', 'local'], 'properties': {'registry': {'type': 'string', 'minLength': 1}, 'runners': {'type': 'object', 'minProperties': 1, 'additionalProperties': {'allOf': [{'$ref': '#/$defs/image'}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}}, 'transform': {'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['image', 'tag', 'command', 'project', 'silver', 'gold'], 'properties': {'image': True, 'tag': True, 'command': True, 'project': {'type': 'string', 'minLength': 1}, 'silver': {'type': 'string', 'minLength': 1}, 'gold': {'type': 'string', 'minLength': 1}}, 'additionalProperties': False}, 'provisioning': {'type': 'object', 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['runner', 'admin_connection'], 'properties': {'runner': {'type': 'string'}, 'admin_connection': {'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}}}}, 'defaults': {'type': 'object', 'additionalProperties': False, 'required': ['schedule', 'start_date', 'owner', 'retries', 'retry_delay_seconds', 'max_retry_delay_seconds', 'execution_timeout_seconds', 'pool_slots', 'queue', 'resources'], 'properties': {'schedule': {'type': ['string', 'null']}, 'start_date': {'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, 'owner': {'type': 'string', 'minLength': 1}, 'retries': {'type': 'integer', 'minimum': 0}, 'retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'max_retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'execution_timeout_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'pool_slots': {'type': 'integer', 'minimum': 1}, 'queue': {'type': 'string'}, 'resources': {'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}}}, 'pool_name': {'type': 'string', 'pattern': '\\{tenant\\}'}, 'queues': {'type': 'object', 'minProperties': 1, 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['pod_template'], 'properties': {'pod_template': {'type': 'string', 'minLength': 1}}}}, 'docker': {'type': 'object', 'additionalProperties': False, 'required': ['network'], 'properties': {'network': {'type': 'string'}, 'url': {'type': 'string'}}}, 'kubernetes': {'type': 'object', 'additionalProperties': False, 'required': ['namespace', 'secret_name'], 'properties': {'namespace': {'type': 'string', 'minLength': 1}, 'service_account': {'type': 'string'}, 'image_pull_secret': {'type': 'string', 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'description': "Name of the registry's image pull Secret in each tenant namespace (its value is never rendered by the project)."}, 'secret_name': {'type': 'string', 'pattern': '\\{connection\\}'}}}, 'local': {'type': 'object', 'additionalProperties': False, 'required': ['path_env'], 'properties': {'path_env': {'type': 'string', 'pattern': '^[A-Z_][A-Z0-9_]*$'}}}}, '$defs': {'image': {'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}, 'runner': {'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['registry', 'runners', 'transform', 'defaults', 'pool_name', 'queues', 'docker', 'kubernetes', 'local']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://datakit.example/schemas/platform.schema.json', 'title': 'Datakit platform settings', 'description': 'orchestration/include/platform.yaml: registry, runner images and tags, provisioning, defaults, queues, Docker, Kubernetes and local settings.', 'type': 'object', 'additionalProperties': False, 'required': ['registry', 'runners', 'transform', 'defaults', 'pool_name', 'queues', 'docker', 'kubernetes', 'local'], 'properties': {'registry': {'type': 'string', 'minLength': 1}, 'runners': {'type': 'object', 'minProperties': 1, 'additionalProperties': {'allOf': [{'$ref': '#/$defs/image'}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}}, 'transform': {'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['image', 'tag', 'command', 'project', 'silver', 'gold'], 'properties': {'image': True, 'tag': True, 'command': True, 'project': {'type': 'string', 'minLength': 1}, 'silver': {'type': 'string', 'minLength': 1}, 'gold': {'type': 'string', 'minLength': 1}}, 'additionalProperties': False}, 'provisioning': {'type': 'object', 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['runner', 'admin_connection'], 'properties': {'runner': {'type': 'string'}, 'admin_connection': {'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}}}}, 'defaults': {'type': 'object', 'additionalProperties': False, 'required': ['schedule', 'start_date', 'owner', 'retries', 'retry_delay_seconds', 'max_retry_delay_seconds', 'execution_timeout_seconds', 'pool_slots', 'queue', 'resources'], 'properties': {'schedule': {'type': ['string', 'null']}, 'start_date': {'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, 'owner': {'type': 'string', 'minLength': 1}, 'retries': {'type': 'integer', 'minimum': 0}, 'retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'max_retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'execution_timeout_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'pool_slots': {'type': 'integer', 'minimum': 1}, 'queue': {'type': 'string'}, 'resources': {'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}}}, 'pool_name': {'type': 'string', 'pattern': '\\{tenant\\}'}, 'queues': {'type': 'object', 'minProperties': 1, 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['pod_template'], 'properties': {'pod_template': {'type': 'string', 'minLength': 1}}}}, 'docker': {'type': 'object', 'additionalProperties': False, 'required': ['network'], 'properties': {'network': {'type': 'string'}, 'url': {'type': 'string'}}}, 'kubernetes': {'type': 'object', 'additionalProperties': False, 'required': ['namespace', 'secret_name'], 'properties': {'namespace': {'type': 'string', 'minLength': 1}, 'service_account': {'type': 'string'}, 'image_pull_secret': {'type': 'string', 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'description': "Name of the registry's image pull Secret in each tenant namespace (its value is never rendered by the project)."}, 'secret_name': {'type': 'string', 'pattern': '\\{connection\\}'}}}, 'local': {'type': 'object', 'additionalProperties': False, 'required': ['path_env'], 'properties': {'path_env': {'type': 'string', 'pattern': '^[A-Z_][A-Z0-9_]*$'}}}}, '$defs': {'image': {'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}, 'runner': {'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}}}, rule='required')
        data_keys = set(data.keys())
        if "registry" in data_keys:
            data_keys.remove("registry")
            data__registry = data["registry"]
            if not isinstance(data__registry, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".registry must be string", value=data__registry, name="" + (name_prefix or "data") + ".registry", definition={'type': 'string', 'minLength': 1}, rule='type')
            if isinstance(data__registry, str):
                data__registry_len = len(data__registry)
                if data__registry_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".registry must be longer than or equal to 1 characters", value=data__registry, name="" + (name_prefix or "data") + ".registry", definition={'type': 'string', 'minLength': 1}, rule='minLength')
        if "runners" in data_keys:
            data_keys.remove("runners")
            data__runners = data["runners"]
            if not isinstance(data__runners, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runners must be object", value=data__runners, name="" + (name_prefix or "data") + ".runners", definition={'type': 'object', 'minProperties': 1, 'additionalProperties': {'allOf': [{'$ref': '#/$defs/image'}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}}, rule='type')
            data__runners_is_dict = isinstance(data__runners, dict)
            if data__runners_is_dict:
                data__runners_len = len(data__runners)
                if data__runners_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".runners must contain at least 1 properties", value=data__runners, name="" + (name_prefix or "data") + ".runners", definition={'type': 'object', 'minProperties': 1, 'additionalProperties': {'allOf': [{'$ref': '#/$defs/image'}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}}, rule='minProperties')
                data__runners_keys = set(data__runners.keys())
                for data__runners_key in data__runners_keys:
                    if data__runners_key not in []:
                        data__runners_value = data__runners.get(data__runners_key)
                        validate_https___datakit_example_schemas_platform_schema_json___defs_runner(data__runners_value, custom_formats, (name_prefix or "data") + ".runners.{data__runners_key}".format(**locals()))
        if "transform" in data_keys:
            data_keys.remove("transform")
            data__transform = data["transform"]
            if not isinstance(data__transform, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform must be object", value=data__transform, name="" + (name_prefix or "data") + ".transform", definition={'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['image', 'tag', 'command', 'project', 'silver', 'gold'], 'properties': {'image': True, 'tag': True, 'command': True, 'project': {'type': 'string', 'minLength': 1}, 'silver': {'type': 'string', 'minLength': 1}, 'gold': {'type': 'string', 'minLength': 1}}, 'additionalProperties': False}, rule='type')
            validate_https___datakit_example_schemas_platform_schema_json___defs_image(data__transform, custom_formats, (name_prefix or "data") + ".transform")
            data__transform_is_dict = isinstance(data__transform, dict)
            if data__transform_is_dict:
                data__transform__missing_keys = set(['image', 'tag', 'command', 'project', 'silver', 'gold']) - data__transform.keys()
                if data__transform__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform must contain " + (str(sorted(data__transform__missing_keys)) + " properties"), value=data__transform, name="" + (name_prefix or "data") + ".transform", definition={'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['image', 'tag', 'command', 'project', 'silver', 'gold'], 'properties': {'image': True, 'tag': True, 'command': True, 'project': {'type': 'string', 'minLength': 1}, 'silver': {'type': 'string', 'minLength': 1}, 'gold': {'type': 'string', 'minLength': 1}}, 'additionalProperties': False}, rule='required')
                data__transform_keys = set(data__transform.keys())
                if "image" in data__transform_keys:
                    data__transform_keys.remove("image")
                    data__transform__image = data__transform["image"]
                    pass
                if "tag" in data__transform_keys:
                    data__transform_keys.remove("tag")
                    data__transform__tag = data__transform["tag"]
                    pass
                if "command" in data__transform_keys:
                    data__transform_keys.remove("command")
                    data__transform__command = data__transform["command"]
                    pass
                if "project" in data__transform_keys:
                    data__transform_keys.remove("project")
                    data__transform__project = data__transform["project"]
                    if not isinstance(data__transform__project, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform.project must be string", value=data__transform__project, name="" + (name_prefix or "data") + ".transform.project", definition={'type': 'string', 'minLength': 1}, rule='type')
                    if isinstance(data__transform__project, str):
                        data__transform__project_len = len(data__transform__project)
                        if data__transform__project_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform.project must be longer than or equal to 1 characters", value=data__transform__project, name="" + (name_prefix or "data") + ".transform.project", definition={'type': 'string', 'minLength': 1}, rule='minLength')
                if "silver" in data__transform_keys:
                    data__transform_keys.remove("silver")
                    data__transform__silver = data__transform["silver"]
                    if not isinstance(data__transform__silver, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform.silver must be string", value=data__transform__silver, name="" + (name_prefix or "data") + ".transform.silver", definition={'type': 'string', 'minLength': 1}, rule='type')
                    if isinstance(data__transform__silver, str):
                        data__transform__silver_len = len(data__transform__silver)
                        if data__transform__silver_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform.silver must be longer than or equal to 1 characters", value=data__transform__silver, name="" + (name_prefix or "data") + ".transform.silver", definition={'type': 'string', 'minLength': 1}, rule='minLength')
                if "gold" in data__transform_keys:
                    data__transform_keys.remove("gold")
                    data__transform__gold = data__transform["gold"]
                    if not isinstance(data__transform__gold, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform.gold must be string", value=data__transform__gold, name="" + (name_prefix or "data") + ".transform.gold", definition={'type': 'string', 'minLength': 1}, rule='type')
                    if isinstance(data__transform__gold, str):
                        data__transform__gold_len = len(data__transform__gold)
                        if data__transform__gold_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform.gold must be longer than or equal to 1 characters", value=data__transform__gold, name="" + (name_prefix or "data") + ".transform.gold", definition={'type': 'string', 'minLength': 1}, rule='minLength')
                if data__transform_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".transform must not contain "+str(data__transform_keys)+" properties", value=data__transform, name="" + (name_prefix or "data") + ".transform", definition={'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['image', 'tag', 'command', 'project', 'silver', 'gold'], 'properties': {'image': True, 'tag': True, 'command': True, 'project': {'type': 'string', 'minLength': 1}, 'silver': {'type': 'string', 'minLength': 1}, 'gold': {'type': 'string', 'minLength': 1}}, 'additionalProperties': False}, rule='additionalProperties')
        if "provisioning" in data_keys:
            data_keys.remove("provisioning")
            data__provisioning = data["provisioning"]
            if not isinstance(data__provisioning, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".provisioning must be object", value=data__provisioning, name="" + (name_prefix or "data") + ".provisioning", definition={'type': 'object', 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['runner', 'admin_connection'], 'properties': {'runner': {'type': 'string'}, 'admin_connection': {'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}}}}, rule='type')
            data__provisioning_is_dict = isinstance(data__provisioning, dict)
            if data__provisioning_is_dict:
                data__provisioning_keys = set(data__provisioning.keys())
                for data__provisioning_key in data__provisioning_keys:
                    if data__provisioning_key not in []:
                        data__provisioning_value = data__provisioning.get(data__provisioning_key)
                        if not isinstance(data__provisioning_value, (dict)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}".format(**locals()) + " must be object", value=data__provisioning_value, name="" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['runner', 'admin_connection'], 'properties': {'runner': {'type': 'string'}, 'admin_connection': {'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}}}, rule='type')
                        data__provisioning_value_is_dict = isinstance(data__provisioning_value, dict)
                        if data__provisioning_value_is_dict:
                            data__provisioning_value__missing_keys = set(['runner', 'admin_connection']) - data__provisioning_value.keys()
                            if data__provisioning_value__missing_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}".format(**locals()) + " must contain " + (str(sorted(data__provisioning_value__missing_keys)) + " properties"), value=data__provisioning_value, name="" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['runner', 'admin_connection'], 'properties': {'runner': {'type': 'string'}, 'admin_connection': {'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}}}, rule='required')
                            data__provisioning_value_keys = set(data__provisioning_value.keys())
                            if "runner" in data__provisioning_value_keys:
                                data__provisioning_value_keys.remove("runner")
                                data__provisioning_value__runner = data__provisioning_value["runner"]
                                if not isinstance(data__provisioning_value__runner, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}.runner".format(**locals()) + " must be string", value=data__provisioning_value__runner, name="" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}.runner".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                            if "admin_connection" in data__provisioning_value_keys:
                                data__provisioning_value_keys.remove("admin_connection")
                                data__provisioning_value__adminconnection = data__provisioning_value["admin_connection"]
                                if not isinstance(data__provisioning_value__adminconnection, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}.admin_connection".format(**locals()) + " must be string", value=data__provisioning_value__adminconnection, name="" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}.admin_connection".format(**locals()) + "", definition={'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}, rule='type')
                                if isinstance(data__provisioning_value__adminconnection, str):
                                    if not REGEX_PATTERNS['^[a-z][a-z0-9_]*$'].search(data__provisioning_value__adminconnection):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}.admin_connection".format(**locals()) + " must match pattern ^[a-z][a-z0-9_]*$", value=data__provisioning_value__adminconnection, name="" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}.admin_connection".format(**locals()) + "", definition={'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}, rule='pattern')
                            if data__provisioning_value_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}".format(**locals()) + " must not contain "+str(data__provisioning_value_keys)+" properties", value=data__provisioning_value, name="" + (name_prefix or "data") + ".provisioning.{data__provisioning_key}".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['runner', 'admin_connection'], 'properties': {'runner': {'type': 'string'}, 'admin_connection': {'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}}}, rule='additionalProperties')
        if "defaults" in data_keys:
            data_keys.remove("defaults")
            data__defaults = data["defaults"]
            if not isinstance(data__defaults, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults must be object", value=data__defaults, name="" + (name_prefix or "data") + ".defaults", definition={'type': 'object', 'additionalProperties': False, 'required': ['schedule', 'start_date', 'owner', 'retries', 'retry_delay_seconds', 'max_retry_delay_seconds', 'execution_timeout_seconds', 'pool_slots', 'queue', 'resources'], 'properties': {'schedule': {'type': ['string', 'null']}, 'start_date': {'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, 'owner': {'type': 'string', 'minLength': 1}, 'retries': {'type': 'integer', 'minimum': 0}, 'retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'max_retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'execution_timeout_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'pool_slots': {'type': 'integer', 'minimum': 1}, 'queue': {'type': 'string'}, 'resources': {'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}}}, rule='type')
            data__defaults_is_dict = isinstance(data__defaults, dict)
            if data__defaults_is_dict:
                data__defaults__missing_keys = set(['schedule', 'start_date', 'owner', 'retries', 'retry_delay_seconds', 'max_retry_delay_seconds', 'execution_timeout_seconds', 'pool_slots', 'queue', 'resources']) - data__defaults.keys()
                if data__defaults__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults must contain " + (str(sorted(data__defaults__missing_keys)) + " properties"), value=data__defaults, name="" + (name_prefix or "data") + ".defaults", definition={'type': 'object', 'additionalProperties': False, 'required': ['schedule', 'start_date', 'owner', 'retries', 'retry_delay_seconds', 'max_retry_delay_seconds', 'execution_timeout_seconds', 'pool_slots', 'queue', 'resources'], 'properties': {'schedule': {'type': ['string', 'null']}, 'start_date': {'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, 'owner': {'type': 'string', 'minLength': 1}, 'retries': {'type': 'integer', 'minimum': 0}, 'retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'max_retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'execution_timeout_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'pool_slots': {'type': 'integer', 'minimum': 1}, 'queue': {'type': 'string'}, 'resources': {'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}}}, rule='required')
                data__defaults_keys = set(data__defaults.keys())
                if "schedule" in data__defaults_keys:
                    data__defaults_keys.remove("schedule")
                    data__defaults__schedule = data__defaults["schedule"]
                    if not isinstance(data__defaults__schedule, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.schedule must be string or null", value=data__defaults__schedule, name="" + (name_prefix or "data") + ".defaults.schedule", definition={'type': ['string', 'null']}, rule='type')
                if "start_date" in data__defaults_keys:
                    data__defaults_keys.remove("start_date")
                    data__defaults__startdate = data__defaults["start_date"]
                    if not isinstance(data__defaults__startdate, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.start_date must be string", value=data__defaults__startdate, name="" + (name_prefix or "data") + ".defaults.start_date", definition={'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, rule='type')
                    if isinstance(data__defaults__startdate, str):
                        if not REGEX_PATTERNS['^[0-9]{4}-[0-9]{2}-[0-9]{2}$'].search(data__defaults__startdate):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.start_date must match pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$", value=data__defaults__startdate, name="" + (name_prefix or "data") + ".defaults.start_date", definition={'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, rule='pattern')
                if "owner" in data__defaults_keys:
                    data__defaults_keys.remove("owner")
                    data__defaults__owner = data__defaults["owner"]
                    if not isinstance(data__defaults__owner, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.owner must be string", value=data__defaults__owner, name="" + (name_prefix or "data") + ".defaults.owner", definition={'type': 'string', 'minLength': 1}, rule='type')
                    if isinstance(data__defaults__owner, str):
                        data__defaults__owner_len = len(data__defaults__owner)
                        if data__defaults__owner_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.owner must be longer than or equal to 1 characters", value=data__defaults__owner, name="" + (name_prefix or "data") + ".defaults.owner", definition={'type': 'string', 'minLength': 1}, rule='minLength')
                if "retries" in data__defaults_keys:
                    data__defaults_keys.remove("retries")
                    data__defaults__retries = data__defaults["retries"]
                    if not isinstance(data__defaults__retries, (int)) and not (isinstance(data__defaults__retries, float) and data__defaults__retries.is_integer()) or isinstance(data__defaults__retries, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.retries must be integer", value=data__defaults__retries, name="" + (name_prefix or "data") + ".defaults.retries", definition={'type': 'integer', 'minimum': 0}, rule='type')
                    if isinstance(data__defaults__retries, (int, float, Decimal)) and not isinstance(data__defaults__retries, bool):
                        if data__defaults__retries < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.retries must be bigger than or equal to 0", value=data__defaults__retries, name="" + (name_prefix or "data") + ".defaults.retries", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                if "retry_delay_seconds" in data__defaults_keys:
                    data__defaults_keys.remove("retry_delay_seconds")
                    data__defaults__retrydelayseconds = data__defaults["retry_delay_seconds"]
                    if not isinstance(data__defaults__retrydelayseconds, (int, float, Decimal)) or isinstance(data__defaults__retrydelayseconds, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.retry_delay_seconds must be number", value=data__defaults__retrydelayseconds, name="" + (name_prefix or "data") + ".defaults.retry_delay_seconds", definition={'type': 'number', 'exclusiveMinimum': 0}, rule='type')
                    if isinstance(data__defaults__retrydelayseconds, (int, float, Decimal)) and not isinstance(data__defaults__retrydelayseconds, bool):
                        if data__defaults__retrydelayseconds <= 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.retry_delay_seconds must be bigger than 0", value=data__defaults__retrydelayseconds, name="" + (name_prefix or "data") + ".defaults.retry_delay_seconds", definition={'type': 'number', 'exclusiveMinimum': 0}, rule='exclusiveMinimum')
                if "max_retry_delay_seconds" in data__defaults_keys:
                    data__defaults_keys.remove("max_retry_delay_seconds")
                    data__defaults__maxretrydelayseconds = data__defaults["max_retry_delay_seconds"]
                    if not isinstance(data__defaults__maxretrydelayseconds, (int, float, Decimal)) or isinstance(data__defaults__maxretrydelayseconds, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.max_retry_delay_seconds must be number", value=data__defaults__maxretrydelayseconds, name="" + (name_prefix or "data") + ".defaults.max_retry_delay_seconds", definition={'type': 'number', 'exclusiveMinimum': 0}, rule='type')
                    if isinstance(data__defaults__maxretrydelayseconds, (int, float, Decimal)) and not isinstance(data__defaults__maxretrydelayseconds, bool):
                        if data__defaults__maxretrydelayseconds <= 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.max_retry_delay_seconds must be bigger than 0", value=data__defaults__maxretrydelayseconds, name="" + (name_prefix or "data") + ".defaults.max_retry_delay_seconds", definition={'type': 'number', 'exclusiveMinimum': 0}, rule='exclusiveMinimum')
                if "execution_timeout_seconds" in data__defaults_keys:
                    data__defaults_keys.remove("execution_timeout_seconds")
                    data__defaults__executiontimeoutseconds = data__defaults["execution_timeout_seconds"]
                    if not isinstance(data__defaults__executiontimeoutseconds, (int, float, Decimal)) or isinstance(data__defaults__executiontimeoutseconds, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.execution_timeout_seconds must be number", value=data__defaults__executiontimeoutseconds, name="" + (name_prefix or "data") + ".defaults.execution_timeout_seconds", definition={'type': 'number', 'exclusiveMinimum': 0}, rule='type')
                    if isinstance(data__defaults__executiontimeoutseconds, (int, float, Decimal)) and not isinstance(data__defaults__executiontimeoutseconds, bool):
                        if data__defaults__executiontimeoutseconds <= 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.execution_timeout_seconds must be bigger than 0", value=data__defaults__executiontimeoutseconds, name="" + (name_prefix or "data") + ".defaults.execution_timeout_seconds", definition={'type': 'number', 'exclusiveMinimum': 0}, rule='exclusiveMinimum')
                if "pool_slots" in data__defaults_keys:
                    data__defaults_keys.remove("pool_slots")
                    data__defaults__poolslots = data__defaults["pool_slots"]
                    if not isinstance(data__defaults__poolslots, (int)) and not (isinstance(data__defaults__poolslots, float) and data__defaults__poolslots.is_integer()) or isinstance(data__defaults__poolslots, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.pool_slots must be integer", value=data__defaults__poolslots, name="" + (name_prefix or "data") + ".defaults.pool_slots", definition={'type': 'integer', 'minimum': 1}, rule='type')
                    if isinstance(data__defaults__poolslots, (int, float, Decimal)) and not isinstance(data__defaults__poolslots, bool):
                        if data__defaults__poolslots < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.pool_slots must be bigger than or equal to 1", value=data__defaults__poolslots, name="" + (name_prefix or "data") + ".defaults.pool_slots", definition={'type': 'integer', 'minimum': 1}, rule='minimum')
                if "queue" in data__defaults_keys:
                    data__defaults_keys.remove("queue")
                    data__defaults__queue = data__defaults["queue"]
                    if not isinstance(data__defaults__queue, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.queue must be string", value=data__defaults__queue, name="" + (name_prefix or "data") + ".defaults.queue", definition={'type': 'string'}, rule='type')
                if "resources" in data__defaults_keys:
                    data__defaults_keys.remove("resources")
                    data__defaults__resources = data__defaults["resources"]
                    if not isinstance(data__defaults__resources, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.resources must be object", value=data__defaults__resources, name="" + (name_prefix or "data") + ".defaults.resources", definition={'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}, rule='type')
                    data__defaults__resources_is_dict = isinstance(data__defaults__resources, dict)
                    if data__defaults__resources_is_dict:
                        data__defaults__resources__missing_keys = set(['cpu', 'memory']) - data__defaults__resources.keys()
                        if data__defaults__resources__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.resources must contain " + (str(sorted(data__defaults__resources__missing_keys)) + " properties"), value=data__defaults__resources, name="" + (name_prefix or "data") + ".defaults.resources", definition={'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}, rule='required')
                        data__defaults__resources_keys = set(data__defaults__resources.keys())
                        if "cpu" in data__defaults__resources_keys:
                            data__defaults__resources_keys.remove("cpu")
                            data__defaults__resources__cpu = data__defaults__resources["cpu"]
                            if not isinstance(data__defaults__resources__cpu, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.resources.cpu must be string", value=data__defaults__resources__cpu, name="" + (name_prefix or "data") + ".defaults.resources.cpu", definition={'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, rule='type')
                            if isinstance(data__defaults__resources__cpu, str):
                                if not REGEX_PATTERNS['^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'].search(data__defaults__resources__cpu):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.resources.cpu must match pattern ^([0-9]+(\\.[0-9]+)?|[0-9]+m)$", value=data__defaults__resources__cpu, name="" + (name_prefix or "data") + ".defaults.resources.cpu", definition={'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, rule='pattern')
                        if "memory" in data__defaults__resources_keys:
                            data__defaults__resources_keys.remove("memory")
                            data__defaults__resources__memory = data__defaults__resources["memory"]
                            if not isinstance(data__defaults__resources__memory, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.resources.memory must be string", value=data__defaults__resources__memory, name="" + (name_prefix or "data") + ".defaults.resources.memory", definition={'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}, rule='type')
                            if isinstance(data__defaults__resources__memory, str):
                                if not REGEX_PATTERNS['^[0-9]+(Ki|Mi|Gi|Ti)$'].search(data__defaults__resources__memory):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.resources.memory must match pattern ^[0-9]+(Ki|Mi|Gi|Ti)$", value=data__defaults__resources__memory, name="" + (name_prefix or "data") + ".defaults.resources.memory", definition={'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}, rule='pattern')
                        if data__defaults__resources_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults.resources must not contain "+str(data__defaults__resources_keys)+" properties", value=data__defaults__resources, name="" + (name_prefix or "data") + ".defaults.resources", definition={'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}, rule='additionalProperties')
                if data__defaults_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".defaults must not contain "+str(data__defaults_keys)+" properties", value=data__defaults, name="" + (name_prefix or "data") + ".defaults", definition={'type': 'object', 'additionalProperties': False, 'required': ['schedule', 'start_date', 'owner', 'retries', 'retry_delay_seconds', 'max_retry_delay_seconds', 'execution_timeout_seconds', 'pool_slots', 'queue', 'resources'], 'properties': {'schedule': {'type': ['string', 'null']}, 'start_date': {'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, 'owner': {'type': 'string', 'minLength': 1}, 'retries': {'type': 'integer', 'minimum': 0}, 'retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'max_retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'execution_timeout_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'pool_slots': {'type': 'integer', 'minimum': 1}, 'queue': {'type': 'string'}, 'resources': {'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}}}, rule='additionalProperties')
        if "pool_name" in data_keys:
            data_keys.remove("pool_name")
            data__poolname = data["pool_name"]
            if not isinstance(data__poolname, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".pool_name must be string", value=data__poolname, name="" + (name_prefix or "data") + ".pool_name", definition={'type': 'string', 'pattern': '\\{tenant\\}'}, rule='type')
            if isinstance(data__poolname, str):
                if not REGEX_PATTERNS['\\{tenant\\}'].search(data__poolname):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".pool_name must match pattern \\{tenant\\}", value=data__poolname, name="" + (name_prefix or "data") + ".pool_name", definition={'type': 'string', 'pattern': '\\{tenant\\}'}, rule='pattern')
        if "queues" in data_keys:
            data_keys.remove("queues")
            data__queues = data["queues"]
            if not isinstance(data__queues, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".queues must be object", value=data__queues, name="" + (name_prefix or "data") + ".queues", definition={'type': 'object', 'minProperties': 1, 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['pod_template'], 'properties': {'pod_template': {'type': 'string', 'minLength': 1}}}}, rule='type')
            data__queues_is_dict = isinstance(data__queues, dict)
            if data__queues_is_dict:
                data__queues_len = len(data__queues)
                if data__queues_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".queues must contain at least 1 properties", value=data__queues, name="" + (name_prefix or "data") + ".queues", definition={'type': 'object', 'minProperties': 1, 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['pod_template'], 'properties': {'pod_template': {'type': 'string', 'minLength': 1}}}}, rule='minProperties')
                data__queues_keys = set(data__queues.keys())
                for data__queues_key in data__queues_keys:
                    if data__queues_key not in []:
                        data__queues_value = data__queues.get(data__queues_key)
                        if not isinstance(data__queues_value, (dict)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".queues.{data__queues_key}".format(**locals()) + " must be object", value=data__queues_value, name="" + (name_prefix or "data") + ".queues.{data__queues_key}".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['pod_template'], 'properties': {'pod_template': {'type': 'string', 'minLength': 1}}}, rule='type')
                        data__queues_value_is_dict = isinstance(data__queues_value, dict)
                        if data__queues_value_is_dict:
                            data__queues_value__missing_keys = set(['pod_template']) - data__queues_value.keys()
                            if data__queues_value__missing_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".queues.{data__queues_key}".format(**locals()) + " must contain " + (str(sorted(data__queues_value__missing_keys)) + " properties"), value=data__queues_value, name="" + (name_prefix or "data") + ".queues.{data__queues_key}".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['pod_template'], 'properties': {'pod_template': {'type': 'string', 'minLength': 1}}}, rule='required')
                            data__queues_value_keys = set(data__queues_value.keys())
                            if "pod_template" in data__queues_value_keys:
                                data__queues_value_keys.remove("pod_template")
                                data__queues_value__podtemplate = data__queues_value["pod_template"]
                                if not isinstance(data__queues_value__podtemplate, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".queues.{data__queues_key}.pod_template".format(**locals()) + " must be string", value=data__queues_value__podtemplate, name="" + (name_prefix or "data") + ".queues.{data__queues_key}.pod_template".format(**locals()) + "", definition={'type': 'string', 'minLength': 1}, rule='type')
                                if isinstance(data__queues_value__podtemplate, str):
                                    data__queues_value__podtemplate_len = len(data__queues_value__podtemplate)
                                    if data__queues_value__podtemplate_len < 1:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".queues.{data__queues_key}.pod_template".format(**locals()) + " must be longer than or equal to 1 characters", value=data__queues_value__podtemplate, name="" + (name_prefix or "data") + ".queues.{data__queues_key}.pod_template".format(**locals()) + "", definition={'type': 'string', 'minLength': 1}, rule='minLength')
                            if data__queues_value_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".queues.{data__queues_key}".format(**locals()) + " must not contain "+str(data__queues_value_keys)+" properties", value=data__queues_value, name="" + (name_prefix or "data") + ".queues.{data__queues_key}".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['pod_template'], 'properties': {'pod_template': {'type': 'string', 'minLength': 1}}}, rule='additionalProperties')
        if "docker" in data_keys:
            data_keys.remove("docker")
            data__docker = data["docker"]
            if not isinstance(data__docker, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".docker must be object", value=data__docker, name="" + (name_prefix or "data") + ".docker", definition={'type': 'object', 'additionalProperties': False, 'required': ['network'], 'properties': {'network': {'type': 'string'}, 'url': {'type': 'string'}}}, rule='type')
            data__docker_is_dict = isinstance(data__docker, dict)
            if data__docker_is_dict:
                data__docker__missing_keys = set(['network']) - data__docker.keys()
                if data__docker__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".docker must contain " + (str(sorted(data__docker__missing_keys)) + " properties"), value=data__docker, name="" + (name_prefix or "data") + ".docker", definition={'type': 'object', 'additionalProperties': False, 'required': ['network'], 'properties': {'network': {'type': 'string'}, 'url': {'type': 'string'}}}, rule='required')
                data__docker_keys = set(data__docker.keys())
                if "network" in data__docker_keys:
                    data__docker_keys.remove("network")
                    data__docker__network = data__docker["network"]
                    if not isinstance(data__docker__network, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".docker.network must be string", value=data__docker__network, name="" + (name_prefix or "data") + ".docker.network", definition={'type': 'string'}, rule='type')
                if "url" in data__docker_keys:
                    data__docker_keys.remove("url")
                    data__docker__url = data__docker["url"]
                    if not isinstance(data__docker__url, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".docker.url must be string", value=data__docker__url, name="" + (name_prefix or "data") + ".docker.url", definition={'type': 'string'}, rule='type')
                if data__docker_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".docker must not contain "+str(data__docker_keys)+" properties", value=data__docker, name="" + (name_prefix or "data") + ".docker", definition={'type': 'object', 'additionalProperties': False, 'required': ['network'], 'properties': {'network': {'type': 'string'}, 'url': {'type': 'string'}}}, rule='additionalProperties')
        if "kubernetes" in data_keys:
            data_keys.remove("kubernetes")
            data__kubernetes = data["kubernetes"]
            if not isinstance(data__kubernetes, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes must be object", value=data__kubernetes, name="" + (name_prefix or "data") + ".kubernetes", definition={'type': 'object', 'additionalProperties': False, 'required': ['namespace', 'secret_name'], 'properties': {'namespace': {'type': 'string', 'minLength': 1}, 'service_account': {'type': 'string'}, 'image_pull_secret': {'type': 'string', 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'description': "Name of the registry's image pull Secret in each tenant namespace (its value is never rendered by the project)."}, 'secret_name': {'type': 'string', 'pattern': '\\{connection\\}'}}}, rule='type')
            data__kubernetes_is_dict = isinstance(data__kubernetes, dict)
            if data__kubernetes_is_dict:
                data__kubernetes__missing_keys = set(['namespace', 'secret_name']) - data__kubernetes.keys()
                if data__kubernetes__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes must contain " + (str(sorted(data__kubernetes__missing_keys)) + " properties"), value=data__kubernetes, name="" + (name_prefix or "data") + ".kubernetes", definition={'type': 'object', 'additionalProperties': False, 'required': ['namespace', 'secret_name'], 'properties': {'namespace': {'type': 'string', 'minLength': 1}, 'service_account': {'type': 'string'}, 'image_pull_secret': {'type': 'string', 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'description': "Name of the registry's image pull Secret in each tenant namespace (its value is never rendered by the project)."}, 'secret_name': {'type': 'string', 'pattern': '\\{connection\\}'}}}, rule='required')
                data__kubernetes_keys = set(data__kubernetes.keys())
                if "namespace" in data__kubernetes_keys:
                    data__kubernetes_keys.remove("namespace")
                    data__kubernetes__namespace = data__kubernetes["namespace"]
                    if not isinstance(data__kubernetes__namespace, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes.namespace must be string", value=data__kubernetes__namespace, name="" + (name_prefix or "data") + ".kubernetes.namespace", definition={'type': 'string', 'minLength': 1}, rule='type')
                    if isinstance(data__kubernetes__namespace, str):
                        data__kubernetes__namespace_len = len(data__kubernetes__namespace)
                        if data__kubernetes__namespace_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes.namespace must be longer than or equal to 1 characters", value=data__kubernetes__namespace, name="" + (name_prefix or "data") + ".kubernetes.namespace", definition={'type': 'string', 'minLength': 1}, rule='minLength')
                if "service_account" in data__kubernetes_keys:
                    data__kubernetes_keys.remove("service_account")
                    data__kubernetes__serviceaccount = data__kubernetes["service_account"]
                    if not isinstance(data__kubernetes__serviceaccount, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes.service_account must be string", value=data__kubernetes__serviceaccount, name="" + (name_prefix or "data") + ".kubernetes.service_account", definition={'type': 'string'}, rule='type')
                if "image_pull_secret" in data__kubernetes_keys:
                    data__kubernetes_keys.remove("image_pull_secret")
                    data__kubernetes__imagepullsecret = data__kubernetes["image_pull_secret"]
                    if not isinstance(data__kubernetes__imagepullsecret, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes.image_pull_secret must be string", value=data__kubernetes__imagepullsecret, name="" + (name_prefix or "data") + ".kubernetes.image_pull_secret", definition={'type': 'string', 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'description': "Name of the registry's image pull Secret in each tenant namespace (its value is never rendered by the project)."}, rule='type')
                    if isinstance(data__kubernetes__imagepullsecret, str):
                        if not REGEX_PATTERNS['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'].search(data__kubernetes__imagepullsecret):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes.image_pull_secret must match pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", value=data__kubernetes__imagepullsecret, name="" + (name_prefix or "data") + ".kubernetes.image_pull_secret", definition={'type': 'string', 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'description': "Name of the registry's image pull Secret in each tenant namespace (its value is never rendered by the project)."}, rule='pattern')
                if "secret_name" in data__kubernetes_keys:
                    data__kubernetes_keys.remove("secret_name")
                    data__kubernetes__secretname = data__kubernetes["secret_name"]
                    if not isinstance(data__kubernetes__secretname, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes.secret_name must be string", value=data__kubernetes__secretname, name="" + (name_prefix or "data") + ".kubernetes.secret_name", definition={'type': 'string', 'pattern': '\\{connection\\}'}, rule='type')
                    if isinstance(data__kubernetes__secretname, str):
                        if not REGEX_PATTERNS['\\{connection\\}'].search(data__kubernetes__secretname):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes.secret_name must match pattern \\{connection\\}", value=data__kubernetes__secretname, name="" + (name_prefix or "data") + ".kubernetes.secret_name", definition={'type': 'string', 'pattern': '\\{connection\\}'}, rule='pattern')
                if data__kubernetes_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubernetes must not contain "+str(data__kubernetes_keys)+" properties", value=data__kubernetes, name="" + (name_prefix or "data") + ".kubernetes", definition={'type': 'object', 'additionalProperties': False, 'required': ['namespace', 'secret_name'], 'properties': {'namespace': {'type': 'string', 'minLength': 1}, 'service_account': {'type': 'string'}, 'image_pull_secret': {'type': 'string', 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'description': "Name of the registry's image pull Secret in each tenant namespace (its value is never rendered by the project)."}, 'secret_name': {'type': 'string', 'pattern': '\\{connection\\}'}}}, rule='additionalProperties')
        if "local" in data_keys:
            data_keys.remove("local")
            data__local = data["local"]
            if not isinstance(data__local, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".local must be object", value=data__local, name="" + (name_prefix or "data") + ".local", definition={'type': 'object', 'additionalProperties': False, 'required': ['path_env'], 'properties': {'path_env': {'type': 'string', 'pattern': '^[A-Z_][A-Z0-9_]*$'}}}, rule='type')
            data__local_is_dict = isinstance(data__local, dict)
            if data__local_is_dict:
                data__local__missing_keys = set(['path_env']) - data__local.keys()
                if data__local__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".local must contain " + (str(sorted(data__local__missing_keys)) + " properties"), value=data__local, name="" + (name_prefix or "data") + ".local", definition={'type': 'object', 'additionalProperties': False, 'required': ['path_env'], 'properties': {'path_env': {'type': 'string', 'pattern': '^[A-Z_][A-Z0-9_]*$'}}}, rule='required')
                data__local_keys = set(data__local.keys())
                if "path_env" in data__local_keys:
                    data__local_keys.remove("path_env")
                    data__local__pathenv = data__local["path_env"]
                    if not isinstance(data__local__pathenv, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".local.path_env must be string", value=data__local__pathenv, name="" + (name_prefix or "data") + ".local.path_env", definition={'type': 'string', 'pattern': '^[A-Z_][A-Z0-9_]*$'}, rule='type')
                    if isinstance(data__local__pathenv, str):
                        if not REGEX_PATTERNS['^[A-Z_][A-Z0-9_]*$'].search(data__local__pathenv):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".local.path_env must match pattern ^[A-Z_][A-Z0-9_]*$", value=data__local__pathenv, name="" + (name_prefix or "data") + ".local.path_env", definition={'type': 'string', 'pattern': '^[A-Z_][A-Z0-9_]*$'}, rule='pattern')
                if data__local_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".local must not contain "+str(data__local_keys)+" properties", value=data__local, name="" + (name_prefix or "data") + ".local", definition={'type': 'object', 'additionalProperties': False, 'required': ['path_env'], 'properties': {'path_env': {'type': 'string', 'pattern': '^[A-Z_][A-Z0-9_]*$'}}}, rule='additionalProperties')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://datakit.example/schemas/platform.schema.json', 'title': 'Datakit platform settings', 'description': 'orchestration/include/platform.yaml: registry, runner images and tags, provisioning, defaults, queues, Docker, Kubernetes and local settings.', 'type': 'object', 'additionalProperties': False, 'required': ['registry', 'runners', 'transform', 'defaults', 'pool_name', 'queues', 'docker', 'kubernetes', 'local'], 'properties': {'registry': {'type': 'string', 'minLength': 1}, 'runners': {'type': 'object', 'minProperties': 1, 'additionalProperties': {'allOf': [{'$ref': '#/$defs/image'}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}}, 'transform': {'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['image', 'tag', 'command', 'project', 'silver', 'gold'], 'properties': {'image': True, 'tag': True, 'command': True, 'project': {'type': 'string', 'minLength': 1}, 'silver': {'type': 'string', 'minLength': 1}, 'gold': {'type': 'string', 'minLength': 1}}, 'additionalProperties': False}, 'provisioning': {'type': 'object', 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['runner', 'admin_connection'], 'properties': {'runner': {'type': 'string'}, 'admin_connection': {'type': 'string', 'pattern': '^[a-z][a-z0-9_]*$'}}}}, 'defaults': {'type': 'object', 'additionalProperties': False, 'required': ['schedule', 'start_date', 'owner', 'retries', 'retry_delay_seconds', 'max_retry_delay_seconds', 'execution_timeout_seconds', 'pool_slots', 'queue', 'resources'], 'properties': {'schedule': {'type': ['string', 'null']}, 'start_date': {'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}, 'owner': {'type': 'string', 'minLength': 1}, 'retries': {'type': 'integer', 'minimum': 0}, 'retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'max_retry_delay_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'execution_timeout_seconds': {'type': 'number', 'exclusiveMinimum': 0}, 'pool_slots': {'type': 'integer', 'minimum': 1}, 'queue': {'type': 'string'}, 'resources': {'type': 'object', 'additionalProperties': False, 'required': ['cpu', 'memory'], 'properties': {'cpu': {'type': 'string', 'pattern': '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$'}, 'memory': {'type': 'string', 'pattern': '^[0-9]+(Ki|Mi|Gi|Ti)$'}}}}}, 'pool_name': {'type': 'string', 'pattern': '\\{tenant\\}'}, 'queues': {'type': 'object', 'minProperties': 1, 'additionalProperties': {'type': 'object', 'additionalProperties': False, 'required': ['pod_template'], 'properties': {'pod_template': {'type': 'string', 'minLength': 1}}}}, 'docker': {'type': 'object', 'additionalProperties': False, 'required': ['network'], 'properties': {'network': {'type': 'string'}, 'url': {'type': 'string'}}}, 'kubernetes': {'type': 'object', 'additionalProperties': False, 'required': ['namespace', 'secret_name'], 'properties': {'namespace': {'type': 'string', 'minLength': 1}, 'service_account': {'type': 'string'}, 'image_pull_secret': {'type': 'string', 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'description': "Name of the registry's image pull Secret in each tenant namespace (its value is never rendered by the project)."}, 'secret_name': {'type': 'string', 'pattern': '\\{connection\\}'}}}, 'local': {'type': 'object', 'additionalProperties': False, 'required': ['path_env'], 'properties': {'path_env': {'type': 'string', 'pattern': '^[A-Z_][A-Z0-9_]*$'}}}}, '$defs': {'image': {'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}, 'runner': {'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}}}, rule='additionalProperties')
    return data

def validate_https___datakit_example_schemas_platform_schema_json___defs_image(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['image', 'tag', 'command']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}, rule='required')
        data_keys = set(data.keys())
        if "image" in data_keys:
            data_keys.remove("image")
            data__image = data["image"]
            if not isinstance(data__image, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".image must be string", value=data__image, name="" + (name_prefix or "data") + ".image", definition={'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, rule='type')
            if isinstance(data__image, str):
                if not REGEX_PATTERNS['^[a-z0-9][a-z0-9._/-]*$'].search(data__image):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".image must match pattern ^[a-z0-9][a-z0-9._/-]*$", value=data__image, name="" + (name_prefix or "data") + ".image", definition={'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, rule='pattern')
        if "tag" in data_keys:
            data_keys.remove("tag")
            data__tag = data["tag"]
            if not isinstance(data__tag, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".tag must be string", value=data__tag, name="" + (name_prefix or "data") + ".tag", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, rule='type')
            if isinstance(data__tag, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'].search(data__tag):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".tag must match pattern ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", value=data__tag, name="" + (name_prefix or "data") + ".tag", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, rule='pattern')
        if "command" in data_keys:
            data_keys.remove("command")
            data__command = data["command"]
            if not isinstance(data__command, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".command must be string", value=data__command, name="" + (name_prefix or "data") + ".command", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}, rule='type')
            if isinstance(data__command, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9_.-]+$'].search(data__command):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".command must match pattern ^[A-Za-z0-9_.-]+$", value=data__command, name="" + (name_prefix or "data") + ".command", definition={'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}, rule='pattern')
    return data

def validate_https___datakit_example_schemas_platform_schema_json___defs_runner(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}, rule='type')
    validate_https___datakit_example_schemas_platform_schema_json___defs_image(data, custom_formats, (name_prefix or "data") + "")
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['warehouses']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}, rule='required')
        data_keys = set(data.keys())
        if "image" in data_keys:
            data_keys.remove("image")
            data__image = data["image"]
            pass
        if "tag" in data_keys:
            data_keys.remove("tag")
            data__tag = data["tag"]
            pass
        if "command" in data_keys:
            data_keys.remove("command")
            data__command = data["command"]
            pass
        if "warehouses" in data_keys:
            data_keys.remove("warehouses")
            data__warehouses = data["warehouses"]
            if not isinstance(data__warehouses, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".warehouses must be array", value=data__warehouses, name="" + (name_prefix or "data") + ".warehouses", definition={'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}, rule='type')
            data__warehouses_is_list = isinstance(data__warehouses, (list, tuple))
            if data__warehouses_is_list:
                data__warehouses_len = len(data__warehouses)
                if data__warehouses_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".warehouses must contain at least 1 items", value=data__warehouses, name="" + (name_prefix or "data") + ".warehouses", definition={'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}, rule='minItems')
                for data__warehouses_x, data__warehouses_item in enumerate(data__warehouses):
                    if not isinstance(data__warehouses_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".warehouses[{data__warehouses_x}]".format(**locals()) + " must be string", value=data__warehouses_item, name="" + (name_prefix or "data") + ".warehouses[{data__warehouses_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'allOf': [{'type': 'object', 'required': ['image', 'tag', 'command'], 'properties': {'image': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._/-]*$'}, 'tag': {'type': 'string', 'pattern': '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'}, 'command': {'type': 'string', 'pattern': '^[A-Za-z0-9_.-]+$'}}}], 'type': 'object', 'required': ['warehouses'], 'properties': {'image': True, 'tag': True, 'command': True, 'warehouses': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}, 'additionalProperties': False}, rule='additionalProperties')
    return data

validate = validate_https___datakit_example_schemas_platform_schema_json
