DROP TABLE remote_deletions;
