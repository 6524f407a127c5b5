/*
** prefix.c -- a prefix, a source value or a topic field's value: the OR
** of the index terms that start with its key (see iter.h).
**
** A prefix matches at most PREFIX_MAX_TERMS terms in a segment (more is
** ND_ERR_LIMIT, with a message); their dfs are summed by one walk of each
** segment's dictionary (ctx.c), each term's cursor opened from the entry
** the walk is on.  A source value takes every written form of its key
** (index/srcterm.h).  A topic name is looked up under each type its field
** allows, up to the separator that ends the normalised name; a person's
** name is first resolved to the full name it stands for, and takes that
** name's partial names and forms with initials (index/alias.h).
*/
#include <stdio.h>
#include <string.h>

#include "../index/alias.h"
#include "../index/srcterm.h"
#include "../index/topic_terms.h"
#include "../util/mem.h"
#include "iter.h"

/* Add a term iterator to m for every term that starts with key[0..len);
** `shown` names them in the error when there are too many.  0, or -1 with
** cx->err set. */
static int add_terms_from(qctx *cx, multi_it *m, size_t *cap, const char *key, size_t len, const char *shown,
                          int field) {
  if (qctx_prefix_dfs(cx, key, len)) return -1;
  dict_iter di;
  int r = dict_seek(&di, &cx->seg->d, key, len);
  for (; r == 1 && di.len >= len && !memcmp(di.term, key, len); r = dict_next(&di)) {
    if (m->n >= PREFIX_MAX_TERMS) {
      cx->err = ND_ERR_LIMIT;
      ix_fail(cx->ix, ND_ERR_LIMIT, "prefix \"%s*\" matches more than %d terms; make it longer", shown,
              PREFIX_MAX_TERMS);
      return -1;
    }
    if (mem_grow(&m->kids, cap, m->n, sizeof *m->kids)) { cx->err = ND_ERR_NOMEM; return -1; }
    qit *t = term_it_open(cx, di.term, di.len, field, &di.ti);
    if (!t) return -1;
    m->kids[m->n++] = t;
  }
  if (r < 0) cx->err = ND_ERR_CORRUPT;
  return r < 0 ? -1 : 0;
}

/* The alias table failed with rc: -1 with cx->err and the message set. */
static int alias_failed(qctx *cx, int rc) {
  cx->err = rc;
  ix_fail(cx->ix, rc, "%s", rc == ND_ERR_NOMEM ? "out of memory" : "a term dictionary is damaged (run newsdex check)");
  return -1;
}

/* Add to m this segment's terms under every distinct key (a term's bytes
** up to and including LK_TERM_SEP) that starts with prefix[0..plen) and
** that keep() takes: 1 takes it, 0 not, an ND_ERR_* stops.  0, or -1
** with cx->err set. */
typedef int (*key_filter)(void *ctx, const char *key, size_t n);
static int add_keys_where(qctx *cx, multi_it *m, size_t *cap, const qnode *q, const char *prefix, size_t plen,
                          key_filter keep, void *ctx) {
  buf keys; /* the keys taken, each after its length byte */
  buf_init(&keys);
  char last[DICT_MAX_TERM + 1];
  size_t lastn = 0;
  dict_iter di;
  int r = dict_seek(&di, &cx->seg->d, prefix, plen), rc = 0;
  for (; r == 1 && di.len > plen && !memcmp(di.term, prefix, plen); r = dict_next(&di)) {
    const char *sep = memchr(di.term + 2, LK_TERM_SEP, di.len - 2);
    size_t kl = sep ? (size_t)(sep - di.term) + 1 : 0;
    if (!kl || kl > 255 || (kl == lastn && !memcmp(last, di.term, kl))) continue; /* (the key's other written forms) */
    memcpy(last, di.term, kl);
    lastn = kl;
    int k = keep(ctx, di.term, kl);
    if (k < 0) { rc = k; break; }
    if (!k) continue;
    buf_putc(&keys, (uint8_t)kl);
    buf_put(&keys, di.term, kl);
  }
  if (r < 0 || rc || keys.oom) {
    buf_free(&keys);
    return alias_failed(cx, rc ? rc : r < 0 ? ND_ERR_CORRUPT : ND_ERR_NOMEM);
  }
  for (size_t at = 0; at < keys.n; at += 1 + keys.p[at])
    if (add_terms_from(cx, m, cap, (const char *)keys.p + at + 1, keys.p[at], q->terms[0], q->field)) {
      buf_free(&keys);
      return -1;
    }
  buf_free(&keys);
  return 0;
}

/* Partial names ("\x02q" surname SEP class SEP era SEP) that resolve to
** nothing; for person:, only those that had a title (a bare one may be a
** capitalised word and no person). */
typedef struct unresolved_ctx {
  alias_table *al;
  int person;
} unresolved_ctx;

static int take_unresolved(void *ctx, const char *key, size_t n) {
  const unresolved_ctx *u = ctx;
  const char *to, *s1 = memchr(key + 2, AL_SEP, n - 2);
  int rc = alias_resolve(u->al, key + 2, n - 3, &to, NULL);
  if (rc) return rc;
  return !to && !(u->person && s1 && s1[1] == AL_SEP);
}

/* Person topics ("\x02p" name SEP) that are full name F with middle
** initials ("donald j trump" for "donald trump"; alias_full). */
typedef struct initialled_ctx {
  alias_table *al;
  const char *F;
  size_t fn;
} initialled_ctx;

static int take_initialled(void *ctx, const char *key, size_t n) {
  const initialled_ctx *c = ctx;
  const char *to;
  if (n - 3 <= c->fn) return 0;
  int rc = alias_full(c->al, key + 2, n - 3, &to);
  if (rc) return rc;
  return to && strlen(to) == c->fn && !memcmp(to, c->F, c->fn);
}

/* A person's name in a topic filter (normalised: "donald trump", "trump",
** "president trump") names one person, as the facets count them (alias.h):
** the partial names of the archive that resolve to its full name match
** too.  A name of one word (after a title, which is dropped) is resolved
** first, like a partial name of an article without a date: when it
** resolves, the filter is that full name's (*full, *fn); when it does
** not, it matches the partial names with that surname that do not
** resolve either.  0, or -1 with cx->err set. */
static int add_partials(qctx *cx, multi_it *m, size_t *cap, const qnode *q, const char **full, size_t *fn) {
  alias_table *al;
  int rc = alias_get(cx->ix, &al);
  if (rc) { cx->err = rc; return -1; } /* (the message is set) */
  const char *name = q->terms[0];
  size_t n = strlen(name);
  char cls[32] = "", key[DICT_MAX_TERM + 1];
  const char *sp = strchr(name, ' ');
  if (sp && al_title_class(name, (size_t)(sp - name), cls, sizeof cls)) {
    n -= (size_t)(sp + 1 - name);
    name = sp + 1;
  }
  *full = name;
  *fn = n;
  if (n + 8 > sizeof key) return 0;
  if (!strchr(name, ' ')) { /* a surname */
    size_t kn = (size_t)snprintf(key, sizeof key, "%s%c%s%c", name, AL_SEP, cls, AL_SEP);
    const char *F;
    if ((rc = alias_resolve(al, key, kn, &F, NULL))) return alias_failed(cx, rc);
    if (F) {
      *full = F;
      *fn = strlen(F);
    } else { /* the unresolved partial names of that surname */
      key[0] = SEG_TOPIC_PREFIX;
      key[1] = AL_PARTIAL;
      memcpy(key + 2, name, n);
      key[n + 2] = AL_SEP;
      unresolved_ctx u = {al, q->field == QF_PERSON};
      return add_keys_where(cx, m, cap, q, key, n + 3, take_unresolved, &u);
    }
  }
  /* a name with middle initials is the name without them, when the archive
  ** says so; and that name takes the forms with initials that are it */
  const char *to;
  if ((rc = alias_full(al, *full, *fn, &to))) return alias_failed(cx, rc);
  if (to) {
    *full = to;
    *fn = strlen(to);
  }
  const char *sp2 = memchr(*full, ' ', *fn);
  if (sp2 && !memchr(sp2 + 1, ' ', (size_t)(*full + *fn - sp2 - 1))) { /* only a name of two words has them */
    size_t pn = (size_t)(sp2 - *full) + 1;
    key[0] = SEG_TOPIC_PREFIX;
    key[1] = 'p';
    memcpy(key + 2, *full, pn); /* "donald " */
    initialled_ctx c = {al, *full, *fn};
    if (add_keys_where(cx, m, cap, q, key, pn + 2, take_initialled, &c)) return -1;
  }
  size_t nf;
  const char *const *forms;
  if ((rc = alias_forms_of(al, *full, *fn, &forms, &nf))) return alias_failed(cx, rc);
  for (size_t i = 0; i < nf; i++) {
    size_t kn = strlen(forms[i]);
    if (kn + 3 > sizeof key) continue;
    key[0] = SEG_TOPIC_PREFIX;
    key[1] = AL_PARTIAL;
    memcpy(key + 2, forms[i], kn);
    key[kn + 2] = LK_TERM_SEP;
    if (add_terms_from(cx, m, cap, key, kn + 3, q->terms[0], q->field)) return -1;
  }
  return 0;
}

/* A prefix, a source value (its key: index/srcterm.h), or a topic field's
** name or prefix: the OR of the index terms that start with its key.  A
** topic name is looked up under each type the field allows, up to the
** separator that ends the normalised name (so that every written form of
** the name matches, and nothing longer). */
qit *prefix_it_new(qctx *cx, const qnode *q) {
  size_t cap = 16;
  multi_it *m = multi_new(cx, cap);
  if (!m) return NULL;
  char key[DICT_MAX_TERM + 1];
  if (!qf_topic(q->field)) {
    size_t len = term_key(q->terms[0], q->field, key);
    if (q->field == QF_SOURCE && q->kind == Q_TERM && len < sizeof key) key[len++] = SRC_SEP; /* every written form */
    add_terms_from(cx, m, &cap, key, len, q->terms[0], q->field);
  } else {
    static const char *const letters[] = {"plox", "p", "o", "l"};
    const char *types = letters[q->field - QF_TOPIC];
    size_t n = strlen(q->terms[0]);
    if (n + 3 > sizeof key) n = sizeof key - 3; /* the parser bounds names well below this */
    const char *full = q->terms[0];
    size_t fn = n;
    if (q->kind == Q_TERM && strchr(types, 'p') && add_partials(cx, m, &cap, q, &full, &fn)) {
      multi_destroy(&m->base);
      return NULL;
    }
    for (; *types && !cx->err; types++) {
      key[0] = SEG_TOPIC_PREFIX;
      key[1] = *types;
      /* a person's name: the canonical one ("President Trump" -> "donald trump") */
      const char *name = *types == 'p' ? full : q->terms[0];
      size_t nn = *types == 'p' ? fn : n;
      memcpy(key + 2, name, nn);
      size_t len = nn + 2;
      if (q->kind == Q_TERM) key[len++] = LK_TERM_SEP;
      add_terms_from(cx, m, &cap, key, len, q->terms[0], q->field);
    }
  }
  if (cx->err) { multi_destroy(&m->base); return NULL; }
  return or_finish(cx, m);
}
