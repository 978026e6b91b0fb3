DECLARE @rc int; EXEC @rc = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = -1; SELECT @rc
-- params: 'datakit:tenant:acme';

SELECT CASE WHEN SUSER_ID(?) IS NULL THEN 0 ELSE 1 END
-- params: 'acme_loader';

SET NOCOUNT ON; DECLARE @login sysname = ?, @pw nvarchar(128) = ?; DECLARE @sql nvarchar(max) = CASE WHEN SUSER_ID(@login) IS NULL THEN N'CREATE' ELSE N'ALTER' END + N' LOGIN ' + QUOTENAME(@login) + N' WITH PASSWORD = N''' + REPLACE(@pw, N'''', N'''''') + N'''' + CASE WHEN SUSER_ID(@login) IS NULL THEN N', DEFAULT_DATABASE = ' + QUOTENAME(DB_NAME()) + N', CHECK_EXPIRATION = OFF' ELSE N'' END; EXEC sys.sp_executesql @sql
-- params: 'acme_loader', '<from DATAKIT_TENANT_PASSWORD>';

SELECT CASE WHEN DATABASE_PRINCIPAL_ID(?) IS NULL THEN 0 ELSE 1 END
-- params: 'acme_loader';

IF DATABASE_PRINCIPAL_ID(?) IS NULL EXEC(N'CREATE USER [acme_loader] FOR LOGIN [acme_loader] WITH DEFAULT_SCHEMA = [acme_bronze]') ELSE EXEC(N'ALTER USER [acme_loader] WITH LOGIN = [acme_loader], DEFAULT_SCHEMA = [acme_bronze]')
-- params: 'acme_loader';

GRANT CREATE TABLE, CREATE VIEW TO [acme_loader];

SELECT CASE WHEN SCHEMA_ID(?) IS NULL THEN 0 ELSE 1 END
-- params: 'acme_bronze';

IF SCHEMA_ID(?) IS NULL EXEC(N'CREATE SCHEMA [acme_bronze] AUTHORIZATION [acme_loader]')
-- params: 'acme_bronze';

ALTER AUTHORIZATION ON SCHEMA::[acme_bronze] TO [acme_loader];

SELECT o.name FROM sys.objects o WHERE o.schema_id = SCHEMA_ID(?) AND o.principal_id IS NOT NULL AND o.type IN ('U', 'V', 'SO', 'FN', 'IF', 'TF', 'P')
-- params: 'acme_bronze';

SELECT CASE WHEN SCHEMA_ID(?) IS NULL THEN 0 ELSE 1 END
-- params: 'acme_silver';

IF SCHEMA_ID(?) IS NULL EXEC(N'CREATE SCHEMA [acme_silver] AUTHORIZATION [acme_loader]')
-- params: 'acme_silver';

ALTER AUTHORIZATION ON SCHEMA::[acme_silver] TO [acme_loader];

SELECT o.name FROM sys.objects o WHERE o.schema_id = SCHEMA_ID(?) AND o.principal_id IS NOT NULL AND o.type IN ('U', 'V', 'SO', 'FN', 'IF', 'TF', 'P')
-- params: 'acme_silver';

SELECT CASE WHEN SCHEMA_ID(?) IS NULL THEN 0 ELSE 1 END
-- params: 'acme_gold';

IF SCHEMA_ID(?) IS NULL EXEC(N'CREATE SCHEMA [acme_gold] AUTHORIZATION [acme_loader]')
-- params: 'acme_gold';

ALTER AUTHORIZATION ON SCHEMA::[acme_gold] TO [acme_loader];

SELECT o.name FROM sys.objects o WHERE o.schema_id = SCHEMA_ID(?) AND o.principal_id IS NOT NULL AND o.type IN ('U', 'V', 'SO', 'FN', 'IF', 'TF', 'P')
-- params: 'acme_gold';

ALTER AUTHORIZATION ON OBJECT::[acme_bronze].[orders_loaded_by_an_admin] TO SCHEMA OWNER;

EXEC sp_releaseapplock @Resource = ?, @LockOwner = 'Session'
-- params: 'datakit:tenant:acme';
