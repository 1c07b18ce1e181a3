// check-node.mjs — the browser check's scenario (tool/wasm/check.mjs) under
// Node, on the same sqlite3.wasm, through migrate-node.mjs: runs where no
// browser is available.  `make check-wasm-node`; also the second half of
// `make check-browser`.
//
//   node tool/wasm/check-node.mjs DIST
//       the whole scenario on a new database file in a temporary folder;
//       each load of check.mjs's LOADS runs in a fresh Node process (a new
//       wasm instance reopening the file: what a page reload is)
//   node tool/wasm/check-node.mjs DIST DBFILE PHASE...
//       one load (what the first form runs in each child process)
//
// DIST is build/wasm/dist.  Prints one "ok" line per thing checked; exits
// 1 at the first failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOADS, runPhases } from './check.mjs';
import { start } from './example/app.mjs';

const [dist, dbFile, ...phaseNames] = process.argv.slice(2);
if (!dist) {
  console.error('usage: check-node.mjs DIST [DBFILE PHASE...]');
  process.exit(2);
}

async function oneLoad() {
  const { open } = await import(path.resolve(dist, 'migrate-node.mjs'));
  const ctx = await start(open, dbFile);
  const { lines, error } = await runPhases(phaseNames, ctx);
  await ctx.db.close();
  for (const line of lines) console.log(`ok - ${line}`);
  if (error) throw new Error(error);
}

function wholeScenario() {
  const wasm = fs.readFileSync(path.join(dist, 'sqlite3.wasm'));
  console.log(`check-wasm-node: ${path.join(dist, 'sqlite3.wasm')} (${wasm.length} bytes,`
    + ` sha256 ${createHash('sha256').update(wasm).digest('hex').slice(0, 16)}), Node ${process.version}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'libmigrate-wasm-'));
  const db = path.join(dir, 'example.db');
  let passed = 0;
  try {
    for (const [i, phases] of LOADS.entries()) {
      const r = spawnSync(process.execPath,
        [fileURLToPath(import.meta.url), dist, db, ...phases], { encoding: 'utf8' });
      process.stdout.write(r.stdout);
      passed += r.stdout.split('\n').filter((l) => l.startsWith('ok - ')).length;
      if (r.status !== 0) {
        process.stdout.write(r.stderr);
        console.log(`check-wasm-node: FAILED in load ${i + 1} (${phases.join(', ')})`);
        process.exitCode = 1;
        return;
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`check-wasm-node: ${passed} checks passed in ${LOADS.length} loads`);
}

if (dbFile) {
  oneLoad().catch((e) => {
    console.log(`not ok - ${e.message}`);
    process.exitCode = 1;
  });
} else {
  wholeScenario();
}
