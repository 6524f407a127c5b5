// Shared by the ES-client tests (tests/es/test_*.mjs): the test data, a
// `newsdex serve --root` of their own in a temporary folder (stopped at the
// end, on failure and on a signal), checks counted into the closing line
// "N passed, N failed[, N skipped]", newsdex's own /api/search to compare
// with, and a picker of query words from the data.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');
export const ND = path.join(BUILD, 'newsdex');
export const OUT = path.join(BUILD, 'test-output');
mkdirSync(OUT, { recursive: true });

// ---- the test data: the real sample when present, else the invented fixtures
export function testData() {
  const td = path.resolve(ROOT, process.env.NEWSDEX_TEST_DATA || '../shared/data');
  const real = path.join(td, 'news/sample-1000.jsonl');
  if (existsSync(real)) return { file: real, label: 'the news sample ' + real };
  const fx = path.resolve(ROOT, process.env.NEWSDEX_FIXTURES || path.join(BUILD, 'fixtures'), 'news.jsonl');
  return { file: fx, label: 'the invented fixtures ' + fx + ' (no ' + real + ')' };
}
export function readArticles(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

// ---- checks
let passed = 0, failed = 0, skipped = 0;
export function check(name, cond, detail) {
  if (cond) { passed++; console.log('ok   ' + name); }
  else {
    failed++;
    console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)).slice(0, 900) : ''));
  }
  return !!cond;
}
export function skip(name, why) { skipped++; console.log('SKIP ' + name + ': ' + why); }
export function counts() { return { passed, failed, skipped }; }
// Runs one group of checks; an exception (a refused request, a crash of the
// client) is one failure named after the group, and the rest goes on.
export async function step(name, fn) {
  try { await fn(); }
  catch (e) { check(name, false, describe(e)); }
}
export function describe(e) {
  if (e && e.meta && e.meta.statusCode !== undefined) {
    const b = e.meta.body;
    return `${e.name} ${e.meta.statusCode} ${e.meta.meta && e.meta.meta.request ? e.meta.meta.request.params.method + ' ' + e.meta.meta.request.params.path : ''} ${typeof b === 'string' ? b : JSON.stringify(b)}`;
  }
  return String(e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e);
}
export function finish() {
  const { passed: p, failed: f, skipped: s } = counts();
  console.log(s ? `${p} passed, ${f} failed, ${s} skipped` : `${p} passed, ${f} failed`);
  process.exit(f ? 1 : 0);
}

// ---- the server
const cleanups = [];
function cleanup() { while (cleanups.length) { try { cleanups.pop()(); } catch { /* go on */ } } }
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { cleanup(); process.exit(1); });
process.on('unhandledRejection', (e) => { check('unhandled error', false, describe(e)); finish(); });
process.on('uncaughtException', (e) => { check('uncaught error', false, describe(e)); finish(); });

export function tempDir(prefix) {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

// Starts `newsdex serve --root ROOT --port 0 --write-token FILE [--web DIR]`
// in a temporary folder (before(ROOT) runs first, to put archives there); its log (one line per request) goes to
// $BUILD/test-output/LOGNAME.  Resolves to {base, token, root, tmp, stop}.
export async function startServer({ logName, web, extra = [], before } = {}) {
  if (!existsSync(ND)) throw new Error('no ' + ND + ' (make BUILD=... tests first)');
  const tmp = tempDir('nd-es-');
  const root = path.join(tmp, 'archives');
  mkdirSync(root);
  const token = randomBytes(20).toString('hex');
  const tokenFile = path.join(tmp, 'token.txt');
  writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
  if (before) before(root);
  const args = ['serve', '--root', root, '--port', '0', '--threads', '4', '--write-token', tokenFile, ...(web ? ['--web', web] : []), ...extra];
  const proc = spawn(ND, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = createWriteStream(path.join(OUT, logName || 'es-server.log'));
  log.write('$ ' + ND + ' ' + args.join(' ') + '\n');
  const stop = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM'); };
  cleanups.push(stop);
  const base = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('the server printed no address in 15 s: ' + text)), 15000);
    proc.stderr.on('data', (b) => {
      log.write(b);
      if (text !== null) {
        text += b;
        const m = text.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
        if (m) { clearTimeout(timer); text = null; resolve(`http://127.0.0.1:${m[1]}`); }
      }
    });
    proc.on('exit', (code, sig) => { clearTimeout(timer); if (text !== null) reject(new Error(`server exited (${code ?? sig}): ${text}`)); });
  });
  return { base, token, root, tmp, proc, stop };
}

// ---- newsdex's own API
export async function apiSearch(base, index, q, { limit = 50, offset = 0, sort, versions = 'all', facets, histogram } = {}) {
  const p = new URLSearchParams({ index, q, limit: String(limit), offset: String(offset), versions });
  if (sort) p.set('sort', sort);
  if (facets) p.set('facets', facets);
  if (histogram) p.set('histogram', histogram);
  const r = await fetch(`${base}/api/search?${p}`);
  const body = await r.json();
  if (r.status !== 200) throw new Error(`/api/search?${p} -> ${r.status} ${JSON.stringify(body)}`);
  return body;
}
// Every matching id through /api/search, 100 at a time.
export async function apiAllIds(base, index, q, opts = {}) {
  const ids = [];
  for (let off = 0; ; off += 100) {
    const r = await apiSearch(base, index, q, { ...opts, limit: 100, offset: off });
    ids.push(...r.hits.map((h) => h.id));
    if (r.hits.length < 100 || ids.length >= r.total) return { total: r.total, ids };
  }
}

// ---- words to search for, picked from the data so that the same test runs
// on the real sample and on the invented fixtures: words in a few percent of
// the articles, a frequent two-word phrase, the commonest sources, the
// commonest year.
const STOP = new Set(('about above after again against being below between both could does doing down during each from further have having here into more most other over same should some such than that their theirs them then there these they this those through under until very were what when where which while will with would your said says also just like been only many much year years people because before said percent first last still even made make told since among while another three would could there where which since least'.split(' ')));
export function pickWords(articles) {
  const N = articles.length;
  const df = new Map(), bigrams = new Map(), sources = new Map(), years = new Map(), titleWords = new Map();
  const words = (t) => (t || '').toLowerCase().match(/[a-z]+/g) || [];
  for (const a of articles) {
    const ws = words(a.body);
    for (const w of new Set(ws)) if (w.length >= 5 && !STOP.has(w)) df.set(w, (df.get(w) || 0) + 1);
    const seen = new Set();
    for (let i = 0; i + 1 < ws.length; i++) {
      const x = ws[i], y = ws[i + 1];
      if (x.length >= 4 && y.length >= 4 && !STOP.has(x) && !STOP.has(y)) seen.add(x + ' ' + y);
    }
    for (const b of seen) bigrams.set(b, (bigrams.get(b) || 0) + 1);
    for (const w of new Set(words(a.title))) if (w.length >= 5 && !STOP.has(w)) titleWords.set(w, (titleWords.get(w) || 0) + 1);
    if (a.source) sources.set(a.source, (sources.get(a.source) || 0) + 1);
    if (a.date) years.set(a.date.slice(0, 4), (years.get(a.date.slice(0, 4)) || 0) + 1);
  }
  const nearest = (target, exclude) => [...df].filter(([w]) => !exclude.some((e) => e.startsWith(w.slice(0, 5)) || w.startsWith(e.slice(0, 5))))
    .sort((a, b) => Math.abs(a[1] - target) - Math.abs(b[1] - target) || (a[0] < b[0] ? -1 : 1))[0][0];
  const w1 = nearest(N * 0.08, []);
  const w2 = nearest(N * 0.05, [w1]);
  const w3 = nearest(N * 0.03, [w1, w2]);
  const phrase = [...bigrams].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  const titleWord = [...titleWords].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  const src = [...sources].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const year = [...years].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  return { w1, w2, w3, phrase, titleWord, prefix: titleWord.slice(0, 4), source1: src[0][0], source2: src[1][0], year,
    df: { [w1]: df.get(w1), [w2]: df.get(w2), [w3]: df.get(w3) } };
}

// The ES JSON body of a fetch() answer, with its status.
export async function esFetch(base, method, p, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] = init.headers['content-type'] || 'application/json';
  }
  const r = await fetch(base + p, init);
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, json };
}
