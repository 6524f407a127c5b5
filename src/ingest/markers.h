/*
** markers.h -- the "(search)" markers of articles taken from web pages.
**
** Some sites put " (search)" after a few key terms, each linking to a search
** of their archive (the seed article: "NATO (search) failed Wednesday...").
** markers_strip() removes every marker from the text and returns the term
** each one followed.  The rule for where a term starts is in markers.c and
** docs/ingest.md.
*/
#ifndef ND_INGEST_MARKERS_H
#define ND_INGEST_MARKERS_H
#include <stddef.h>

/* Strip markers from text[0..len).  On success returns 0, *clean is a new
** NUL-terminated string (mem_alloc'd) and *terms a new array of *nterms new
** strings (each mem_alloc'd; free with markers_free_terms).  Terms are in
** order of appearance, duplicates kept once.  Returns -1 if memory ran out
** (and sets nothing). */
int markers_strip(const char *text, size_t len, char **clean, char ***terms, size_t *nterms);
void markers_free_terms(char **terms, size_t n);

#endif
