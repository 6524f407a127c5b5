// newsdex web page: search, facets, histogram (with a compared query), articles.  Plain DOM, no
// framework.  Every piece of data goes into the page as text (textContent,
// createTextNode); the only markup taken from the server is the <mark> of
// snippets, rebuilt here as elements.
'use strict';

const $ = (id) => document.getElementById(id);
const PAGE = 10;
const FACET_TITLES = { people: 'People', organisations: 'Organisations', places: 'Places', topics: 'Topics',
  source: 'Sources', year: 'Years' };

function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'text') e.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else e.setAttribute(k, v);
  }
  for (const c of kids) if (c != null) e.append(c);
  return e;
}

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    const err = new Error(body && body.error ? body.error : 'HTTP ' + r.status);
    err.position = body && body.position;
    throw err;
  }
  return body;
}

function showError(msg) {
  const e = $('error');
  e.textContent = msg || '';
  e.hidden = !msg;
}

// A snippet: text HTML-escaped by the server, with <mark>…</mark> around
// matches.  Decoded piece by piece into text nodes and <mark> elements.
const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };
function unescapeHtml(s) { return s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (m) => ENTITIES[m]); }
function snippetNodes(s) {
  const out = [];
  const parts = (s || '').split(/(<mark>|<\/mark>)/);
  let inMark = false;
  for (const p of parts) {
    if (p === '<mark>') { inMark = true; continue; }
    if (p === '</mark>') { inMark = false; continue; }
    if (!p) continue;
    const t = unescapeHtml(p);
    out.push(inMark ? el('mark', { text: t }) : document.createTextNode(t));
  }
  return out;
}

// ---- state in the location hash: #/search?q=..&f=..&sort=..&page=.. | #/doc/ID
function parseHash() {
  const h = location.hash.replace(/^#/, '');
  if (h.startsWith('/doc/')) return { view: 'doc', id: decodeURIComponent(h.slice(5)) };
  if (h.startsWith('/thread/')) return { view: 'thread', key: decodeURIComponent(h.slice(8)) };
  if (h.startsWith('/search?')) {
    const p = new URLSearchParams(h.slice(8));
    return { view: 'search', q: p.get('q') || '', filters: p.getAll('f'), sort: p.get('sort') || 'relevance',
             page: Math.max(0, parseInt(p.get('page') || '0', 10) || 0), vs: p.get('vs') || '' };
  }
  return { view: 'home' };
}
function searchHash(s) {
  const p = new URLSearchParams();
  p.set('q', s.q);
  for (const f of s.filters) p.append('f', f);
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.page) p.set('page', String(s.page));
  if (s.vs) p.set('vs', s.vs);
  return '#/search?' + p.toString();
}
function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }
function newSearch(q) { go(searchHash({ q, filters: [], sort: $('sort').value, page: 0, vs: current ? current.vs : '' })); }

function showView(name) {
  for (const v of ['search', 'doc', 'thread', 'home']) $(v + '-view').hidden = v !== name;
}

// ---- search
let current = null;
let searchSeq = 0;

function fullQuery(s) {
  return [s.q.trim() ? '(' + s.q + ')' : ''].concat(s.filters).filter(Boolean).join(' ');
}

async function runSearch(s) {
  current = s;
  showView('search');
  $('q').value = s.q;
  $('sort').value = s.sort;
  $('vs').value = s.vs;
  $('vs-clear').hidden = !s.vs;
  document.title = s.q + ' — newsdex';
  const seq = ++searchSeq;
  const params = new URLSearchParams({ q: fullQuery(s), limit: String(PAGE), offset: String(s.page * PAGE), sort: s.sort,
                                       facets: 'topic,source,year' });
  $('status').textContent = 'Searching…';
  let r;
  try {
    r = await api('/api/search?' + params.toString());
  } catch (e) {
    if (seq !== searchSeq) return;
    $('status').textContent = '';
    $('hits').replaceChildren();
    $('facets').replaceChildren();
    $('histogram').hidden = true;
    showError('Cannot search: ' + e.message);
    return;
  }
  if (seq !== searchSeq) return;
  showError('');
  // Versions are collapsed: the hits are stories (wire copies of one story
  // give one hit, "N other versions"), and the pages go through stories.
  const first = r.total ? s.page * PAGE + 1 : 0;
  const stories = r.stories === r.total ? '' : `, ${r.stories.toLocaleString('en')} ${r.stories === 1 ? 'story' : 'stories'}`;
  $('status').textContent = r.total === 0 ? 'No articles match.'
    : `${first}–${first + r.hits.length - 1} of ${r.total.toLocaleString('en')} articles${stories} (${r.took_ms.toFixed(1)} ms)`;
  renderChips(s);
  renderHits(r.hits);
  renderFacets(r.facets || {}, s);
  loadHistogram(s, seq);
  $('prev').disabled = s.page === 0;
  $('next').disabled = (s.page + 1) * PAGE >= r.stories;
  $('page').textContent = r.stories > PAGE ? `page ${s.page + 1} of ${Math.ceil(r.stories / PAGE)}` : '';
}

function renderChips(s) {
  const chips = s.filters.map((f, i) => el('li', null, el('button', {
    type: 'button', 'aria-label': 'Remove filter ' + f, title: 'Remove this filter', text: f + ' ×',
    on: { click: () => go(searchHash({ ...s, filters: s.filters.filter((_, j) => j !== i), page: 0 })) } })));
  $('chips').replaceChildren(...chips);
}

function hitItem(h) {
  const meta = [h.date ? h.date.slice(0, 10) : null, h.source].filter(Boolean).join(' · ');
  const others = h.versions ? el('p', { class: 'versions' }, el('a', { href: '#/doc/' + encodeURIComponent(h.id),
    text: `${h.versions} other version${h.versions === 1 ? '' : 's'}` })) : null;
  return el('li', { class: 'hit' },
    el('h3', null, el('a', { href: '#/doc/' + encodeURIComponent(h.id), text: h.headline || h.title || h.id })),
    meta ? el('p', { class: 'meta', text: meta }) : null,
    h.snippet ? el('p', { class: 'snippet' }, ...snippetNodes(h.snippet)) : null, others);
}

function renderHits(hits) { $('hits').replaceChildren(...hits.map(hitItem)); }

function renderFacets(facets, s) {
  const box = $('facets');
  box.replaceChildren();
  for (const [name, values] of Object.entries(facets)) {
    if (!values || !values.length) continue;
    const items = values.filter((v) => !s.filters.includes(v.filter)).map((v) => el('li', null, el('button', {
      type: 'button', 'data-filter': v.filter, title: 'Only articles with ' + v.filter,
      on: { click: () => go(searchHash({ ...s, filters: s.filters.concat([v.filter]), page: 0 })) } },
      el('span', { text: v.value }), el('span', { class: 'count', text: v.count.toLocaleString('en') }))));
    if (!items.length) continue;
    box.append(el('section', { class: 'facet', 'data-facet': name },
      el('h2', { text: FACET_TITLES[name] || name }), el('ul', null, ...items)));
  }
}

// ---- the date histogram: stories per month (per year when the months
// would be over 120 bars) of the query and, when one is given (vs in the
// address), of a second query to compare, in one chart with a legend.
// Each is counted by the API (limit=0, versions=collapse: a wire story
// run by many outlets is one story) under the same filters; the empty
// periods between the first and the last are filled so that the bars
// keep the time scale.
function histRequest(q, s, unit) {
  return api('/api/search?' + new URLSearchParams({ q: fullQuery({ ...s, q }), limit: '0', histogram: unit,
                                                    versions: 'collapse' }));
}

// Every key from first to last: 'YYYY-MM' months or 'YYYY' years.
function periodsBetween(first, last, unit) {
  const out = [];
  let [y, m] = first.split('-').map(Number);
  for (let i = 0; i < 100000; i++) {
    const key = unit === 'month' ? `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}` : String(y).padStart(4, '0');
    out.push(key);
    if (key >= last) break;
    if (unit === 'year' || ++m > 12) { m = 1; y++; }
  }
  return out;
}

async function loadHistogram(s, seq) {
  const queries = [s.q].concat(s.vs && s.vs.trim() ? [s.vs.trim()] : []);
  // the compared query may fail alone (a typo): its message, the other drawn
  const get = (unit) => Promise.all(queries.map((q, i) => histRequest(q, s, unit).catch((e) => {
    if (i === 0) throw e;
    return { error: e.message };
  })));
  let unit = 'month';
  let rs;
  try {
    rs = await get(unit);
    if (seq !== searchSeq) return;
    const keys = rs.filter((r) => r.histogram).flatMap((r) => r.histogram.buckets.map((b) => b.value)).sort();
    if (keys.length && periodsBetween(keys[0], keys[keys.length - 1], 'month').length > 121) {
      unit = 'year';
      rs = await get(unit);
    }
  } catch (e) {
    if (seq === searchSeq) $('histogram').hidden = true;
    return;
  }
  if (seq !== searchSeq) return;
  const failed = rs.find((r) => r.error);
  $('vs-error').textContent = failed ? 'Cannot compare: ' + failed.error : '';
  $('vs-error').hidden = !failed;
  renderHistogram(queries.map((q, i) => ({ q, i, r: rs[i] })).filter((x) => x.r.histogram), unit, s);
}

function renderHistogram(series, unit, s) {
  const fig = $('histogram');
  const all = series.flatMap((x) => x.r.histogram.buckets);
  if (!all.length && series.length < 2) { fig.hidden = true; return; }
  const keys = all.map((b) => b.value).sort();
  const periods = keys.length ? periodsBetween(keys[0], keys[keys.length - 1], unit) : [];
  const byKey = series.map((x) => new Map(x.r.histogram.buckets.map((b) => [b.value, b])));
  const max = Math.max(1, ...all.map((b) => b.count));
  const two = series.length > 1;
  $('bars').replaceChildren(...periods.map((key) => el('div', { class: 'period' }, ...series.map((x, j) => {
    const b = byKey[j].get(key);
    const n = b ? b.count : 0;
    const filter = b ? b.filter : 'date:' + key;
    const label = `${key}: ${n.toLocaleString('en')} ${n === 1 ? 'story' : 'stories'}` + (two ? ` matching ${x.q}` : '');
    const bar = el('button', { type: 'button', class: 's' + x.i, title: label, 'aria-label': label, 'data-series': String(x.i),
      'data-period': key, 'data-count': String(n), 'data-filter': filter,
      on: { click: () => go(searchHash({ ...s, filters: s.filters.concat([filter]), page: 0 })) } });
    bar.style.height = (n ? Math.max(4, Math.round((n / max) * 100)) : 0) + '%';
    if (!n) bar.disabled = true;
    return bar;
  }))));
  $('hist-legend').replaceChildren(...series.map((x) => el('li', null, el('span', { class: 'swatch s' + x.i }),
    el('span', { class: 'q', text: x.q }))));
  $('hist-legend').hidden = !two;
  $('hist-unit').textContent = unit;
  $('hist-first').textContent = periods.length ? periods[0] : 'no dated stories';
  $('hist-last').textContent = periods.length > 1 ? periods[periods.length - 1] : '';
  fig.hidden = false;
}

// ---- article page
function searchLink(term) {
  const q = /\s/.test(term) ? '"' + term.replace(/"/g, '') + '"' : term;
  return el('a', { class: 'search-link', href: searchHash({ q, filters: [], sort: 'relevance', page: 0 }), text: '(search)',
                   title: 'Search for ' + term });
}

// Paragraphs of the body; after the first occurrence of each linked term a
// "(search)" link, as the editors had placed it.
function bodyNodes(body, terms) {
  const pending = new Set(terms);
  return body.split(/\n\s*\n|\n/).filter((p) => p.trim()).map((para) => {
    const p = el('p');
    let rest = para;
    for (;;) {
      let best = null;
      for (const t of pending) {
        const i = rest.indexOf(t);
        if (i >= 0 && (!best || i < best.i)) best = { i, t };
      }
      if (!best) break;
      pending.delete(best.t);
      const end = best.i + best.t.length;
      p.append(rest.slice(0, end), searchLink(best.t));
      rest = rest.slice(end);
    }
    p.append(rest);
    return p;
  });
}

// An untitled article's heading: its first sentence, at most 120 characters.
function leadOf(body) {
  const line = body.trim().split('\n')[0];
  const m = line.match(/^.{20,}?[.!?](?=\s)/);
  const s = m ? m[0] : line;
  return s.length > 120 ? s.slice(0, 119).replace(/\s+\S*$/, '') + '…' : s;
}

function topicName(t) { return typeof t === 'string' ? t : (t && (t.name || t.label || t.text)) || ''; }

async function showDoc(id) {
  showView('doc');
  showError('');
  $('back').href = current ? searchHash(current) : '#/';
  let d;
  try {
    d = await api('/api/doc/' + encodeURIComponent(id));
  } catch (e) {
    $('doc-title').textContent = 'Article not found';
    $('doc-meta').textContent = '';
    $('doc-body').replaceChildren();
    $('doc-topics').hidden = true;
    $('related-list').replaceChildren();
    showError(e.message);
    return;
  }
  const title = d.title || leadOf(d.body || '') || d.id;
  document.title = title + ' — newsdex';
  $('doc-title').textContent = title;
  const meta = [d.date, d.source].filter(Boolean).join(' · ');
  $('doc-meta').replaceChildren(meta, d.url ? ' · ' : '', d.url ? el('a', { href: d.url, rel: 'noopener noreferrer', text: 'original' }) : '');
  const marked = d.marked || [];
  const topics = marked.concat((d.topics || []).map(topicName)).filter(Boolean);
  const unique = [...new Set(topics)];
  $('topic-list').replaceChildren(...unique.map((t) => el('li', null, el('span', { text: t }), ' ', searchLink(t))));
  $('doc-topics').hidden = unique.length === 0;
  // The editors' marks when the article came with them, else the linker's
  // topics, each linked after its first mention.
  const linked = marked.length ? marked : (d.spans || []).map((sp) => sp.text).filter(Boolean);
  $('doc-body').replaceChildren(...bodyNodes(d.body || '', linked));
  renderStory(d);
  $('related-list').replaceChildren(el('li', { text: 'Looking for related articles…' }));
  try {
    const r = await api('/api/doc/' + encodeURIComponent(id) + '/related?limit=5');
    $('related-list').replaceChildren(...(r.hits.length ? r.hits.map(hitItem) : [el('li', { text: 'None found.' })]));
  } catch (e) {
    $('related-list').replaceChildren(el('li', { text: 'Related articles unavailable: ' + e.message }));
  }
}

// "Part of a story: N articles, FROM – TO" linking to the thread, and the
// article's other versions (wire copies), each with its date and source.
function span(t) { return t.from ? (t.to && t.to !== t.from ? `${t.from} – ${t.to}` : t.from) : 'undated'; }
function renderStory(d) {
  const t = d.thread;
  const part = t && t.articles > 1;
  $('doc-thread').hidden = !part;
  if (part) {
    $('doc-thread').replaceChildren('Part of a story: ', el('a', { href: '#/thread/' + encodeURIComponent(t.key),
      text: `${t.articles.toLocaleString('en')} articles, ${span(t)}` }));
  }
  const others = (d.versions || []).filter((v) => v.id !== d.id);
  $('doc-versions').hidden = others.length === 0;
  $('version-list').replaceChildren(...others.map((v) => el('li', null,
    el('a', { href: '#/doc/' + encodeURIComponent(v.id), text: v.headline || v.title || v.id }), ' ',
    el('span', { class: 'meta', text: [v.date, v.source].filter(Boolean).join(' · ') }))));
}

// ---- a story thread as a timeline: its articles per day, then each
// article under its date, oldest first.
async function showThread(key) {
  showView('thread');
  showError('');
  $('thread-back').href = current ? searchHash(current) : '#/';
  let t;
  try {
    t = await api('/api/thread/' + encodeURIComponent(key));
  } catch (e) {
    $('thread-title').textContent = 'Story not found';
    $('thread-meta').textContent = '';
    $('thread-bars').replaceChildren();
    $('thread-list').replaceChildren();
    showError(e.message);
    return;
  }
  document.title = t.headline + ' — newsdex';
  $('thread-title').textContent = t.headline;
  const sources = t.sources.slice(0, 6).map((x) => `${x.value} (${x.count})`).join(', ') + (t.sources.length > 6 ? ', …' : '');
  $('thread-meta').textContent = `${t.articles.toLocaleString('en')} articles, ${t.stories.toLocaleString('en')} stories, ${span(t)} · ${sources}`;
  const days = new Map();
  for (const h of t.hits) {
    const day = h.date ? h.date.slice(0, 10) : 'undated';
    if (!days.has(day)) days.set(day, []);
    days.get(day).push(h);
  }
  const max = Math.max(1, ...[...days.values()].map((a) => a.length));
  // every day from the first to the last (a thread spans a month at most)
  const dated = [...days.keys()].filter((d) => d !== 'undated');
  const axis = [];
  for (let t = dated.length ? Date.parse(dated[0] + 'T00:00:00Z') : 0, end = dated.length ? Date.parse(dated[dated.length - 1] + 'T00:00:00Z') : -1;
    t <= end && axis.length < 400; t += 86400000) axis.push(new Date(t).toISOString().slice(0, 10));
  $('thread-bars').replaceChildren(...axis.map((day) => {
    const n = (days.get(day) || []).length;
    const label = `${day}: ${n} article${n === 1 ? '' : 's'}`;
    const bar = el(n ? 'a' : 'span', { class: 'day', title: label, 'aria-label': label, 'data-count': String(n) });
    if (n) bar.setAttribute('href', '#/thread/' + encodeURIComponent(key));
    if (n) bar.addEventListener('click', (e) => { e.preventDefault(); document.getElementById('day-' + day).scrollIntoView(); });
    bar.style.height = n ? Math.max(6, Math.round((n / max) * 100)) + '%' : '0';
    return bar;
  }));
  $('thread-list').replaceChildren(...[...days.entries()].map(([day, a]) => el('li', { id: 'day-' + day },
    el('h2', { class: 'day', text: day }), el('ol', { class: 'day-hits' }, ...a.map(hitItem)))));
}

async function showHome() {
  showView('home');
  document.title = 'newsdex';
  try {
    const s = await api('/api/stats');
    $('home-stats').textContent = `${s.articles.toLocaleString('en')} articles; last updated ${s.last_commit || 'never'}.`;
  } catch (e) { showError(e.message); }
}

function route() {
  closeSuggest();
  const h = parseHash();
  if (h.view === 'doc') showDoc(h.id);
  else if (h.view === 'thread') showThread(h.key);
  else if (h.view === 'search' && h.q.trim()) runSearch(h);
  else showHome();
}

// ---- suggestions
let sugItems = [];
let sugActive = -1;
let sugTimer = 0;
let sugSeq = 0;

function closeSuggest() {
  $('suggest').hidden = true;
  $('q').setAttribute('aria-expanded', 'false');
  $('q').removeAttribute('aria-activedescendant');
  sugItems = [];
  sugActive = -1;
}

function setActive(i) {
  sugActive = i;
  $('suggest').querySelectorAll('li').forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
  if (i >= 0) $('q').setAttribute('aria-activedescendant', 'sug-' + i);
}

function choose(item) {
  closeSuggest();
  if (item.id) go('#/doc/' + encodeURIComponent(item.id));
  else newSearch(item.query);
}

async function suggest() {
  const text = $('q').value;
  const seq = ++sugSeq;
  if (text.trim().length < 2) { closeSuggest(); return; }
  let r;
  try { r = await api('/api/suggest?' + new URLSearchParams({ prefix: text, limit: '6' })); } catch (e) { return; }
  if (seq !== sugSeq || document.activeElement !== $('q')) return;
  const head = text.slice(0, text.length - r.word.length);
  sugItems = [];
  if (r.word.length >= 2) for (const t of r.terms) sugItems.push({ label: head + t.term, kind: t.count + ' articles', query: head + t.term });
  for (const t of r.topics || []) sugItems.push({ label: topicName(t), kind: 'topic', query: '"' + topicName(t) + '"' });
  for (const t of r.titles) sugItems.push({ label: t.title || t.id, kind: 'article', id: t.id });
  const ul = $('suggest');
  ul.replaceChildren(...sugItems.map((it, i) => el('li', { id: 'sug-' + i, role: 'option', 'aria-selected': 'false',
    on: { mousedown: (ev) => { ev.preventDefault(); choose(it); } } }, el('span', { text: it.label }), el('span', { class: 'kind', text: it.kind }))));
  ul.hidden = sugItems.length === 0;
  $('q').setAttribute('aria-expanded', String(!ul.hidden));
  sugActive = -1;
}

function init() {
  $('q').addEventListener('input', () => { clearTimeout(sugTimer); sugTimer = setTimeout(suggest, 120); });
  $('q').addEventListener('keydown', (ev) => {
    if ($('suggest').hidden) return;
    if (ev.key === 'ArrowDown') { ev.preventDefault(); setActive((sugActive + 1) % sugItems.length); }
    else if (ev.key === 'ArrowUp') { ev.preventDefault(); setActive(sugActive <= 0 ? sugItems.length - 1 : sugActive - 1); }
    else if (ev.key === 'Escape') closeSuggest();
    else if (ev.key === 'Enter' && sugActive >= 0) { ev.preventDefault(); choose(sugItems[sugActive]); }
  });
  $('q').addEventListener('blur', () => setTimeout(closeSuggest, 100));
  $('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(sugTimer);
    sugSeq++;
    const q = $('q').value.trim();
    if (q) newSearch(q);
  });
  $('compare-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (current) go(searchHash({ ...current, vs: $('vs').value.trim() }));
  });
  $('vs-clear').addEventListener('click', () => { if (current) go(searchHash({ ...current, vs: '' })); });
  $('sort').addEventListener('change', () => { if (current) go(searchHash({ ...current, sort: $('sort').value, page: 0 })); });
  $('prev').addEventListener('click', () => go(searchHash({ ...current, page: Math.max(0, current.page - 1) })));
  $('next').addEventListener('click', () => go(searchHash({ ...current, page: current.page + 1 })));
  window.addEventListener('hashchange', route);
  route();
}

document.addEventListener('DOMContentLoaded', init);
