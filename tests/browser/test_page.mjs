// Browser tests of the newsdex page through `newsdex serve`.
// Usage: node test_page.mjs NEWSDEX FIXTURES_DIR OUTPUT_DIR
// The archive: samples/ (with the seed-shaped article SEED_ID), the invented
// news.jsonl of FIXTURES_DIR (made by `make tests`), the API's XSS
// fixture and the invented story threads of tests/fixtures/threads.jsonl.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const [ND, FIXTURES, OUT] = process.argv.slice(2);
const HERE = path.dirname(fileURLToPath(import.meta.url));
let passed = 0, failed = 0;
function check(name, cond, detail) {
  if (cond) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + JSON.stringify(detail).slice(0, 500) : '')); }
}

const tmp = mkdtempSync(path.join(tmpdir(), 'nd-browser-'));
const db = path.join(tmp, 'db');
const SEED_ID = '001_anfa_patrol';
execFileSync(ND, ['add', '--db', db, 'samples', path.join(FIXTURES, 'news.jsonl'),
  path.join(HERE, '../api/xss.jsonl'), path.join(HERE, '../fixtures/threads.jsonl')], { stdio: 'ignore' });
const server = spawn(ND, ['serve', '--db', db, '--port', '0', '--threads', '4'], { stdio: ['ignore', 'ignore', 'pipe'] });
const base = await new Promise((resolve, reject) => {
  let text = '';
  server.stderr.on('data', (b) => {
    text += b;
    const m = text.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) resolve(`http://127.0.0.1:${m[1]}`);
  });
  server.on('exit', () => reject(new Error('server exited: ' + text)));
});

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const problems = [];
page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
page.on('pageerror', (e) => problems.push(String(e)));
let dialogs = 0;
page.on('dialog', (d) => { dialogs++; d.dismiss(); });
const api = async (p) => (await page.request.get(base + p)).json();
const total = async (q) => (await api('/api/search?q=' + encodeURIComponent(q) + '&limit=1')).total;
const statusTotal = async () => {
  const t = await page.textContent('#status');
  const m = t.match(/of ([\d,]+) articles/);
  return m ? Number(m[1].replace(/,/g, '')) : (/No articles/.test(t) ? 0 : -1);
};
// The stories of the status line ("…, 70 stories"), or its articles when
// they are as many.
const statusStories = async () => {
  const t = await page.textContent('#status');
  const m = t.match(/, ([\d,]+) stor(y|ies)/);
  return m ? Number(m[1].replace(/,/g, '')) : statusTotal();
};
const waitStatus = () => page.waitForFunction(() => /articles|No articles/.test(document.getElementById('status').textContent));
// Wait (up to 10 s) until fn(arg) holds in the page: after a change of the
// address's #fragment the previous view's elements are still there until
// the new answer arrives.  Returns whether it came to hold.
const settled = (fn, arg) => page.waitForFunction(fn, arg, { timeout: 10000 }).then(() => true, () => false);

try {
  // ---- search with Enter
  await page.goto(base + '/');
  await page.waitForSelector('#home-stats:not(:empty)');
  check('home shows the article count', /\d+ articles/.test(await page.textContent('#home-stats')));
  await page.fill('#q', 'nato');
  await page.press('#q', 'Enter');
  await page.waitForSelector('#hits li');
  await waitStatus();
  check('Enter searches', page.url().includes('q=nato'), page.url());
  check('result count as the API', (await statusTotal()) === (await total('(nato)')));
  check('snippets highlighted', (await page.locator('#hits mark').count()) > 0);
  check('dates and sources shown', (await page.locator('#hits .meta').count()) > 0);
  await page.screenshot({ path: path.join(OUT, 'results.png'), fullPage: true });

  // ---- one chip per entity in the side bar: no person shown with a title,
  // no two places that are one country, no two chips of one field alike
  const chips = async (f) => page.locator('#facets [data-facet=' + f + '] button span:first-child').allTextContents();
  const TITLE = /^(President|Pres\.|Vice|Sen\.|Senator|Rep\.|Gov\.|Governor|Mr\.|Mrs\.|Ms\.|Dr\.|Gen\.|Secretary|Minister|Prime|Judge|Mayor)\s/;
  const COUNTRY = [['United States', 'U.S.', 'US', 'USA', 'America'], ['United Kingdom', 'U.K.', 'UK', 'Britain', 'Great Britain']];
  for (const q of ['nato', 'president', 'minister']) {
    await page.fill('#q', q);
    await page.press('#q', 'Enter');
    await page.waitForFunction((w) => location.hash.includes('q=' + encodeURIComponent(w)), q);
    await waitStatus();
    await page.waitForSelector('#facets [data-facet=people] button');
    const people = await chips('people'), places = await chips('places');
    check('people chips carry no title (' + q + ')', !people.some((v) => TITLE.test(v)), people);
    check('one chip per country (' + q + ')', COUNTRY.every((g) => g.filter((v) => places.includes(v)).length <= 1), places);
    for (const f of ['people', 'places', 'organisations', 'source']) {
      const v = (await chips(f)).map((x) => x.toLowerCase());
      check('one chip per ' + f + ' value (' + q + ')', new Set(v).size === v.length, v);
    }
    if (q === 'president') await page.screenshot({ path: path.join(OUT, 'facets.png'), fullPage: true });
  }
  await page.fill('#q', 'nato');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => location.hash.includes('q=nato'));
  await waitStatus();

  // ---- sort by date: hits newest first
  await page.selectOption('#sort', 'date');
  await page.waitForFunction(() => location.hash.includes('sort=date'));
  await page.waitForSelector('#hits li');
  await waitStatus();
  const dates = (await page.locator('#hits .meta').allTextContents()).map((t) => t.slice(0, 10)).filter((t) => /^\d{4}-/.test(t));
  check('sorted by date', dates.length > 1 && dates.every((d, i) => i === 0 || dates[i - 1] >= d), dates);

  // ---- paging
  await page.fill('#q', 'president');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => location.hash.includes('q=president'));
  await waitStatus();
  // by article (the links' targets): wire copies share their titles
  const hrefs = () => page.locator('#hits h3 a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const firstPage = await hrefs();
  await page.click('#next');
  await page.waitForFunction(() => location.hash.includes('page=1'));
  await page.waitForFunction((f) => document.querySelector('#hits h3 a') && document.querySelector('#hits h3 a').getAttribute('href') !== f, firstPage[0]);
  const secondPage = await hrefs();
  check('next page shows other hits', secondPage.length > 0 && secondPage.every((h) => !firstPage.includes(h)), [firstPage, secondPage]);

  // ---- suggestions: arrows and Enter, and opening a suggested article
  await page.fill('#q', '');
  await page.type('#q', 'presid', { delay: 30 });
  await page.waitForSelector('#suggest li');
  // a slow machine may answer an earlier keystroke first: wait until the
  // last request is in, so that the list no longer changes under the keys
  await page.waitForLoadState('networkidle');
  const firstSug = await page.locator('#suggest li span').first().textContent();
  await page.press('#q', 'ArrowDown');
  await page.waitForFunction(() => document.querySelector('#suggest li')?.getAttribute('aria-selected') === 'true', null,
                             { timeout: 5000 }).catch(() => {});
  check('arrow selects a suggestion', (await page.getAttribute('#suggest li >> nth=0', 'aria-selected')) === 'true');
  await page.press('#q', 'Enter');
  await page.waitForFunction((s) => location.hash.includes('q=' + encodeURIComponent(s)), firstSug);
  check('Enter on a suggestion searches it', page.url().includes('q=' + encodeURIComponent(firstSug)), [page.url(), firstSug]);
  await page.fill('#q', '');
  await page.type('#q', 'nato tra', { delay: 30 });
  const art = page.locator('#suggest li', { hasText: 'NATO begins training mission' });
  await art.waitFor();
  await art.click();
  await page.waitForFunction(() => document.getElementById('doc-title').textContent.includes('NATO begins training'));
  check('a suggested article opens', page.url().includes('#/doc/sample-004'), page.url());

  // ---- facet click, removal
  await page.goto(base + '/#/search?q=president');
  await page.waitForSelector('#facets [data-facet=source] button');
  await waitStatus();
  const before = await statusTotal();
  const fbtn = page.locator('#facets [data-facet=source] button').first();
  const filter = await fbtn.getAttribute('data-filter');
  const fvalue = await fbtn.locator('span').first().textContent();
  const fcount = Number((await fbtn.locator('.count').textContent()).replace(/,/g, ''));
  check('source facet shows the outlet and filters on its whole value, quoted',
        /\s/.test(fvalue) && filter === 'source:"' + fvalue.replace(/"/g, ' ') + '"', [fvalue, filter]);
  await fbtn.click();
  await page.waitForSelector('#chips button');
  await page.waitForFunction((n) => { const m = document.getElementById('status').textContent.match(/of ([\d,]+) articles/); return m && Number(m[1].replace(/,/g, '')) !== n; }, before);
  // facets count stories, each under its canonical version's source: the
  // filtered search finds at least that many, and the API says the same
  const apiFacet = async (field, value) => {
    const r = await api('/api/search?' + new URLSearchParams({ q: '(president)', limit: '0', facets: field }));
    return (r.facets[field] || []).find((x) => x.value === value);
  };
  check('facet click filters', (await statusStories()) >= fcount && (await statusStories()) <= (await statusTotal()),
        [await statusStories(), await statusTotal(), fcount, filter]);
  check('facet count is the API\'s stories', ((await apiFacet('source', fvalue)) || {}).count === fcount, [fvalue, fcount]);
  check('facet shown as a chip', (await page.textContent('#chips')).includes(filter));
  check('year facet listed', (await page.locator('#facets [data-facet=year] button').count()) > 0);
  await page.click('#chips button');
  await page.waitForFunction(() => document.querySelectorAll('#chips li').length === 0);
  await page.waitForFunction((n) => document.getElementById('status').textContent.includes(n.toLocaleString('en') + ' articles'), before);
  check('chip removal restores the results', (await statusTotal()) === before);

  // ---- a topic facet (people): its title, and a click filters by person:"..."
  const pbtn = page.locator('#facets [data-facet=people] button').first();
  await pbtn.waitFor();
  check('people facet titled', (await page.textContent('#facets [data-facet=people] h2')) === 'People');
  const pfilter = await pbtn.getAttribute('data-filter');
  const pcount = Number((await pbtn.locator('.count').textContent()).replace(/,/g, ''));
  check('people facet filter is a person: phrase', /^person:".+"$/.test(pfilter), pfilter);
  await pbtn.click();
  await page.waitForSelector('#chips button');
  await page.waitForFunction((n) => { const m = document.getElementById('status').textContent.match(/of ([\d,]+) articles/); return m && Number(m[1].replace(/,/g, '')) !== n; }, before);
  check('people facet click filters', (await statusStories()) >= pcount && (await statusStories()) <= (await statusTotal()),
        [await statusStories(), await statusTotal(), pcount, pfilter]);
  await page.click('#chips button');
  await page.waitForFunction(() => document.querySelectorAll('#chips li').length === 0);
  await page.waitForFunction((n) => document.getElementById('status').textContent.includes(n.toLocaleString('en') + ' articles'), before);

  // ---- histogram bar click narrows the dates: the search then finds the
  // articles of that period, and the period holds at least the stories the
  // bar counted (a story counts once, in its first version's period)
  const bar = page.locator('#bars button:not([disabled])').first();
  await bar.waitFor();
  const barCount = Number(await bar.getAttribute('data-count'));
  const barPeriod = await bar.getAttribute('data-period');
  const barUnit = await page.textContent('#hist-unit');
  const barFilter = await bar.getAttribute('data-filter');
  await bar.click();
  await page.waitForFunction((f) => document.getElementById('chips').textContent.includes(f), barFilter);
  await page.waitForFunction((n) => !document.getElementById('status').textContent.includes(' of ' + n.toLocaleString('en') + ' '), before);
  await waitStatus();
  const narrowed = await api('/api/search?' + new URLSearchParams({ q: '(president) ' + barFilter, limit: '0', histogram: barUnit,
                                                                    versions: 'collapse' }));
  const nb = narrowed.histogram.buckets;
  check('histogram bar narrows the dates', (await statusTotal()) === narrowed.total && nb.length === 1 && nb[0].value === barPeriod &&
        nb[0].count >= barCount && barCount > 0, [barPeriod, barCount, await statusTotal(), narrowed.total, nb]);
  check('the bar filter is a date clause', /^date:\d{4}/.test(barFilter), barFilter);

  // ---- a second query compared in the histogram: two series, a legend
  // naming both, the counts of each the API's (stories), kept in the address
  const seriesCounts = (i) => page.locator(`#bars button[data-series="${i}"]`).evaluateAll((bs) =>
    Object.fromEntries(bs.map((b) => [b.getAttribute('data-period'), Number(b.getAttribute('data-count'))])));
  const apiCounts = async (q, unit) => {
    const r = await api('/api/search?' + new URLSearchParams({ q: '(' + q + ')', limit: '0', histogram: unit, versions: 'collapse' }));
    return Object.fromEntries(r.histogram.buckets.map((b) => [b.value, b.count]));
  };
  const sameCounts = (shown, want) => Object.keys(want).length > 0 && Object.entries(want).every(([k, n]) => shown[k] === n) &&
    Object.entries(shown).every(([k, n]) => n === (want[k] || 0));
  await page.goto(base + '/#/search?q=president');
  await waitStatus();
  await page.waitForSelector('#bars button');
  check('one query: no legend', await page.locator('#hist-legend').isHidden());
  check('the chart counts stories', /stories per (month|year)/i.test(await page.textContent('#histogram figcaption')),
        await page.textContent('#histogram figcaption'));
  await page.fill('#vs', 'minister');
  await page.press('#vs', 'Enter');
  await page.waitForFunction(() => location.hash.includes('vs=minister'));
  await page.waitForSelector('#bars button[data-series="1"]');
  const legend = await page.locator('#hist-legend li').allTextContents();
  check('legend names both queries', !(await page.locator('#hist-legend').isHidden()) &&
        JSON.stringify(legend) === JSON.stringify(['president', 'minister']), legend);
  const unit = await page.textContent('#hist-unit');
  const shown0 = await seriesCounts(0), shown1 = await seriesCounts(1);
  check('two series drawn, one bar of each per period', Object.keys(shown0).length > 1 &&
        JSON.stringify(Object.keys(shown0)) === JSON.stringify(Object.keys(shown1)), [Object.keys(shown0).length, Object.keys(shown1).length]);
  check('first series: the API\'s counts', sameCounts(shown0, await apiCounts('president', unit)), [unit, shown0]);
  check('second series: the API\'s counts', sameCounts(shown1, await apiCounts('minister', unit)), [unit, shown1]);
  const colours = await page.evaluate(() => ['0', '1'].map((i) =>
    getComputedStyle(document.querySelector(`#bars button[data-series="${i}"]:not([disabled])`)).backgroundColor));
  check('the series in two colours', colours[0] !== colours[1], colours);
  await page.screenshot({ path: path.join(OUT, 'timeline-compare.png'), fullPage: true });
  await page.reload();
  await page.waitForSelector('#bars button[data-series="1"]');
  check('the comparison stays in the address', (await page.inputValue('#vs')) === 'minister' &&
        (await page.locator('#hist-legend li').count()) === 2);
  // markup typed as the compared query is text
  await page.fill('#vs', '<img src=x onerror=alert(3)> president');
  await page.press('#vs', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#hist-legend li').length === 2 &&
    document.querySelector('#hist-legend li:nth-child(2)').textContent.startsWith('<img'));
  check('compared query shown as text', (await page.locator('#histogram img, #histogram script').count()) === 0);
  // a malformed compared query: said, the first series still drawn (the
  // browser logs the API's 400 answer: expected here, not a problem)
  const problemsBefore = problems.length;
  await page.fill('#vs', '(president');
  await page.press('#vs', 'Enter');
  await page.waitForSelector('#vs-error:not([hidden])');
  check('a bad compared query is reported', /Cannot compare/.test(await page.textContent('#vs-error')) &&
        (await page.locator('#bars button[data-series="0"]').count()) > 0 && await page.locator('#hist-legend').isHidden());
  problems.splice(problemsBefore, problems.length, ...problems.slice(problemsBefore).filter((m) => !/status of 400/.test(m)));
  await page.click('#vs-clear');
  await page.waitForFunction(() => !location.hash.includes('vs='));
  await page.waitForSelector('#vs-clear', { state: 'hidden' });
  await page.waitForSelector('#vs-error', { state: 'hidden' });
  check('Remove drops the comparison', (await page.inputValue('#vs')) === '' &&
        (await page.locator('#bars button[data-series="1"]').count()) === 0);

  // ---- the chart of `newsdex timeline --svg`, as a browser shows it
  const svgFile = path.join(tmp, 'timeline.svg');
  const tq = ['president', 'minister', '"<script>alert(4)</script>" OR council'];
  execFileSync(ND, ['timeline', '--db', db, '--by', 'year', '--svg', svgFile, ...tq], { stdio: 'ignore' });
  await page.setViewportSize({ width: 960, height: 540 });
  await page.goto('file://' + svgFile);
  const svgLegend = await page.locator('g.legend text').allTextContents();
  check('timeline chart: legend names the queries', JSON.stringify(svgLegend) === JSON.stringify(tq), svgLegend);
  check('timeline chart: labelled axes', (await page.textContent('text.y-label')) === 'stories per year' &&
        (await page.textContent('text.x-label')) === 'year');
  check('timeline chart: three series of bars', (await page.locator('g.series').count()) === 3 &&
        (await page.locator('g.series rect').count()) > 10);
  await page.screenshot({ path: path.join(OUT, 'timeline.png') });
  await page.setViewportSize({ width: 1280, height: 900 });

  // ---- open an article from the results
  await page.goto(base + '/#/search?q=%22van%20der%20Aa%22');
  await page.waitForSelector('#hits h3 a');
  await page.click('#hits h3 a >> nth=0');
  await page.waitForSelector('#doc-view:not([hidden])');
  await page.waitForFunction(() => document.querySelectorAll('#related-list li a').length > 0);
  check('article page title', (await page.textContent('#doc-title')).replace(/\u00a0/g, ' ').startsWith('ANFA failed Tuesday'), await page.textContent('#doc-title'));
  check('key topics listed', (await page.locator('#topic-list li').allTextContents()).some((t) => t.includes('Pieter van der Aa')));
  check('related articles listed', (await page.locator('#related-list li a').count()) > 0);
  check('(search) links in the text', (await page.locator('#doc-body a.search-link').count()) === 3);
  await page.screenshot({ path: path.join(OUT, 'article.png'), fullPage: true });
  // follow a "(search)" link
  await page.click('#doc-body a.search-link[title="Search for Pieter van der Aa"]');
  await page.waitForSelector('#search-view:not([hidden])');
  await waitStatus();
  check('(search) link searches the phrase', new URLSearchParams(page.url().split('#/search?')[1]).get('q') === '"Pieter van der Aa"', page.url());
  check('(search) results include the seed', (await page.locator(`#hits a[href="#/doc/${SEED_ID}"]`).count()) === 1);
  await page.goBack();
  await page.waitForSelector('#doc-view:not([hidden])');
  check('back returns to the article', page.url().includes('#/doc/' + SEED_ID));

  // ---- the XSS fixture shows as text
  await page.goto(base + '/#/search?q=zanzibarian');
  await page.waitForSelector('#hits h3 a');
  await settled(() => [...document.querySelectorAll('#hits h3 a')].some((a) => a.textContent.includes('<img')));
  const titles = await page.locator('#hits h3 a').allTextContents();
  check('markup title shown as text', titles.includes('<img src=x onerror=alert(1)>'), titles);
  check('no element made from data', (await page.locator('#hits img, #hits script').count()) === 0);
  await page.click('#hits h3 a >> text="<img src=x onerror=alert(1)>"');
  await page.waitForFunction(() => document.getElementById('doc-title').textContent.startsWith('<img'));
  check('article body markup shown as text', (await page.textContent('#doc-body')).includes('<script>alert(2)</script>'));
  check('no script or img in the article', (await page.locator('#doc-view img, #doc-body script').count()) === 0);
  check('no alert ran', dialogs === 0, dialogs);

  // ---- wire copies collapsed: a story with other versions is one hit
  // saying how many, its article lists them; a story thread as a timeline
  const found = await api('/api/search?' + new URLSearchParams({ q: 'president OR minister OR harbour', limit: '100' }));
  const vi = found.hits.findIndex((h) => h.versions > 0);
  check('some hit has other versions', vi >= 0, found.hits.length);
  if (vi >= 0) {
    const vh = found.hits[vi];
    const all = await api('/api/search?' + new URLSearchParams({ q: 'president OR minister OR harbour', limit: '100', versions: 'all' }));
    check('collapsed: one hit per story', new Set(found.hits.map((h) => h.story)).size === found.hits.length &&
          all.hits.filter((h) => h.story === vh.story).length === vh.versions + 1, [vh.versions, vh.story]);
    await page.goto(base + '/' + '#/search?' + new URLSearchParams({ q: 'president OR minister OR harbour', page: String(Math.floor(vi / 10)) }));
    await page.waitForSelector('#hits li');
    const item = page.locator('#hits li').nth(vi % 10);
    const vtext = await item.locator('.versions').textContent();
    check('the hit says how many other versions', vtext === `${vh.versions} other version${vh.versions === 1 ? '' : 's'}`, vtext);
    check('status counts articles and stories', new RegExp(`of ${found.total.toLocaleString('en')} articles, ${found.stories.toLocaleString('en')} stories`).test(await page.textContent('#status')),
          [await page.textContent('#status'), found.total, found.stories]);
    await item.locator('.versions a').click();
    await page.waitForSelector('#version-list li');
    const listed = await page.locator('#version-list li').count();
    check('the article lists its other versions', listed === vh.versions, [listed, vh.versions]);
    await page.screenshot({ path: path.join(OUT, 'versions.png'), fullPage: false });
  }
  const th = (await api('/api/threads?limit=1')).threads[0];
  check('the invented stories make a thread', th && th.articles >= 5, th);
  if (th) {
    await page.goto(base + '/#/doc/' + encodeURIComponent(th.first_id));
    await page.waitForSelector('#doc-thread:not([hidden]) a');
    await settled((n) => document.getElementById('doc-thread').textContent.startsWith('Part of a story: ' + n + ' articles'),
                  th.articles);
    const part = await page.textContent('#doc-thread');
    check('"Part of a story" on the article', part.startsWith('Part of a story: ' + th.articles + ' articles'), part);
    await page.click('#doc-thread a');
    await page.waitForSelector('#thread-list li');
    check('the thread page: its headline', (await page.textContent('#thread-title')) === th.headline, th.headline);
    const shown = await page.locator('#thread-list .day-hits > li').count();
    const perDay = await page.locator('#thread-bars .day').evaluateAll((bs) => bs.map((b) => Number(b.getAttribute('data-count'))));
    const days = await page.locator('#thread-list h2.day').allTextContents();
    check('the thread page lists every article, by day', shown === th.articles && perDay.reduce((a, b) => a + b, 0) === th.articles &&
          days.every((d, i) => i === 0 || days[i - 1] <= d), [shown, perDay, days, th.articles]);
    await page.screenshot({ path: path.join(OUT, 'thread.png'), fullPage: true });
  }

  // ---- phone-sized window
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/#/search?q=harbour');
  await page.waitForSelector('#hits li');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('no sideways scrolling on a phone', overflow <= 0, overflow);
  await page.screenshot({ path: path.join(OUT, 'results-phone.png'), fullPage: false });

  check('no console errors or CSP violations', problems.length === 0, problems);
} catch (e) {
  check('browser run finished', false, String(e && e.stack || e) + ' (page problems: ' + problems.join('; ') + ')');
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
