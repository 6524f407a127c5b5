// newsdex web page: search, facets, histogram, articles.  Plain DOM, no
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
  if (h.startsWith('/search?')) {
    const p = new URLSearchParams(h.slice(8));
    return { view: 'search', q: p.get('q') || '', filters: p.getAll('f'), sort: p.get('sort') || 'relevance',
             page: Math.max(0, parseInt(p.get('page') || '0', 10) || 0) };
  }
  return { view: 'home' };
}
function searchHash(s) {
  const p = new URLSearchParams();
  p.set('q', s.q);
  for (const f of s.filters) p.append('f', f);
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.page) p.set('page', String(s.page));
  return '#/search?' + p.toString();
}
function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }
function newSearch(q) { go(searchHash({ q, filters: [], sort: $('sort').value, page: 0 })); }

function showView(name) {
  for (const v of ['search', 'doc', 'home']) $(v + '-view').hidden = v !== name;
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
  document.title = s.q + ' — newsdex';
  const seq = ++searchSeq;
  const params = new URLSearchParams({ q: fullQuery(s), limit: String(PAGE), offset: String(s.page * PAGE), sort: s.sort,
                                       facets: 'topic,source,year', histogram: 'month' });
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
  const first = r.total ? s.page * PAGE + 1 : 0;
  $('status').textContent = r.total === 0 ? 'No articles match.'
    : `${first}–${first + r.hits.length - 1} of ${r.total.toLocaleString('en')} articles (${r.took_ms.toFixed(1)} ms)`;
  renderChips(s);
  renderHits(r.hits);
  renderFacets(r.facets || {}, s);
  renderHistogram(r.histogram, s);
  $('prev').disabled = s.page === 0;
  $('next').disabled = (s.page + 1) * PAGE >= r.total;
  $('page').textContent = r.total > PAGE ? `page ${s.page + 1} of ${Math.ceil(r.total / PAGE)}` : '';
}

function renderChips(s) {
  const chips = s.filters.map((f, i) => el('li', null, el('button', {
    type: 'button', 'aria-label': 'Remove filter ' + f, title: 'Remove this filter', text: f + ' ×',
    on: { click: () => go(searchHash({ ...s, filters: s.filters.filter((_, j) => j !== i), page: 0 })) } })));
  $('chips').replaceChildren(...chips);
}

function hitItem(h) {
  const meta = [h.date ? h.date.slice(0, 10) : null, h.source].filter(Boolean).join(' · ');
  return el('li', { class: 'hit' },
    el('h3', null, el('a', { href: '#/doc/' + encodeURIComponent(h.id), text: h.headline || h.title || h.id })),
    meta ? el('p', { class: 'meta', text: meta }) : null,
    h.snippet ? el('p', { class: 'snippet' }, ...snippetNodes(h.snippet)) : null);
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

// Months, or years when the months would be too many bars.
function renderHistogram(h, s) {
  const fig = $('histogram');
  if (!h || !h.buckets || h.buckets.length < 1) { fig.hidden = true; return; }
  let buckets = h.buckets;
  let unit = h.unit;
  const span = (b) => { const a = b[0].value.split('-'), z = b[b.length - 1].value.split('-');
    return (z[0] - a[0]) * 12 + (z[1] - a[1]); };
  if (unit === 'month' && span(buckets) > 120) {
    const years = new Map();
    for (const b of buckets) {
      const y = b.value.slice(0, 4);
      years.set(y, (years.get(y) || 0) + b.count);
    }
    buckets = [...years].map(([y, c]) => ({ value: y, count: c, filter: 'date:' + y }));
    unit = 'year';
  }
  // Fill the empty periods so that the bars keep the time scale.
  const full = [];
  if (unit === 'month') {
    let [y, m] = buckets[0].value.split('-').map(Number);
    const byKey = new Map(buckets.map((b) => [b.value, b]));
    for (;;) {
      const key = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
      full.push(byKey.get(key) || { value: key, count: 0, filter: 'date:' + key });
      if (key === buckets[buckets.length - 1].value) break;
      if (++m > 12) { m = 1; y++; }
    }
  } else {
    const byKey = new Map(buckets.map((b) => [b.value, b]));
    for (let y = +buckets[0].value; y <= +buckets[buckets.length - 1].value; y++) {
      const key = String(y).padStart(4, '0');
      full.push(byKey.get(key) || { value: key, count: 0, filter: 'date:' + key });
    }
  }
  const max = Math.max(...full.map((b) => b.count));
  $('bars').replaceChildren(...full.map((b) => {
    const bar = el('button', { type: 'button', title: `${b.value}: ${b.count}`, 'aria-label': `${b.value}: ${b.count} articles`,
      'data-filter': b.filter, on: { click: () => go(searchHash({ ...s, filters: s.filters.concat([b.filter]), page: 0 })) } });
    bar.style.height = (b.count ? Math.max(4, Math.round((b.count / max) * 100)) : 0) + '%';
    if (!b.count) bar.disabled = true;
    return bar;
  }));
  $('hist-unit').textContent = unit;
  $('hist-first').textContent = full[0].value;
  $('hist-last').textContent = full[full.length - 1].value;
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
  $('related-list').replaceChildren(el('li', { text: 'Looking for related articles…' }));
  try {
    const r = await api('/api/doc/' + encodeURIComponent(id) + '/related?limit=5');
    $('related-list').replaceChildren(...(r.hits.length ? r.hits.map(hitItem) : [el('li', { text: 'None found.' })]));
  } catch (e) {
    $('related-list').replaceChildren(el('li', { text: 'Related articles unavailable: ' + e.message }));
  }
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
  $('sort').addEventListener('change', () => { if (current) go(searchHash({ ...current, sort: $('sort').value, page: 0 })); });
  $('prev').addEventListener('click', () => go(searchHash({ ...current, page: Math.max(0, current.page - 1) })));
  $('next').addEventListener('click', () => go(searchHash({ ...current, page: current.page + 1 })));
  window.addEventListener('hashchange', route);
  route();
}

document.addEventListener('DOMContentLoaded', init);
