/* stories.c -- version groups and story threads as articles arrive (stories.h). */
#include "stories.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

#include "../codec/store.h"
#include "../util/date.h"
#include "../util/file.h"
#include "../util/mem.h"
#include "alias.h"
#include "index.h"
#include "topic_terms.h"

#define WINDOW_SECS ((int64_t)STORY_WINDOW_DAYS * 86400)

/* One article added since the last commit (its signature is where the
** article is: ix_pending_docx). */
typedef struct pend_doc {
  int64_t date;
  uint64_t simhash, thread;
  uint32_t buf, doc; /* where it is: doc `doc` of buffer `buf` (index.h) */
} pend_doc;

/* A chained hash table from a 64-bit key to pending articles (indexes in
** story_pending.docs), newest first. */
typedef struct chain_map {
  uint32_t *heads; /* slot -> entry + 1 */
  size_t nslots;
  struct chain_ent { uint64_t key; uint32_t doc, next; } *ents;
  size_t n, cap;
} chain_map;

/* How many pending articles have each topic (open addressing). */
typedef struct count_map {
  uint64_t *key;
  uint32_t *n; /* 0: empty slot */
  size_t cap;  /* a power of two, or 0 */
  size_t used;
} count_map;

/* An article's signature is not kept here but read where the article is
** (its buffer, or the pending segment the buffer was written to) when it
** is a candidate: what is kept is its band keys, thread topics, date and
** keys, about 400 bytes. */
struct story_pending {
  pend_doc *docs;
  size_t n, cap;
  chain_map bands, topics;
  count_map counts;
  mb_scratch *sc;  /* for analysing texts again to verify near-duplicates */
  mb_prep prep;
};

static size_t count_slot(const count_map *m, uint64_t key) {
  size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 17) & (m->cap - 1);
  while (m->n[i] && m->key[i] != key) i = (i + 1) & (m->cap - 1);
  return i;
}

static uint32_t count_get(const count_map *m, uint64_t key) { return m->cap ? m->n[count_slot(m, key)] : 0; }

static int count_inc(count_map *m, uint64_t key) {
  if (2 * (m->used + 1) > m->cap) {
    count_map g = {0};
    g.cap = m->cap ? 2 * m->cap : 1024;
    g.key = mem_alloc(g.cap * sizeof *g.key);
    g.n = mem_calloc(g.cap, sizeof *g.n);
    if (!g.key || !g.n) { mem_free(g.key); mem_free(g.n); return -1; }
    for (size_t i = 0; i < m->cap; i++)
      if (m->n[i]) {
        size_t j = count_slot(&g, m->key[i]);
        g.key[j] = m->key[i];
        g.n[j] = m->n[i];
      }
    g.used = m->used;
    mem_free(m->key);
    mem_free(m->n);
    *m = g;
  }
  size_t i = count_slot(m, key);
  if (!m->n[i]) { m->key[i] = key; m->used++; }
  m->n[i]++;
  return 0;
}

static void map_free(chain_map *m) {
  mem_free(m->heads);
  mem_free(m->ents);
  memset(m, 0, sizeof *m);
}

static int map_add(chain_map *m, uint64_t key, uint32_t doc) {
  if (m->n + 1 > m->nslots) {
    size_t ns = m->nslots ? m->nslots * 2 : 1024;
    uint32_t *h = mem_calloc(ns, sizeof *h);
    if (!h) return -1;
    for (size_t i = 0; i < m->n; i++) m->ents[i].next = 0;
    /* re-chain, oldest first so that each chain stays newest first */
    for (size_t i = 0; i < m->n; i++) {
      size_t s = (size_t)m->ents[i].key & (ns - 1);
      m->ents[i].next = h[s];
      h[s] = (uint32_t)i + 1;
    }
    mem_free(m->heads);
    m->heads = h;
    m->nslots = ns;
  }
  if (mem_grow(&m->ents, &m->cap, m->n, sizeof *m->ents)) return -1;
  size_t s = (size_t)key & (m->nslots - 1);
  m->ents[m->n] = (struct chain_ent){key, doc, m->heads[s]};
  m->heads[s] = (uint32_t)++m->n;
  return 0;
}

void story_pending_clear(story_pending *sp) {
  if (!sp) return;
  sp->n = 0;
  map_free(&sp->bands);
  map_free(&sp->topics);
  mem_free(sp->counts.key);
  mem_free(sp->counts.n);
  memset(&sp->counts, 0, sizeof sp->counts);
}

void story_pending_free(story_pending *sp) {
  if (!sp) return;
  story_pending_clear(sp);
  mb_scratch_free(sp->sc);
  mb_prep_free(&sp->prep);
  mem_free(sp->docs);
  mem_free(sp);
}

int story_topics(const buf *topics, buf *out) {
  size_t kept = 0;
  for (size_t at = 0; topics && at < topics->n && kept < STORY_TOPICS; at += 1 + topics->p[at]) {
    const char *t = (const char *)topics->p + at + 1;
    size_t n = topics->p[at];
    if (n < 3 || t[0] != SEG_TOPIC_PREFIX || t[1] == AL_PARTIAL) continue;
    const char *sep = memchr(t, LK_TERM_SEP, n);
    if (!sep) continue;
    size_t keylen = (size_t)(sep - t) + 1; /* the key with its separator: every written form */
    buf_putc(out, (char)keylen);
    buf_put(out, t, keylen);
    kept++;
  }
  return out->oom ? ND_ERR_NOMEM : 0;
}

/* ---- finding the best match ---------------------------------------------- */

/* A near-duplicate candidate: where it is (a snapshot segment, or PEND_SEG
** and its buffer), its keys and how many signature slots it shares. */
typedef struct dup_cand {
  unsigned agree;
  uint32_t si, buf, doc;
  uint64_t story, thread;
} dup_cand;
#define PEND_SEG 0xffffffu

typedef struct cand {
  const uint16_t *sig;   /* the new article's */
  dup_cand dups[STORY_DUP_CANDS];
  size_t ndups;
  /* threads */
  uint64_t simhash;
  int64_t date;
  struct thread_ev { uint64_t thread; unsigned cands, qual; double score; } *ev; /* per candidate thread */
  size_t nev, capev;
  int oom;
  double w[STORY_TOPICS]; /* each topic's weight (stories.h) */
} cand;

/* Keep the candidate if its signature agrees in STORY_VERIFY_FROM slots
** or more: the STORY_DUP_CANDS most similar, each once. */
static void consider_dup(cand *c, const seg_docx *x, uint32_t si, uint32_t bufno, uint32_t doc) {
  unsigned a = fp_agree(c->sig, x->sig);
  if (a < STORY_VERIFY_FROM) return;
  size_t worst = 0;
  for (size_t i = 0; i < c->ndups; i++) {
    if (c->dups[i].si == si && c->dups[i].buf == bufno && c->dups[i].doc == doc) return;
    if (c->dups[i].agree < c->dups[worst].agree) worst = i;
  }
  dup_cand d = {a, si, bufno, doc, x->story, x->thread};
  if (c->ndups < STORY_DUP_CANDS) c->dups[c->ndups++] = d;
  else if (a > c->dups[worst].agree) c->dups[worst] = d;
}

static int cmp_agree(const void *a, const void *b) {
  const dup_cand *x = a, *y = b;
  return (x->agree < y->agree) - (x->agree > y->agree);
}

/* The sorted shingle set of an article, its text analysed again. */
static int article_shingles(nd_index *ix, story_pending *sp, const nd_doc *d, uint64_t **sh, size_t *n) {
  if (!sp->sc && !(sp->sc = mb_scratch_new())) return ND_ERR_NOMEM;
  int64_t date = DATE_NONE;
  int rc = mb_prepare(ix->an, sp->sc, d, date, NULL, &sp->prep);
  if (rc) return rc;
  size_t nw;
  const uint64_t *w = mb_scratch_words(sp->sc, &nw);
  return fp_shingle_set(w, nw, sh, n) ? ND_ERR_NOMEM : 0;
}

/* The exact Jaccard similarity of the new article's shingles (a[0..na))
** and candidate k's; -1 when its text cannot be read (then it is judged
** on its signature). */
static double exact_jaccard(nd_index *ix, story_pending *sp, const dup_cand *k, const uint64_t *a, size_t na) {
  struct nd_document *doc = NULL;
  int rc = k->si == PEND_SEG ? ix_pending_doc(ix, k->buf, k->doc, &doc)
                             : seg_get(&ix->snap.segs[k->si].seg, k->doc, &ix->scratch, &doc);
  if (rc) return -1;
  uint64_t *b = NULL;
  size_t nb = 0;
  rc = article_shingles(ix, sp, &doc->doc, &b, &nb);
  nd_document_free(doc);
  double j = rc ? -1 : fp_jaccard(a, na, b, nb);
  mem_free(b);
  return j;
}

/* The candidate the new article (stored record rec) is a version of, or
** NULL: one whose signature agrees in STORY_SURE slots or more, else the
** most similar whose shingles, compared exactly, overlap by near_dup. */
static const dup_cand *best_dup(nd_index *ix, story_pending *sp, cand *c, const buf *rec) {
  if (!c->ndups) return NULL;
  qsort(c->dups, c->ndups, sizeof *c->dups, cmp_agree);
  if (c->dups[0].agree >= STORY_SURE) return &c->dups[0];
  unsigned need = (unsigned)(ix->near_dup * FP_K + 0.999999);
  struct nd_document *me = NULL;
  uint64_t *a = NULL;
  size_t na = 0;
  const dup_cand *found = NULL;
  int readable = !rec_decode(rec->p, rec->n, &me) && !article_shingles(ix, sp, &me->doc, &a, &na);
  for (size_t i = 0; i < c->ndups && !found; i++) {
    double j = readable ? exact_jaccard(ix, sp, &c->dups[i], a, na) : -1;
    if (j >= 0 ? j >= ix->near_dup : c->dups[i].agree >= need) found = &c->dups[i];
  }
  nd_document_free(me);
  mem_free(a);
  return found;
}

#define DAY_NONE 0xffffffULL
#define DAY_BIAS (1LL << 23)

int64_t story_thread_day(uint64_t thread) {
  uint64_t d = thread >> 40;
  return d == DAY_NONE ? INT64_MIN : (int64_t)d - DAY_BIAS;
}

static uint64_t thread_key(int64_t date, const char *id) {
  uint64_t day = DAY_NONE;
  if (date != DATE_NONE) {
    int64_t d = date / 86400 - (date % 86400 < 0) + DAY_BIAS;
    if (d >= 0 && (uint64_t)d < DAY_NONE) day = (uint64_t)d;
  }
  return day << 40 | (hash64(id, strlen(id)) & ((1ULL << 40) - 1));
}

/* A candidate of topic weight w (the sum of the weights of the topics it
** shares) and SimHash `simhash`, in thread `thread`: counted for its
** thread, as qualifying or not (stories.h). */
static void consider_thread(cand *c, double w, uint64_t simhash, uint64_t thread) {
  int64_t start = story_thread_day(thread), day = c->date / 86400 - (c->date % 86400 < 0);
  if (start == INT64_MIN || day < start - STORY_SPAN_BEFORE || day > start + STORY_SPAN_DAYS - STORY_SPAN_BEFORE)
    return;
  double sim = ((double)fp_simhash_agree(c->simhash, simhash) - 32) / 32;
  int qual = w >= STORY_MIN_WEIGHT && sim >= STORY_MIN_SIM;
  size_t i = 0;
  while (i < c->nev && c->ev[i].thread != thread) i++;
  if (i == c->nev) {
    if (mem_grow(&c->ev, &c->capev, c->nev, sizeof *c->ev)) { c->oom = 1; return; }
    c->ev[c->nev++] = (struct thread_ev){thread, 0, 0, 0};
  }
  struct thread_ev *e = &c->ev[i];
  e->cands++;
  if (!qual) return;
  e->qual++;
  double score = w + STORY_SIM_FACTOR * sim;
  if (score > e->score) e->score = score;
}

/* The thread to join: of those with a qualifying candidate -- two when
** two or more of its articles were candidates --, the best scored.  0 and
** *thread, or -1 for none. */
static int best_thread(const cand *c, uint64_t *thread) {
  const struct thread_ev *best = NULL;
  for (size_t i = 0; i < c->nev; i++) {
    const struct thread_ev *e = &c->ev[i];
    if (e->qual < (e->cands < 2 ? 1u : 2u)) continue;
    if (!best || e->score > best->score || (e->score == best->score && e->thread < best->thread)) best = e;
  }
  if (!best) return -1;
  *thread = best->thread;
  return 0;
}

typedef struct seg_scan {
  cand *c;
  const snap_seg *g;
  uint32_t si;
} seg_scan;

static int band_hit(void *ctx, uint32_t doc) {
  seg_scan *s = ctx;
  if (ss_deleted(s->g, doc)) return 0;
  seg_docx x;
  seg_sig(&s->g->seg, doc, x.sig);
  x.story = seg_story(&s->g->seg, doc);
  x.thread = seg_thread(&s->g->seg, doc);
  consider_dup(s->c, &x, s->si, 0, doc);
  return 0;
}

static int in_window(int64_t a, int64_t b) {
  return a != DATE_NONE && b != DATE_NONE && (a > b ? a - b : b - a) <= WINDOW_SECS;
}

/* (article, topic) pairs of candidates: article = segment index (PEND_SEG
** for the articles added since the last commit) and doc. */
typedef struct pairs {
  uint64_t *v; /* si << 40 | doc << 8 | topic */
  size_t n, cap;
} pairs;

static int pairs_add(pairs *t, uint32_t si, uint32_t doc, uint32_t topic) {
  if (mem_grow(&t->v, &t->cap, t->n, sizeof *t->v)) return -1;
  t->v[t->n++] = (uint64_t)si << 40 | (uint64_t)doc << 8 | topic;
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Offer each article of the pairs with the weight of the distinct topics
** it shares. */
static void offer_pairs(cand *c, const nd_index *ix, const story_pending *sp, pairs *t) {
  if (t->n > 1) qsort(t->v, t->n, sizeof *t->v, cmp_u64); /* t->v is NULL when empty */
  for (size_t i = 0, j; i < t->n; i = j) {
    uint64_t art = t->v[i] >> 8;
    double w = 0;
    for (j = i; j < t->n && t->v[j] >> 8 == art; j++)
      if (j == i || t->v[j] != t->v[j - 1]) w += c->w[t->v[j] & 0xff];
    uint32_t si = (uint32_t)(art >> 32), d = (uint32_t)art;
    if (si == PEND_SEG) consider_thread(c, w, sp->docs[d].simhash, sp->docs[d].thread);
    else consider_thread(c, w, seg_simhash(&ix->snap.segs[si].seg, d), seg_thread(&ix->snap.segs[si].seg, d));
  }
  t->n = 0;
}

/* Candidates for a thread in snapshot segment si: the live articles dated
** within the window that have one of the topics (any written form), and
** each topic's document frequency added to df[]. */
static int segment_threads(cand *c, const nd_index *ix, uint32_t si, const buf *topics, pairs *t, uint64_t *df) {
  const snap_seg *g = &ix->snap.segs[si];
  const segment *s = &g->seg;
  uint32_t k = 0;
  for (size_t at = 0; at < topics->n; at += 1 + topics->p[at], k++) {
    const char *key = (const char *)topics->p + at + 1;
    size_t klen = topics->p[at];
    dict_iter it;
    int r = dict_seek(&it, &s->d, key, klen);
    for (; r == 1 && it.len >= klen && !memcmp(it.term, key, klen); r = dict_next(&it)) {
      const term_info *ti = &it.ti;
      df[k] += ti->df;
      if (ti->df > STORY_TOPIC_MAX_DF) continue;
      pl_cursor pc;
      if (seg_postings(&pc, s, ti)) return ND_ERR_CORRUPT;
      for (; pc.doc != PL_END && !pc.err; pl_next(&pc)) {
        uint32_t d = pc.doc;
        if (d >= s->m.ndocs) return ND_ERR_CORRUPT;
        if (!ss_deleted(g, d) && in_window(c->date, seg_date(s, d)) && pairs_add(t, si, d, k)) return ND_ERR_NOMEM;
      }
      if (pc.err) return ND_ERR_CORRUPT;
    }
    if (r < 0) return ND_ERR_CORRUPT;
  }
  return 0;
}

/* Thread candidates among the articles added since the last commit: per
** topic that weighs anything, the latest STORY_RECENT_SCAN with it. */
static int pending_threads(cand *c, const story_pending *sp, const uint64_t *th, uint32_t nth, pairs *t) {
  for (uint32_t k = 0; k < nth && sp->topics.nslots; k++) {
    if (c->w[k] <= 0) continue; /* too common: it adds nothing */
    unsigned scanned = 0;
    for (uint32_t e = sp->topics.heads[th[k] & (sp->topics.nslots - 1)]; e && scanned < STORY_RECENT_SCAN;
         e = sp->topics.ents[e - 1].next) {
      const struct chain_ent *ce = &sp->topics.ents[e - 1];
      if (ce->key != th[k]) continue;
      scanned++;
      if (in_window(c->date, sp->docs[ce->doc].date) && pairs_add(t, PEND_SEG, ce->doc, k)) return ND_ERR_NOMEM;
    }
  }
  return 0;
}

int story_assign(nd_index *ix, const char *id, int64_t date, const buf *topics, mb_prep *p) {
  if (!ix->stories && !(ix->stories = mem_calloc(1, sizeof *ix->stories))) return ND_ERR_NOMEM;
  story_pending *sp = ix->stories;
  int rc = 0;
  cand c = {.sig = p->x.sig, .simhash = p->x.simhash, .date = date};
  int empty = fp_empty(p->x.sig);
  uint32_t bands[FP_BANDS];
  if (!empty) fp_bands(p->x.sig, bands);
  /* near-duplicates */
  for (size_t si = 0; si < ix->snap.n && !empty; si++) {
    seg_scan sc = {&c, &ix->snap.segs[si], (uint32_t)si};
    for (int b = 0; b < FP_BANDS; b++) seg_band_docs(&ix->snap.segs[si].seg, bands[b], band_hit, &sc);
  }
  for (int b = 0; b < FP_BANDS && !empty && sp->bands.nslots; b++)
    for (uint32_t e = sp->bands.heads[bands[b] & (sp->bands.nslots - 1)]; e; e = sp->bands.ents[e - 1].next) {
      if (sp->bands.ents[e - 1].key != bands[b]) continue;
      const pend_doc *pd = &sp->docs[sp->bands.ents[e - 1].doc];
      seg_docx x;
      if (!ix_pending_docx(ix, pd->buf, pd->doc, &x)) consider_dup(&c, &x, PEND_SEG, pd->buf, pd->doc);
    }
  const dup_cand *best = best_dup(ix, sp, &c, &p->rec);
  int dup = best != NULL;
  p->x.story = dup ? best->story : hash64(id, strlen(id));
  /* the thread */
  uint64_t th[STORY_TOPICS];
  uint32_t nth = 0;
  for (size_t at = 0; topics && at < topics->n && nth < STORY_TOPICS; at += 1 + topics->p[at])
    th[nth++] = XXH3_64bits(topics->p + at + 1, topics->p[at]);
  if (dup) {
    p->x.thread = best->thread;
  } else {
    if (date != DATE_NONE && nth) {
      pairs t = {0};
      uint64_t df[STORY_TOPICS] = {0};
      for (size_t si = 0; si < ix->snap.n && !rc; si++) rc = segment_threads(&c, ix, (uint32_t)si, topics, &t, df);
      /* weights: idf normalised by the largest possible, ln(1 + N) */
      double n = (double)ix->snap.live_docs + (double)sp->n + 1;
      if (n < STORY_MIN_N) n = STORY_MIN_N; /* a small archive weighs like one of STORY_MIN_N */
      for (uint32_t k = 0; k < nth; k++) {
        df[k] += count_get(&sp->counts, th[k]);
        c.w[k] = log(1 + n / (double)(df[k] + 1)) / log(1 + n);
        if (c.w[k] < STORY_MIN_TOPIC) c.w[k] = 0; /* too common to tell stories apart */
      }
      if (!rc) rc = pending_threads(&c, sp, th, nth, &t);
      if (!rc) offer_pairs(&c, ix, sp, &t);
      mem_free(t.v);
      if (rc) return rc;
    }
    if (c.oom) rc = ND_ERR_NOMEM;
    if (rc || best_thread(&c, &p->x.thread)) p->x.thread = thread_key(date, id);
    mem_free(c.ev);
    if (rc) return rc;
  }
  /* remember it */
  if (mem_grow(&sp->docs, &sp->cap, sp->n, sizeof *sp->docs)) return ND_ERR_NOMEM;
  uint32_t me = (uint32_t)sp->n;
  pend_doc *pd = &sp->docs[sp->n++];
  pd->simhash = p->x.simhash;
  pd->thread = p->x.thread;
  pd->date = date;
  pd->buf = ix->nbufs;
  pd->doc = mb_ndocs(ix->mb); /* mb_put numbers it next */
  for (int b = 0; b < FP_BANDS && !empty; b++)
    if (map_add(&sp->bands, bands[b], me)) return ND_ERR_NOMEM;
  for (uint32_t k = 0; k < nth; k++)
    if (map_add(&sp->topics, th[k], me) || count_inc(&sp->counts, th[k])) return ND_ERR_NOMEM;
  return 0;
}

typedef struct members_ctx {
  int (*fn)(void *ctx, size_t si, uint32_t doc);
  void *ctx;
  const snap_seg *g;
  size_t si;
  int rc;
} members_ctx;

static int member(void *ctx, uint32_t doc) {
  members_ctx *m = ctx;
  if (ss_deleted(m->g, doc)) return 0;
  return m->rc = m->fn(m->ctx, m->si, doc);
}

int story_members(nd_index *ix, int which, uint64_t k, int (*fn)(void *ctx, size_t si, uint32_t doc), void *ctx) {
  members_ctx m = {fn, ctx, NULL, 0, 0};
  for (size_t si = 0; si < ix->snap.n && !m.rc; si++) {
    m.g = &ix->snap.segs[si];
    m.si = si;
    seg_key_docs(&m.g->seg, which, k, member, &m);
  }
  return m.rc;
}
