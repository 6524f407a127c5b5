/*
** es_server.h -- what es_route.c and es_docs.c share: ES replies,
** request bodies, handles.  (server.h declares es_owns and es_route.)
*/
#ifndef ND_SERVER_ES_SERVER_H
#define ND_SERVER_ES_SERVER_H
#include <stdarg.h>

#include "../es/es.h"
#include "server.h"

/* Set out to the ES error e (its status). */
void es_reply_err(reply *out, const es_err *e);
/* Set out to an ES error; returns the status. */
unsigned es_reply(reply *out, unsigned status, const char *type, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The 404 of a missing index, as ES words it. */
void es_index_missing(reply *out, const char *name);
/* Add a Warning header (ES's "299 newsdex ..."). */
void es_warn(reply *out, const char *text);
/* Milliseconds since 1970, now. */
int64_t es_now_ms(void);
/* A reader of x, or NULL with a 429/500 set. */
reader *es_borrow(srv_index *x, reply *out);
/* The body as a JSON object (a new reference), NULL when absent (a 400
** set if required) or malformed (a 400 set: check out->json). */
json_t *es_body(const request *r, reply *out, int required);
/* 0 if every URL parameter is known (or harmless); else a 400 set. */
int es_check_args(const request *r, const char *const *known, reply *out);
/* The one index a search or read names (NULL, "_all", "*": the only one),
** referenced; NULL with a 404/400 set. */
srv_index *es_target(const request *r, const char *name, reply *out);
/* The _source specification of the URL (_source, _source_includes,
** _source_excludes), or NULL when it has none. */
json_t *es_source_args(const request *r);
/* newsdex's fields as an ES mapping ({"properties": ...}). */
json_t *es_mapping(void);

/* es_docs.c */
void es_doc(const request *r, const char *index, const char *kind, const char *id, reply *out);
void es_bulk(const request *r, const char *index, reply *out);
void es_mget(const request *r, const char *index, reply *out);

#endif
