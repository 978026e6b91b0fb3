SELECT COUNT_BIG(*) FROM [sales].[order items] WHERE [updated_at] IS NULL
