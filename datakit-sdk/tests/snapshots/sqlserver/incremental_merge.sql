SET XACT_ABORT ON; SET NOCOUNT ON; SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCK_TIMEOUT -1;

DECLARE @rc int; EXEC @rc = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = -1; SELECT @rc
-- params: 'datakit:table:acme_bronze.shop__order]s détail';

SET LOCK_TIMEOUT 300000;

SELECT CONVERT(nvarchar(40), SYSDATETIMEOFFSET(), 126);

SELECT COUNT(*) FROM sys.objects WHERE object_id = OBJECT_ID(?)
-- params: '[acme_bronze].[_datakit_tables]';

SELECT [source_name], [source_schema], [source_table] FROM [acme_bronze].[_datakit_tables] WHERE [table_name] = ?
-- params: 'shop__order]s détail';

SELECT COUNT(*) FROM sys.objects WHERE object_id = OBJECT_ID(?)
-- params: '[acme_bronze].[shop__order]]s détail]';

SELECT c.COLUMN_NAME, c.DATA_TYPE, c.CHARACTER_MAXIMUM_LENGTH, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.DATETIME_PRECISION FROM INFORMATION_SCHEMA.COLUMNS c WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION
-- params: 'acme_bronze', 'shop__order]s détail';

SELECT [cursor_column], [cursor_type], [watermark] FROM [acme_bronze].[_datakit_state] WHERE [table_name] = ?
-- params: 'shop__order]s détail';

SELECT TOP (0) * INTO [#_datakit_stage] FROM [acme_bronze].[shop__order]]s détail];

INSERT INTO [#_datakit_stage] WITH (TABLOCK) ([id], [amount], [note ]]x], [updated_at], [_datakit_loaded_at], [_datakit_run_id]) VALUES (?, ?, ?, ?, ?, ?);

SELECT COUNT_BIG(*) FROM [#_datakit_stage] WHERE [id] IS NULL OR [note ]]x] IS NULL;

SELECT COUNT_BIG(*), COALESCE(SUM(d.n), 0) FROM (SELECT COUNT_BIG(*) AS n FROM [#_datakit_stage] WHERE NOT ([id] IS NULL OR [note ]]x] IS NULL) GROUP BY [id], [note ]]x] HAVING COUNT_BIG(*) > 1) d;

SELECT CONVERT(nvarchar(400), CAST(SWITCHOFFSET(MAX([updated_at]), '+00:00') AS datetime2(7)), 126) FROM [#_datakit_stage];

SELECT CONVERT(nvarchar(400), MAX([amount]), 0) FROM [acme_bronze].[shop__order]]s détail];

SELECT CONVERT(nvarchar(400), MAX([score]), 3) FROM [#_datakit_stage];

SELECT COUNT(*) FROM sys.indexes WHERE object_id = OBJECT_ID(?) AND name = ?
-- params: '[acme_bronze].[shop__order]]s détail]', '_datakit_key_shop__order]s détail';

CREATE INDEX [_datakit_key_shop__order]]s détail] ON [acme_bronze].[shop__order]]s détail] ([id], [note ]]x]);

DELETE t FROM [acme_bronze].[shop__order]]s détail] AS t WHERE EXISTS (SELECT 1 FROM [#_datakit_stage] AS s WHERE t.[id] = s.[id] AND t.[note ]]x] = s.[note ]]x]);

INSERT INTO [acme_bronze].[shop__order]]s détail] WITH (TABLOCK) ([id], [amount], [note ]]x], [updated_at], [_datakit_loaded_at], [_datakit_run_id]) SELECT [id], [amount], [note ]]x], [updated_at], [_datakit_loaded_at], [_datakit_run_id] FROM [#_datakit_stage];

UPDATE [acme_bronze].[_datakit_state] SET [cursor_column] = ?, [cursor_type] = ?, [watermark] = ?, [run_id] = ?, [updated_at] = SYSDATETIMEOFFSET() WHERE [table_name] = ?; IF @@ROWCOUNT = 0 INSERT INTO [acme_bronze].[_datakit_state] ([table_name], [cursor_column], [cursor_type], [watermark], [run_id]) VALUES (?, ?, ?, ?, ?)
-- params: 'updated_at', 'timestamptz', '2026-12-01T08:30:00.5+00:00', 'run-2026-12-02', 'shop__order]s détail', 'shop__order]s détail', 'updated_at', 'timestamptz', '2026-12-01T08:30:00.5+00:00', 'run-2026-12-02';

INSERT INTO [acme_bronze].[_datakit_loads] ([run_id], [table_name], [source_table], [mode], [status], [rows], [watermark], [started_at], [error]) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
-- params: 'run-2026-12-02', 'shop__order]s détail', 'public.orders', 'incremental', 'succeeded', 2, '2026-12-01T08:30:00.5+00:00', '2026-12-02 10:00:00+00:00', None;
