/*
** gazetteer.c -- the word and place lists (see gazetteer.h).
**
** One open-addressing hash table maps a name, spelled exactly, to its flags.
** Keys live in one byte arena.  The table is built once under a mutex and
** only read afterwards.
*/
#include "gazetteer.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../util/buf.h"
#include "../util/file.h"
#include "../util/mem.h"

#ifndef ND_DICT_WORDS
#define ND_DICT_WORDS "/usr/share/dict/words"
#endif
#ifndef ND_ISO_CODES_DIR
#define ND_ISO_CODES_DIR "/usr/share/iso-codes/json"
#endif
#ifndef ND_ZONEINFO_DIR
#define ND_ZONEINFO_DIR "/usr/share/zoneinfo"
#endif

/* 12 bytes: the table is looked up for most names of every article, and a
** small one stays in the caches (and costs fewer page faults to build). */
#define GZ_MAX_KEY 200
typedef struct gz_entry {
  uint32_t hash;  /* the low 32 bits of the key's hash */
  uint32_t off;   /* of the key in keys */
  uint16_t len;   /* at most GZ_MAX_KEY */
  uint16_t flags; /* 0: empty slot */
} gz_entry;

typedef struct gz_table {
  gz_entry *e;
  size_t cap, n; /* cap a power of two */
  buf keys;
  gaz_counts counts;
} gz_table;

static gz_table g_tab;

/* Country names to their one canonical name ("U.S." -> "United States"),
** sorted by variant for a binary search.  Both strings live in `keys`. */
typedef struct gz_canon {
  uint32_t var, var_len, canon, canon_len;
} gz_canon;
static gz_canon *g_canon;
static size_t g_ncanon, g_canon_cap;
static atomic_int g_loaded; /* set (release) once g_tab is complete */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const CONTINENTS[] = {
  "Africa", "Asia", "Europe", "North America", "South America", "Latin America", "Oceania",
  "Antarctica", "Middle East", "Australia", "Central America", "Caribbean", "Balkans",
  "Scandinavia", "Western Europe", "Eastern Europe", "Southeast Asia", "Persian Gulf", NULL};

/* XXH3: the keys are short, and it is the fastest of the family there
** (gaz_flags runs several times for every name of every article). */
static uint64_t gz_hash(const char *s, size_t n) { return XXH3_64bits(s, n); }

static gz_entry *slot(gz_table *t, const char *s, size_t n, uint32_t h) {
  size_t mask = t->cap - 1;
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    gz_entry *e = &t->e[i];
    if (!e->flags) return e;
    if (e->hash == h && e->len == n && !memcmp(t->keys.p + e->off, s, n)) return e;
  }
}

/* The table is kept at most three quarters full. */
static int too_full(size_t entries, size_t cap) { return entries * 4 > cap * 3; }

/* Give the table `cap` slots (a power of two), rehashing what it holds. */
static int resize(gz_table *t, size_t cap) {
  gz_entry *ne = mem_calloc(cap, sizeof *ne);
  if (!ne) return -1;
  gz_table nt = *t;
  nt.e = ne;
  nt.cap = cap;
  if (t->n) /* (a new table's slots are never read: their pages stay untouched) */
    for (size_t i = 0; i < t->cap; i++)
      if (t->e[i].flags) *slot(&nt, (const char *)t->keys.p + t->e[i].off, t->e[i].len, t->e[i].hash) = t->e[i];
  mem_free(t->e);
  t->e = ne;
  t->cap = cap;
  return 0;
}

/* Make room for about `entries` entries at once: growing rehashes them all. */
static int reserve(gz_table *t, size_t entries) {
  size_t cap = t->cap ? t->cap : 1u << 16;
  while (too_full(entries + 1, cap)) cap *= 2;
  return cap > t->cap ? resize(t, cap) : 0;
}

/* Add flags to the entry for s[0..n).  0 or -1 (out of memory). */
static int put(gz_table *t, const char *s, size_t n, unsigned flags) {
  if (!n || n > GZ_MAX_KEY) return 0;
  if ((!t->cap || too_full(t->n + 1, t->cap)) && resize(t, t->cap ? t->cap * 2 : 1u << 16)) return -1;
  uint32_t h = (uint32_t)gz_hash(s, n);
  gz_entry *e = slot(t, s, n, h);
  if (e->flags) { e->flags |= (uint16_t)flags; return 0; }
  size_t off = t->keys.n;
  buf_put(&t->keys, s, n);
  if (t->keys.oom) return -1;
  *e = (gz_entry){h, (uint32_t)off, (uint16_t)n, (uint16_t)flags};
  t->n++;
  return 0;
}

/* /usr/share/dict/words: one word a line; possessive forms are skipped. */
static int load_words(gz_table *t) {
  buf b;
  buf_init(&b);
  int e = read_file(ND_DICT_WORDS, &b);
  if (e) { buf_free(&b); return e == ENOMEM ? -1 : 0; }
  const char *p = (const char *)b.p, *end = p + b.n;
  /* a dictionary has a word in about every ten bytes, a quarter of them
  ** possessives (skipped) */
  int rc = reserve(t, b.n / 12) || buf_reserve(&t->keys, b.n) ? -1 : 0;
  while (p < end && !rc) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) nl = end;
    size_t n = (size_t)(nl - p);
    if (n && !memchr(p, '\'', n)) {
      rc = put(t, p, n, GZ_WORD);
      t->counts.words++;
    }
    p = nl + 1;
  }
  buf_free(&b);
  return rc;
}

static int put_json_name(gz_table *t, json_t *o, const char *key, unsigned flags, size_t *count) {
  json_t *v = json_object_get(o, key);
  if (!json_is_string(v)) return 0;
  (*count)++;
  return put(t, json_string_value(v), json_string_length(v), flags);
}

/* The canonical name of each country, by ISO 3166-1 alpha-2 code, where
** the news does not write it as iso-codes' common name (or its name): the
** forms the news uses most, and the variants iso-codes does not list. */
static const struct {
  const char *code, *canon, *variants[8];
} COUNTRY_CANON[] = {
  {"US", "United States", {"U.S.", "US", "U.S.A.", "USA", "America", "United States of America", "the United States"}},
  {"GB", "United Kingdom", {"U.K.", "UK", "Britain", "Great Britain"}},
  {"RU", "Russia", {"Russian Federation"}},
  {"CZ", "Czech Republic", {"Czechia"}},
  {"CI", "Ivory Coast", {"Côte d'Ivoire", "Cote d'Ivoire"}},
  {"MM", "Myanmar", {"Burma"}},
  {"TR", "Turkey", {"Türkiye"}},
  {"PS", "Palestine", {"Palestinian Territories"}},
  {"CD", "Democratic Republic of the Congo", {"DR Congo", "DRC"}},
  {"CG", "Republic of the Congo", {"Congo-Brazzaville"}},
  {"KR", "South Korea", {0}},
  {"KP", "North Korea", {0}},
};

static int put_canon(gz_table *t, const char *var, size_t vn, const char *canon, size_t cn) {
  if (!vn || vn > GZ_MAX_KEY || !cn) return 0;
  if (mem_grow(&g_canon, &g_canon_cap, g_ncanon, sizeof *g_canon)) return -1;
  gz_canon *c = &g_canon[g_ncanon++];
  c->var = (uint32_t)t->keys.n;
  c->var_len = (uint32_t)vn;
  buf_put(&t->keys, var, vn);
  c->canon = (uint32_t)t->keys.n;
  c->canon_len = (uint32_t)cn;
  buf_put(&t->keys, canon, cn);
  return t->keys.oom ? -1 : put(t, var, vn, GZ_COUNTRY);
}

static const char *json_str(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The variants of the country of iso-codes entry o, each with its
** canonical name. */
static int country_variants(gz_table *t, json_t *o) {
  const char *code = json_str(o, "alpha_2"), *name = json_str(o, "name"), *common = json_str(o, "common_name");
  const char *official = json_str(o, "official_name");
  if (!code || !name) return 0;
  const char *canon = common ? common : name;
  size_t over = sizeof COUNTRY_CANON / sizeof *COUNTRY_CANON;
  for (size_t i = 0; i < sizeof COUNTRY_CANON / sizeof *COUNTRY_CANON; i++)
    if (!strcmp(COUNTRY_CANON[i].code, code)) { canon = COUNTRY_CANON[i].canon; over = i; }
  const char *comma = strchr(canon, ',');
  size_t cn = comma ? (size_t)(comma - canon) : strlen(canon);
  if (comma && (!strcmp(code, "VG") || !strcmp(code, "VI"))) cn = strlen(canon); /* the two Virgin Islands */
  const char *vars[4] = {name, common, official, canon};
  int rc = 0;
  for (size_t i = 0; i < 4; i++)
    if (vars[i]) rc |= put_canon(t, vars[i], strlen(vars[i]), canon, cn);
  if (comma && !common && cn != strlen(canon)) rc |= put_canon(t, canon, cn, canon, cn);
  for (size_t i = 0; over < sizeof COUNTRY_CANON / sizeof *COUNTRY_CANON && i < 8 && COUNTRY_CANON[over].variants[i]; i++)
    rc |= put_canon(t, COUNTRY_CANON[over].variants[i], strlen(COUNTRY_CANON[over].variants[i]), canon, cn);
  return rc ? -1 : 0;
}

static int canon_cmp(const void *a, const void *b) {
  const gz_canon *x = a, *y = b;
  size_t n = x->var_len < y->var_len ? x->var_len : y->var_len;
  int c = memcmp(g_tab.keys.p + x->var, g_tab.keys.p + y->var, n);
  if (c) return c;
  return x->var_len < y->var_len ? -1 : x->var_len > y->var_len;
}

/* Sort the variants; a variant given two different canonical names (none
** today, but a list may change) keeps neither. */
static void canon_sort(gz_table *t) {
  if (!g_ncanon) return;
  qsort(g_canon, g_ncanon, sizeof *g_canon, canon_cmp);
  size_t o = 0;
  for (size_t i = 0; i < g_ncanon;) {
    size_t j = i + 1;
    int clash = 0;
    while (j < g_ncanon && !canon_cmp(&g_canon[i], &g_canon[j])) {
      clash |= g_canon[j].canon_len != g_canon[i].canon_len ||
               memcmp(t->keys.p + g_canon[j].canon, t->keys.p + g_canon[i].canon, g_canon[i].canon_len);
      j++;
    }
    if (!clash) g_canon[o++] = g_canon[i];
    i = j;
  }
  g_ncanon = o;
}

/* iso-codes: {"3166-1": [{"name": ..., "common_name": ...}, ...]}. */
static int load_iso(gz_table *t, const char *file, const char *top, unsigned flags, size_t *count) {
  json_error_t err;
  json_t *root = json_load_file(file, 0, &err);
  if (!root) return 0;
  json_t *arr = json_object_get(root, top);
  size_t i;
  json_t *o;
  int rc = 0;
  json_array_foreach(arr, i, o) {
    if (flags == GZ_COUNTRY) rc |= country_variants(t, o);
    rc |= put_json_name(t, o, "name", flags, count);
    rc |= put_json_name(t, o, "common_name", flags, count);
    if (flags == GZ_COUNTRY) {
      /* "Korea, Republic of" and the like: keep the part before the comma. */
      json_t *v = json_object_get(o, "name");
      const char *s = json_is_string(v) ? json_string_value(v) : "";
      const char *c = strchr(s, ',');
      if (c) rc |= put(t, s, (size_t)(c - s), flags);
    }
    if (rc) break;
  }
  json_decref(root);
  return rc ? -1 : 0;
}

/* zone1970.tab: code TAB coordinates TAB Area/City[/City] ... */
static int load_zones(gz_table *t) {
  buf b, name;
  buf_init(&b);
  buf_init(&name);
  int e = read_file(ND_ZONEINFO_DIR "/zone1970.tab", &b);
  if (e) { buf_free(&b); buf_free(&name); return e == ENOMEM ? -1 : 0; }
  const char *p = (const char *)b.p, *end = p + b.n;
  int rc = 0;
  while (p < end && !rc) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) nl = end;
    const char *f = p;
    int tabs = 0;
    while (f < nl && tabs < 2) if (*f++ == '\t') tabs++;
    if (*p != '#' && tabs == 2) {
      const char *z = f, *ze = f;
      while (ze < nl && *ze != '\t') ze++;
      const char *city = z;
      for (const char *q = z; q < ze; q++) if (*q == '/') city = q + 1;
      buf_reset(&name);
      for (const char *q = city; q < ze; q++) buf_putc(&name, *q == '_' ? ' ' : (uint8_t)*q);
      if (name.oom) rc = -1;
      else if (name.n) { rc = put(t, (const char *)name.p, name.n, GZ_CITY); t->counts.cities++; }
    }
    p = nl + 1;
  }
  buf_free(&b);
  buf_free(&name);
  return rc;
}

static int load_all(gz_table *t) {
  if (load_words(t)) return -1;
  if (load_iso(t, ND_ISO_CODES_DIR "/iso_3166-1.json", "3166-1", GZ_COUNTRY, &t->counts.countries)) return -1;
  if (load_iso(t, ND_ISO_CODES_DIR "/iso_3166-2.json", "3166-2", GZ_REGION, &t->counts.regions)) return -1;
  if (load_zones(t)) return -1;
  for (size_t i = 0; CONTINENTS[i]; i++)
    if (put(t, CONTINENTS[i], strlen(CONTINENTS[i]), GZ_CONTINENT)) return -1;
  /* Names the lists spell otherwise. */
  static const char *const COUNTRY_ALIASES[] = {
    "U.S.", "US", "U.S.A.", "USA", "America", "United States", "Britain", "Great Britain",
    "U.K.", "UK", "Russia", "Iran", "Syria", "South Korea", "North Korea", "Vietnam",
    "Taiwan", "Turkey", "Czech Republic", "Ivory Coast", "Burma", "Bolivia", "Venezuela", "Tanzania", "Moldova", "Laos", "Congo", NULL};
  for (size_t i = 0; COUNTRY_ALIASES[i]; i++)
    if (put(t, COUNTRY_ALIASES[i], strlen(COUNTRY_ALIASES[i]), GZ_COUNTRY)) return -1;
  canon_sort(t);
  return 0;
}

int gaz_load(void) {
  /* called for every article: once loaded, no lock */
  if (atomic_load_explicit(&g_loaded, memory_order_acquire)) return 0;
  pthread_mutex_lock(&g_lock);
  int rc = 0;
  if (!atomic_load_explicit(&g_loaded, memory_order_relaxed)) {
    rc = load_all(&g_tab);
    if (rc) {
      mem_free(g_canon);
      g_canon = NULL;
      g_ncanon = g_canon_cap = 0;
      mem_free(g_tab.e);
      buf_free(&g_tab.keys);
      memset(&g_tab, 0, sizeof g_tab);
    } else {
      atomic_store_explicit(&g_loaded, 1, memory_order_release);
    }
  }
  pthread_mutex_unlock(&g_lock);
  return rc;
}

unsigned gaz_flags(const char *s, size_t n) {
  if (!g_tab.cap || !n || n > GZ_MAX_KEY) return 0; /* put() keeps no longer key */
  const gz_entry *e = slot(&g_tab, s, n, (uint32_t)gz_hash(s, n));
  return e->flags;
}

void gaz_get_counts(gaz_counts *out) { *out = g_tab.counts; }

const char *gaz_country(const char *s, size_t n, size_t *len) {
  size_t lo = 0, hi = g_ncanon;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const gz_canon *c = &g_canon[mid];
    size_t m = c->var_len < n ? c->var_len : n;
    int r = memcmp(g_tab.keys.p + c->var, s, m);
    if (!r) r = c->var_len < n ? -1 : c->var_len > n;
    if (!r) {
      *len = c->canon_len;
      return (const char *)g_tab.keys.p + c->canon;
    }
    if (r < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

/* Endings of adjectives of nationality, and what the place's name may end
** with in their stead ("Iraqi" -> "Iraq", "Syrian" -> "Syria", "Chinese"
** -> "China", "Icelandic" -> "Iceland", "Swedish" -> "Sweden"). */
static const char *const DEMONYM_ENDS[] = {"ians", "ian", "ans", "an", "ese", "ish", "ic", "is", "i", NULL};
static const char *const PLACE_ENDS[] = {"", "a", "e", "o", "ia", "y", "ey", "en", "and", "as", NULL};

int gaz_demonym(const char *s, size_t n) {
  if (n < 5 || n > 60 || (unsigned char)s[0] < 'A' || (unsigned char)s[0] > 'Z') return 0;
  char stem[80];
  for (size_t e = 0; DEMONYM_ENDS[e]; e++) {
    size_t el = strlen(DEMONYM_ENDS[e]);
    if (n < el + 4 || memcmp(s + n - el, DEMONYM_ENDS[e], el)) continue;
    size_t sl = n - el;
    memcpy(stem, s, sl);
    for (size_t p = 0; PLACE_ENDS[p]; p++) {
      size_t pl = strlen(PLACE_ENDS[p]);
      if (sl + pl == n && !memcmp(PLACE_ENDS[p], s + sl, pl)) continue; /* the word itself */
      memcpy(stem + sl, PLACE_ENDS[p], pl);
      if (gaz_flags(stem, sl + pl) & (GZ_COUNTRY | GZ_REGION | GZ_CONTINENT)) return 1;
    }
  }
  return 0;
}
