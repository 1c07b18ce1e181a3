// serve.mjs — a static file server for the browser check and for trying the
// example by hand.  Binds 127.0.0.1 only.
//
//   node tool/wasm/serve.mjs [--no-isolation] ROOT [PORT]
//
// PORT 0 (the default) takes a free port; the first line printed is the
// URL.  Every response carries the two cross-origin isolation headers
// (COOP same-origin, COEP require-corp): without them the browser gives
// the page no SharedArrayBuffer/Atomics, and SQLite's "opfs" VFS, which
// needs both, does not install itself.  --no-isolation leaves them out
// (the browser check uses it to see that failure reported clearly).
// Paths outside ROOT are refused.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const isolate = args[0] !== '--no-isolation';
if (!isolate) args.shift();
const root = path.resolve(args[0] || '.');
const port = Number(args[1] || 0);
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.sql': 'text/plain; charset=utf-8',
};

const server = http.createServer((req, res) => {
  let file;
  try {
    file = path.join(root, decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname));
  } catch {
    res.writeHead(400).end('bad request\n');
    return;
  }
  if (file !== root && !file.startsWith(root + path.sep)) {
    res.writeHead(403).end('forbidden\n');
    return;
  }
  if (file.endsWith(path.sep) || file === root) file = path.join(file, 'index.html');
  fs.readFile(file, (err, body) => {
    const headers = { 'Cache-Control': 'no-store' };
    if (isolate) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (err) {
      res.writeHead(404, headers).end('not found\n');
      return;
    }
    headers['Content-Type'] = types[path.extname(file)] || 'application/octet-stream';
    res.writeHead(200, headers).end(body);
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}/`);
});
