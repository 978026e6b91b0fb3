SELECT snapshot_isolation_state, is_read_committed_snapshot_on
FROM sys.databases WHERE database_id = DB_ID();
SET TRANSACTION ISOLATION LEVEL SNAPSHOT;
SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
