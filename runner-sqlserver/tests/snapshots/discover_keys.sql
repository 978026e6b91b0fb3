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
SELECT ic.object_id, c.name
FROM objects AS ob
JOIN sys.indexes AS i ON i.object_id = ob.object_id AND i.is_primary_key = 1
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
ORDER BY ic.object_id, ic.key_ordinal
