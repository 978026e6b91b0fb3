ALTER TABLE [acme_bronze].[shop__order]]s détail] ADD [new col] nvarchar(40) NULL;

ALTER TABLE [acme_bronze].[shop__order]]s détail] ALTER COLUMN [amount] decimal(14,2) NULL;

ALTER TABLE [acme_bronze].[shop__order]]s détail] ALTER COLUMN [note ]]x] nvarchar(max) NULL;
