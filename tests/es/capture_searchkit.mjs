// Records the exact requests the Searchkit demo page sends, without newsdex:
// a stand-in HTTP server serves the bundled page (node build_demo.mjs DIR
// first) and answers POST /_msearch with a small fixed Elasticsearch
// response, while Playwright (Debian's chromium) types a query, picks a
// source and a person, sets a date range, sorts by date and turns the page.
// Usage: node tests/es/capture_searchkit.mjs DEMO_DIR > requests.ndjson
// Each line printed is {"method", "url", "headers", "body"} (an _msearch
// body as its list of header/search objects).  It is how
// SEARCHKIT-REQUESTS.md was written; the test itself runs against newsdex.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const DIR = process.argv[2];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const hit = (i) => ({ _index: 'news', _id: 'doc-' + i, _score: 1.5, _source: { title: 'NATO summit ' + i, date: '2019-12-0' + (1 + (i % 9)), source: i % 2 ? 'Reuters' : 'BBC', url: null }, highlight: { title: ['<em>NATO</em> summit ' + i], body: ['the <em>NATO</em> meeting'] } });
const response = (search) => {
  const size = search.size ?? 10, from = search.from ?? 0;
  const aggs = {};
  for (const [name, a] of Object.entries(search.aggs || {})) {
    if (a.terms) aggs[name] = { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: a.terms.field === 'source' ? [{ key: 'Reuters', doc_count: 21 }, { key: 'BBC', doc_count: 20 }] : [{ key: 'Donald Trump', doc_count: 7 }] };
  }
  return { took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: 41, relation: 'eq' }, max_score: 1.5, hits: Array.from({ length: Math.max(0, Math.min(size, 41 - from)) }, (_, i) => hit(from + i)) }, aggregations: aggs, status: 200 };
};
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const u = new URL(req.url, 'http://x');
    if (req.method === 'POST' && u.pathname.endsWith('/_msearch')) {
      const lines = body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
      console.log(JSON.stringify({ method: req.method, url: req.url, headers: { 'content-type': req.headers['content-type'], authorization: req.headers.authorization }, body: lines }));
      const out = [];
      for (let i = 1; i < lines.length; i += 2) out.push(response(lines[i]));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ took: 1, responses: out }));
      return;
    }
    const f = path.join(DIR, u.pathname === '/' ? 'index.html' : path.basename(u.pathname));
    try {
      const data = readFileSync(f);
      res.writeHead(200, { 'content-type': TYPES[path.extname(f)] || 'application/octet-stream' });
      res.end(data);
    } catch {
      console.log(JSON.stringify({ method: req.method, url: req.url, status: 404 }));
      res.writeHead(404); res.end();
    }
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = 'http://127.0.0.1:' + server.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.error('console: ' + m.text()));
  page.on('pageerror', (e) => console.error('pageerror: ' + e));
  await page.goto(base + '/index.html?index=news');
  await page.waitForSelector('.ais-Hits-item');
  await page.fill('.ais-SearchBox-input', 'nato summit');
  await page.waitForTimeout(500);
  await page.click('#source-list .ais-RefinementList-item >> nth=0');
  await page.waitForTimeout(300);
  await page.click('#people-list .ais-RefinementList-item >> nth=0');
  await page.waitForTimeout(300);
  await page.fill('#date-from', '2019-01-01');
  await page.fill('#date-to', '2019-12-31');
  await page.click('#date-apply');
  await page.waitForTimeout(300);
  await page.selectOption('.ais-SortBy-select', 'news_date_desc');
  await page.waitForTimeout(300);
  await page.click('.ais-Pagination-item--nextPage a');
  await page.waitForTimeout(500);
  if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT });
} finally {
  await browser.close();
  server.close();
}
