create index if not exists idx_history_timestamp on history(timestamp);
create index if not exists idx_history_command on history(command);
