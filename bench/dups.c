/*
** dups.c -- an archive's version groups (wire copies) and story threads
** measured against the ground truth of tests/unit/shingles.h.
**
**   dups ARCHIVE [--top N]
**
** Reads every live article back from the archive (as `newsdex add` stored
** it) with its story and thread keys -- what nd_hit.story and
** nd_hit.thread print -- and its MinHash signature, from the segments'
** columns (index/segment.h).  Then:
**
**   truth       the exact Jaccard of 5-word shingle sets; every pair at
**               J >= 0.8, found by prefix filtering and verified exactly
**               (sh_near_pairs: exact, never a sample);
**   stories     pair precision and recall of "in one story" against it,
**               and recall by band of J;
**   estimate    the same for the raw fingerprints: the pairs that share an
**               LSH band (16 bands of 4 slots) and agree in at least 52 of
**               the 64 slots -- what ingest compares, before single-link
**               grouping and the order of arrival;
**   groups      version groups of 2 or more, the largest;
**   threads     their number, sizes (1, 2-4, 5-9, 10-49, 50+), the widest
**               in days, version groups split over threads, and the N
**               largest (default 5): dates, sources, headlines.
**
** docs/stories.md has the figures for the news corpus and the command
** (`make bench-dups`).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../tests/unit/shingles.h"
#include "index/index.h"
#include "index/stories.h"
#include "newsdex.h"
#include "util/date.h"

#define HEADLINE_BYTES 72

typedef struct art {
  char *id, *headline, *source;
  int64_t secs;
  uint64_t story, thread;
  uint16_t sig[FP_K];
  sh_set sh;
} art;

static art *A;
static size_t NA;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "dups: out of memory\n");
    exit(1);
  }
  return p;
}

static char *dup_n(const char *s, size_t n) {
  char *p = xalloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

/* The title, or the body's first line cut to HEADLINE_BYTES at a character. */
static char *headline_of(const nd_doc *d) {
  const char *t = d->title && d->title[0] ? d->title : d->body ? d->body : "";
  size_t n = strcspn(t, "\n");
  if (n > HEADLINE_BYTES) {
    n = HEADLINE_BYTES;
    while (n && ((unsigned char)t[n] & 0xc0) == 0x80) n--;
  }
  return dup_n(t, n);
}

/* Every live article of the archive into A.  0 or -1. */
static int read_archive(nd_index *ix, analyzer *an) {
  size_t cap = 0;
  for (size_t si = 0; si < ix->snap.n; si++) cap += ix->snap.segs[si].seg.m.ndocs;
  A = xalloc((cap + 1) * sizeof *A);
  for (size_t si = 0; si < ix->snap.n; si++) {
    const snap_seg *g = &ix->snap.segs[si];
    blk_cache cache = {0};
    for (uint32_t d = 0; d < g->seg.m.ndocs; d++) {
      if (ss_deleted(g, d)) continue;
      nd_document *doc = NULL;
      if (seg_get_cached(&g->seg, d, &cache, &doc)) {
        fprintf(stderr, "dups: segment %u: cannot read article %u\n", g->seg.segno, d);
        return -1;
      }
      const nd_doc *x = nd_document_doc(doc);
      art *a = &A[NA++];
      a->id = dup_n(x->id, strlen(x->id));
      a->headline = headline_of(x);
      a->source = dup_n(x->source ? x->source : "", x->source ? strlen(x->source) : 0);
      a->secs = seg_date(&g->seg, d);
      a->story = seg_story(&g->seg, d);
      a->thread = seg_thread(&g->seg, d);
      seg_sig(&g->seg, d, a->sig);
      if (sh_article(an, x->title, x->body, &a->sh)) {
        fprintf(stderr, "dups: out of memory\n");
        return -1;
      }
      nd_document_free(doc);
    }
    buf_free(&cache.data);
  }
  return 0;
}

/* ---- pairs ------------------------------------------------------------------ */

static void pair_add(sh_pairs *s, uint64_t x) {
  if (sh_pairs_add(s, x)) {
    fprintf(stderr, "dups: out of memory\n");
    exit(1);
  }
}

static const art *first_of(uint64_t p) { return &A[p >> 32]; }
static const art *second_of(uint64_t p) { return &A[p & 0xffffffffu]; }

static void scores(const char *what, const sh_pairs *found, const sh_pairs *truth) {
  size_t both = sh_pairs_common(found, truth);
  printf("%-34s %9zu pairs, %9zu true: precision %.4f, recall %.4f\n", what, found->n, both,
         found->n ? (double)both / (double)found->n : 1.0, truth->n ? (double)both / (double)truth->n : 1.0);
}

/* Article indexes ordered by a key (story or thread), then index. */
static int BY_THREAD;
static int cmp_by_key(const void *a, const void *b) {
  const art *x = &A[*(const uint32_t *)a], *y = &A[*(const uint32_t *)b];
  uint64_t kx = BY_THREAD ? x->thread : x->story, ky = BY_THREAD ? y->thread : y->story;
  if (kx != ky) return kx < ky ? -1 : 1;
  return (*(const uint32_t *)a > *(const uint32_t *)b) - (*(const uint32_t *)a < *(const uint32_t *)b);
}

static uint32_t *ordered_by(int thread) {
  uint32_t *o = xalloc((NA + 1) * sizeof *o);
  for (size_t i = 0; i < NA; i++) o[i] = (uint32_t)i;
  BY_THREAD = thread;
  qsort(o, NA, sizeof *o, cmp_by_key);
  return o;
}

static uint64_t key_of(uint32_t i, int thread) { return thread ? A[i].thread : A[i].story; }

static size_t run_end(const uint32_t *o, size_t i, int thread) {
  size_t j = i;
  while (j < NA && key_of(o[j], thread) == key_of(o[i], thread)) j++;
  return j;
}

/* ---- the raw fingerprints ---------------------------------------------------- */

/* The pairs that share an LSH band and agree in need slots or more. */
static sh_pairs fingerprint_pairs(unsigned need, size_t *ncand) {
  sh_pairs ent = {0}, cand = {0}, out = {0};
  for (size_t i = 0; i < NA; i++) {
    if (fp_empty(A[i].sig)) continue;
    uint32_t keys[FP_BANDS];
    fp_bands(A[i].sig, keys);
    for (int b = 0; b < FP_BANDS; b++) pair_add(&ent, (uint64_t)keys[b] << 32 | i);
  }
  qsort(ent.v, ent.n, sizeof *ent.v, sh_cmp_u64);
  for (size_t a = 0, b; a < ent.n; a = b) {
    for (b = a; b < ent.n && ent.v[b] >> 32 == ent.v[a] >> 32; b++) {}
    for (size_t x = a; x < b; x++)
      for (size_t y = x + 1; y < b; y++) pair_add(&cand, sh_pair(ent.v[x] & 0xffffffffu, ent.v[y] & 0xffffffffu));
  }
  sh_pairs_sort(&cand);
  for (size_t k = 0; k < cand.n; k++)
    if (fp_agree(first_of(cand.v[k])->sig, second_of(cand.v[k])->sig) >= need) pair_add(&out, cand.v[k]);
  *ncand = cand.n;
  free(ent.v);
  free(cand.v);
  return out;
}

/* ---- threads ------------------------------------------------------------------- */

static int64_t day_of(int64_t secs) { return secs / 86400 - (secs % 86400 < 0); }

static void day_str(int64_t secs, char out[11]) {
  if (secs == DATE_NONE) {
    strcpy(out, "undated");
    return;
  }
  int64_t y;
  unsigned m, d;
  date_civil_from_days(day_of(secs), &y, &m, &d);
  snprintf(out, 11, "%04d-%02u-%02u", (int)y, m, d);
}

/* The days between the earliest and the latest dated of o[0..n) (-1: none
** dated), which ones in *lo and *hi. */
static int64_t span_days(const uint32_t *o, size_t n, uint32_t *lo, uint32_t *hi) {
  int64_t a = INT64_MAX, b = INT64_MIN;
  for (size_t k = 0; k < n; k++) {
    if (A[o[k]].secs == DATE_NONE) continue;
    int64_t d = day_of(A[o[k]].secs);
    if (d < a) a = d, *lo = o[k];
    if (d > b) b = d, *hi = o[k];
  }
  return a == INT64_MAX ? -1 : b - a;
}

/* "KIND of N: DATE ID .. DATE ID (N days)" for the widest of a kind. */
static void show_span(const char *kind, size_t n, int64_t days, uint32_t lo, uint32_t hi) {
  char a[11], b[11];
  day_str(A[lo].secs, a);
  day_str(A[hi].secs, b);
  printf("  the widest %s (%zu articles): %s %s .. %s %s, %lld days\n", kind, n, a, A[lo].id, b, A[hi].id,
         (long long)days);
}

static int cmp_by_date(const void *a, const void *b) {
  const art *x = &A[*(const uint32_t *)a], *y = &A[*(const uint32_t *)b];
  return (x->secs > y->secs) - (x->secs < y->secs);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_size_desc(const void *a, const void *b) {
  const size_t *x = a, *y = b; /* (size, start) */
  if (x[0] != y[0]) return x[0] > y[0] ? -1 : 1;
  return (x[1] > y[1]) - (x[1] < y[1]);
}

/* One thread o[0..n): its dates, sources and some headlines. */
static void show_thread(uint32_t *o, size_t n, size_t rank) {
  qsort(o, n, sizeof *o, cmp_by_date);
  char lo[11], hi[11];
  size_t dated = 0;
  for (size_t k = 0; k < n; k++) dated += A[o[k]].secs != DATE_NONE;
  day_str(A[o[0]].secs, lo);
  day_str(dated ? A[o[dated - 1]].secs : DATE_NONE, hi);
  const char **src = xalloc(n * sizeof *src);
  for (size_t k = 0; k < n; k++) src[k] = A[o[k]].source;
  qsort(src, n, sizeof *src, cmp_str);
  size_t (*runs)[2] = xalloc(n * sizeof *runs), nsrc = 0; /* (articles, first) per source */
  for (size_t k = 0, e; k < n; k = e) {
    for (e = k; e < n && !strcmp(src[e], src[k]); e++) {}
    runs[nsrc][0] = e - k;
    runs[nsrc++][1] = k;
  }
  qsort(runs, nsrc, sizeof *runs, cmp_size_desc);
  printf("\n#%zu: %zu articles, %s .. %s, %zu sources:", rank, n, lo, hi, nsrc);
  for (size_t r = 0; r < nsrc && r < 6; r++)
    printf("%s %s (%zu)", r ? "," : "", src[runs[r][1]][0] ? src[runs[r][1]] : "(none)", runs[r][0]);
  printf("%s\n", nsrc > 6 ? ", ..." : "");
  size_t step = n > 12 ? n / 12 : 1;
  for (size_t k = 0; k < n; k += step) {
    char day[11];
    day_str(A[o[k]].secs, day);
    printf("  %s  %-22.22s  %s\n", day, A[o[k]].source, A[o[k]].headline);
  }
  free(src);
  free(runs);
}

static void threads(size_t top) {
  uint32_t *o = ordered_by(1);
  size_t buckets[5] = {0}, arts[5] = {0}, nthreads = 0, wide = 0, wn = 0;
  int64_t widest = -1;
  uint32_t wlo = 0, whi = 0;
  size_t (*sizes)[2] = xalloc((NA + 1) * sizeof *sizes);
  for (size_t i = 0, j; i < NA; i = j) {
    j = run_end(o, i, 1);
    size_t n = j - i, b = n == 1 ? 0 : n < 5 ? 1 : n < 10 ? 2 : n < 50 ? 3 : 4;
    buckets[b]++;
    arts[b] += n;
    sizes[nthreads][0] = n;
    sizes[nthreads++][1] = i;
    uint32_t lo = 0, hi = 0;
    int64_t days = span_days(o + i, n, &lo, &hi);
    if (days > widest) widest = days, wlo = lo, whi = hi, wn = n;
    wide += days > STORY_SPAN_DAYS;
  }
  printf("threads: %zu (%zu of 2 or more); %zu span more than %d days\n", nthreads, nthreads - buckets[0], wide,
         STORY_SPAN_DAYS);
  if (widest > 0) show_span("thread", wn, widest, wlo, whi);
  static const char *const names[5] = {"1", "2-4", "5-9", "10-49", "50+"};
  printf("thread sizes:");
  for (int b = 0; b < 5; b++) printf("  %s: %zu threads (%zu articles)", names[b], buckets[b], arts[b]);
  printf("\n");
  qsort(sizes, nthreads, sizeof *sizes, cmp_size_desc);
  for (size_t r = 0; r < top && r < nthreads; r++) show_thread(o + sizes[r][1], sizes[r][0], r + 1);
  free(sizes);
  free(o);
}

/* ---- main -------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  const char *path = NULL;
  size_t top = 5;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--top") && i + 1 < argc) top = (size_t)strtoul(argv[++i], NULL, 10);
    else if (!path && argv[i][0] != '-') path = argv[i];
    else path = NULL, i = argc;
  }
  if (!path) {
    fprintf(stderr, "usage: dups ARCHIVE [--top N]\n");
    return 2;
  }
  nd_index *ix = NULL;
  int rc = nd_open(path, 0, NULL, &ix);
  if (rc) {
    fprintf(stderr, "dups: %s: %s\n", path, ix ? nd_errmsg(ix) : nd_strerror(rc));
    nd_close(ix);
    return 1;
  }
  nd_stats st;
  analyzer *an = NULL;
  if (nd_stats_get(ix, &st) || !(an = an_new(st.language))) {
    fprintf(stderr, "dups: %s: cannot read its statistics or language\n", path);
    return 1;
  }
  double t0 = now_s();
  if (read_archive(ix, an)) return 1;
  size_t empty = 0, undated = 0, shingles = 0;
  for (size_t i = 0; i < NA; i++) {
    empty += A[i].sh.n == 0;
    undated += A[i].secs == DATE_NONE;
    shingles += A[i].sh.n;
  }
  double t1 = now_s();
  printf("archive %s: %zu articles (%zu undated, %zu without a word), %zu shingles; read in %.1fs\n", path, NA, undated,
         empty, shingles, t1 - t0);

  /* the truth */
  sh_set *sets = xalloc((NA + 1) * sizeof *sets);
  for (size_t i = 0; i < NA; i++) sets[i] = A[i].sh;
  sh_pairs truth = {0};
  size_t ncand = 0;
  if (sh_near_pairs(sets, NA, &truth.v, &truth.n, &ncand)) {
    fprintf(stderr, "dups: out of memory\n");
    return 1;
  }
  free(sets);
  double t2 = now_s();
  printf("truth: %zu pairs at J >= 0.8 among %zu candidates of prefix filtering (%.1fs)\n", truth.n, ncand, t2 - t1);

  /* stories */
  uint32_t *o = ordered_by(0);
  sh_pairs story = {0};
  size_t groups = 0, in_groups = 0, largest = 0, split = 0; /* split: groups over two threads or more */
  size_t wide = 0, wn = 0;
  int64_t widest = -1;
  uint32_t wlo = 0, whi = 0;
  for (size_t i = 0, j; i < NA; i = j) {
    j = run_end(o, i, 0);
    if (j - i < 2) continue;
    groups++;
    in_groups += j - i;
    largest = j - i > largest ? j - i : largest;
    int one_thread = 1;
    for (size_t x = i; x < j; x++) {
      one_thread &= A[o[x]].thread == A[o[i]].thread;
      for (size_t y = x + 1; y < j; y++) pair_add(&story, sh_pair(o[x], o[y]));
    }
    split += !one_thread;
    uint32_t lo = 0, hi = 0;
    int64_t days = span_days(o + i, j - i, &lo, &hi);
    if (days > widest) widest = days, wlo = lo, whi = hi, wn = j - i;
    wide += days > STORY_SPAN_DAYS;
  }
  free(o);
  sh_pairs_sort(&story);
  printf("version groups: %zu of 2 or more (%zu articles), the largest %zu; %zu split over threads; %zu span more"
         " than %d days\n",
         groups, in_groups, largest, split, wide, STORY_SPAN_DAYS);
  if (widest > 0) show_span("group", wn, widest, wlo, whi);
  scores("stories (nd_hit.story):", &story, &truth);
  /* recall by band of J, and what the groups hold below 0.8 */
  static const double edge[] = {0.8, 0.85, 0.9, 0.95, 1.0, 1.01};
  size_t tb[5] = {0}, sb[5] = {0};
  for (size_t k = 0; k < truth.n; k++) {
    double jac = sh_jaccard(&first_of(truth.v[k])->sh, &second_of(truth.v[k])->sh);
    int b = 0;
    while (b < 4 && jac >= edge[b + 1]) b++;
    tb[b]++;
    sb[b] += sh_pairs_has(&story, truth.v[k]);
  }
  printf("recall by J:");
  for (int b = 0; b < 5; b++)
    if (tb[b] && b == 4) printf("  1: %zu/%zu", sb[b], tb[b]);
    else if (tb[b]) printf("  [%.2f, %.2f): %zu/%zu", edge[b], edge[b + 1], sb[b], tb[b]);
  printf("\n");
  size_t below[4] = {0}; /* one story, J in [0.7, 0.8), [0.5, 0.7), (0, 0.5), 0 */
  for (size_t k = 0; k < story.n; k++) {
    if (sh_pairs_has(&truth, story.v[k])) continue;
    double jac = sh_jaccard(&first_of(story.v[k])->sh, &second_of(story.v[k])->sh);
    below[jac >= 0.7 ? 0 : jac >= 0.5 ? 1 : jac > 0 ? 2 : 3]++;
  }
  printf("pairs of one story below 0.8: %zu at [0.7, 0.8), %zu at [0.5, 0.7), %zu at (0, 0.5), %zu at 0\n", below[0],
         below[1], below[2], below[3]);

  /* the raw fingerprints */
  unsigned need = (unsigned)(ND_NEAR_DUP * FP_K + 0.999999);
  size_t nlsh = 0;
  sh_pairs fp = fingerprint_pairs(need, &nlsh);
  char what[64];
  snprintf(what, sizeof what, "fingerprints (>= %u/%d slots):", need, FP_K);
  scores(what, &fp, &truth);
  size_t agree = 0;
  for (size_t k = 0; k < truth.n; k++) agree += fp_agree(first_of(truth.v[k])->sig, second_of(truth.v[k])->sig) >= need;
  size_t apart = 0; /* near-duplicates the fingerprints find that grouping left in two stories */
  for (size_t k = 0; k < fp.n; k++) apart += sh_pairs_has(&truth, fp.v[k]) && !sh_pairs_has(&story, fp.v[k]);
  printf("  (%zu LSH candidates; of the true pairs %zu agree in %u slots or more, LSH or not; %zu true pairs found"
         " by the fingerprints are in two stories)\n",
         nlsh, agree, need, apart);
  double t3 = now_s();
  printf("(stories and fingerprints: %.1fs)\n", t3 - t2);

  threads(top);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("\n(%.1fs in all, %ld MB at most)\n", now_s() - t0, ru.ru_maxrss / 1024);
  free(truth.v);
  free(story.v);
  free(fp.v);
  for (size_t i = 0; i < NA; i++) {
    free(A[i].id), free(A[i].headline), free(A[i].source);
    sh_set_free(&A[i].sh);
  }
  free(A);
  an_free(an);
  nd_close(ix);
  return 0;
}
