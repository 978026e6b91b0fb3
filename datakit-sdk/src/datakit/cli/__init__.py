"""The command-line layer: click commands and their options, nothing that loads data.

=====================  ==========================================================================
module                 what
=====================  ==========================================================================
``app``                the click group every runner starts from (``--version``, ``--debug``),
                       exception -> exit code, SIGTERM handling (:func:`runner_group`,
                       :func:`run_main`, :func:`invoke`)
``runner_commands``    :func:`add_runner_commands`: attaches the shared runner commands below
``extract``            ``extract --table``: one source table into bronze
``run_job``            ``run --job``: a job file, many tables with bounded parallelism
``check``              ``check``: source and warehouse reachable and writable
``discover``           ``discover``: the source's tables as JSON
``provision``          ``provision --tenant``: a tenant's schemas and role (the engine's hook)
``options``            option callbacks and the settings every command reads
``environment``        the environment variables commands read, and the ``--help`` epilog
``status``             ``status``: freshness and volume of the load history
``platform_tools``     the ``datakit`` console script (``sample``, ``status``)
=====================  ==========================================================================

What the commands do, independent of click, is :mod:`datakit.operations`.
"""
