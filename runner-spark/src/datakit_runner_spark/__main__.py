from datakit_runner_spark.cli import main

main()
