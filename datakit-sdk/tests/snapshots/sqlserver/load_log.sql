INSERT INTO [acme_bronze].[_datakit_loads] ([run_id], [table_name], [source_table], [mode], [status], [rows], [watermark], [started_at], [error]) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
-- params: 'run-2026-12-02', 'shop__order]s détail', 'public.orders', 'append', 'succeeded', 3, None, '2026-12-02 10:00:00+00:00', None;

INSERT INTO [acme_bronze].[_datakit_loads] ([run_id], [table_name], [source_table], [mode], [status], [rows], [watermark], [started_at], [error]) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
-- params: 'run-2026-12-02', 'shop__order]s détail', 'public.orders', 'append', 'failed', None, None, '2026-12-02 10:00:00+00:00', 'transient error: warehouse ... deadlock (1205)';
