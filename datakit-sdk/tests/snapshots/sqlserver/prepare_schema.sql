SELECT COUNT(*) FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id WHERE s.name = ? AND t.name IN (?, ?, ?)
-- params: 'acme_bronze', '_datakit_state', '_datakit_loads', '_datakit_tables';

SET XACT_ABORT ON; SET NOCOUNT ON; SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCK_TIMEOUT -1;

DECLARE @rc int; EXEC @rc = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = -1; SELECT @rc
-- params: 'datakit:schema:acme_bronze';

IF SCHEMA_ID(?) IS NULL EXEC(N'CREATE SCHEMA [acme_bronze]')
-- params: 'acme_bronze';

IF OBJECT_ID(?, N'U') IS NULL CREATE TABLE [acme_bronze].[_datakit_state] ([table_name] nvarchar(128) NOT NULL PRIMARY KEY, [cursor_column] nvarchar(128) NOT NULL, [cursor_type] nvarchar(32) NOT NULL, [watermark] nvarchar(max) NOT NULL, [run_id] nvarchar(200) NOT NULL, [updated_at] datetimeoffset(6) NOT NULL DEFAULT SYSDATETIMEOFFSET())
-- params: '[acme_bronze].[_datakit_state]';

IF OBJECT_ID(?, N'U') IS NULL CREATE TABLE [acme_bronze].[_datakit_loads] ([load_id] bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, [run_id] nvarchar(200) NOT NULL, [table_name] nvarchar(128) NOT NULL, [source_table] nvarchar(300) NULL, [mode] nvarchar(20) NOT NULL, [status] nvarchar(20) NOT NULL, [rows] bigint NULL, [watermark] nvarchar(max) NULL, [started_at] datetimeoffset(6) NOT NULL, [finished_at] datetimeoffset(6) NOT NULL DEFAULT SYSDATETIMEOFFSET(), [error] nvarchar(2000) NULL)
-- params: '[acme_bronze].[_datakit_loads]';

IF OBJECT_ID(?, N'U') IS NULL CREATE TABLE [acme_bronze].[_datakit_tables] ([table_name] nvarchar(128) NOT NULL PRIMARY KEY, [source_name] nvarchar(128) NOT NULL, [source_schema] nvarchar(128) NOT NULL, [source_table] nvarchar(128) NOT NULL, [run_id] nvarchar(200) NOT NULL, [registered_at] datetimeoffset(6) NOT NULL DEFAULT SYSDATETIMEOFFSET())
-- params: '[acme_bronze].[_datakit_tables]';
