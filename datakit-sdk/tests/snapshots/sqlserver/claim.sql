SELECT COUNT(*) FROM sys.objects WHERE object_id = OBJECT_ID(?)
-- params: '[acme_bronze].[_datakit_tables]';

SELECT [source_name], [source_schema], [source_table] FROM [acme_bronze].[_datakit_tables] WHERE [table_name] = ?
-- params: 'shop__order]s détail';

SELECT COUNT(*) FROM sys.objects WHERE object_id = OBJECT_ID(?)
-- params: '[acme_bronze].[shop__order]]s détail]';

SELECT COUNT(*) FROM sys.objects WHERE object_id = OBJECT_ID(?)
-- params: '[acme_bronze].[_datakit_loads]';

SELECT DISTINCT [source_table] FROM [acme_bronze].[_datakit_loads] WHERE [table_name] = ? AND [status] = 'succeeded' AND [source_table] IS NOT NULL ORDER BY [source_table]
-- params: 'shop__order]s détail';

DELETE FROM [acme_bronze].[_datakit_state] WHERE [table_name] = ?
-- params: 'shop__order]s détail';

DELETE FROM [acme_bronze].[_datakit_tables] WHERE [table_name] = ?; INSERT INTO [acme_bronze].[_datakit_tables] ([table_name], [source_name], [source_schema], [source_table], [run_id]) VALUES (?, ?, ?, ?, ?)
-- params: 'shop__order]s détail', 'shop__order]s détail', 'shop', 'public', 'orders', 'run-2026-12-02';
