// A search page for a newsdex archive built with Searchkit and InstantSearch.js,
// talking to newsdex's Elasticsearch-compatible API (POST /_msearch) on the
// origin that serves this page.  Searchkit (the `searchkit` package) turns
// InstantSearch's state into Elasticsearch requests in the browser;
// @searchkit/instantsearch-client makes it an InstantSearch search client.
//
// Bundle it for the browser (the server's Content-Security-Policy allows
// only this origin's script files, no inline script):
//   esbuild app.js --bundle --format=esm --outfile=OUT/app.bundle.js
// and serve index.html, style.css and the bundle with
//   newsdex serve --root ARCHIVES --web OUT
// then open http://127.0.0.1:PORT/index.html?index=NAME (default index: news).
//
// Widgets: a search box, refinement lists on source and people (people: the
// articles' key topics of type person, a keyword field of newsdex's ES
// mapping), a date range (two date inputs; the range goes to Elasticsearch
// as a range filter on `date` in epoch milliseconds), sorting by relevance
// or date, pagination, and hits with highlighted titles and body snippets.
import instantsearch from 'instantsearch.js';
import { searchBox, hits, refinementList, pagination, stats, sortBy, currentRefinements } from 'instantsearch.js/es/widgets';
import Searchkit from 'searchkit';
import Client from '@searchkit/instantsearch-client';
import { relevanceQuery } from './query.js';

const params = new URLSearchParams(window.location.search);
const INDEX = params.get('index') || 'news';

const sk = new Searchkit({
  connection: { host: window.location.origin },
  search_settings: {
    search_attributes: [{ field: 'title', weight: 3 }, 'body'],
    result_attributes: ['title', 'date', 'source', 'url'],
    highlight_attributes: ['title'],
    snippet_attributes: ['body:200'],
    facet_attributes: [
      { attribute: 'source', field: 'source', type: 'string' },
      { attribute: 'people', field: 'people', type: 'string' },
    ],
    filter_attributes: [{ attribute: 'date', field: 'date', type: 'date' }],
    sorting: {
      default: { field: '_score', order: 'desc' },
      _date_desc: { field: 'date', order: 'desc' },
    },
  },
});

// The text query: query.js says why it is not Searchkit's default.
const searchClient = Client(sk, { getQuery: (query) => relevanceQuery(query) });

// ---- the date range: a widget of its own over InstantSearch's helper.  Its
// state is two numeric refinements on `date` (epoch milliseconds, UTC):
// >= the first day's start, <= the last day's end.
const DAY_MS = 86400000;
function toMs(value, endOfDay) {
  if (!value) return null;
  const t = Date.parse(value + 'T00:00:00Z');
  return Number.isNaN(t) ? null : endOfDay ? t + DAY_MS - 1 : t;
}
function toDay(ms) {
  return ms == null ? '' : new Date(Number(ms)).toISOString().slice(0, 10);
}
function el(tag, props = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.appendChild(c);
  return e;
}
function dateRange({ container, attribute = 'date' }) {
  let helper = null;
  let from, to;
  const range = (state) => {
    const r = state.getNumericRefinements(attribute) || {};
    return { min: (r['>='] || [])[0], max: (r['<='] || [])[0] };
  };
  return {
    $$type: 'newsdex.dateRange',
    init({ helper: h }) {
      helper = h;
      const root = document.querySelector(container);
      from = el('input', { type: 'date', id: 'date-from', name: 'from' });
      to = el('input', { type: 'date', id: 'date-to', name: 'to' });
      const apply = el('button', { type: 'button', id: 'date-apply', text: 'Apply' });
      const clear = el('button', { type: 'button', id: 'date-clear', text: 'Any date' });
      root.appendChild(el('div', { class: 'date-range' }, [
        el('label', {}, [document.createTextNode('From '), from]),
        el('label', {}, [document.createTextNode('To '), to]),
        el('div', { class: 'buttons' }, [apply, clear]),
      ]));
      apply.addEventListener('click', () => {
        let s = helper.state.removeNumericRefinement(attribute);
        const lo = toMs(from.value, false), hi = toMs(to.value, true);
        if (lo != null) s = s.addNumericRefinement(attribute, '>=', lo);
        if (hi != null) s = s.addNumericRefinement(attribute, '<=', hi);
        helper.setState(s.setPage(0)).search();
      });
      clear.addEventListener('click', () => {
        from.value = to.value = '';
        helper.setState(helper.state.removeNumericRefinement(attribute).setPage(0)).search();
      });
    },
    render({ state }) {
      const r = range(state);
      if (document.activeElement !== from) from.value = toDay(r.min);
      if (document.activeElement !== to) to.value = toDay(r.max);
    },
    dispose({ state }) {
      return state.removeNumericRefinement(attribute);
    },
    getWidgetUiState(uiState, { searchParameters }) {
      const r = range(searchParameters);
      if (r.min == null && r.max == null) return uiState;
      return { ...uiState, range: { ...uiState.range, [attribute]: `${r.min ?? ''}:${r.max ?? ''}` } };
    },
    getWidgetSearchParameters(searchParameters, { uiState }) {
      const v = uiState.range && uiState.range[attribute];
      let s = searchParameters.removeNumericRefinement(attribute);
      if (!v) return s;
      const [lo, hi] = v.split(':');
      if (lo !== '') s = s.addNumericRefinement(attribute, '>=', Number(lo));
      if (hi !== '') s = s.addNumericRefinement(attribute, '<=', Number(hi));
      return s;
    },
  };
}

const search = instantsearch({ indexName: INDEX, searchClient, future: { preserveSharedStateOnUnmount: true } });

search.addWidgets([
  searchBox({ container: '#searchbox', placeholder: 'Search the news', showLoadingIndicator: false }),
  stats({
    container: '#stats',
    templates: {
      text: (data, { html }) => html`<span class="nbhits">${data.nbHits}</span> articles`,
    },
  }),
  sortBy({
    container: '#sort',
    items: [
      { value: INDEX, label: 'Most relevant' },
      { value: INDEX + '_date_desc', label: 'Newest first' },
    ],
  }),
  currentRefinements({
    container: '#current',
    // The date range's bounds are epoch milliseconds: show them as days.
    transformItems: (items) => items.map((item) => item.attribute !== 'date' ? item : {
      ...item,
      refinements: item.refinements.map((r) => ({ ...r, label: `${r.operator === '>=' ? 'from' : 'to'} ${toDay(r.value)}` })),
    }),
  }),
  refinementList({ container: '#source-list', attribute: 'source', limit: 10 }),
  refinementList({ container: '#people-list', attribute: 'people', limit: 10 }),
  dateRange({ container: '#date-range', attribute: 'date' }),
  hits({
    container: '#hits',
    templates: {
      empty: (results, { html }) => html`<p class="empty">No articles match.</p>`,
      item: (hit, { html, components }) => html`
        <article>
          <h3 class="hit-title">${hit.title ? components.Highlight({ hit, attribute: 'title' }) : '(untitled)'}</h3>
          <div class="hit-meta">
            ${hit.source ? html`<span class="hit-source">${hit.source}</span>` : ''}
            ${hit.date ? html`<time class="hit-date">${hit.date}</time>` : ''}
            <span class="hit-id">${hit.objectID}</span>
          </div>
          <div class="hit-snippet">${components.Snippet({ hit, attribute: 'body' })}</div>
        </article>`,
    },
  }),
  pagination({ container: '#pagination', padding: 2 }),
]);

search.start();
