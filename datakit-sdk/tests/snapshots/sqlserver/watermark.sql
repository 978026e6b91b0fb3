SELECT [cursor_column], [cursor_type], [watermark] FROM [acme_bronze].[_datakit_state] WHERE [table_name] = ?
-- params: 'shop__order]s détail';

UPDATE [acme_bronze].[_datakit_state] SET [cursor_column] = ?, [cursor_type] = ?, [watermark] = ?, [run_id] = ?, [updated_at] = SYSDATETIMEOFFSET() WHERE [table_name] = ?; IF @@ROWCOUNT = 0 INSERT INTO [acme_bronze].[_datakit_state] ([table_name], [cursor_column], [cursor_type], [watermark], [run_id]) VALUES (?, ?, ?, ?, ?)
-- params: 'id', 'int', '42', 'run-2026-12-02', 'shop__order]s détail', 'shop__order]s détail', 'id', 'int', '42', 'run-2026-12-02';
