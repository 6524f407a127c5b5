// newsdex's Elasticsearch-compatible API through the OpenSearch JavaScript
// client (@opensearch-project/opensearch, pinned in package.json).
// Usage: node tests/es/test_opensearch.mjs   (BUILD names the build folder)
//
// What it proves: a real ES client can create an index, load the test
// articles with its bulk helper, refresh, and then every query DSL form
// newsdex translates (match_all, match, match_phrase, multi_match, bool,
// term, terms, range with date math, prefix, ids, exists, query_string,
// simple_query_string) finds exactly what the same search written in
// newsdex's own query language finds through /api/search (versions=all):
// the same total and the same ids in the same order, by relevance and by
// date.  Paging (from/size, scroll through every hit, search_after),
// track_total_hits, _source filtering, highlight, collapse on story,
// aggregations (terms, date_histogram, filter, min, max), _count, get /
// update / delete / create of single documents, mget, msearch, bulk
// actions, index admin (exists, mapping, _cat/indices, cluster health), the
// write token in each accepted form, and ES's error shape for an
// unsupported query (400), a missing index (404) and a write without or
// with a wrong token (401/403).
import { Client } from '@opensearch-project/opensearch';
import {
  testData, readArticles, check, skip, step, finish, startServer, apiSearch, apiAllIds, pickWords, esFetch, describe,
} from './lib.mjs';

const INDEX = 'news';
const data = testData();
console.log('data: ' + data.label);
const articles = readArticles(data.file);
const N = articles.length;
const byId = new Map(articles.map((a) => [a.id, a]));
const W = pickWords(articles);
console.log('words: ' + JSON.stringify(W));

const srv = await startServer({ logName: 'es-opensearch.log' });
const base = srv.base;
console.log('server: ' + base + ' (log: ' + 'test-output/es-opensearch.log)');

// The clients: Basic with the token as password (any user), Bearer, ApiKey
// (the token, and base64 of "id:token"), none, and a wrong token.
const client = new Client({ node: base, auth: { username: 'tester', password: srv.token } });
const bearer = new Client({ node: base, headers: { authorization: 'Bearer ' + srv.token } });
const apiKey = new Client({ node: base, headers: { authorization: 'ApiKey ' + srv.token } });
const apiKey64 = new Client({ node: base, headers: { authorization: 'ApiKey ' + Buffer.from('tests:' + srv.token).toString('base64') } });
const anon = new Client({ node: base });
const wrong = new Client({ node: base, headers: { authorization: 'Bearer not-the-token-0123456789' } });

const search = async (body, index = INDEX) => (await client.search({ index, body })).body;
const ids = (r) => r.hits.hits.map((h) => h._id);
const firstDiff = (a, b) => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i === a.length && i === b.length ? null : { at: i, es: a.slice(i, i + 4), api: b.slice(i, i + 4), esLen: a.length, apiLen: b.length };
};
const q = (s) => '"' + s.replace(/"/g, ' ') + '"';
const errOf = async (p) => { try { await p; return null; } catch (e) { return e; } };

// ---- the cluster and the index
await step('GET / and cluster health', async () => {
  const info = (await client.info()).body;
  check('GET /: a name and a version', info && typeof info.name === 'string' && info.version && typeof info.version.number === 'string', info);
  console.log('     GET / says: ' + JSON.stringify(info));
  const h = (await client.cluster.health()).body;
  check('GET /_cluster/health: status green or yellow', h && ['green', 'yellow'].includes(h.status), h);
});

await step('create the index', async () => {
  const r = await client.indices.create({ index: INDEX });
  check('PUT /news: acknowledged', r.statusCode === 200 && r.body.acknowledged === true, r.body);
  check('HEAD /news: exists', (await client.indices.exists({ index: INDEX })).body === true);
  check('HEAD /no-such-index: does not', (await client.indices.exists({ index: 'no-such-index' })).body === false);
  const again = await errOf(client.indices.create({ index: INDEX }));
  check('PUT /news again: 400 resource_already_exists_exception',
    again && again.meta.statusCode === 400 && again.meta.body.error.type === 'resource_already_exists_exception', again && describe(again));
});

// ---- load the articles with the bulk helper (no id in _source: it is _id)
const idOf = new WeakMap();
await step('bulk helper', async () => {
  const docs = articles.map(({ id, ...src }) => { idOf.set(src, id); return src; });
  const dropped = [];
  const t0 = Date.now();
  const stats = await client.helpers.bulk({
    datasource: docs,
    onDocument: (doc) => ({ index: { _index: INDEX, _id: idOf.get(doc) } }),
    onDrop: (d) => dropped.push({ status: d.status, error: d.error, id: idOf.get(d.document) }),
    flushBytes: 1000000,
    refreshOnCompletion: INDEX,
  });
  console.log(`     bulk helper: ${JSON.stringify(stats)} in ${Date.now() - t0} ms`);
  check(`bulk helper: ${N} articles indexed, none dropped`, stats.successful === N && stats.failed === 0 && dropped.length === 0, { stats, dropped: dropped.slice(0, 3) });
  const r = await esFetch(base, 'POST', `/${INDEX}/_refresh`);
  check('POST /news/_refresh: 200', r.status === 200, r.text);
});

await step('index admin', async () => {
  const cat = (await client.cat.indices({ format: 'json' })).body;
  const row = Array.isArray(cat) && cat.find((x) => x.index === INDEX);
  check('GET /_cat/indices?format=json: news with its docs.count', row && Number(row['docs.count']) === N, cat);
  const m = (await client.indices.getMapping({ index: INDEX })).body;
  const props = m && m[INDEX] && m[INDEX].mappings && m[INDEX].mappings.properties;
  check('GET /news/_mapping: title/body text, date date, source keyword',
    props && props.title && props.title.type === 'text' && props.body && props.body.type === 'text' && props.date && props.date.type === 'date' && props.source && props.source.type === 'keyword', m);
  const c = (await client.count({ index: INDEX })).body;
  check(`GET /news/_count: ${N}`, c.count === N, c);
  const stats = await (await fetch(`${base}/api/stats?index=${INDEX}`)).json();
  check('/api/stats?index=news: the same articles', stats.articles === N, stats);
});

// ---- every DSL form against its newsdex query
async function same(name, query, nq, { sort, apiSort, size = 50, from = 0, versions = 'all', extra = {} } = {}) {
  await step(name, async () => {
    const body = { query, size, from, track_total_hits: true, ...extra };
    if (sort) body.sort = sort;
    const es = await search(body);
    const api = await apiSearch(base, INDEX, nq, { limit: size, offset: from, sort: apiSort, versions });
    const t = es.hits.total;
    check(`${name}: total ${t && t.value} as /api q=${nq} (${api.total}, not 0)`, t && t.value === api.total && t.relation === 'eq' && api.total > 0, { es: t, api: api.total });
    const d = firstDiff(ids(es), api.hits.map((h) => h.id));
    check(`${name}: the same ${api.hits.length} ids in the same order`, d === null, d);
  });
}
const { w1, w2, w3, phrase, prefix, source1, source2, year } = W;

await step('match_all', async () => {
  const r = await search({ query: { match_all: {} }, track_total_hits: true, size: 0 });
  check(`match_all: ${N} articles`, r.hits.total.value === N && r.hits.hits.length === 0, r.hits.total);
  const r2 = await search({ size: 0, track_total_hits: true });
  check('no query: match_all', r2.hits.total.value === N, r2.hits.total);
});
await same('match (or)', { match: { body: `${w1} ${w2}` } }, `body:(${w1} OR ${w2})`);
await same('match (and)', { match: { body: { query: `${w1} ${w2}`, operator: 'and' } } }, `body:(${w1} ${w2})`);
await same('match on title', { match: { title: W.titleWord } }, `title:${W.titleWord}`);
await same('match_phrase', { match_phrase: { body: phrase } }, `body:"${phrase}"`);
await same('multi_match (best_fields, or)', { multi_match: { query: `${w1} ${w3}`, fields: ['title', 'body'] } }, `${w1} OR ${w3}`);
await same('multi_match (best_fields, and: all words in one field)', { multi_match: { query: `${w1} ${w2}`, fields: ['title', 'body'], operator: 'and' } },
  `title:(${w1} ${w2}) OR body:(${w1} ${w2})`);
await same('multi_match (cross_fields, and)', { multi_match: { query: `${w1} ${w2}`, fields: ['title', 'body'], type: 'cross_fields', operator: 'and' } }, `${w1} ${w2}`);
await same('multi_match (phrase)', { multi_match: { query: phrase, fields: ['title', 'body'], type: 'phrase' } }, `"${phrase}"`);
await same('bool must/filter/must_not', {
  bool: { must: [{ match: { body: w1 } }], filter: [{ term: { source: source1 } }], must_not: [{ match: { body: w2 } }] },
}, `body:${w1} source:${q(source1)} -body:${w2}`);
await same('bool should', { bool: { should: [{ match: { body: w1 } }, { match: { body: w3 } }] } }, `body:${w1} OR body:${w3}`);
await same('bool filter only (range)', { bool: { filter: { range: { date: { gte: `${year}-01-01`, lte: `${year}-12-31` } } } } }, `date:${year}`);
await same('term on source', { term: { source: source1 } }, `source:${q(source1)}`);
await same('term on source.keyword with value', { term: { 'source.keyword': { value: source2 } } }, `source:${q(source2)}`);
await same('terms on source', { terms: { source: [source1, source2] } }, `source:(${q(source1)} OR ${q(source2)})`);
await same('range gte/lte', { range: { date: { gte: `${year}-03-01`, lte: `${year}-08-31` } } }, `date:${year}-03-01..${year}-08-31`);
{
  // the month of that year with the most articles: gt the day before it, lt the day after it
  const months = new Map();
  for (const a of articles) if (a.date && a.date.startsWith(year)) months.set(a.date.slice(0, 7), (months.get(a.date.slice(0, 7)) || 0) + 1);
  const m = [...months].sort((x, y) => y[1] - x[1])[0][0];
  const first = new Date(m + '-01T00:00:00Z'), next = new Date(first); next.setUTCMonth(next.getUTCMonth() + 1);
  const last = new Date(next - 86400000), before = new Date(first - 86400000);
  const day = (d) => d.toISOString().slice(0, 10);
  await same('range gt/lt (a partial date rounds up under gt)', { range: { date: { gt: day(before), lt: day(next) } } }, `date:${day(first)}..${day(last)}`);
}
await same('range with date math ||/M', { range: { date: { gte: `${year}-02-15||/M`, lt: `${year}-05-01||/M` } } }, `date:${year}-02..${year}-04`);
await same('range with date math ||+1M', { range: { date: { gte: `${year}-01-01`, lt: `${year}-01-01||+6M` } } }, `date:${year}-01..${year}-06`);
{
  const now = new Date().getUTCFullYear();
  const back = now - Number(year) + 1;
  await same('range with now-Ny/y', { range: { date: { gte: `now-${back}y/y` } } }, `date:>=${now - back}`);
}
await step('range with a format newsdex may not read', async () => {
  // dd/MM/yyyy: either read right or refused with a 400, never misread.
  const body = { query: { range: { date: { gte: `01/03/${year}`, lte: `31/03/${year}`, format: 'dd/MM/yyyy' } } }, size: 50, track_total_hits: true };
  const e = await errOf(search(body));
  if (e) check('range format dd/MM/yyyy: refused with a 400', e.meta && e.meta.statusCode === 400, describe(e));
  else {
    const es = await search(body), api = await apiSearch(base, INDEX, `date:${year}-03`);
    check('range format dd/MM/yyyy: read as the dates it names', es.hits.total.value === api.total, { es: es.hits.total, api: api.total });
  }
});
await same('range with epoch_second', { range: { date: { gte: Date.parse(`${year}-01-01T00:00:00Z`) / 1000, lt: Date.parse(`${Number(year) + 1}-01-01T00:00:00Z`) / 1000, format: 'epoch_second' } } }, `date:${year}`);
await same('range with epoch_millis', { range: { date: { gte: Date.parse(`${year}-01-01T00:00:00Z`), lte: Date.parse(`${year}-12-31T23:59:59.999Z`), format: 'epoch_millis' } } }, `date:${year}`);
await same('prefix', { prefix: { title: prefix } }, `title:${prefix}*`);
await step('ids', async () => {
  const want = [articles[0].id, articles[7].id, articles[N - 1].id];
  const r = await search({ query: { ids: { values: [...want, 'no-such-id'] } }, size: 10 });
  check('ids: exactly the three ids asked for', r.hits.total.value === 3 && JSON.stringify(ids(r).sort()) === JSON.stringify([...want].sort()), ids(r));
});
await step('exists', async () => {
  const dated = articles.filter((a) => a.date).length, titled = articles.filter((a) => a.title).length;
  const r = await search({ query: { exists: { field: 'date' } }, size: 0, track_total_hits: true });
  check(`exists date: the ${dated} dated articles`, r.hits.total.value === dated, r.hits.total);
  const r2 = await search({ query: { bool: { must_not: { exists: { field: 'date' } } } }, size: 0, track_total_hits: true });
  check(`must_not exists date: the ${N - dated} undated`, r2.hits.total.value === N - dated, r2.hits.total);
  const r3 = await search({ query: { exists: { field: 'title' } }, size: 0, track_total_hits: true });
  check(`exists title: the ${titled} titled articles`, r3.hits.total.value === titled, r3.hits.total);
});
await same('query_string AND on a default field', { query_string: { query: `${w1} AND ${w2}`, default_field: 'body' } }, `body:(${w1} ${w2})`);
await same('query_string with a field and a phrase', { query_string: { query: `title:${W.titleWord} OR "${phrase}"` } }, `title:${W.titleWord} OR "${phrase}"`);
await same('query_string with a range and NOT', { query_string: { query: `source:${q(source1)} AND date:[${year}-01-01 TO ${year}-12-31] AND NOT ${w1}` } },
  `source:${q(source1)} date:${year}-01-01..${year}-12-31 -${w1}`);
await same('query_string default_operator AND', { query_string: { query: `${w1} ${w2}`, default_operator: 'AND' } }, `${w1} ${w2}`);
await same('simple_query_string | and a phrase', { simple_query_string: { query: `"${phrase}" | ${w1}`, fields: ['body'] } }, `body:"${phrase}" OR body:${w1}`);
await same('simple_query_string default_operator and, -', { simple_query_string: { query: `${w1} -${w2}`, default_operator: 'and' } }, `${w1} -${w2}`);
await same('simple_query_string prefix*', { simple_query_string: { query: `${prefix}*`, fields: ['title'] } }, `title:${prefix}*`);

// ---- sorting and paging
await same('sort by date desc', { match: { body: `${w1} ${w2}` } }, `body:(${w1} OR ${w2})`, { sort: [{ date: 'desc' }], apiSort: 'date' });
await same('sort by date, order object', { match: { body: `${w1} ${w2}` } }, `body:(${w1} OR ${w2})`, { sort: [{ date: { order: 'desc' } }], apiSort: 'date' });
await same('sort _score', { match: { body: `${w1} ${w2}` } }, `body:(${w1} OR ${w2})`, { sort: ['_score'] });
await same('from/size', { match: { body: `${w1} ${w2}` } }, `body:(${w1} OR ${w2})`, { from: 20, size: 10 });
await same('from/size by date', { match: { body: `${w1} ${w2}` } }, `body:(${w1} OR ${w2})`, { from: 30, size: 15, sort: [{ date: 'desc' }], apiSort: 'date' });
await step('sort by date asc', async () => {
  const all = await apiAllIds(base, INDEX, `body:${w1}`);
  const r = await search({ query: { match: { body: w1 } }, sort: [{ date: 'asc' }], size: 100, track_total_hits: true });
  const dates = r.hits.hits.map((h) => byId.get(h._id) && byId.get(h._id).date);
  const dated = dates.filter(Boolean);
  const nondecreasing = dated.every((d, i) => i === 0 || dated[i - 1] <= d);
  const undatedLast = dates.indexOf(null) === -1 || dates.slice(dates.indexOf(null)).every((d) => d === null);
  check('sort date asc: oldest first, undated last, the same articles', nondecreasing && undatedLast && r.hits.total.value === all.total
    && (all.total > 100 || JSON.stringify(ids(r).sort()) === JSON.stringify(all.ids.sort())), { dates: dates.slice(0, 12), total: r.hits.total });
});

await step('track_total_hits', async () => {
  const nq = `body:(${w1} OR ${w2})`;
  const api = await apiSearch(base, INDEX, nq, { limit: 0 });
  const r = await search({ query: { match: { body: `${w1} ${w2}` } }, track_total_hits: 10, size: 5 });
  check('track_total_hits: 10 -> {value: 10, relation: gte}', r.hits.total && r.hits.total.value === 10 && r.hits.total.relation === 'gte', r.hits.total);
  const r2 = await search({ query: { match: { body: `${w1} ${w2}` } }, track_total_hits: false, size: 5 });
  check('track_total_hits: false -> no total', r2.hits.total === undefined && r2.hits.hits.length === 5, r2.hits.total);
  const r3 = await search({ query: { match: { body: `${w1} ${w2}` } }, size: 5 });
  check('default: the exact total under 10000', r3.hits.total && r3.hits.total.value === api.total && r3.hits.total.relation === 'eq', r3.hits.total);
});

await step('_source filtering', async () => {
  const qy = { match: { body: w1 } };
  const a = await search({ query: qy, _source: ['title', 'date'], size: 5 });
  check('_source: [title, date] -> only those', a.hits.hits.length === 5 && a.hits.hits.every((h) => h._source && Object.keys(h._source).every((k) => k === 'title' || k === 'date') && 'date' in h._source),
    a.hits.hits.map((h) => h._source));
  const b = await search({ query: qy, _source: false, size: 5 });
  check('_source: false -> none', b.hits.hits.every((h) => h._source === undefined), b.hits.hits[0]);
  const c = await search({ query: qy, _source: { excludes: ['body'] }, size: 5 });
  // ES's _source is the document as given: a field given as null is kept,
  // one not given is absent; the filtered keys are those of the article.
  const keysOf = (id, keep) => Object.keys(byId.get(id)).filter((k) => k !== 'id' && keep(k)).sort().join();
  check('_source excludes body: the rest kept', c.hits.hits.every((h) => h._source && Object.keys(h._source).sort().join() === keysOf(h._id, (k) => k !== 'body')),
    c.hits.hits.map((h) => [h._id, Object.keys(h._source || {}), keysOf(h._id, (k) => k !== 'body')]));
  const d = await search({ query: qy, _source: { includes: ['sour*'] }, size: 5 });
  check('_source includes a wildcard', d.hits.hits.every((h) => h._source && Object.keys(h._source).join() === keysOf(h._id, (k) => k.startsWith('sour'))),
    d.hits.hits.map((h) => [h._id, h._source]));
  const e = await search({ query: qy, size: 3 });
  const h0 = e.hits.hits[0], a0 = byId.get(h0._id);
  check('a hit\'s _source is the article (title, date, source, url, body)', ['title', 'date', 'source', 'url', 'body'].every((k) => a0[k] == null ? h0._source[k] == null : h0._source[k] === a0[k]),
    { id: h0._id, got: Object.fromEntries(Object.entries(h0._source).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 60) : v])) });
});

await step('highlight', async () => {
  const r = await search({ query: { match: { body: w1 } }, highlight: { fields: { body: {} } }, size: 10 });
  const hs = r.hits.hits.map((h) => h.highlight && h.highlight.body);
  check('highlight body: fragments with <em>' + w1.slice(0, 4), hs.length === 10 && hs.every((f) => Array.isArray(f) && f.length > 0 && f.some((x) => new RegExp('<em>' + w1.slice(0, 4), 'i').test(x))), hs.slice(0, 2));
  // ES's default encoder leaves the text as it is (only "encoder": "html"
  // escapes it): a fragment without its tags and the ellipses at its ends is
  // a piece of the body.
  const norm = (x) => x.replace(/\s+/g, ' ').trim();
  const r3 = await search({ query: { match: { body: W.titleWord } }, highlight: { fields: { body: {} } }, size: 30 });
  const notText = r3.hits.hits.filter((h) => h.highlight && h.highlight.body && h.highlight.body.some((f) => {
    const core = norm(f.replace(/<\/?em>/g, '').replace(/^\s*…\s*/, '').replace(/\s*…\s*$/, ''));
    return !norm(byId.get(h._id) ? byId.get(h._id).body : h._source.body).includes(core);
  }));
  check('highlight, default encoder: fragments are the body\'s text, not HTML-escaped', notText.length === 0,
    notText.slice(0, 2).map((h) => h.highlight.body[0].slice(0, 300)));
  const r2 = await search({ query: { match: { title: W.titleWord } }, highlight: { pre_tags: ['<b>'], post_tags: ['</b>'], fields: { title: { number_of_fragments: 0 } } }, size: 5 });
  const t = r2.hits.hits.map((h) => [h._source.title, h.highlight && h.highlight.title && h.highlight.title[0]]);
  check('highlight title, number_of_fragments 0, custom tags: the whole title marked', t.length > 0 && t.every(([src, hl]) => hl && hl.includes('<b>') && hl.replace(/<\/?b>/g, '') === src), t.slice(0, 2));
});

await step('collapse on story', async () => {
  const nq = `body:${w1}`;
  const api = await apiSearch(base, INDEX, nq, { limit: 50, versions: 'collapse' });
  const r = await search({ query: { match: { body: w1 } }, collapse: { field: 'story' }, size: 50 });
  const d = firstDiff(ids(r), api.hits.map((h) => h.id));
  check('collapse story: the hits of /api versions=collapse, in order', d === null, d);
  const stories = r.hits.hits.map((h) => (h.fields && h.fields.story && h.fields.story[0]) || null);
  check('collapse story: each hit carries fields.story, all distinct', stories.every(Boolean) && new Set(stories).size === stories.length, stories.slice(0, 5));
});

// ---- aggregations
function sameBuckets(name, esBuckets, apiValues) {
  const es = esBuckets.map((b) => [String(b.key), b.doc_count]);
  const api = apiValues.map((v) => [String(v.value), v.count]);
  const apiMap = new Map(api);
  const counts = (l) => l.map((x) => x[1]);
  check(name, es.length > 0 && es.every(([k, c]) => !apiMap.has(k) || apiMap.get(k) === c)
    && JSON.stringify(counts(es)) === JSON.stringify(counts(api).slice(0, es.length)), { es: es.slice(0, 6), api: api.slice(0, 6) });
}
await step('aggregations', async () => {
  const nq = `body:(${w1} OR ${w2})`;
  const api = await apiSearch(base, INDEX, nq, { limit: 0, facets: 'source,people', histogram: 'year' });
  const r = await search({
    query: { match: { body: `${w1} ${w2}` } }, size: 0, track_total_hits: true,
    aggs: {
      src: { terms: { field: 'source', size: 5 } },
      who: { terms: { field: 'people', size: 5 } },
      per_year: { date_histogram: { field: 'date', calendar_interval: 'year' } },
      one_source: { filter: { term: { source: source1 } } },
      first: { min: { field: 'date' } },
      last: { max: { field: 'date' } },
    },
  });
  const a = r.aggregations || {};
  check('size 0 with aggs: no hits, the total', r.hits.hits.length === 0 && r.hits.total.value === api.total, r.hits.total);
  sameBuckets('terms source: the /api source facet', (a.src && a.src.buckets) || [], api.facets.source);
  if (api.facets.people && api.facets.people.length) sameBuckets('terms people: the /api people facet', (a.who && a.who.buckets) || [], api.facets.people);
  else skip('terms people', 'no people among the matches');
  const hb = (a.per_year && a.per_year.buckets) || [];
  const nonEmpty = hb.filter((b) => b.doc_count > 0).map((b) => [new Date(b.key).toISOString().slice(0, 4), b.doc_count]);
  const apiYears = api.histogram.buckets.map((b) => [b.value, b.count]);
  check('date_histogram year: the /api year histogram', JSON.stringify(nonEmpty) === JSON.stringify(apiYears), { es: nonEmpty.slice(0, 8), api: apiYears.slice(0, 8) });
  const years = hb.map((b) => new Date(b.key).getUTCFullYear());
  check('date_histogram: keys are epoch ms with key_as_string, no gaps between the first and last year (min_doc_count 0)',
    hb.length > 0 && hb.every((b) => typeof b.key === 'number' && typeof b.key_as_string === 'string') && years.every((y, i) => i === 0 || y === years[i - 1] + 1), hb.slice(0, 3));
  const f = await apiSearch(base, INDEX, `(${nq}) source:${q(source1)}`, { limit: 0 });
  check('filter agg: the doc_count of the filtered search', a.one_source && a.one_source.doc_count === f.total, { es: a.one_source, api: f.total });
  const dates = (await apiAllIds(base, INDEX, nq)).ids.map((id) => byId.get(id).date).filter(Boolean).sort();
  const ms = (d) => Date.parse(d.includes('T') ? d : d + 'T00:00:00Z'); // a date alone is its day's start (UTC)
  check('min / max on date: the earliest and latest dates', a.first && a.last && a.first.value === ms(dates[0]) && a.last.value === ms(dates[dates.length - 1])
    && String(a.first.value_as_string).startsWith(dates[0]), { first: a.first, last: a.last, want: [dates[0], dates[dates.length - 1]] });
  const r2 = await search({ query: { range: { date: { gte: `${year}-01-01`, lte: `${year}-12-31` } } }, size: 0, aggs: { m: { date_histogram: { field: 'date', calendar_interval: 'month', min_doc_count: 1 } } } });
  const api2 = await apiSearch(base, INDEX, `date:${year}`, { limit: 0, histogram: 'month' });
  const months = ((r2.aggregations && r2.aggregations.m && r2.aggregations.m.buckets) || []).map((b) => [new Date(b.key).toISOString().slice(0, 7), b.doc_count]);
  check('date_histogram month, min_doc_count 1: the /api month histogram', JSON.stringify(months) === JSON.stringify(api2.histogram.buckets.map((b) => [b.value, b.count])), { es: months.slice(0, 6), api: api2.histogram.buckets.slice(0, 6) });
});

// ---- scroll through every hit
await step('scroll', async () => {
  const seen = new Set();
  let dups = 0, pages = 0, lastId = null;
  let r = (await client.search({ index: INDEX, scroll: '1m', body: { query: { match_all: {} }, size: 100 } })).body;
  const total = r.hits.total.value;
  while (r.hits.hits.length && pages < 200) {
    pages++;
    for (const h of r.hits.hits) { if (seen.has(h._id)) dups++; seen.add(h._id); }
    lastId = r._scroll_id;
    r = (await client.scroll({ body: { scroll_id: r._scroll_id, scroll: '1m' } })).body;
  }
  check(`scroll match_all: ${seen.size} hits in ${pages} pages, no duplicate, = total ${total} = ${N}`, dups === 0 && seen.size === total && total === N, { dups, seen: seen.size, total });
  check('scroll match_all: every article once', articles.every((a) => seen.has(a.id)));
  const c = (await client.clearScroll({ body: { scroll_id: [r._scroll_id || lastId] } })).body;
  check('DELETE /_search/scroll: succeeded', c.succeeded === true, c);
  const gone = await errOf(client.scroll({ body: { scroll_id: r._scroll_id || lastId, scroll: '1m' } }));
  check('a cleared scroll: 404', gone && gone.meta.statusCode === 404, gone && describe(gone));

  // a query, small pages, the id in the path (GET /_search/scroll/ID)
  const nq = `body:(${w1} OR ${w2})`;
  const all = await apiAllIds(base, INDEX, nq);
  const got = [];
  r = (await client.search({ index: INDEX, scroll: '30s', body: { query: { match: { body: `${w1} ${w2}` } }, size: 7 } })).body;
  for (let i = 0; r.hits.hits.length && i < 500; i++) {
    got.push(...ids(r));
    r = (await client.scroll({ scroll_id: r._scroll_id, scroll: '30s' })).body;
  }
  check(`scroll a query by 7: the ${all.total} articles of /api, in its order, no duplicate`, JSON.stringify(got) === JSON.stringify(all.ids), firstDiff(got, all.ids));
  await client.clearScroll({ scroll_id: r._scroll_id }).catch(() => {});
});

// ---- search_after, with _id as the tie-break (as ES asks: the sort
// values must tell every hit apart)
for (const [label, sort, apiSort] of [['date desc, _id', [{ date: 'desc' }, { _id: 'asc' }], 'date'], ['_score, _id', ['_score', { _id: 'asc' }], undefined]]) {
  await step('search_after ' + label, async () => {
    const query = { match: { body: `${w1} ${w3}` } };
    const all = await apiAllIds(base, INDEX, `body:(${w1} OR ${w3})`, { sort: apiSort });
    const whole = await search({ query, size: Math.min(all.total, 10000), sort });
    const got = [];
    let after;
    for (let i = 0; i < 500; i++) {
      const body = { query, size: 10, sort };
      if (after) body.search_after = after;
      const r = await search(body);
      if (!r.hits.hits.length) break;
      got.push(...ids(r));
      after = r.hits.hits[r.hits.hits.length - 1].sort;
      if (!Array.isArray(after) || after.length !== 2) { check(`search_after ${label}: hits carry two sort values`, false, r.hits.hits[0]); break; }
    }
    check(`search_after ${label}: ${got.length} hits by 10, no duplicate, every one of the ${all.total} of /api`,
      new Set(got).size === got.length && got.length === all.total && all.ids.every((id) => got.includes(id)), { got: got.length, distinct: new Set(got).size, api: all.total });
    check(`search_after ${label}: the order of one search of every hit`, JSON.stringify(got) === JSON.stringify(ids(whole)), firstDiff(got, ids(whole)));
    if (apiSort === 'date') {
      const key = (id) => byId.get(id).date || '';
      const want = [...all.ids].sort((x, y) => (key(x) === key(y) ? (x < y ? -1 : x > y ? 1 : 0) : key(x) === '' ? 1 : key(y) === '' ? -1 : key(x) < key(y) ? 1 : -1));
      check('search_after date desc, _id: newest first, undated last, ties by id', JSON.stringify(got) === JSON.stringify(want), firstDiff(got, want));
    }
  });
}

// ---- count
await step('_count', async () => {
  const api = await apiSearch(base, INDEX, `body:${w1}`, { limit: 0 });
  const c = (await client.count({ index: INDEX, body: { query: { match: { body: w1 } } } })).body;
  check('POST /news/_count with a query: the /api total', c.count === api.total, c);
  const c2 = (await client.count({ body: { query: { match: { body: w1 } } } })).body;
  check('POST /_count (every index)', c2.count === api.total, c2);
});

// ---- single documents
const sample = articles.find((a) => /[/:]/.test(a.id)) || articles[0];
await step('get', async () => {
  const g = (await client.get({ index: INDEX, id: sample.id })).body;
  check(`GET /news/_doc/${encodeURIComponent(sample.id)}: found, _id, _index`, g.found === true && g._id === sample.id && g._index === INDEX, { found: g.found, _id: g._id });
  check('GET _doc: _source holds every field of the article', Object.entries(sample).filter(([k, v]) => k !== 'id' && v != null).every(([k, v]) => g._source && g._source[k] === v),
    Object.keys(g._source || {}));
  check('HEAD _doc: true', (await client.exists({ index: INDEX, id: sample.id })).body === true);
  check('HEAD _doc of a missing id: false', (await client.exists({ index: INDEX, id: 'no-such-id' })).body === false);
  const miss = await errOf(client.get({ index: INDEX, id: 'no-such-id' }));
  check('GET a missing _doc: 404, found false', miss && miss.meta.statusCode === 404 && miss.meta.body.found === false, miss && describe(miss));
});

await step('index, create, update, delete a document', async () => {
  const doc = { title: 'Zanzibar ferry timetable revised', body: 'The zanzibarferry service publishes a revised timetable for the harbour.', date: '2020-05-01', source: 'ES Test Wire', url: 'https://example.org/es-1', desk: 'transport' };
  const put = (await bearer.index({ index: INDEX, id: 'es-test-1', body: doc, refresh: true })).body;
  check('PUT /news/_doc/es-test-1 (Bearer): created', put.result === 'created' && put._id === 'es-test-1', put);
  const g = (await client.get({ index: INDEX, id: 'es-test-1' })).body;
  check('its _source as sent, the extra field kept', JSON.stringify(g._source) === JSON.stringify(doc) || Object.entries(doc).every(([k, v]) => g._source[k] === v), g._source);
  let r = await search({ query: { term: { source: 'ES Test Wire' } } });
  check('found by term source after refresh', ids(r).join() === 'es-test-1', ids(r));
  r = await search({ query: { match: { body: 'zanzibarferry' } } });
  check('found by a word of its body', ids(r).join() === 'es-test-1', ids(r));

  const again = (await apiKey.index({ index: INDEX, id: 'es-test-1', body: { ...doc, title: 'Zanzibar ferry timetable revised again' }, refresh: true })).body;
  check('PUT it again (ApiKey): updated', again.result === 'updated', again);
  const conflict = await errOf(client.create({ index: INDEX, id: 'es-test-1', body: doc }));
  check('_create of an existing id: 409 version_conflict_engine_exception', conflict && conflict.meta.statusCode === 409 && conflict.meta.body.error.type === 'version_conflict_engine_exception', conflict && describe(conflict));
  const cr = (await apiKey64.create({ index: INDEX, id: 'es-test-2', body: { title: 'Second', content: 'A content field stands for the body: quokkaword.', '@timestamp': '2021-02-03T04:05:06Z' }, refresh: true })).body;
  check('_create a new id (ApiKey base64 id:token): created', cr.result === 'created', cr);
  r = await search({ query: { bool: { must: { match: { body: 'quokkaword' } }, filter: { range: { date: { gte: '2021-02-03', lte: '2021-02-03' } } } } } });
  check('content is the body and @timestamp the date', ids(r).join() === 'es-test-2', ids(r));
  const auto = (await client.index({ index: INDEX, body: { title: 'No id given', body: 'An article posted without an id: wombatword.' }, refresh: true })).body;
  check('POST /news/_doc: created with an id made by the server', auto.result === 'created' && typeof auto._id === 'string' && auto._id.length > 0, auto);
  if (auto._id) {
    const ga = (await client.get({ index: INDEX, id: auto._id })).body;
    check('GET it by that id', ga.found && /wombatword/.test(ga._source.body), ga);
  }

  const up = (await client.update({ index: INDEX, id: 'es-test-1', body: { doc: { title: 'Timetable narwhalword' } }, refresh: true })).body;
  check('POST /news/_update/es-test-1: updated', up.result === 'updated', up);
  const gu = (await client.get({ index: INDEX, id: 'es-test-1' })).body;
  check('the update merged: new title, body and extra field kept', gu._source.title === 'Timetable narwhalword' && gu._source.body === doc.body && gu._source.desk === 'transport', gu._source);
  r = await search({ query: { match: { title: 'narwhalword' } } });
  check('searchable by its new title', ids(r).join() === 'es-test-1', ids(r));
  const upMissing = await errOf(client.update({ index: INDEX, id: 'no-such-id', body: { doc: { title: 'x' } } }));
  check('_update of a missing id: 404 document_missing_exception', upMissing && upMissing.meta.statusCode === 404 && upMissing.meta.body.error.type === 'document_missing_exception', upMissing && describe(upMissing));

  const del = (await client.delete({ index: INDEX, id: 'es-test-1', refresh: true })).body;
  check('DELETE /news/_doc/es-test-1: deleted', del.result === 'deleted', del);
  const gd = await errOf(client.get({ index: INDEX, id: 'es-test-1' }));
  check('then GET: 404', gd && gd.meta.statusCode === 404, gd && describe(gd));
  const dd = await errOf(client.delete({ index: INDEX, id: 'es-test-1' }));
  check('DELETE again: 404 not_found', dd && dd.meta.statusCode === 404 && dd.meta.body.result === 'not_found', dd && describe(dd));
  for (const id of ['es-test-2', auto._id].filter(Boolean)) await client.delete({ index: INDEX, id, refresh: true });
  const c = (await client.count({ index: INDEX })).body;
  check(`back to ${N} documents`, c.count === N, c);
});

await step('bulk actions', async () => {
  const r = (await client.bulk({
    refresh: true,
    body: [
      { create: { _index: INDEX, _id: 'bulk-1' } }, { title: 'Bulk one', body: 'created by bulk: okapiword' },
      { index: { _index: INDEX, _id: 'bulk-2' } }, { title: 'Bulk two', body: 'indexed by bulk: okapiword' },
      { update: { _index: INDEX, _id: 'bulk-1' } }, { doc: { title: 'Bulk one updated' } },
      { delete: { _index: INDEX, _id: 'bulk-2' } },
      { create: { _index: INDEX, _id: sample.id } }, { title: 'a clash', body: 'an id that exists' },
      { delete: { _index: INDEX, _id: 'no-such-id' } },
    ],
  })).body;
  const st = (r.items || []).map((it) => { const [k, v] = Object.entries(it)[0]; return `${k}:${v.status}`; });
  check('POST /_bulk: create 201, index 201, update 200, delete 200, create of an existing id 409, delete of a missing id 404; errors true',
    r.errors === true && st.join() === 'create:201,index:201,update:200,delete:200,create:409,delete:404', st);
  const g = (await client.get({ index: INDEX, id: 'bulk-1' })).body;
  check('bulk update merged', g._source.title === 'Bulk one updated' && /okapiword/.test(g._source.body), g._source);
  const r2 = (await client.bulk({ index: INDEX, refresh: true, body: [{ delete: { _id: 'bulk-1' } }] })).body;
  check('PUT /news/_bulk (the index in the path): delete 200', r2.items && r2.items[0].delete.status === 200, r2);
  // A malformed line anywhere refuses the whole request: nothing of it is
  // written, not even by the next request's commit.
  const auth = { authorization: 'Bearer ' + srv.token, 'content-type': 'application/x-ndjson' };
  const nd = (lines) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  const bad = await esFetch(base, 'POST', '/_bulk', nd([{ index: { _index: INDEX, _id: 'bulk-half' } }, { title: 'half', body: 'never written' },
    '{"index": {"_index": "news"', { title: 'x' }]), auth);
  check('_bulk with a malformed third line: 400 naming line 3', bad.status === 400 && /\[3\]/.test(bad.json.error.reason), bad.text);
  const later = await esFetch(base, 'POST', '/_bulk', nd([{ index: { _index: INDEX, _id: 'bulk-after' } }, { title: 'after', body: 'written' }]), auth);
  const half = await esFetch(base, 'GET', `/${INDEX}/_doc/bulk-half`);
  check('... and its first document is not there after the next commit', later.status === 200 && half.status === 404, { later: later.status, half: half.text });
  await esFetch(base, 'DELETE', `/${INDEX}/_doc/bulk-after`, undefined, auth);
});

await step('mget', async () => {
  const want = [articles[3].id, 'no-such-id', sample.id];
  const r = (await client.mget({ index: INDEX, body: { ids: want } })).body;
  check('POST /news/_mget ids: found, missing, found, in order',
    r.docs && r.docs.map((d) => `${d._id}:${d.found}`).join() === `${want[0]}:true,no-such-id:false,${want[2]}:true`, r.docs && r.docs.map((d) => [d._id, d.found]));
  check('mget: the found ones carry _source', r.docs && r.docs[0]._source && r.docs[0]._source.body === articles[3].body);
  const r2 = (await client.mget({ body: { docs: [{ _index: INDEX, _id: articles[5].id, _source: ['title'] }] } })).body;
  check('POST /_mget docs with _source filtering', r2.docs && r2.docs[0].found && Object.keys(r2.docs[0]._source).join() === 'title', r2.docs);
});

await step('msearch', async () => {
  const a = await apiSearch(base, INDEX, `body:${w1}`, { limit: 10 });
  const b = await apiSearch(base, INDEX, `source:${q(source1)}`, { limit: 0 });
  const r = (await client.msearch({
    body: [
      { index: INDEX }, { query: { match: { body: w1 } }, size: 10 },
      { index: INDEX }, { query: { term: { source: source1 } }, size: 0 },
      { index: 'no-such-index' }, { query: { match_all: {} } },
    ],
  })).body;
  const rs = r.responses || [];
  check('POST /_msearch: three responses', rs.length === 3, r);
  check('msearch 1: the hits of /api', rs[0] && rs[0].hits && rs[0].hits.total.value === a.total && JSON.stringify(ids(rs[0])) === JSON.stringify(a.hits.map((h) => h.id)), rs[0]);
  check('msearch 2: the total of /api', rs[1] && rs[1].hits && rs[1].hits.total.value === b.total, rs[1]);
  check('msearch 3: index_not_found_exception with status 404 in its item', rs[2] && rs[2].status === 404 && rs[2].error && rs[2].error.type === 'index_not_found_exception', rs[2]);
  const r2 = (await client.msearch({ index: INDEX, body: [{}, { query: { match: { body: w1 } }, size: 0 }] })).body;
  check('POST /news/_msearch with an empty header', r2.responses && r2.responses[0].hits && r2.responses[0].hits.total.value === a.total, r2);
});

// ---- errors
await step('warnings', async () => {
  // What newsdex matches exactly but scores otherwise is said in the
  // Warning header: each note once, notes joined by "; ".
  const body = { query: { bool: {
    must: [{ multi_match: { query: w1, fields: ['title^3', 'body'] } }, { multi_match: { query: w1, fields: ['title^3', 'body'] } }],
    filter: [{ match_all: {} }] } }, size: 1 };
  const r = await esFetch(base, 'POST', `/${INDEX}/_search`, body);
  const w = r.headers.get('warning') || '';
  const notes = w.replace(/^299 newsdex "|"$/g, '').split('; ');
  check('Warning header: the boost note once and the filter note, joined by "; "', r.status === 200 && /^299 newsdex "/.test(w)
    && notes.filter((n) => /boosts are not applied/.test(n)).length === 1 && notes.filter((n) => /filter clauses are scored/.test(n)).length === 1
    && !notes.some((n) => /boosts are not applied/.test(n) && /filter clauses are scored/.test(n)), w);
  const plain = await esFetch(base, 'POST', `/${INDEX}/_search`, { query: { match: { body: w1 } }, size: 1 });
  check('no Warning header when nothing differs', plain.status === 200 && !plain.headers.get('warning'), plain.headers.get('warning'));
});

await step('errors', async () => {
  const bad = await errOf(search({ query: { script: { script: { source: "doc['x'].value > 1" } } } }));
  const e = bad && bad.meta.body && bad.meta.body.error;
  check('an unsupported query type: 400 with root_cause type and reason', bad && bad.meta.statusCode === 400 && e && Array.isArray(e.root_cause) && e.root_cause[0].type && e.root_cause[0].reason && e.type && e.reason && bad.meta.body.status === 400,
    bad ? describe(bad) : 'accepted');
  if (e) console.log(`     unsupported query: ${e.type}: ${e.reason}`);
  const bad2 = await errOf(search({ query: { match: {} } }));
  check('a malformed match: 400', bad2 && bad2.meta.statusCode === 400 && bad2.meta.body.error.root_cause, bad2 ? describe(bad2) : 'accepted');
  const bad3 = await errOf(search({ query: { match_all: {} }, aggs: { x: { percentiles: { field: 'date' } } } }));
  check('an unsupported aggregation: 400', bad3 && bad3.meta.statusCode === 400, bad3 ? describe(bad3) : 'accepted');
  const nf = await errOf(client.search({ index: 'no-such-index', body: { query: { match_all: {} } } }));
  check('a missing index: 404 index_not_found_exception', nf && nf.meta.statusCode === 404 && nf.meta.body.error.type === 'index_not_found_exception' && nf.meta.body.error.root_cause[0].type === 'index_not_found_exception', nf ? describe(nf) : 'found');
  const nf2 = await errOf(client.get({ index: 'no-such-index', id: 'x' }));
  check('GET a _doc of a missing index: 404 index_not_found_exception', nf2 && nf2.meta.statusCode === 404 && nf2.meta.body.error && nf2.meta.body.error.type === 'index_not_found_exception', nf2 ? describe(nf2) : 'found');
  const raw = await esFetch(base, 'POST', `/${INDEX}/_search`, '{"query": {"match_all": ');
  check('a body that is not JSON: 400 in ES\'s shape', raw.status === 400 && raw.json && raw.json.error && raw.json.error.type && raw.json.status === 400, raw.text.slice(0, 300));

  for (const [label, c] of [['no token', anon], ['a wrong token', wrong]]) {
    const w = await errOf(c.index({ index: INDEX, id: 'forbidden', body: { title: 't', body: 'b' } }));
    check(`a write with ${label}: 401 or 403 in ES's shape`, w && [401, 403].includes(w.meta.statusCode) && w.meta.body && w.meta.body.error && w.meta.body.error.type, w ? describe(w) : 'accepted');
    const w2 = await errOf(c.indices.create({ index: 'forbidden' }));
    check(`PUT /forbidden with ${label}: 401 or 403`, w2 && [401, 403].includes(w2.meta.statusCode), w2 ? describe(w2) : 'accepted');
    const w3 = await errOf(c.bulk({ body: [{ index: { _index: INDEX, _id: 'forbidden' } }, { body: 'x' }] }));
    check(`_bulk with ${label}: 401 or 403`, w3 && [401, 403].includes(w3.meta.statusCode), w3 ? describe(w3) : 'accepted');
  }
  const r = await anon.search({ index: INDEX, body: { query: { match_all: {} }, size: 0 } });
  check('a read without a token: 200', r.statusCode === 200);
  check('nothing was written without the token', (await client.exists({ index: INDEX, id: 'forbidden' })).body === false
    && (await client.indices.exists({ index: 'forbidden' })).body === false);
});

// ---- a second index, deleted
await step('delete an index', async () => {
  await client.indices.create({ index: 'scratch' });
  await client.index({ index: 'scratch', id: 's1', body: { title: 'scratch', body: 'scratch' }, refresh: true });
  const s = await search({ query: { match_all: {} }, size: 0, track_total_hits: true }, 'scratch');
  check('a second index holds its own documents', s.hits.total.value === 1, s.hits.total);
  await step('_all as the index', async () => {
    // ES searches every index; newsdex searches one at a time and refuses
    // more (docs/elasticsearch.md): either is right, a wrong count is not.
    const e = await errOf(search({ query: { match: { title: 'scratch' } }, size: 0, track_total_hits: true }, '_all'));
    if (e) check('_all over two indexes: refused with a 400 in ES\'s shape', e.meta && e.meta.statusCode === 400 && e.meta.body.error && e.meta.body.error.type, describe(e));
    else {
      const all = await search({ query: { match: { title: 'scratch' } }, size: 0, track_total_hits: true }, '_all');
      const one = await search({ query: { match: { title: 'scratch' } }, size: 0, track_total_hits: true });
      check('_all searches every index', all.hits.total.value === one.hits.total.value + 1, all.hits.total);
    }
  });
  const d = (await client.indices.delete({ index: 'scratch' })).body;
  check('DELETE /scratch: acknowledged', d.acknowledged === true, d);
  check('HEAD /scratch: gone', (await client.indices.exists({ index: 'scratch' })).body === false);
});

srv.stop();
finish();
