// elasticdump (npm, pinned in package.json) against newsdex's
// Elasticsearch-compatible API.
// Usage: node tests/es/test_elasticdump.mjs   (BUILD names the build folder)
//
// What it proves: an archive made by `newsdex add` and served by
// `newsdex serve --root` exports with elasticdump as any ES index does (its
// mapping, and its data by scroll; also a subset chosen by --searchBody),
// and the export imports into a new index (mapping, then data by _bulk,
// with the write token given as elasticdump users give credentials) without
// loss: the same ids, the same _source fields, the same search results
// (totals and top ids for a few queries), and an export of the copy equal
// to the first export.  The dump files are kept in $BUILD/test-output/.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  HERE, ND, OUT, testData, readArticles, check, step, finish, startServer, apiSearch, pickWords, esFetch, tempDir,
} from './lib.mjs';

const data = testData();
console.log('data: ' + data.label);
const articles = readArticles(data.file);
const N = articles.length;
const byId = new Map(articles.map((a) => [a.id, a]));
const W = pickWords(articles);

// The archive, made by the command, is the index "news" of the server's root.
const tmp = tempDir('nd-dump-');
const srvRoot = await startServer({
  logName: 'es-elasticdump.log',
  before: (root) => execFileSync(ND, ['add', '--db', path.join(root, 'news'), data.file], { stdio: 'ignore' }),
});
const base = srvRoot.base;
const token = srvRoot.token;
console.log('server: ' + base);

const BIN = path.join(HERE, 'node_modules/elasticdump/bin/elasticdump');
const authFile = path.join(tmp, 'auth.ini');
writeFileSync(authFile, `user=dumper\npassword=${token}\n`, { mode: 0o600 });
const files = {
  mapping: path.join(OUT, 'es-dump-news.mapping.json'),
  data: path.join(OUT, 'es-dump-news.data.json'),
  subset: path.join(OUT, 'es-dump-news.subset.json'),
  copy: path.join(OUT, 'es-dump-news_copy.data.json'),
};
let dumpLog = '';
function dump(args) {
  // elasticdump will not overwrite a file: the outputs of an earlier run go
  const out = args.find((a) => a.startsWith('--output=') && !a.startsWith('--output=http'));
  if (out) rmSync(out.slice('--output='.length), { force: true });
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (out += b));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      dumpLog += `$ elasticdump ${args.join(' ').replace(token, 'TOKEN')}\n${out.replaceAll(token, 'TOKEN')}\n`;
      writeFileSync(path.join(OUT, 'es-elasticdump-runs.log'), dumpLog);
      resolve({ code, out });
    });
  });
}
const lines = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const canon = (o) => JSON.stringify(o, Object.keys(o).sort());
const tail = (s) => s.split('\n').slice(-6).join(' | ');

// ---- export
let exported = [];
await step('export the mapping', async () => {
  const r = await dump([`--input=${base}/news`, `--output=${files.mapping}`, '--type=mapping']);
  check('elasticdump --type=mapping (export): exit 0', r.code === 0, tail(r.out));
  const m = lines(files.mapping);
  const props = m[0] && m[0].news && m[0].news.mappings && m[0].news.mappings.properties;
  check('the mapping file: news.mappings.properties with title, body, date, source', props && props.title && props.body && props.date && props.source, m[0]);
});
await step('export the data', async () => {
  const t0 = Date.now();
  const r = await dump([`--input=${base}/news`, `--output=${files.data}`, '--type=data', '--limit=100']);
  check(`elasticdump --type=data (export): exit 0 (${Date.now() - t0} ms)`, r.code === 0, tail(r.out));
  exported = lines(files.data);
  const ids = exported.map((d) => d._id);
  check(`the data file: ${N} documents, each once`, exported.length === N && new Set(ids).size === N, { lines: exported.length, distinct: new Set(ids).size });
  check('every article is there', articles.every((a) => ids.includes(a.id)));
  const bad = exported.filter((d) => {
    const a = byId.get(d._id);
    return !a || !d._source || Object.entries(a).some(([k, v]) => k !== 'id' && v != null && d._source[k] !== v);
  });
  check('each _source holds the article\'s fields as they were added', bad.length === 0, bad.slice(0, 2).map((d) => ({ _id: d._id, keys: d._source && Object.keys(d._source) })));
});
await step('export a subset with --searchBody', async () => {
  const body = JSON.stringify({ query: { match: { body: W.w1 } } });
  const r = await dump([`--input=${base}/news`, `--output=${files.subset}`, '--type=data', `--searchBody=${body}`, '--limit=50']);
  check('elasticdump --searchBody (export): exit 0', r.code === 0, tail(r.out));
  const api = await apiSearch(base, 'news', `body:${W.w1}`, { limit: 0 });
  const sub = lines(files.subset);
  check(`the subset: the ${api.total} articles of /api body:${W.w1}`, sub.length === api.total && new Set(sub.map((d) => d._id)).size === sub.length, { got: sub.length, want: api.total });
});

// ---- import into a new index
await step('import the mapping', async () => {
  const r = await dump([`--input=${files.mapping}`, `--output=${base}/news_copy`, '--type=mapping', `--output-headers={"Authorization":"ApiKey ${token}"}`]);
  check('elasticdump --type=mapping (import, ApiKey header): exit 0', r.code === 0, tail(r.out));
  const h = await esFetch(base, 'HEAD', '/news_copy');
  check('the index news_copy exists', h.status === 200, h.status);
  const m = await esFetch(base, 'GET', '/news_copy/_mapping');
  const a = m.json && m.json.news_copy && m.json.news_copy.mappings, b = lines(files.mapping)[0].news.mappings;
  check('its mapping is the exported one', a && JSON.stringify(a.properties) === JSON.stringify(b.properties), { copy: a, original: b });
});
await step('import the data', async () => {
  const t0 = Date.now();
  const r = await dump([`--input=${files.data}`, `--output=${base}/news_copy`, '--type=data', '--limit=100', `--httpAuthFile=${authFile}`]);
  check(`elasticdump --type=data (import, --httpAuthFile): exit 0 (${Date.now() - t0} ms)`, r.code === 0, tail(r.out));
  const c = await esFetch(base, 'GET', '/news_copy/_count');
  check(`news_copy holds ${N} documents`, c.json && c.json.count === N, c.text);
});
await step('import without credentials is refused', async () => {
  const r = await dump([`--input=${files.data}`, `--output=${base}/news_refused`, '--type=data']);
  const c = await esFetch(base, 'GET', '/news_refused/_count');
  check('elasticdump without credentials: fails, nothing written', r.code !== 0 && c.status === 404, { code: r.code, out: tail(r.out), count: c.status });
});

// ---- lossless
await step('the same documents', async () => {
  const idsAll = articles.map((a) => a.id);
  const diffs = [];
  for (let i = 0; i < idsAll.length; i += 200) {
    const docs = idsAll.slice(i, i + 200);
    const [a, b] = await Promise.all(['news', 'news_copy'].map((ix) => esFetch(base, 'POST', `/${ix}/_mget`, { ids: docs })));
    for (let j = 0; j < docs.length; j++) {
      const x = a.json && a.json.docs[j], y = b.json && b.json.docs[j];
      if (!x || !y || !x.found || !y.found || canon(x._source) !== canon(y._source)) diffs.push({ id: docs[j], news: x && x._source && Object.keys(x._source), copy: y ? (y._source ? Object.keys(y._source) : y) : null });
    }
  }
  check(`mget of all ${N} ids: found in both with equal _source`, diffs.length === 0, diffs.slice(0, 3));
});
await step('the same search results', async () => {
  const queries = [
    ['match', { match: { body: `${W.w1} ${W.w2}` } }],
    ['match_phrase', { match_phrase: { body: W.phrase } }],
    ['term source', { term: { source: W.source1 } }],
    ['range', { range: { date: { gte: `${W.year}-01-01`, lte: `${W.year}-12-31` } } }],
    ['query_string', { query_string: { query: `${W.w1} OR ${W.w3}` } }],
  ];
  for (const [name, query] of queries) {
    for (const sort of [undefined, [{ date: 'desc' }]]) {
      const body = { query, size: 20, track_total_hits: true, ...(sort ? { sort } : {}) };
      const [a, b] = await Promise.all(['news', 'news_copy'].map((ix) => esFetch(base, 'POST', `/${ix}/_search`, body)));
      const ta = a.json && a.json.hits && a.json.hits.total, tb = b.json && b.json.hits && b.json.hits.total;
      const ia = a.json && a.json.hits ? a.json.hits.hits.map((h) => h._id) : a.text, ib = b.json && b.json.hits ? b.json.hits.hits.map((h) => h._id) : b.text;
      check(`${name}${sort ? ' by date' : ''}: the same total (${ta && ta.value}) and top 20 ids in news and news_copy`,
        ta && tb && ta.value > 0 && ta.value === tb.value && JSON.stringify(ia) === JSON.stringify(ib), { news: [ta, ia], copy: [tb, ib] });
    }
  }
  const aggs = { s: { terms: { field: 'source', size: 10 } }, y: { date_histogram: { field: 'date', calendar_interval: 'year' } } };
  const [a, b] = await Promise.all(['news', 'news_copy'].map((ix) => esFetch(base, 'POST', `/${ix}/_search`, { size: 0, aggs })));
  check('the same aggregations (sources, years)', a.json && a.json.aggregations && JSON.stringify(a.json.aggregations) === JSON.stringify(b.json && b.json.aggregations), [a.text.slice(0, 200), b.text.slice(0, 200)]);
});
await step('an export of the copy equals the first export', async () => {
  const r = await dump([`--input=${base}/news_copy`, `--output=${files.copy}`, '--type=data']);
  check('elasticdump export of news_copy: exit 0', r.code === 0, tail(r.out));
  const strip = (l) => new Map(l.map((d) => [d._id, canon(d._source)]));
  const a = strip(exported), b = strip(lines(files.copy));
  const differ = [...a].filter(([id, s]) => b.get(id) !== s).map(([id]) => id);
  check('the same ids and _source, line for line once sorted', a.size === N && b.size === N && differ.length === 0, { news: a.size, copy: b.size, differ: differ.slice(0, 3) });
});

srvRoot.stop();
finish();
