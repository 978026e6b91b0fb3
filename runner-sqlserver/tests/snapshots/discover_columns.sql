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
SELECT c.object_id, c.name, ty.name AS type_name, ts.name AS type_schema,
       ty.is_user_defined, ty.is_assembly_type, bt.name AS base_type_name,
       c.max_length, c.precision, c.scale, c.is_nullable, c.is_computed, c.is_sparse,
       c.is_column_set, c.generated_always_type
FROM objects AS ob
JOIN sys.columns AS c ON c.object_id = ob.object_id
JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id
JOIN sys.schemas AS ts ON ts.schema_id = ty.schema_id
LEFT JOIN sys.types AS bt
  ON ty.is_user_defined = 1 AND ty.is_assembly_type = 0
 AND bt.user_type_id = ty.system_type_id
ORDER BY c.object_id, c.column_id
