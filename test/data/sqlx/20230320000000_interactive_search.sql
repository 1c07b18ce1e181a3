create index if not exists idx_history_deleted on history(deleted_at) where deleted_at is null;
