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

DELETE FROM [acme_bronze].[shop__order]]s détail] WHERE [_datakit_run_id] = ?; SELECT @@ROWCOUNT
-- params: 'run-2026-12-02';

INSERT INTO [acme_bronze].[shop__order]]s détail] WITH (TABLOCK) ([id], [amount], [note ]]x], [updated_at], [_datakit_loaded_at], [_datakit_run_id]) VALUES (?, ?, ?, ?, ?, ?);

INSERT INTO [acme_bronze].[_datakit_loads] ([run_id], [table_name], [source_table], [mode], [status], [rows], [watermark], [started_at], [error]) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
-- params: 'run-2026-12-02', 'shop__order]s détail', 'public.orders', 'append', 'succeeded', 3, None, '2026-12-02 10:00:00+00:00', None;
