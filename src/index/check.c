/*
** check.c -- nd_check(): verify a whole archive, reporting every problem.
**
** The checker reads the manifest, opens the segments it names (retrying
** when a concurrent commit removed a file between the two), and for each
** segment verifies, in one pass over each file:
**
**   - the XXH64 of every file against the segment's meta;
**   - the deletion file: readable, numbers < ndocs, count as the manifest says;
**   - the document table: store block in range, length sums as in the meta,
**     the length bytes agreeing with the lengths;
**   - the dictionary: terms strictly increasing, term count as in the meta,
**     postings ranges inside .doc/.pos and together covering both files;
**   - every postings list: decodes, documents strictly increasing and
**     < ndocs, df documents, frequencies > 0, positions not decreasing,
**     title positions inside the title and body positions inside the body;
**   - source terms (index/srcterm.h): well formed (a folded, collapsed key
**     that is the written form's key, a separator, the written form), once
**     at position 0, at most one per article;
**   - the date index: sorted by (date, doc), each entry naming a real
**     document with that date, one entry per dated document;
**   - the stored articles: every block decompresses, every record decodes
**     and carries an id, and the id index holds exactly the hash of each
**     document's id, sorted;
** and across segments that no id is live twice.  Problems are reported one
** per line through the caller's callback; the library never prints.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../text/analyze.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "alias.h"
#include "index.h"
#include "srcterm.h"

#define MAX_REPORTED 50 /* problems passed to the callback per segment */

typedef struct live_id {
  uint64_t hash;
  uint32_t seg, doc;
} live_id;

typedef struct checker {
  nd_check_fn fn;
  void *ctx;
  nd_check_report rep;
  uint64_t seg_problems; /* in the segment being checked */
  int nomem;
  uint64_t topic_refs;   /* postings of topic terms in the segment being checked */
  uint8_t *sources;      /* per article of that segment: source terms seen (NULL: not counted) */
  analyzer *an;          /* the archive's, to recompute fingerprints */
  mb_scratch *sc;
  mb_prep prep;
  live_id *live;         /* ids of live documents, all segments */
  size_t nlive, caplive;
} checker;

static void problem(checker *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(checker *k, const char *fmt, ...) {
  k->rep.problems++;
  if (++k->seg_problems > MAX_REPORTED + 1 || !k->fn) return;
  char line[600];
  if (k->seg_problems == MAX_REPORTED + 1) {
    snprintf(line, sizeof line, "(further problems of this segment are counted, not listed)");
  } else {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
  }
  k->fn(k->ctx, line);
}

/* A term as a message shows it: source terms as "source:KEY?WRITTEN", topics as
** "topic:KEY", control bytes as '?', at most 60 bytes. */
static const char *show_term(const char *t, size_t len, char *out) {
  size_t o = 0, i = 0;
  if (len && t[0] == SEG_SOURCE_PREFIX) { memcpy(out, "source:", 7); o = 7; i = 1; }
  if (len > 1 && t[0] == SEG_TOPIC_PREFIX) { memcpy(out, "topic:", 6); o = 6; i = 2; }
  for (; i < len && o < 60; i++) out[o++] = (unsigned char)t[i] < 0x20 || t[i] == '"' ? '?' : t[i];
  out[o] = 0;
  return out;
}

/* ---- files -------------------------------------------------------------- */

static void check_hashes(checker *k, const segment *s) {
  for (int f = 0; f < SF_COUNT; f++) {
    k->rep.bytes += s->f[f].n;
    if (hash64(s->f[f].p, s->f[f].n) != s->m.hash[f]) {
      char name[24];
      seg_file_name(s->segno, f, name);
      problem(k, "%s: checksum mismatch: the file's %zu bytes were changed after it was written", name, s->f[f].n);
    }
  }
}

static void check_deletions(checker *k, const snap_seg *g) {
  if (!g->del) return;
  uint64_t card = roaring_bitmap_get_cardinality(g->del);
  char name[40];
  del_file_name(g->ms.segno, g->ms.delgen, name);
  if (card && roaring_bitmap_maximum(g->del) >= g->seg.m.ndocs)
    problem(k, "%s: deletes article %u, the segment has %u", name, roaring_bitmap_maximum(g->del), g->seg.m.ndocs);
  if (card != g->ms.ndeleted)
    problem(k, "%s: holds %llu deletions, the manifest says %u", name, (unsigned long long)card, g->ms.ndeleted);
  k->rep.deleted += card;
}

/* ---- document table and date index -------------------------------------- */

static void check_doc_table(checker *k, const segment *s) {
  uint64_t st = 0, sb = 0, dated = 0;
  char name[24];
  seg_file_name(s->segno, SF_FLD, name);
  for (uint32_t d = 0; d < s->m.ndocs; d++) {
    st += seg_title_len(s, d);
    sb += seg_body_len(s, d);
    dated += seg_date(s, d) != DATE_NONE;
    if (seg_block_of(s, d) >= s->m.store_nblocks)
      problem(k, "%s: offset %zu: article %u is in store block %u, there are %u", name, (size_t)d * SEG_DOC_ROW, d,
              seg_block_of(s, d), s->m.store_nblocks);
    if (s->norms[2 * (size_t)d] != bm25_len_code(seg_title_len(s, d)) ||
        s->norms[2 * (size_t)d + 1] != bm25_len_code(seg_body_len(s, d)))
      problem(k, "%s: offset %zu: the length bytes of article %u disagree with its lengths %u/%u", name,
              (size_t)(s->norms - s->docs) + 2 * (size_t)d, d, seg_title_len(s, d), seg_body_len(s, d));
  }
  if (st != s->m.sum_title_len || sb != s->m.sum_body_len)
    problem(k, "%s: title/body lengths sum to %llu/%llu, the meta says %llu/%llu", name, (unsigned long long)st,
            (unsigned long long)sb, (unsigned long long)s->m.sum_title_len, (unsigned long long)s->m.sum_body_len);
  if (!seg_topics_ok(s))
    problem(k, "%s: topic list damaged (offsets not rising, or a document's ordinals not ascending)", name);
  char why[200];
  int sc = seg_stories_check(s, why, sizeof why);
  if (sc == ND_ERR_NOMEM) k->nomem = 1;
  else if (sc) problem(k, "%s", why);
  if (dated != s->m.ndates)
    problem(k, "%s: %llu articles have a date, the date index has %llu entries", name, (unsigned long long)dated,
            (unsigned long long)s->m.ndates);
  size_t base = (size_t)s->m.ndocs * SEG_DOC_ROW;
  for (uint64_t i = 0; i < s->m.ndates; i++) {
    const uint8_t *e = s->dates + i * 12;
    int64_t date = (int64_t)rd_u64(e);
    uint32_t d = rd_u32(e + 8);
    size_t off = base + (size_t)i * 12;
    if (d >= s->m.ndocs) {
      problem(k, "%s: offset %zu: date index entry %llu names article %u, the segment has %u", name, off,
              (unsigned long long)i, d, s->m.ndocs);
      continue;
    }
    if (seg_date(s, d) != date)
      problem(k, "%s: offset %zu: date index entry %llu disagrees with article %u's date", name, off,
              (unsigned long long)i, d);
    if (i) {
      int64_t pd = (int64_t)rd_u64(e - 12);
      uint32_t pdoc = rd_u32(e - 4);
      if (pd > date || (pd == date && pdoc >= d))
        problem(k, "%s: offset %zu: date index out of order at entry %llu", name, off, (unsigned long long)i);
    }
  }
}

/* ---- dictionary and postings -------------------------------------------- */

/* Check the documents, frequencies and positions of one term. */
static void check_postings(checker *k, const segment *s, const dict_iter *it, uint32_t **pos, size_t *poscap) {
  char t[72];
  const term_info *ti = &it->ti;
  int keyword = seg_keyword_term(it->term, it->len), topic = it->term[0] == SEG_TOPIC_PREFIX;
  int source = it->term[0] == SEG_SOURCE_PREFIX, nomem = 0;
  const char *bad = source ? src_term_problem(it->term, it->len, &nomem) : NULL;
  if (source && nomem) { k->nomem = 1; return; }
  if (bad) problem(k, "s%06u.dic: source term \"%s\": %s", s->segno, show_term(it->term, it->len, t), bad);
  if ((bad = al_term_problem(it->term, it->len)))
    problem(k, "s%06u.dic: alias term \"%s\": %s", s->segno, show_term(it->term, it->len, t), bad);
  pl_cursor c;
  if (seg_postings(&c, s, ti)) {
    problem(k, "s%06u.doc: offset %llu: term \"%s\": postings do not decode", s->segno, (unsigned long long)ti->doc_off,
            show_term(it->term, it->len, t));
    return;
  }
  uint32_t seen = 0, prev = 0;
  for (; c.doc != PL_END; pl_next(&c)) {
    uint32_t d = c.doc, tft = pl_tft(&c), tfb = pl_tfb(&c);
    seen++;
    k->rep.postings++;
    const char *why = NULL;
    if (d >= s->m.ndocs) why = "article number out of range";
    else if (seen > 1 && d <= prev) why = "article numbers not increasing";
    else if ((uint64_t)tft + tfb == 0) why = "zero frequency";
    else if (tft > seg_title_len(s, d)) why = "title frequency exceeds the title's length";
    if (why) {
      problem(k, "s%06u.doc: term \"%s\", article %u: %s", s->segno, show_term(it->term, it->len, t), d, why);
      return;
    }
    prev = d;
    if (topic && !seg_has_topic(s, d, (uint32_t)it->ord))
      problem(k, "s%06u.fld: article %u has topic \"%s\" in its postings, not in its topic list", s->segno, d,
              show_term(it->term, it->len, t));
    k->topic_refs += topic;
    if (source && k->sources && k->sources[d]++)
      problem(k, "s%06u.doc: article %u has more than one source term (\"%s\" the second)", s->segno, d,
              show_term(it->term, it->len, t));
    size_t n = (size_t)tft + tfb;
    if (n > *poscap) {
      uint32_t *np = mem_realloc(*pos, n * sizeof **pos);
      if (!np) { k->nomem = 1; return; }
      *pos = np;
      *poscap = n;
    }
    if (pl_positions(&c, *pos) != (int)n) {
      problem(k, "s%06u.pos: term \"%s\", article %u: positions do not decode (%zu expected)", s->segno,
              show_term(it->term, it->len, t), d, n);
      return;
    }
    k->rep.positions += n;
    uint32_t tl = seg_title_len(s, d), bl = seg_body_len(s, d);
    if (keyword && tft) why = "a keyword field with a title frequency";
    else if (topic && (n != 1 || (*pos)[0] != 0)) why = "a topic not at position 0 once";
    else if (source && (n != 1 || (*pos)[0] != 0)) why = "a source not at position 0 once";
    size_t j = 0;
    for (; j < n && !why; j++) {
      uint32_t p = (*pos)[j];
      if (j && p < (*pos)[j - 1]) why = "positions decreasing"; /* equal: "e-mail" gives "email" and "e" at one position */
      else if (keyword) continue;
      else if (j < tft && p >= tl) why = "title position beyond the title";
      else if (j >= tft && (p <= tl || p > tl + bl)) why = "body position outside the body";
    }
    if (why) {
      problem(k, "s%06u.pos: term \"%s\", article %u: %s (position %u, title %u, body %u words)", s->segno,
              show_term(it->term, it->len, t), d, why, n ? (*pos)[j ? j - 1 : 0] : 0, tl, bl);
      return;
    }
  }
  if (c.err)
    problem(k, "s%06u.doc: term \"%s\": postings damaged after %u of %u articles", s->segno,
            show_term(it->term, it->len, t), seen, ti->df);
  else if (seen != ti->df)
    problem(k, "s%06u.dic: term \"%s\": df %u, the postings hold %u articles", s->segno,
            show_term(it->term, it->len, t), ti->df, seen);
}

static void check_dictionary(checker *k, const segment *s) {
  dict_iter it;
  int r = dict_seek(&it, &s->d, "", 0);
  uint64_t nterms = 0, doc_end = 0, pos_end = 0;
  char prev[DICT_MAX_TERM + 1], t[72];
  size_t prevlen = 0;
  uint32_t *pos = NULL;
  size_t poscap = 0;
  k->topic_refs = 0;
  k->sources = mem_calloc((size_t)s->m.ndocs + 1, 1); /* without memory, not counted */
  for (; r == 1 && !k->nomem; r = dict_next(&it)) {
    if (nterms) {
      int c = memcmp(prev, it.term, prevlen < it.len ? prevlen : it.len);
      if (c > 0 || (c == 0 && prevlen >= it.len))
        problem(k, "s%06u.dic: term %llu \"%s\" is not greater than the one before it", s->segno,
                (unsigned long long)nterms, show_term(it.term, it.len, t));
    }
    memcpy(prev, it.term, it.len);
    prevlen = it.len;
    nterms++;
    const term_info *ti = &it.ti;
    if (ti->df == 0 || ti->df > s->m.ndocs || ti->doc_off + ti->doc_len + PL_PAD > s->f[SF_DOC].n ||
        ti->pos_off + ti->pos_len > s->f[SF_POS].n) {
      problem(k, "s%06u.dic: term \"%s\": df %u or postings range (.doc %llu+%llu, .pos %llu+%llu) out of bounds",
              s->segno, show_term(it.term, it.len, t), ti->df, (unsigned long long)ti->doc_off,
              (unsigned long long)ti->doc_len, (unsigned long long)ti->pos_off, (unsigned long long)ti->pos_len);
      continue;
    }
    if (ti->doc_off != doc_end || ti->pos_off != pos_end) /* each term's postings follow the previous term's */
      problem(k, "s%06u.dic: term \"%s\": postings at .doc %llu, .pos %llu; the previous term's end at %llu, %llu",
              s->segno, show_term(it.term, it.len, t), (unsigned long long)ti->doc_off, (unsigned long long)ti->pos_off,
              (unsigned long long)doc_end, (unsigned long long)pos_end);
    doc_end = ti->doc_off + ti->doc_len;
    pos_end = ti->pos_off + ti->pos_len;
    check_postings(k, s, &it, &pos, &poscap);
  }
  mem_free(pos);
  mem_free(k->sources);
  k->sources = NULL;
  k->rep.terms += nterms;
  if (k->nomem) return;
  if (r < 0)
    problem(k, "s%06u.dic: damaged after term %llu (\"%s\")", s->segno, (unsigned long long)nterms,
            show_term(prev, prevlen, t));
  else if (nterms != s->m.nterms)
    problem(k, "s%06u.dic: holds %llu terms, the meta says %llu", s->segno, (unsigned long long)nterms,
            (unsigned long long)s->m.nterms);
  else if (doc_end + PL_PAD != s->f[SF_DOC].n || pos_end != s->f[SF_POS].n)
    problem(k, "s%06u: the postings cover %llu of %zu .doc bytes and %llu of %zu .pos bytes", s->segno,
            (unsigned long long)(doc_end + PL_PAD), s->f[SF_DOC].n, (unsigned long long)pos_end, s->f[SF_POS].n);
  else if (k->topic_refs != s->m.topic_refs)
    problem(k, "s%06u.fld: the topic list has %llu entries, the topic terms' postings %llu", s->segno,
            (unsigned long long)s->m.topic_refs, (unsigned long long)k->topic_refs);
}

/* ---- stored articles and the id index ----------------------------------- */

/* The fingerprints of article d, made again from its stored text. */
static void check_fingerprint(checker *k, const segment *s, uint32_t d, const nd_doc *doc) {
  if (!k->an || !doc->body) return;
  int rc = mb_prepare(k->an, k->sc, doc, seg_date(s, d), NULL, &k->prep);
  if (rc) { k->nomem = 1; return; }
  seg_docx x;
  seg_docx_of(s, d, &x);
  if (memcmp(x.sig, k->prep.x.sig, sizeof x.sig) || x.simhash != k->prep.x.simhash)
    problem(k, "s%06u.fld: the fingerprints of article %u are not those of its text", s->segno, d);
}

static void check_store(checker *k, const snap_seg *g, uint32_t segidx) {
  const segment *s = &g->seg;
  uint32_t nd = s->m.ndocs, nb = s->m.store_nblocks;
  uint64_t *idh = mem_calloc((size_t)nd + 1, sizeof *idh); /* XXH64 of each doc's id, 0: unreadable */
  unsigned char *bad = mem_calloc((size_t)nb + 1, 1);        /* 1 read fine, 2 damaged */
  blk_cache cache = {0};
  if (!idh || !bad) { k->nomem = 1; goto done; }
  for (uint32_t d = 0; d < nd; d++) {
    uint32_t b = seg_block_of(s, d);
    if (b >= nb || bad[b] == 2) continue;
    if (cache.seg != s || cache.block != b) { /* load the block here to tell its damage from a record's */
      cache.seg = NULL;
      int r = store_block(&s->st, b, &cache.data);
      if (r == -2) { k->nomem = 1; goto done; }
      if (r) {
        bad[b] = 2;
        problem(k, "s%06u.sto: block %u (of %u) does not decompress", s->segno, b, nb);
        continue;
      }
      cache.seg = s;
      cache.block = b;
      if (!bad[b]) { bad[b] = 1; k->rep.stored_blocks++; }
    }
    struct nd_document *doc;
    int rc = seg_get_cached(s, d, &cache, &doc);
    if (rc == ND_ERR_NOMEM) { k->nomem = 1; goto done; }
    if (rc) {
      problem(k, "s%06u.sto: block %u: the record of article %u does not decode", s->segno, b, d);
      continue;
    }
    k->rep.articles++;
    check_fingerprint(k, s, d, &doc->doc);
    if (!doc->doc.id || !doc->doc.id[0] || !doc->doc.body) {
      problem(k, "s%06u.sto: block %u: article %u has no %s", s->segno, b, d, doc->doc.body ? "id" : "body");
    } else {
      idh[d] = hash64(doc->doc.id, strlen(doc->doc.id));
      if (!ss_deleted(g, d)) {
        if (mem_grow(&k->live, &k->caplive, k->nlive, sizeof *k->live)) { k->nomem = 1; nd_document_free(doc); goto done; }
        k->live[k->nlive++] = (live_id){idh[d], segidx, d};
      }
    }
    nd_document_free(doc);
  }
  for (uint32_t b = 0; b < nb; b++) { /* blocks no article points at */
    if (bad[b]) continue;
    int rc = store_block(&s->st, b, &cache.data);
    cache.seg = NULL;
    if (rc == -2) { k->nomem = 1; goto done; }
    if (rc) problem(k, "s%06u.sto: block %u (of %u) does not decompress", s->segno, b, nb);
    else k->rep.stored_blocks++;
  }
  /* The id index: (hash, doc) strictly increasing, hash = the doc's id. */
  char name[24];
  seg_file_name(s->segno, SF_FLD, name);
  size_t base = (size_t)nd * SEG_DOC_ROW + (size_t)s->m.ndates * 12;
  for (uint32_t i = 0; i < nd; i++) {
    const uint8_t *e = s->ids + (size_t)i * 12;
    uint64_t h = rd_u64(e);
    uint32_t d = rd_u32(e + 8);
    size_t off = base + (size_t)i * 12;
    if (d >= nd) {
      problem(k, "%s: offset %zu: id index entry %u names article %u, the segment has %u", name, off, i, d, nd);
      continue;
    }
    if (idh[d] && idh[d] != h)
      problem(k, "%s: offset %zu: id index entry %u does not hold article %u's id", name, off, i, d);
    if (i && (rd_u64(e - 12) > h || (rd_u64(e - 12) == h && rd_u32(e - 4) >= d)))
      problem(k, "%s: offset %zu: id index out of order at entry %u", name, off, i);
  }
done:
  buf_free(&cache.data);
  mem_free(idh);
  mem_free(bad);
}

static int cmp_live(const void *a, const void *b) {
  const live_id *x = a, *y = b;
  if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
  if (x->seg != y->seg) return x->seg < y->seg ? -1 : 1;
  return (x->doc > y->doc) - (x->doc < y->doc);
}

/* Each id live at most once over the whole archive. */
static void check_unique_ids(checker *k, const snapshot *sn) {
  if (k->nlive < 2) return;
  qsort(k->live, k->nlive, sizeof *k->live, cmp_live);
  buf scratch;
  buf_init(&scratch);
  k->seg_problems = 0;
  for (size_t i = 1; i < k->nlive; i++) {
    const live_id *a = &k->live[i - 1], *b = &k->live[i];
    if (a->hash != b->hash) continue;
    struct nd_document *da = NULL, *db = NULL;
    if (!seg_get(&sn->segs[a->seg].seg, a->doc, &scratch, &da) && !seg_get(&sn->segs[b->seg].seg, b->doc, &scratch, &db) &&
        da->doc.id && db->doc.id && !strcmp(da->doc.id, db->doc.id))
      problem(k, "id \"%.80s\" is live twice: segment %u article %u and segment %u article %u", da->doc.id,
              sn->segs[a->seg].ms.segno, a->doc, sn->segs[b->seg].ms.segno, b->doc);
    nd_document_free(da);
    nd_document_free(db);
  }
  buf_free(&scratch);
}

/* ---- the archive -------------------------------------------------------- */

static void check_manifest(checker *k, const manifest *m) {
  if (!an_language_ok(m->language)) problem(k, "MANIFEST: unknown language \"%s\"", m->language);
  for (size_t i = 0; i < m->nsegs; i++) {
    if (m->segs[i].segno >= m->next_segno)
      problem(k, "MANIFEST: segment %u is not below next-segment %u", m->segs[i].segno, m->next_segno);
    if ((m->segs[i].delgen == 0) != (m->segs[i].ndeleted == 0) || m->segs[i].delgen > m->generation)
      problem(k, "MANIFEST: segment %u: deleted %u with delgen %llu (generation %llu)", m->segs[i].segno,
              m->segs[i].ndeleted, (unsigned long long)m->segs[i].delgen, (unsigned long long)m->generation);
    for (size_t j = 0; j < i; j++)
      if (m->segs[j].segno == m->segs[i].segno) problem(k, "MANIFEST: segment %u is named twice", m->segs[i].segno);
  }
}

/* Open what the manifest names; segments that cannot be opened are
** reported and left out (ok[i] stays 0).  Returns
** ND_ERR_NOTFOUND when a file is missing and the manifest changed since
** (the caller retries), else 0 or ND_ERR_NOMEM. */
static int open_all(checker *k, const nd_storage *st, const char *label, const manifest *m, snapshot *sn, unsigned char *ok) {
  char err[512];
  for (size_t i = 0; i < m->nsegs; i++) {
    snap_seg *g = &sn->segs[i];
    g->ms = m->segs[i];
    int rc = seg_open(&g->seg, st, g->ms.segno, err, sizeof err);
    if (!rc && g->ms.delgen) {
      rc = del_read(st, g->ms.segno, g->ms.delgen, &g->del, err, sizeof err);
      if (rc) seg_close(&g->seg);
    }
    if (rc == ND_ERR_NOMEM) return rc;
    if (rc == ND_ERR_NOTFOUND) {
      manifest now;
      char e2[512];
      int changed = !man_read(st, label, &now, e2, sizeof e2) && now.generation != m->generation;
      man_free(&now);
      if (changed) return ND_ERR_NOTFOUND;
    }
    if (rc) { problem(k, "%s", err); continue; }
    ok[i] = 1;
    if (g->seg.m.ndocs != g->ms.ndocs)
      problem(k, "s%06u.meta: %u articles, the manifest says %u", g->ms.segno, g->seg.m.ndocs, g->ms.ndocs);
  }
  return 0;
}

static void close_all(snapshot *sn, const unsigned char *ok, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!ok[i]) continue;
    seg_close(&sn->segs[i].seg);
    if (sn->segs[i].del) roaring_bitmap_free(sn->segs[i].del);
  }
}

int nd_check(const char *path, nd_check_fn on_problem, void *ctx, nd_check_report *out) {
  nd_storage *st = vfs_posix_new(path);
  if (!st) return ND_ERR_NOMEM;
  int rc = nd_check_storage(st, path, on_problem, ctx, out);
  vfs_posix_free(st);
  return rc;
}

int nd_check_storage(const nd_storage *st, const char *path, nd_check_fn on_problem, void *ctx,
                     nd_check_report *out) {
  checker k;
  memset(&k, 0, sizeof k);
  k.fn = on_problem;
  k.ctx = ctx;
  manifest m;
  snapshot sn;
  unsigned char *ok = NULL;
  char err[512];
  int rc;
  for (int attempt = 0;; attempt++) {
    memset(&sn, 0, sizeof sn);
    if ((rc = man_read(st, path, &m, err, sizeof err))) {
      if (rc != ND_ERR_NOMEM) problem(&k, "%s", err);
      goto done;
    }
    sn.segs = mem_calloc(m.nsegs + 1, sizeof *sn.segs);
    ok = mem_calloc(m.nsegs + 1, 1);
    rc = sn.segs && ok ? open_all(&k, st, path, &m, &sn, ok) : ND_ERR_NOMEM;
    if (rc != ND_ERR_NOTFOUND || attempt == 20) break;
    /* A commit removed a file between the manifest and the segment: again. */
    close_all(&sn, ok, m.nsegs);
    mem_free(sn.segs);
    mem_free(ok);
    ok = NULL;
    man_free(&m);
    k.rep.problems = 0;
    usleep(1000u << (attempt < 6 ? attempt : 6));
  }
  if (rc == ND_ERR_NOTFOUND) {
    problem(&k, "%s: the archive kept changing while it was being checked", path);
    rc = ND_ERR_CORRUPT;
  }
  if (!rc) {
    check_manifest(&k, &m);
    k.an = an_language_ok(m.language) ? an_new(m.language) : NULL;
    k.sc = mb_scratch_new();
    mb_prep_init(&k.prep);
    if (!k.sc || (!k.an && an_language_ok(m.language))) k.nomem = 1;
    for (size_t i = 0; i < m.nsegs && !k.nomem; i++) {
      if (!ok[i]) continue;
      k.seg_problems = 0;
      k.rep.segments++;
      const segment *s = &sn.segs[i].seg;
      check_hashes(&k, s);
      check_deletions(&k, &sn.segs[i]);
      check_doc_table(&k, s);
      check_dictionary(&k, s);
      if (!k.nomem) check_store(&k, &sn.segs[i], (uint32_t)i);
    }
    if (!k.nomem) check_unique_ids(&k, &sn);
    rc = k.nomem ? ND_ERR_NOMEM : k.rep.problems ? ND_ERR_CORRUPT : 0;
  }
  if (ok) close_all(&sn, ok, m.nsegs);
  man_free(&m);
  an_free(k.an);
  mb_scratch_free(k.sc);
  mb_prep_free(&k.prep);
done:
  mem_free(sn.segs);
  mem_free(ok);
  mem_free(k.live);
  if (out) *out = k.rep;
  return rc;
}
