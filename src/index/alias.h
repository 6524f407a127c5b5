/*
** alias.h -- the archive's alias table: which person a partial name
** ("President Trump", "Mr. Trump", "Trump") stands for.
**
** At add time each article records, from its text alone (link/ groups the
** mentions of one person within the article), two kinds of index terms:
**
**   a partial name, for a person the article names only by surname (with
**   or without a title):
**     SEG_TOPIC_PREFIX 'q' surname AL_SEP class AL_SEP era LK_TERM_SEP written
**   evidence, for each partial form of a person the article also names in
**   full:
**     SEG_ALIAS_PREFIX surname AL_SEP class AL_SEP era LK_TERM_SEP full LK_TERM_SEP written
**
** `surname` and `full` are normalised names (lk_norm: "trump", "donald
** trump"), `class` the title's class ("president", "mr"; empty for a bare
** surname), `era` the first year of the article's four-year era ("2017"
** for 2017-2020; empty when the article has no date), `written` the name
** as the article wrote it.  An evidence term's document frequency is the
** number of articles in which that form and that full name are one person.
**
** The table sums that evidence over the snapshot (deleted articles count
** until a merge drops them, as document frequencies do) and resolves a
** partial name to a full name when the evidence is clear (alias.c says
** how); the facets, the topic filters and the page then show and match the
** full name.
*/
#ifndef ND_INDEX_ALIAS_H
#define ND_INDEX_ALIAS_H
#include <stddef.h>
#include <stdint.h>

#include "index.h"

#define SEG_ALIAS_PREFIX '\x03'
#define AL_SEP '\x1e'
#define AL_PARTIAL 'q' /* the type letter of a partial name */
#define AL_ERA_YEARS 4
#define AL_MIN_ARTICLES 2   /* evidence from fewer articles decides nothing */
#define AL_MIN_SHARE 0.75   /* the full name must have this share of a form's evidence */

typedef struct alias_table alias_table;

/* The first year of the era of a date (seconds since 1970), as four
** digits into out[5]; "" when the date is DATE_NONE. */
void al_era(int64_t date, char out[8]);

/* The surname of normalised full name f[0..n): its last word, a "jr",
** "sr", "ii" or "iii" after it aside ("trump" of "donald trump jr"); its
** length in *sn.  Evidence is recorded, and looked up, under it. */
const char *al_surname(const char *f, size_t n, size_t *sn);

/* Is the lower-case word s[0..n) ("president", "sen", "mrs") a title?
** Its class into cls ("president", "senator", "mrs"; see link/names.c)
** and 1, or 0. */
int al_title_class(const char *s, size_t n, char *cls, size_t cap);

/* The table of ix's snapshot, kept on the handle until the snapshot
** changes.  It reads the dictionaries a surname at a time, when a partial
** name or a full name of that surname is first asked about: everything
** that decides a surname's forms lives under it, so the cost of a call
** follows the forms of the surnames asked about, never the archive.
** 0, or ND_ERR_NOMEM with the message set on ix. */
int alias_get(nd_index *ix, alias_table **out);
void alias_free(alias_table *t);

/* Resolve a partial name's key (surname AL_SEP class AL_SEP era, as in a
** 'q' term, without the type letter): *full the normalised full name
** (NUL-terminated) and *shown (may be NULL) its most frequent written form,
** or *full NULL when it does not resolve.  0, ND_ERR_NOMEM or
** ND_ERR_CORRUPT (a damaged dictionary). */
int alias_resolve(alias_table *t, const char *key, size_t n, const char **full, const char **shown);

/* The full name a person's name written with middle initials stands for
** ("donald j trump" -> "donald trump"): in *to (NUL-terminated), when
** some form of its surname resolves to the name without its initials and
** none to the name itself ("george w bush", what "President Bush" is in
** 2001-2004, stays itself); else NULL.
** 0, ND_ERR_NOMEM or ND_ERR_CORRUPT. */
int alias_full(alias_table *t, const char *g, size_t n, const char **to);

/* The keys of the partial-name terms in the snapshot that resolve to full
** name `full` (normalised, len bytes): *n of them in *forms, each
** NUL-terminated (surname AL_SEP class AL_SEP era), valid until the next
** call on t.  0, ND_ERR_NOMEM or ND_ERR_CORRUPT. */
int alias_forms_of(alias_table *t, const char *full, size_t len, const char *const **forms, size_t *n);

/* What is wrong with a partial-name or evidence term t[0..n) (with its
** prefix byte), or NULL when it is well formed or not one of them. */
const char *al_term_problem(const char *t, size_t n);


#endif
