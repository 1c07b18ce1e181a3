// check-browser.mjs — the example page in Debian's headless Chromium,
// driven by Playwright (playwright-core from npm, launched on
// /usr/bin/chromium: no browser is downloaded).  `make check-browser`.
//
//   node tool/wasm/check-browser.mjs DIST NPM_PREFIX
//
// DIST is build/wasm/dist; NPM_PREFIX the folder playwright-core was
// installed into.  How:
//   1. DIST and tool/wasm/check.mjs are copied into DIST/../check-site and
//      served by tool/wasm/serve.mjs on 127.0.0.1 (with COOP/COEP).
//   2. Chromium starts headless with a new, empty profile (so OPFS starts
//      empty) and the flags this machine needs (no sandbox as root, no
//      background networking: the network is closed).
//   3. For each load of check.mjs's LOADS: open (then reload) /example/,
//      wait until the page says it is ready, check what the page shows,
//      then run the load's phases inside the page, on the page's own
//      database object (window.example), through check.mjs.
//   4. Then the page's "Try a broken migration" button is clicked and its
//      error text read; the OPFS root is listed (example.db must be there);
//      and the page is loaded from a second server that sends no COOP/COEP
//      headers, where open() must reject saying why.
// Prints one "ok" line per thing checked; exits 1 at the first failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { LOADS } from './check.mjs';
import { BROKEN } from './example/app.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [dist, npmPrefix] = process.argv.slice(2);
if (!dist || !npmPrefix) {
  console.error('usage: check-browser.mjs DIST NPM_PREFIX');
  process.exit(2);
}
const { chromium } = createRequire(path.resolve(npmPrefix, 'package.json'))('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const NO_OPFS = 'SQLite\'s "opfs" VFS is not available in this browser context:'
  + ' it needs SharedArrayBuffer and Atomics, which a page gets only when it is'
  + ' cross-origin isolated (served with Cross-Origin-Opener-Policy: same-origin'
  + ' and Cross-Origin-Embedder-Policy: require-corp)';

let passed = 0;
function ok(line) {
  passed++;
  console.log(`ok - ${line}`);
}
function expect(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
  ok(`${what}: ${e}`);
}

function serve(root, ...flags) {
  const child = spawn(process.execPath, [path.join(here, 'serve.mjs'), ...flags, root],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(String(d).trim()));
    child.once('exit', (code) => reject(new Error(`serve.mjs exited (${code})`)));
  });
  return { child, url };
}

/** Loads (or reloads) the example and waits until it says it is ready. */
async function load(page, url, reload) {
  if (reload) await page.reload();
  else await page.goto(url);
  await page.waitForFunction(() => document.title === 'libmigrate example: ready',
    null, { timeout: 60000 });
  return page.evaluate(() => window.example.error || null);
}

async function main() {
  const site = path.join(path.dirname(path.resolve(dist)), 'check-site');
  fs.rmSync(site, { recursive: true, force: true });
  fs.cpSync(dist, site, { recursive: true });
  fs.copyFileSync(path.join(here, 'check.mjs'), path.join(site, 'check.mjs'));

  const servers = [serve(site), serve(site, '--no-isolation')];
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'libmigrate-chromium-'));
  let context;
  try {
    const [url, plainUrl] = await Promise.all(servers.map((s) => s.url));
    context = await chromium.launchPersistentContext(profile,
      { executablePath: CHROMIUM, headless: true, args: FLAGS });
    console.log(`check-browser: ${CHROMIUM} ${context.browser()?.version() ?? ''}`
      + ` serving ${site} at ${url}`);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') {
        console.log(`# console ${m.type()}: ${m.text().split('\n')[0]}`);
      }
    });

    for (const [i, phases] of LOADS.entries()) {
      const error = await load(page, `${url}example/`, i > 0);
      if (error) throw new Error(`load ${i + 1}: the page failed: ${error.name}: ${error.message}`);
      if (i === 0) {
        expect(await page.textContent('#summary'),
          'migrate() applied 3 migration(s) on this load.', 'page, first load: summary');
        expect(await page.$$eval('#status tbody tr', (rows) => rows.map((r) => [...r.cells]
          .slice(0, 3).map((c) => c.textContent))),
        [['001_notes', 'applied', '1'], ['002_notes_created_at', 'applied', '1'],
          ['003_tags', 'applied', '1']], 'page, first load: status table');
        expect(await page.evaluate(async () => {
          const names = [];
          for await (const name of (await navigator.storage.getDirectory()).keys()) names.push(name);
          return names.includes('example.db');
        }), true, 'page, first load: example.db is in the Origin Private File System');
      } else if (i === 1) {
        expect(await page.textContent('#summary'),
          'migrate() applied 0 migration(s) on this load.', 'page, reload: summary');
      }
      const { lines, error: failed } = await page.evaluate(async (names) => {
        const check = await import('/check.mjs');
        return check.runPhases(names, window.example);
      }, phases);
      for (const line of lines) ok(`chromium ${line}`);
      if (failed) throw new Error(`chromium ${failed}`);
    }

    await page.click('#broken');
    await page.waitForFunction(() => document.getElementById('error').textContent !== '');
    expect(await page.textContent('#error'),
      `MigrateError: migrate: ${BROKEN.name} failed: near "CRATE": syntax error (line 2)`,
      'page: the broken-migration button shows the error');
    expect(await page.textContent('#summary'), 'Nothing changed.', 'page: and says');
    expect(await page.$$eval('#status tbody tr', (rows) => rows.map((r) => r.cells[1].textContent)),
      ['applied', 'applied', 'applied'], 'page: status after the failure');

    const error = await load(page, `${plainUrl}example/`, false);
    expect(error, { name: 'MigrateError', message: NO_OPFS },
      'page without COOP/COEP headers: open() rejects');
  } finally {
    if (context) await context.close();
    for (const s of servers) s.child.kill();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`check-browser: ${passed} checks passed in headless Chromium`);
}

main().catch((e) => {
  console.log(`not ok - ${e.message}`);
  console.log('check-browser: FAILED');
  process.exitCode = 1;
});
