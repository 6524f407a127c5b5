/*
** test_corrupt.c -- damaged archives: nd_check() and the readers.
**
** A small archive is built from invented articles (the fixture news.jsonl;
** three segments and a
** deletion file).  Then, for every file of it, bytes are flipped at many
** offsets and the file is cut at many lengths, one damage at a time:
**   - opening, searching and fetching must not crash, and any error must be
**     ND_ERR_CORRUPT (or ND_ERR_VERSION) with a message;
**   - nd_check() must report the damage, naming the file (every byte of
**     an archive is covered by a checksum), unless the archive still
**     behaves exactly as before (a MANIFEST hex digit changing case);
**   - results that differ from the undamaged archive without an error are
**     counted ("silent"): they are allowed only because check reports them.
** Then damage is "resealed" (the segment's checksums recomputed) so that
** only the structural checks can see it: again no crash, and targeted
** damage (id index, date index, document table, length bytes, postings, dictionary) must
** be reported by name.  Runs in a few seconds; run it under the sanitizers.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/segment.h"
#include "ingest/ingest.h"
#include "newsdex.h"
#include "test.h"
#include "testdata.h"
#include "util/buf.h"
#include "util/file.h"
#include "testfs.h"

#define N_ARTICLES 150
#define N_CUTS 6        /* per file */
static unsigned N_FLIPS = 16; /* per file; ND_LONG=1 in the environment: 128 */

static char g_dir[64];
static char *g_pristine;      /* fingerprint of the undamaged archive */
static char g_files[40][64];  /* the archive's files */
static size_t g_nfiles;
static const char *g_ids[12]; /* articles fetched by the fingerprint */
static char g_idmem[12][128];
static unsigned g_undetected, g_cases, g_detected, g_silent, g_open_fail, g_op_fail, g_same;



typedef struct load_ctx {
  nd_index *ix;
  int n;
  int fail;
} load_ctx;

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  load_ctx *c = ctx;
  if (c->n >= N_ARTICLES) return 1;
  if (nd_add(c->ix, d, NULL)) { c->fail = 1; return 1; }
  if (c->n < 12) {
    snprintf(g_idmem[c->n], sizeof g_idmem[0], "%s", d->id);
    g_ids[c->n] = g_idmem[c->n];
  }
  c->n++;
  if (c->n % (N_ARTICLES / 3) == 0 && nd_commit(c->ix)) { c->fail = 1; return 1; } /* one segment each */
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {}

/* Appends everything the archive answers to a few queries and fetches. */
static const char *const QUERIES[] = {"the", "government OR market", "\"said on\"", "comp*", "title:oil",
                                      "date:1996..2005 bank", "source:reuters -price", "(gold AND NOT silver) OR tax"};

static void fp_doc(buf *b, const nd_doc *d) {
  const char *f[] = {d->id, d->title, d->date, d->source, d->url, d->body, d->extra_json};
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) buf_printf(b, "[%s]", f[i] ? f[i] : "-");
  for (size_t i = 0; i < d->n_marked; i++) buf_printf(b, "<%s>", d->marked[i]);
}

/* Fingerprint of what the archive answers; *errs counts failed calls (each
** must be ND_ERR_CORRUPT with a message).  Returns NULL if a call failed
** with anything else (after printing it). */
static char *fingerprint(nd_index *ix, unsigned *errs) {
  buf b;
  buf_init(&b);
  nd_search_options o = {.limit = 20, .snippets = ND_SNIPPET_PLAIN};
  for (size_t q = 0; q < sizeof QUERIES / sizeof *QUERIES; q++) {
    nd_results *r;
    int rc = nd_search(ix, QUERIES[q], &o, &r);
    if (rc) {
      if (rc != ND_ERR_CORRUPT || !*nd_errmsg(ix)) {
        fprintf(stderr, "  search %s: %d %s\n", QUERIES[q], rc, nd_errmsg(ix));
        buf_free(&b);
        return NULL;
      }
      (*errs)++;
      buf_printf(&b, "Q%zu:error\n", q);
      continue;
    }
    buf_printf(&b, "Q%zu:%llu:", q, (unsigned long long)nd_results_total(r));
    for (size_t i = 0; i < nd_results_count(r); i++) {
      nd_hit h;
      nd_results_hit(r, i, &h);
      buf_printf(&b, "%s/%.6f/%s/%s/%s;", h.id, h.score, h.title, h.date, h.snippet);
    }
    buf_putc(&b, '\n');
    nd_results_free(r);
  }
  for (size_t i = 0; i < 12 && g_ids[i]; i++) {
    nd_document *d;
    int rc = nd_get(ix, g_ids[i], &d);
    if (rc == ND_ERR_NOTFOUND) { buf_printf(&b, "G%zu:none\n", i); continue; }
    if (rc) {
      if (rc != ND_ERR_CORRUPT || !*nd_errmsg(ix)) {
        fprintf(stderr, "  get %s: %d %s\n", g_ids[i], rc, nd_errmsg(ix));
        buf_free(&b);
        return NULL;
      }
      (*errs)++;
      buf_printf(&b, "G%zu:error\n", i);
      continue;
    }
    buf_printf(&b, "G%zu:", i);
    fp_doc(&b, nd_document_doc(d));
    buf_putc(&b, '\n');
    nd_document_free(d);
  }
  nd_stats st;
  nd_stats_get(ix, &st);
  buf_printf(&b, "S:%llu/%llu/%llu/%llu\n", (unsigned long long)st.articles, (unsigned long long)st.deleted,
             (unsigned long long)st.segments, (unsigned long long)st.terms);
  return buf_detach(&b);
}

/* Problems reported by nd_check, kept for the assertions. */
typedef struct problems {
  buf text;
  unsigned n;
} problems;

static void on_problem(void *ctx, const char *msg) {
  problems *p = ctx;
  buf_printf(&p->text, "%s\n", msg);
  p->n++;
}

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

static void build_archive(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/ndcorrupt-XXXXXX");
  if (!mkdtemp(g_dir)) abort();
  rmdir(g_dir);
  nd_index *ix;
  nd_open_options o = {.merge_factor = 1};
  if (nd_open(g_dir, ND_OPEN_CREATE, &o, &ix)) abort();
  load_ctx c = {ix, 0, 0};
  char path[1024];
  ingest_path(test_fixture(path, sizeof path, "news.jsonl"), on_doc, on_err, &c, NULL);
  if (c.fail || c.n < N_ARTICLES || nd_commit(ix)) { fprintf(stderr, "cannot build: %s\n", nd_errmsg(ix)); abort(); }
  /* A deletion file: delete the 5th and 7th article. */
  if (nd_delete(ix, g_ids[4]) || nd_delete(ix, g_ids[6]) || nd_commit(ix)) abort();
  nd_close(ix);
  DIR *d = opendir(g_dir);
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.' && strcmp(e->d_name, "LOCK") && g_nfiles < 40)
      snprintf(g_files[g_nfiles++], sizeof g_files[0], "%.60s", e->d_name);
  closedir(d);
  qsort(g_files, g_nfiles, sizeof g_files[0], cmp_name); /* a deterministic order */
}

static void path_of(const char *name, char *out, size_t cap) { snprintf(out, cap, "%.63s/%.63s", g_dir, name); }

static int read_whole(const char *name, buf *b) {
  char p[256];
  path_of(name, p, sizeof p);
  return read_file(p, b);
}

static int write_whole(const char *name, const void *data, size_t n) {
  char p[256];
  path_of(name, p, sizeof p);
  int fd = open(p, O_WRONLY | O_TRUNC);
  if (fd < 0) return -1;
  int ok = write(fd, data, n) == (ssize_t)n;
  close(fd);
  return ok ? 0 : -1;
}

/* Open, search, fetch and check the (damaged) archive; assert the rules
** given at the top.  `name` is the damaged file, `what` describes the
** damage for messages; `sealed` is 0 when the checksums were left as they
** were (the damage must then be reported). */
static int probe(const char *name, const char *what, int sealed) {
  g_cases++;
  nd_index *ix;
  int rc = nd_open(g_dir, 0, NULL, &ix);
  char *fp = NULL;
  unsigned errs = 0;
  if (rc) {
    if ((rc != ND_ERR_CORRUPT && rc != ND_ERR_VERSION) || !*nd_errmsg(ix)) {
      fprintf(stderr, "  %s %s: open gave %d \"%s\"\n", name, what, rc, nd_errmsg(ix));
      nd_close(ix);
      return 0;
    }
    g_open_fail++;
  } else {
    fp = fingerprint(ix, &errs);
    if (!fp) { fprintf(stderr, "  (after %s %s)\n", name, what); nd_close(ix); return 0; }
    g_op_fail += errs > 0;
  }
  nd_close(ix);
  problems p = {{0}, 0};
  buf_init(&p.text);
  nd_check_report r;
  int crc = nd_check(g_dir, on_problem, &p, &r);
  int ok = 1;
  int same = fp && !errs && !strcmp(fp, g_pristine);
  if (fp && !errs && !same && !crc && !sealed) {
    fprintf(stderr, "  %s %s: wrong results and nd_check saw nothing\n", name, what);
    ok = 0;
  }
  if (fp && !errs && !same) g_silent++;
  if (fp && !errs && !same && !crc) g_undetected++;
  if ((crc != 0) != (p.n > 0) || (crc && crc != ND_ERR_CORRUPT) || r.problems < p.n) {
    fprintf(stderr, "  %s %s: nd_check returned %d with %u problems\n", name, what, crc, p.n);
    ok = 0;
  }
  if (crc) g_detected++;
  if (same && !crc) g_same++;
  if (!sealed && !crc && !(same && !strcmp(name, "MANIFEST"))) {
    fprintf(stderr, "  %s %s: damage not reported by nd_check\n", name, what);
    ok = 0;
  }
  if (!sealed && crc && !strstr(buf_cstr(&p.text), name)) {
    fprintf(stderr, "  %s %s: no problem names the file:\n%s", name, what, buf_cstr(&p.text));
    ok = 0;
  }
  buf_free(&p.text);
  free(fp);
  return ok;
}

static void test_clean_archive(void) {
  problems p = {{0}, 0};
  buf_init(&p.text);
  nd_check_report r;
  int rc = nd_check(g_dir, on_problem, &p, &r);
  if (rc) fprintf(stderr, "%s", buf_cstr(&p.text));
  ASSERT_OK(rc);
  ASSERT_EQ_INT(p.n, 0);
  nd_index *ix;
  ASSERT_OK(nd_open(g_dir, 0, NULL, &ix));
  nd_stats st;
  nd_stats_get(ix, &st);
  nd_close(ix);
  ASSERT_EQ_INT(r.segments, st.segments);
  ASSERT(r.segments >= 3);
  ASSERT_EQ_INT(r.terms, st.terms);
  ASSERT_EQ_INT(r.articles, N_ARTICLES);
  ASSERT_EQ_INT(r.deleted, 2);
  ASSERT(r.postings > r.terms && r.positions >= r.postings && r.stored_blocks >= r.segments);
  ASSERT(r.bytes > 0 && r.bytes <= st.bytes);
  buf_free(&p.text);
  /* No archive: NOTFOUND, reported. */
  buf_init(&p.text);
  p.n = 0;
  ASSERT_EQ_INT(nd_check("/nonexistent/newsdex-archive", on_problem, &p, NULL), ND_ERR_NOTFOUND);
  ASSERT_EQ_INT(p.n, 1);
  ASSERT(strstr(buf_cstr(&p.text), "MANIFEST"));
  buf_free(&p.text);
}

/* Offsets to damage in a file of n bytes: both ends, then spread evenly
** with a deterministic jitter. */
static size_t damage_offset(size_t n, unsigned i, unsigned count) {
  if (i < 3) return i < n ? i : n - 1;
  if (i < 6) return n - 1 - (i - 3) % n;
  return ((uint64_t)(i - 6) * n / (count - 6) + (i * 2654435761u) % 7) % n;
}

static void test_flips(void) {
  unsigned bad = 0;
  for (size_t f = 0; f < g_nfiles; f++) {
    const char *name = g_files[f];
    buf orig;
    buf_init(&orig);
    ASSERT_OK(read_whole(name, &orig));
    ASSERT(orig.n > 0);
    for (unsigned i = 0; i < N_FLIPS; i++) {
      size_t off = damage_offset(orig.n, i, N_FLIPS);
      uint8_t mask = (uint8_t)(1u << (i % 8)) | (i % 3 == 0 ? 0x80 : 0);
      orig.p[off] ^= mask;
      ASSERT_OK(write_whole(name, orig.p, orig.n));
      char what[64];
      snprintf(what, sizeof what, "byte %zu ^ 0x%02x", off, mask);
      bad += !probe(name, what, 0);
      orig.p[off] ^= mask;
    }
    ASSERT_OK(write_whole(name, orig.p, orig.n));
    buf_free(&orig);
  }
  ASSERT_EQ_INT(bad, 0);
}

static void test_truncations(void) {
  unsigned bad = 0;
  for (size_t f = 0; f < g_nfiles; f++) {
    const char *name = g_files[f];
    buf orig;
    buf_init(&orig);
    ASSERT_OK(read_whole(name, &orig));
    for (unsigned i = 0; i < N_CUTS; i++) {
      size_t len = i == 0 ? 0 : i == 1 ? orig.n - 1 : i == 2 ? 1 : i == 3 ? orig.n / 2 : (orig.n * (i - 3)) / (N_CUTS - 2);
      if (len >= orig.n) len = orig.n - 1;
      ASSERT_OK(write_whole(name, orig.p, len));
      char what[64];
      snprintf(what, sizeof what, "cut to %zu of %zu bytes", len, orig.n);
      bad += !probe(name, what, 0);
    }
    /* Missing altogether. */
    char p[256];
    path_of(name, p, sizeof p);
    unlink(p);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    ASSERT(fd >= 0);
    close(fd);
    unlink(p);
    nd_index *ix;
    int rc = nd_open(g_dir, 0, NULL, &ix);
    ASSERT(rc != ND_OK && *nd_errmsg(ix));
    nd_close(ix);
    problems pr = {{0}, 0};
    buf_init(&pr.text);
    ASSERT(nd_check(g_dir, on_problem, &pr, NULL) != ND_OK);
    ASSERT(strstr(buf_cstr(&pr.text), name) || !strcmp(name, "MANIFEST"));
    buf_free(&pr.text);
    fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
    ASSERT(fd >= 0 && write(fd, orig.p, orig.n) == (ssize_t)orig.n);
    close(fd);
    buf_free(&orig);
  }
  ASSERT_EQ_INT(bad, 0);
  ASSERT_OK(nd_check(g_dir, NULL, NULL, NULL));
}

/* ---- resealed damage: only the structural checks can see it ------------ */

#define META_HASH_AT(k) (8 + 8 * (15 + 2 * (k))) /* offset of file k's XXH64 in .meta */

/* Recompute segment `segno`'s checksum of file kind k, and the meta's own. */
static void reseal(const char *name) {
  unsigned segno;
  char ext[8];
  if (sscanf(name, "s%6u.%7s", &segno, ext) != 2) return;
  static const char *const EXT[SF_COUNT] = {"dic", "doc", "pos", "fld", "sto"};
  int k = -1;
  for (int i = 0; i < SF_COUNT; i++)
    if (!strcmp(ext, EXT[i])) k = i;
  if (k < 0) return;
  buf f, m;
  buf_init(&f);
  buf_init(&m);
  char mname[24];
  seg_file_name(segno, SF_COUNT, mname);
  if (read_whole(name, &f) || read_whole(mname, &m)) abort();
  wr_u64(m.p + META_HASH_AT(k), hash64(f.p, f.n));
  wr_u64(m.p + m.n - 8, hash64(m.p, m.n - 8));
  if (write_whole(mname, m.p, m.n)) abort();
  buf_free(&f);
  buf_free(&m);
}

static void restore(const char *name, const buf *orig) {
  if (write_whole(name, orig->p, orig->n)) abort();
  reseal(name);
}

static void test_resealed_flips(void) {
  unsigned bad = 0, cases = 0, detected0 = g_detected;
  for (size_t f = 0; f < g_nfiles; f++) {
    const char *name = g_files[f];
    if (name[0] != 's' || strstr(name, ".meta") || strstr(name, ".del")) continue;
    buf orig;
    buf_init(&orig);
    ASSERT_OK(read_whole(name, &orig));
    for (unsigned i = 0; i < N_FLIPS + 8; i++) {
      size_t off = damage_offset(orig.n, i, N_FLIPS + 8);
      uint8_t mask = (uint8_t)(0xffu >> (i % 8));
      orig.p[off] ^= mask;
      ASSERT_OK(write_whole(name, orig.p, orig.n));
      reseal(name);
      char what[64];
      snprintf(what, sizeof what, "resealed byte %zu ^ 0x%02x", off, mask);
      bad += !probe(name, what, 1);
      cases++;
      orig.p[off] ^= mask;
    }
    restore(name, &orig);
    buf_free(&orig);
  }
  fprintf(stderr, "  resealed: %u cases, %u reported by the structural checks, %u changed answers unseen "
                  "(text inside a compressed block, a term's bytes)\n", cases, g_detected - detected0, g_undetected);
  ASSERT_EQ_INT(bad, 0);
  ASSERT_OK(nd_check(g_dir, NULL, NULL, NULL));
}

/* Damage one thing in the first segment's .fld, reseal, and expect a
** problem mentioning `expect`. */
static void fld_case(const char *fld, size_t off, uint32_t value, const char *expect) {
  buf orig, mod;
  buf_init(&orig);
  buf_init(&mod);
  if (read_whole(fld, &orig)) abort();
  buf_put(&mod, orig.p, orig.n);
  wr_u32(mod.p + off, value);
  if (write_whole(fld, mod.p, mod.n)) abort();
  reseal(fld);
  problems p = {{0}, 0};
  buf_init(&p.text);
  int rc = nd_check(g_dir, on_problem, &p, NULL);
  const char *text = buf_cstr(&p.text);
  int found = strstr(text, expect) != NULL;
  if (!found) fprintf(stderr, "  expected \"%s\" in:\n%s", expect, text);
  restore(fld, &orig);
  buf_free(&p.text);
  buf_free(&orig);
  buf_free(&mod);
  ASSERT_EQ_INT(rc, ND_ERR_CORRUPT);
  ASSERT(found);
}

static void test_targeted(void) {
  nd_index *ix;
  ASSERT_OK(nd_open(g_dir, 0, NULL, &ix));
  nd_stats st;
  nd_stats_get(ix, &st);
  nd_close(ix);
  /* The first segment's meta gives the layout. */
  buf m;
  buf_init(&m);
  ASSERT_OK(read_whole("s000001.meta", &m));
  uint32_t ndocs = (uint32_t)rd_u64(m.p + 8);
  uint64_t ndates = rd_u64(m.p + 8 + 8 * 6), id_bytes = rd_u64(m.p + 8 + 8 * 10), refs = rd_u64(m.p + 8 + 8 * 11);
  buf_free(&m);
  ASSERT(ndocs > 10 && ndates > 2 && refs > 10);
  size_t dates = (size_t)ndocs * SEG_DOC_ROW, ids = dates + ndates * 12;
  size_t topoff = ids + (size_t)ndocs * 16 + 4 + id_bytes, topics = topoff + ((size_t)ndocs + 1) * 4;
  fld_case("s000001.fld", 16, 99999, "store block");                    /* doc 0's block */
  fld_case("s000001.fld", 0, 500000, "title/body lengths");              /* doc 0's title length */
  fld_case("s000001.fld", dates + 8, ndocs + 3, "date index entry 0");   /* date entry 0's doc */
  fld_case("s000001.fld", dates + 12 + 8, 0, "date index"); /* entry 1 -> doc 0 */
  fld_case("s000001.fld", ids + 8, ndocs, "id index entry 0");           /* id entry 0's doc */
  fld_case("s000001.fld", ids + 4, 0, "id index");                       /* id entry 0's hash */
  fld_case("s000001.fld", topoff + 4, (uint32_t)refs + 1, "topic list");   /* doc 1's topics beyond the list */
  fld_case("s000001.fld", topics, 0, "topic");                            /* first topic: the dictionary's first term */
  fld_case("s000001.fld", topics + refs * 4, 0xffffffffu, "length bytes"); /* docs 0 and 1 scored as 31744 words long */
  /* The dictionary's first term's df (third uvarint of the block: count,
  ** doc_off, pos_off, then prefix, suffix length, suffix, df) would need
  ** decoding; instead swap two bytes of the .doc file's first postings so
  ** that the documents no longer increase or disagree. */
  problems p = {{0}, 0};
  buf_init(&p.text);
  buf d;
  buf_init(&d);
  ASSERT_OK(read_whole("s000001.doc", &d));
  buf mod;
  buf_init(&mod);
  buf_put(&mod, d.p, d.n);
  memset(mod.p, 0xff, d.n > 64 ? 64 : d.n); /* control bytes all "4 bytes", deltas huge */
  ASSERT_OK(write_whole("s000001.doc", mod.p, mod.n));
  reseal("s000001.doc");
  ASSERT_EQ_INT(nd_check(g_dir, on_problem, &p, NULL), ND_ERR_CORRUPT);
  ASSERT(strstr(buf_cstr(&p.text), "s000001.doc: "));
  ASSERT(strstr(buf_cstr(&p.text), "term \""));
  restore("s000001.doc", &d);
  buf_free(&d);
  buf_free(&mod);
  buf_free(&p.text);
  /* The .dic: reverse the bytes of the whole first block (terms out of
  ** order or undecodable). */
  buf_init(&p.text);
  p.n = 0;
  buf_init(&d);
  ASSERT_OK(read_whole("s000001.dic", &d));
  buf_init(&mod);
  buf_put(&mod, d.p, d.n);
  for (size_t i = 8; i < 200 && i < d.n; i++) mod.p[i] = (uint8_t)('z' - i % 26);
  ASSERT_OK(write_whole("s000001.dic", mod.p, mod.n));
  reseal("s000001.dic");
  ASSERT_EQ_INT(nd_check(g_dir, on_problem, &p, NULL), ND_ERR_CORRUPT);
  ASSERT(strstr(buf_cstr(&p.text), "s000001"));
  restore("s000001.dic", &d);
  buf_free(&d);
  buf_free(&mod);
  buf_free(&p.text);
  ASSERT_OK(nd_check(g_dir, NULL, NULL, NULL));
}

static void test_setup(void) {
  const char *lng = getenv("ND_LONG");
  if (lng && *lng && *lng != '0') N_FLIPS = 128;
  build_archive();
  nd_index *ix;
  ASSERT_OK(nd_open(g_dir, 0, NULL, &ix));
  unsigned errs = 0;
  g_pristine = fingerprint(ix, &errs);
  nd_close(ix);
  ASSERT(g_pristine && errs == 0);
  ASSERT(strstr(g_pristine, "G4:none") && !strstr(g_pristine, "G5:none"));
  ASSERT(g_nfiles >= 20); /* MANIFEST, 3 segments of 6 files, a deletion file */
}

static void test_summary(void) {
  fprintf(stderr, "  %u damaged archives: %u reported by nd_check, %u failed to open, %u had failing calls, "
                  "%u answered differently without an error, %u behaved as undamaged\n",
          g_cases, g_detected, g_open_fail, g_op_fail, g_silent, g_same);
  ASSERT(g_cases >= 700);
  free(g_pristine);
  rm_rf(g_dir);
}

TEST_MAIN(TEST(test_setup), TEST(test_clean_archive), TEST(test_flips), TEST(test_truncations),
          TEST(test_resealed_flips), TEST(test_targeted), TEST(test_summary))
