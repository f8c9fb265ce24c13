DROP TABLE sync_writes;
