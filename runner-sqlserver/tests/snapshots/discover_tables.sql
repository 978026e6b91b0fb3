WITH objects AS (
    SELECT o.object_id, s.name AS schema_name, o.name AS table_name, o.type
    FROM sys.objects AS o
    JOIN sys.schemas AS s ON s.schema_id = o.schema_id
    WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0
      AND s.name NOT IN (N'sys', N'INFORMATION_SCHEMA')
      AND (? IS NULL OR s.name = ?)
      AND (? IS NULL OR o.name = ?)
      AND HAS_PERMS_BY_NAME(QUOTENAME(s.name) + N'.' + QUOTENAME(o.name), N'OBJECT', N'SELECT') = 1
)
SELECT ob.object_id, ob.schema_name, ob.table_name, ob.type,
       COALESCE(t.temporal_type, 0) AS temporal_type,
       (SELECT SUM(p.rows) FROM sys.partitions AS p
        WHERE p.object_id = ob.object_id AND p.index_id IN (0, 1)) AS row_estimate
FROM objects AS ob
LEFT JOIN sys.tables AS t ON t.object_id = ob.object_id
ORDER BY ob.schema_name, ob.table_name
