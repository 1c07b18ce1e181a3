-- Add migration script here
create table if not exists sessions (
  id text primary key,
  hostname text not null
);
