from datakit_runner_dbt.cli import main

main()
