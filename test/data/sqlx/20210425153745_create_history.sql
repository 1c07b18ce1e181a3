create table if not exists history (
  id text primary key,
  timestamp integer not null,
  duration integer not null,
  exit integer not null,
  command text not null,
  cwd text not null,
  session text not null references sessions(id),
  unique(timestamp, cwd, command)
);
