// The Searchkit demo page (examples/searchkit/) in chromium against
// newsdex's Elasticsearch-compatible API.
// Usage: node tests/es/test_searchkit.mjs   (BUILD names the build folder)
//
// What it proves: Searchkit + InstantSearch.js, bundled by esbuild into
// $BUILD/searchkit-demo and served by `newsdex serve --web` under its
// Content-Security-Policy (only same-origin script files), work on newsdex
// with no Elasticsearch: the page loads without a console error, shows
// every article before a query, a typed query shows hits with highlighted
// titles and the count the API gives for Searchkit's own request, picking
// a source shows exactly the count its facet showed, the date range keeps
// only hits in the range (the count the API gives for the same filters),
// sorting by date orders the hits newest first, the next page shows other
// hits, and a screenshot is saved in $BUILD/test-output/.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { relevanceQuery } from '../../examples/searchkit/query.js';
import {
  HERE, BUILD, ND, OUT, testData, readArticles, check, step, finish, startServer, pickWords, esFetch,
} from './lib.mjs';

const data = testData();
console.log('data: ' + data.label);
const articles = readArticles(data.file);
const N = articles.length;
const byId = new Map(articles.map((a) => [a.id, a]));
const W = pickWords(articles);

const DEMO = path.join(BUILD, 'searchkit-demo');
execFileSync(process.execPath, [path.join(HERE, 'build_demo.mjs'), DEMO], { stdio: 'inherit' });
const srv = await startServer({
  logName: 'es-searchkit.log',
  web: DEMO,
  before: (root) => execFileSync(ND, ['add', '--db', path.join(root, 'news'), data.file], { stdio: 'ignore' }),
});
const base = srv.base;
console.log('server: ' + base);

// The page's relevance query for a text (examples/searchkit/query.js, sent
// by Searchkit's getQuery), to ask the API what the page should show.
const skQuery = relevanceQuery;
const esCount = async (must, filter) => {
  const r = await esFetch(base, 'POST', '/news/_search', { query: { bool: { filter, must } }, size: 0, track_total_hits: true });
  return r.json && r.json.hits ? r.json.hits.total.value : `error ${r.status}: ${r.text.slice(0, 300)}`;
};

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
const problems = [];
page.on('console', (m) => { if (m.type() === 'error' && !/favicon\.ico$/.test((m.location() || {}).url || '')) problems.push(m.text()); });
page.setDefaultTimeout(8000);
page.on('pageerror', (e) => problems.push(String(e)));
const failedRequests = [];
page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failedRequests.push(`${r.request().method()} ${r.url()} ${r.status()}`); });

const nbHits = async () => Number(((await page.textContent('.nbhits').catch(() => '')) || '').replace(/[^\d]/g, '') || -1);
const waitHits = async (n, timeout = 10000) => {
  try { await page.waitForFunction((want) => { const e = document.querySelector('.nbhits'); return e && Number(e.textContent.replace(/[^\d]/g, '')) === want; }, n, { timeout }); return true; }
  catch { return false; }
};
const hitIds = async () => page.locator('.ais-Hits-item .hit-id').allTextContents();
const settle = () => page.waitForTimeout(400);

try {
  await step('the page loads', async () => {
    const resp = await page.goto(base + '/index.html?index=news');
    check('GET /index.html: 200 with a Content-Security-Policy', resp.status() === 200 && /script-src 'self'/.test(resp.headers()['content-security-policy'] || ''), resp.headers()['content-security-policy']);
    await page.waitForSelector('.ais-Hits-item');
    check(`no query: every article (${N})`, await waitHits(N), await nbHits());
    check('20 hits on the first page', (await page.locator('.ais-Hits-item').count()) === 20);
    check('a refinement list of sources', (await page.locator('#source-list .ais-RefinementList-item').count()) > 0);
    check('a refinement list of people', (await page.locator('#people-list .ais-RefinementList-item').count()) > 0);
  });

  const text = W.titleWord;
  let queryCount = -1;
  await step('a typed query', async () => {
    await page.click('.ais-SearchBox-input');
    await page.keyboard.type(text, { delay: 40 });
    queryCount = await esCount(skQuery(text), []);
    check(`typing "${text}": the count the API gives for Searchkit's query (${queryCount})`, typeof queryCount === 'number' && queryCount > 0 && await waitHits(queryCount), { shown: await nbHits(), api: queryCount });
    await settle();
    const marks = await page.locator('.ais-Hits-item .hit-title mark').allTextContents();
    check('titles highlighted (<mark> in hit titles)', marks.length > 0 && marks.some((m) => m.toLowerCase().startsWith(text.slice(0, 4))), marks.slice(0, 5));
    const shown = (await page.locator('.ais-Hits-item .hit-snippet').allTextContents()).join(' ');
    const entities = shown.match(/&(#\d+|#x[0-9a-f]+|quot|amp|lt|gt|apos);/gi) || [];
    check('snippets show text, no HTML entities as text (&#39;, &quot;)', entities.length === 0, entities.slice(0, 5));
    await page.screenshot({ path: path.join(OUT, 'searchkit-query.png'), fullPage: true });
  });

  let sourceName = '', sourceCount = -1;
  await step('a source refinement', async () => {
    const item = page.locator('#source-list .ais-RefinementList-item').first();
    sourceName = await item.locator('.ais-RefinementList-labelText').textContent();
    sourceCount = Number((await item.locator('.ais-RefinementList-count').textContent()).replace(/[^\d]/g, ''));
    await item.locator('input').check();
    check(`clicking source "${sourceName}": the hit count becomes its facet count (${sourceCount})`, sourceCount > 0 && sourceCount < queryCount && await waitHits(sourceCount), { shown: await nbHits(), facet: sourceCount, before: queryCount });
    await settle();
    const srcs = await page.locator('.ais-Hits-item .hit-source').allTextContents();
    check('every hit shown is from that source', srcs.length > 0 && srcs.every((s) => s === sourceName), srcs.slice(0, 5));
    const other = Number((await page.locator('#source-list .ais-RefinementList-item').nth(1).locator('.ais-RefinementList-count').textContent().catch(() => '-1')).replace(/[^\d-]/g, ''));
    check('the other sources keep their counts (an OR list: its own filter left out of its facet)', other > 0, other);
  });

  await step('a date range', async () => {
    const years = articles.filter((a) => a.source === sourceName && a.date).map((a) => a.date.slice(0, 4)).sort();
    const y = years[Math.floor(years.length / 2)] || W.year;
    const from = `${y}-01-01`, to = `${y}-12-31`;
    await page.fill('#date-from', from);
    await page.fill('#date-to', to);
    await page.click('#date-apply');
    const want = await esCount(skQuery(text), [{ bool: { should: [{ term: { source: sourceName } }] } }, { range: { date: { gte: from, lte: to } } }]);
    check(`dates ${from}..${to}: the count the API gives (${want})`, typeof want === 'number' && want <= sourceCount && await waitHits(want), { shown: await nbHits(), api: want });
    await settle();
    const dates = await page.locator('.ais-Hits-item .hit-date').allTextContents();
    check('every hit shown is dated in the range', dates.every((d) => d >= from && d <= to) && dates.length === Math.min(20, want), dates.slice(0, 5));
    await page.click('#date-clear');
    check('"Any date" brings the source\'s count back', await waitHits(sourceCount), await nbHits());
  });

  await step('sorting by date and the next page', async () => {
    await page.click('.ais-CurrentRefinements-delete');
    check('removing the source: the query\'s count again', await waitHits(queryCount), await nbHits());
    await page.selectOption('.ais-SortBy-select', 'news_date_desc');
    await settle();
    await page.waitForLoadState('networkidle');
    const ids = await hitIds();
    const dates = ids.map((id) => (byId.get(id) || {}).date).filter(Boolean);
    check('newest first: hits in descending date order', dates.length > 1 && dates.every((d, i) => i === 0 || dates[i - 1] >= d), dates.slice(0, 6));
    const first = await hitIds();
    await page.click('.ais-Pagination-item--nextPage a');
    await page.waitForFunction((prev) => { const e = document.querySelector('.ais-Hits-item .hit-id'); return e && e.textContent !== prev; }, first[0], { timeout: 10000 }).catch(() => {});
    await settle();
    const second = await hitIds();
    const sel = await page.locator('.ais-Pagination-item--selected').textContent();
    check('next page: page 2 selected, other hits than page 1', sel.trim() === '2' && second.length > 0 && second.every((id) => !first.includes(id)), { sel, first: first.slice(0, 3), second: second.slice(0, 3) });
    const d2 = second.map((id) => (byId.get(id) || {}).date).filter(Boolean);
    check('page 2 goes on where page 1 ended (dates)', d2.length === 0 || !dates.length || d2[0] <= dates[dates.length - 1], { lastOfPage1: dates[dates.length - 1], firstOfPage2: d2[0] });
    await page.screenshot({ path: path.join(OUT, 'searchkit.png'), fullPage: true });
  });

  check('no console errors (CSP violations included), no failed request', problems.length === 0 && failedRequests.length === 0, { problems: problems.slice(0, 5), failedRequests: failedRequests.slice(0, 5) });
} finally {
  await browser.close();
  srv.stop();
}
console.log('screenshots: ' + path.join(OUT, 'searchkit.png') + ', searchkit-query.png');
finish();
