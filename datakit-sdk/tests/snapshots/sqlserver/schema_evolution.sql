ALTER TABLE [acme_bronze].[shop__order]]s détail] ADD [new col] nvarchar(40) NULL;

IF EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(?) AND name = ?) DROP INDEX [_datakit_key_shop__order]]s détail] ON [acme_bronze].[shop__order]]s détail]
-- params: '[acme_bronze].[shop__order]]s détail]', '_datakit_key_shop__order]s détail';

ALTER TABLE [acme_bronze].[shop__order]]s détail] ALTER COLUMN [amount] decimal(14,2) NULL;

ALTER TABLE [acme_bronze].[shop__order]]s détail] ALTER COLUMN [note ]]x] nvarchar(max) NULL;
