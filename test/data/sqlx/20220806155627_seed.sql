insert into sessions values ('s1', 'laptop'), ('s2', 'server');
insert into history values
  ('h1', 1650000000, 12, 0, 'ls -la', '/home', 's1'),
  ('h2', 1650000100, 3400, 1, 'make test', '/src', 's1'),
  ('h3', 1650000200, 5, 0, 'uptime', '/', 's2');
