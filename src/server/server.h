/*
** server.h -- internal interface of `newsdex serve`: the HTTP server.
**
** http.c   runs libmicrohttpd (a thread pool), parses the request line,
**          bounds bodies and connections, dispatches, sends replies with
**          the security headers, and logs one line per request
** pool.c   the reader handles (one per worker, refreshed when the
**          archive's manifest changes) and the single writer handle
** indexes.c the archives served, by name (--db: one; --root: a folder of them)
** routes.c the JSON API (/api/...)
** es_route.c, es_docs.c, es_search.c the Elasticsearch-compatible API
**          (docs/elasticsearch.md) on src/es/
** files.c  the static files of the web page (web/)
** docs/api.md describes the API for its users.
*/
#ifndef ND_SERVER_SERVER_H
#define ND_SERVER_SERVER_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>
#include "mhd.h"

#include "newsdex.h"

typedef struct srv_config {
  const char *db;         /* the archive (or NULL with root) */
  const char *root;       /* a folder of archives, each an index (or NULL) */
  const char *bind;       /* numeric address to listen on */
  unsigned port;          /* 0: any free port (printed at start) */
  const char *web;        /* folder of the page; NULL: found beside the binary */
  const char *token_file; /* NULL: writes are off */
  unsigned threads;       /* worker threads (= reader handles) */
  size_t max_body;        /* bytes of a request body, at most */
  unsigned max_conn;      /* open connections before 503 */
  unsigned timeout;       /* seconds of client silence before a connection is closed */
} srv_config;

/* Run the server until *stop becomes non-zero (checked after each signal
** that interrupts the wait; see cmd_serve.c).  Returns an exit code. */
int srv_run(const srv_config *c);

/* ---- pool.c ------------------------------------------------------------- */

typedef struct reader {
  nd_index *ix;
  struct stat seen; /* the manifest when ix last refreshed */
  int busy;
} reader;

typedef struct pool {
  char *manifest; /* path of the archive's manifest file */
  reader *r;
  size_t n;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  nd_index *writer; /* NULL: writes are off */
  pthread_mutex_t wmu;
  /* group commit (pool_wlock ... pool_commit_group): see pool.c */
  unsigned queued;        /* writers waiting for wmu (atomic) */
  pthread_mutex_t smu;    /* guards what follows */
  pthread_cond_t scv;
  uint64_t added, done;   /* grouped writes added, and made durable */
  struct pool_fail {
    uint64_t lo, hi;      /* grouped writes a failed commit lost */
    int rc;
    char msg[200];
  } fails[8];             /* the last failed commits, a ring */
  unsigned nfails;
} pool;

/* Open n reader handles (and the writer first, creating the archive, when
** `write`).  Prints what failed and returns an exit code. */
int pool_open(pool *p, const char *db, size_t n, int write);
void pool_close(pool *p);
/* A free reader, refreshed if the archive changed since it last looked;
** NULL when none became free within `wait_ms` (the server is overloaded) or
** refreshing failed (then *rc is the status). */
reader *pool_get(pool *p, unsigned wait_ms, int *rc);
void pool_put(pool *p, reader *r);

/* Writes.  pool_wlock takes the writer (wmu).  pool_commit commits all
** the writer holds (0, or the library's status with its message in
** nd_errmsg(p->writer)).  pool_commit_group ends a write that added to
** the writer: when other writers are waiting for it, the commit is left
** to them and this thread waits for the commit that covers its write
** (group commit: one commit for several requests); else it commits.  It
** unlocks wmu and returns the status of that commit, its message in msg.
** pool_wunlock ends any other write, committing what grouped writes left
** when no writer is waiting. */
void pool_wlock(pool *p);
int pool_commit(pool *p);
int pool_commit_group(pool *p, char *msg, size_t cap);
void pool_wunlock(pool *p);

/* ---- indexes.c ------------------------------------------------------- */

typedef struct srv_index {
  char *name;
  char *path;
  pool pool;
  unsigned refs;   /* requests holding it */
  int dropped;     /* deleted: closed and removed at the last registry_put */
  struct srv_index *next;
} srv_index;

typedef struct registry {
  char *root;      /* NULL: one archive (--db) */
  srv_index *list; /* by name */
  pthread_mutex_t mu;
  size_t readers;
  int write;
} registry;

/* 1 if name is a valid index name; else 0 and why. */
int registry_valid_name(const char *name, char *why, size_t cap);
/* Open the archive db (root NULL) or every archive in root.  Prints what
** failed and returns an exit code. */
int registry_open(registry *g, const char *root, const char *db, size_t readers, int write);
void registry_close(registry *g);
/* The index called name, referenced (give it back with registry_put), or NULL. */
srv_index *registry_get(registry *g, const char *name);
/* The index for a request that may name none: name's, else the only one
** (*several set when there are more, then NULL). */
srv_index *registry_default(registry *g, const char *name, int *several);
void registry_put(registry *g, srv_index *x);
/* Create index name (referenced into *out).  0, or an HTTP status (400
** bad name or no --root, 409 exists, 500) with why. */
int registry_create(registry *g, const char *name, srv_index **out, char *why, size_t cap);
/* Delete index name and its archive.  0, or 400/404 with why. */
int registry_drop(registry *g, const char *name, char *why, size_t cap);
/* Every index, referenced, in name order: a malloc'ed array (put each). */
size_t registry_list(registry *g, srv_index ***out);

/* ---- http.c: replies -------------------------------------------------- */

typedef struct reply {
  unsigned status;
  json_t *json;            /* the body, or NULL for `file` */
  int fd;                  /* a static file (with size and type), or -1 */
  uint64_t size;
  const char *type;
  const char *allow;       /* Allow header for 405 */
  int auth_challenge;      /* WWW-Authenticate for 401 */
  char *text;              /* a text body (with type), malloc'ed, or NULL */
  char *warning;           /* a Warning header (ES's "299 newsdex ..."), malloc'ed, or NULL */
  int head;                /* answer a HEAD: status and headers only */
} reply;

/* Set an error reply: {"error": MESSAGE, ...} with this status.  Returns
** the status. */
unsigned reply_error(reply *out, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The error reply for a failed library call on ix (status from the code;
** a bad query carries "position"). */
unsigned reply_lib_error(reply *out, nd_index *ix, int rc);

/* One request as the handlers see it. */
typedef struct request {
  struct MHD_Connection *conn;
  const char *method;
  const char *path;   /* decoded, without the query string */
  const char *body;   /* POST body (NUL-terminated), or NULL */
  size_t body_len;
  pool *pool;         /* /api/: the index's handles */
  registry *reg;      /* every index */
  const char *token;  /* the write token, or NULL */
  const char *raw;    /* the path as sent (percent-escapes kept), without the query string */
} request;

/* 0 when the request carries the write token (Authorization: Bearer T,
** ApiKey T or base64 of ID:T, or Basic with T as the password); else
** 401/403 set on out.  `es` chooses ES's error shape. */
int req_authorised(const request *r, reply *out, int es);

/* A query-string argument, or NULL. */
const char *req_arg(const request *r, const char *name);

/* ---- routes.c -------------------------------------------------------- */

/* Handle /api/...; fills out. */
void api_route(const request *r, reply *out);

/* ---- es_route.c ------------------------------------------------------ */

/* 1 if this request is for the Elasticsearch API (see es_route.c). */
int es_owns(const request *r);
/* Handle an Elasticsearch API request; fills out. */
void es_route(const request *r, reply *out);

/* ---- files.c -------------------------------------------------------- */

/* Locate the page's folder: `given`, else web/ beside the binary or in
** ../share/newsdex/web from it, else ../web (a build folder inside the
** checkout).  Returns a malloc'ed real path or NULL (with a message). */
char *files_locate(const char *given);
/* Serve path (e.g. "/", "/app.js") from the folder `root`. */
void files_serve(const char *root, const char *path, reply *out);

#endif
