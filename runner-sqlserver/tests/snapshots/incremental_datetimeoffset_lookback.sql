SELECT [id],
       [select],
       [odd]]name],
       [Überschrift],
       [amount],
       [updated_at],
       CONVERT(nvarchar(27), CAST(DATEADD(nanosecond, -(DATEPART(nanosecond, [changed_on]) % 1000), [changed_on]) AS datetime2(7)), 126) + DATENAME(tzoffset, [changed_on]) AS [changed_on],
       [legacy_time],
       [day],
       CAST([rv] AS bigint) AS [rv],
       CAST([node] AS nvarchar(4000)) AS [node],
       CASE WHEN [place] IS NULL THEN NULL ELSE CONCAT(N'SRID=', [place].STSrid, N';', [place].ToString()) END AS [place],
       CASE WHEN [shape] IS NULL THEN NULL ELSE CONCAT(N'SRID=', [shape].STSrid, N';', [shape].ToString()) END AS [shape],
       CAST([doc] AS nvarchar(max)) AS [doc],
       CASE CAST(SQL_VARIANT_PROPERTY([anything], 'BaseType') AS sysname) WHEN 'date' THEN CONVERT(nvarchar(4000), CAST([anything] AS date), 23) WHEN 'time' THEN CONVERT(nvarchar(4000), CAST([anything] AS time(7))) WHEN 'datetime' THEN CONVERT(nvarchar(4000), CAST([anything] AS datetime2(7)), 126) WHEN 'smalldatetime' THEN CONVERT(nvarchar(4000), CAST([anything] AS datetime2(7)), 126) WHEN 'datetime2' THEN CONVERT(nvarchar(4000), CAST([anything] AS datetime2(7)), 126) WHEN 'datetimeoffset' THEN CONVERT(nvarchar(4000), CAST([anything] AS datetimeoffset(7)), 126) WHEN 'float' THEN CONVERT(nvarchar(4000), CAST([anything] AS float), 3) WHEN 'real' THEN CONVERT(nvarchar(4000), CAST([anything] AS float), 3) WHEN 'money' THEN CONVERT(nvarchar(4000), CAST([anything] AS money), 2) WHEN 'smallmoney' THEN CONVERT(nvarchar(4000), CAST([anything] AS money), 2) WHEN 'binary' THEN CONVERT(nvarchar(4000), CAST([anything] AS varbinary(8000)), 1) WHEN 'varbinary' THEN CONVERT(nvarchar(4000), CAST([anything] AS varbinary(8000)), 1) ELSE CONVERT(nvarchar(4000), [anything]) END AS [anything],
       [price],
       [total]
FROM [sales].[order items]
WHERE [changed_on] >= DATEADD(second, -88200, CAST('2026-11-30T23:59:59+01:00' AS datetimeoffset(7)))
