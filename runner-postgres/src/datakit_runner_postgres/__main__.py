from datakit_runner_postgres.cli import main

main()
