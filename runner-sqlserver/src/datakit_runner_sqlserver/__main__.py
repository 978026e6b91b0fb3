from datakit_runner_sqlserver.cli import main

main()
