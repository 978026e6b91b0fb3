"""A real Spark cluster on 127.0.0.1, started from pyspark's wheel, for the cluster tests.

pyspark's wheel ships Spark's jars and launch scripts (``bin/spark-class``, ``bin/spark-submit``),
so everything a cluster needs runs here without a Spark download:

- a standalone **master** and **workers** (``org.apache.spark.deploy.master.Master`` /
  ``...deploy.worker.Worker``), ready when the master's UI JSON lists the workers ALIVE;
- a **Spark Connect server** (``org.apache.spark.sql.connect.service.SparkConnectServer``, what
  ``sbin/start-connect-server.sh`` submits), ready when its gRPC port accepts;
- a **Thrift server** (``org.apache.spark.sql.hive.thriftserver.HiveThriftServer2``), ready when
  its port accepts.

The servers share one Hive metastore with the runner: Derby's embedded metastore admits a single
JVM, and pyspark's jars hold no Derby network server, so the metastore is a Postgres database
(DataNucleus creates its schema on first use) reached through Debian's Postgres JDBC jar, which
every JVM also needs to read a Postgres source. Each process runs in its own process group with
its log under a temp folder, and :meth:`SparkProcess.stop` ends the group (TERM, then KILL): a
test's teardown never leaves a JVM behind.

Used by runner-spark's ``tests/cluster`` and runner-dbt's Thrift test (shared here, not copied).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


def spark_home() -> Path:
    """pyspark's folder in the calling venv: its ``bin/`` and ``jars/`` are a Spark install.

    Imported here, not at module level: the SDK does not depend on pyspark; the runners whose
    tests start a cluster (runner-spark, runner-dbt's spark extra) do.
    """
    import pyspark

    return Path(pyspark.__file__).resolve().parent


#: Debian's libpostgresql-jdbc-java (the jar the image puts on Spark's classpath).
POSTGRES_JDBC_JAR = Path("/usr/share/java/postgresql.jar")
#: Debian's libderby-java / libderbyclient-java: the shared metastore's server and its client.
DERBY_JAR = Path("/usr/share/java/derby.jar")
DERBYNET_JAR = Path("/usr/share/java/derbynet.jar")
DERBYCLIENT_JAR = Path("/usr/share/java/derbyclient.jar")
#: Small JVMs: the machine has 2 cores and the suite shares them.
DAEMON_MEMORY = "384m"
WORKER_MEMORY = "1g"
EXECUTOR_MEMORY = "512m"
READY_SECONDS = 120.0


class ClusterError(RuntimeError):
    """A cluster process did not start; the message names it and ends with its log's tail."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def spark_env(root: Path) -> dict[str, str]:
    """The environment every Spark process here gets: loopback only, logs and work under *root*."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SPARK_", "PYSPARK_", "DATAKIT_"))
    }
    env.update(
        SPARK_HOME=str(spark_home()),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOCAL_HOSTNAME="localhost",
        SPARK_LOG_DIR=str(root / "logs"),
        SPARK_PID_DIR=str(root / "pids"),
        SPARK_NO_DAEMONIZE="1",
    )
    return env


@dataclass
class SparkProcess:
    """One JVM of the cluster, in its own process group, logging to ``log``."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def wait_until(
        self, ready: Callable[[], bool], what: str, seconds: float = READY_SECONDS
    ) -> None:
        """Poll *ready* until it holds; fail with the log's tail if the JVM dies or time runs out."""
        deadline = time.monotonic() + seconds
        while not ready():
            if self.process.poll() is not None:
                raise ClusterError(
                    f"{self.name} exited ({self.process.returncode}) before {what}:\n"
                    f"{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"{self.name}: no {what} after {seconds:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        for sig, seconds in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=seconds)
                return
            except subprocess.TimeoutExpired:
                continue


def start_process(name: str, argv: list[str], root: Path, env: Mapping[str, str]) -> SparkProcess:
    (root / "logs").mkdir(parents=True, exist_ok=True)
    log = root / "logs" / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return SparkProcess(name, process, log)


@dataclass
class Metastore:
    """A Hive metastore in a Derby network server, so every JVM of a test can open it at once.

    Derby's embedded metastore admits one JVM and a Postgres-backed one makes DataNucleus (which
    creates the metastore's tables lazily) wait forever on its own locks; the Derby network
    server (Debian's libderby-java, ``derbynet.jar``) keeps Derby's semantics for any number of
    clients (``derbyclient.jar`` on each JVM's classpath).
    """

    root: Path
    port: int
    process: SparkProcess
    warehouse_dir: Path

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:derby://127.0.0.1:{self.port}/metastore_db;create=true"

    def conf(self) -> dict[str, str]:
        """Spark confs that point a session (or a server) at this metastore and warehouse."""
        return {
            "spark.sql.catalogImplementation": "hive",
            "spark.sql.warehouse.dir": str(self.warehouse_dir),
            "spark.hadoop.javax.jdo.option.ConnectionURL": self.jdbc_url,
            "spark.hadoop.javax.jdo.option.ConnectionDriverName": "org.apache.derby.jdbc.ClientDriver",
            "spark.hadoop.datanucleus.schema.autoCreateAll": "true",
            "spark.hadoop.hive.metastore.schema.verification": "false",
        }

    def stop(self) -> None:
        self.process.stop()


def start_metastore(root: Path) -> Metastore:
    """A Derby network server on a free loopback port, its databases under ``root/derby``."""
    missing = [jar for jar in (DERBY_JAR, DERBYNET_JAR, DERBYCLIENT_JAR) if not jar.is_file()]
    if missing:
        raise ClusterError(
            f"{missing[0]} is missing (apt-get install libderby-java libderbyclient-java)"
        )
    port = free_port()
    home = root / "derby"
    home.mkdir(parents=True, exist_ok=True)
    process = start_process(
        "derby",
        ["java", "-Xmx256m", f"-Dderby.system.home={home}",
         "-cp", f"{DERBY_JAR}:{DERBYNET_JAR}", "org.apache.derby.drda.NetworkServerControl",
         "start", "-h", "127.0.0.1", "-p", str(port), "-noSecurityManager"],
        root, spark_env(root),
    )  # fmt: skip
    try:
        process.wait_until(lambda: port_open(port), f"Derby port {port}", seconds=60)
    except BaseException:
        process.stop()
        raise
    return Metastore(root, port, process, root / "warehouse")


#: JVM options for the short-lived test JVMs (a runner's, a reader's, a test server's): the
#: client compiler only and the serial collector, which start and warm up faster; the optimizing
#: compiler pays off only in JVMs that run for minutes. The code cache keeps the tiered default
#: size: with the client compiler alone the JVM reserves 48 MB, and a dbt build's session ran out
#: of it ("Out of space in CodeCache", runner-dbt's test_spark_days) and shut Spark down.
SHORT_LIVED_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=240m"


def local_catalog_conf(root: Path) -> dict[str, str]:
    """One JVM's own catalog under *root*: ``local[2]``, an embedded Derby metastore (one JVM at
    a time may open it) and the warehouse folder, UTC, few partitions, no UI. The conf a
    ``spark+session://`` URL carries in the runner-spark and runner-dbt tests."""
    return {
        "spark.master": "local[2]",
        "spark.sql.warehouse.dir": str(root / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={root} {SHORT_LIVED_JVM}",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
    }


def base_conf() -> dict[str, str]:
    """Confs for any JVM here: UTC, few partitions, the Postgres driver on the classpath."""
    return {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.ui.enabled": "false",
        "spark.driver.memory": "768m",
        "spark.driver.extraJavaOptions": SHORT_LIVED_JVM,
        "spark.executor.memory": EXECUTOR_MEMORY,
        "spark.driver.extraClassPath": f"{DERBYCLIENT_JAR}:{POSTGRES_JDBC_JAR}",
        "spark.executor.extraClassPath": str(POSTGRES_JDBC_JAR),
    }


@dataclass
class StandaloneCluster:
    """A standalone master with its workers; ``url`` is the ``spark.master`` to submit to."""

    root: Path
    master: SparkProcess
    workers: list[SparkProcess]
    port: int
    ui_port: int
    others: list[SparkProcess] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def status(self) -> dict[str, object]:
        """The master's own view (its UI's JSON): workers, cores, applications."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=2) as reply:
            return dict(json.load(reply))

    def alive_workers(self) -> int:
        try:
            status = self.status()
        except OSError:
            return 0
        workers = status.get("workers") or []
        return sum(
            1 for worker in workers if isinstance(worker, dict) and worker.get("state") == "ALIVE"
        )

    def stop(self) -> None:
        for process in [*self.others, *self.workers, self.master]:
            process.stop()


def start_cluster(root: Path, *, workers: int = 2, cores: int = 1) -> StandaloneCluster:
    """Master plus *workers* workers of *cores* cores each, ready when all are ALIVE."""
    # Master and workers only: spark-submit would size the Thrift server by it too.
    env = {**spark_env(root), "SPARK_DAEMON_MEMORY": DAEMON_MEMORY}
    port, ui_port = free_port(), free_port()
    spark_class = str(spark_home() / "bin" / "spark-class")
    master = start_process(
        "master",
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
         "--port", str(port), "--webui-port", str(ui_port)],
        root, env,
    )  # fmt: skip
    cluster = StandaloneCluster(root, master, [], port, ui_port)
    try:
        master.wait_until(lambda: _answers(cluster), "its UI JSON")
        for index in range(workers):
            work_dir = root / f"worker-{index}"
            work_dir.mkdir(parents=True, exist_ok=True)
            cluster.workers.append(
                start_process(
                    f"worker-{index}",
                    [
                        spark_class,
                        "org.apache.spark.deploy.worker.Worker",
                        cluster.url,
                        "--host",
                        "127.0.0.1",
                        "--cores",
                        str(cores),
                        "--memory",
                        WORKER_MEMORY,
                        "--webui-port",
                        str(free_port()),
                        "--work-dir",
                        str(work_dir),
                    ],
                    root,
                    env,
                )
            )
        master.wait_until(lambda: cluster.alive_workers() == workers, f"{workers} ALIVE workers")
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _answers(cluster: StandaloneCluster) -> bool:
    try:
        return cluster.status().get("status") == "ALIVE"
    except OSError:
        return False


def _submit(
    name: str, main_class: str, conf: Mapping[str, str], root: Path, extra: list[str]
) -> SparkProcess:
    """spark-submit *main_class*; the confs (the metastore's password among them) go in a 0600
    properties file, never on the command line."""
    properties = root / f"{name}.conf"
    properties.touch(mode=0o600)
    properties.write_text("".join(f"{key} {value}\n" for key, value in conf.items()))
    argv = [str(spark_home() / "bin" / "spark-submit"), "--class", main_class, "--name", name,
            "--properties-file", str(properties)]  # fmt: skip
    # spark-internal: the main class is in Spark's own jars (as sbin/start-*-server.sh submit it).
    return start_process(name, [*argv, "spark-internal", *extra], root, spark_env(root))


def start_connect_server(root: Path, conf: Mapping[str, str]) -> tuple[SparkProcess, int]:
    """A Spark Connect server (driver of its own application); returns it and its gRPC port."""
    port = free_port()
    server = _submit(
        "connect-server",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        {**conf, "spark.connect.grpc.binding.address": "127.0.0.1",
         "spark.connect.grpc.binding.port": str(port)},
        root, [],
    )  # fmt: skip
    try:
        server.wait_until(lambda: port_open(port), f"Spark Connect port {port}")
    except BaseException:
        server.stop()
        raise
    return server, port


def start_thrift_server(root: Path, conf: Mapping[str, str]) -> tuple[SparkProcess, int]:
    """A Thrift (HiveServer2) server on the shared metastore; returns it and its port."""
    port = free_port()
    server = _submit(
        "thrift-server",
        "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
        conf,
        root,
        ["--hiveconf", f"hive.server2.thrift.port={port}",
         "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1"],
    )  # fmt: skip
    try:
        server.wait_until(lambda: port_open(port), f"Thrift port {port}")
        created = beeline(root, port, BOOTSTRAP_SQL)
        if created.returncode != 0:
            raise ClusterError(f"metastore bootstrap failed: {created.stderr[-2000:]}")
    except BaseException:
        server.stop()
        raise
    return server, port


#: Statements that make DataNucleus create every metastore table the runner and dbt touch, run
#: through the Thrift server while it is the only JVM on the metastore. DataNucleus creates tables
#: lazily, and a JVM creating one while another JVM holds a metastore transaction waits forever
#: on the other's locks; Hive's schematool and its SQL scripts are not in pyspark's jars.
BOOTSTRAP_SQL = """
create database if not exists datakit_bootstrap;
create table datakit_bootstrap.t (id bigint) using parquet;
insert into datakit_bootstrap.t values (1);
create or replace view datakit_bootstrap.v as select * from datakit_bootstrap.t;
drop database datakit_bootstrap cascade;
"""


def beeline(root: Path, port: int, sql: str) -> subprocess.CompletedProcess[str]:
    """Run *sql* through the Thrift server with pyspark's own beeline (a JDBC client)."""
    script = root / "beeline.sql"
    script.write_text(sql)
    return subprocess.run(
        [str(spark_home() / "bin" / "beeline"), "-u", f"jdbc:hive2://127.0.0.1:{port}/default",
         "--silent=true", "--outputformat=csv2", "-f", str(script)],
        env=spark_env(root), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def beeline_lines(stdout: str) -> list[str]:
    """The CSV lines (header first) of a :func:`beeline` run's stdout.

    Without a terminal, beeline prints its prompt as the word ``null`` (alone on a line or glued
    to the next output); those are dropped here. Test data must not start a row with "null".
    """
    lines = []
    for line in stdout.splitlines():
        text = line.strip()
        while text.startswith("null"):
            text = text[4:].strip()
        if text:
            lines.append(text)
    return lines
