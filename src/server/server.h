/*
** server.h -- internal interface of `newsdex serve`: the HTTP server.
**
** http.c   runs libmicrohttpd (a thread pool), parses the request line,
**          bounds bodies and connections, dispatches, sends replies with
**          the security headers, and logs one line per request
** pool.c   the reader handles (one per worker, refreshed when the
**          archive's manifest changes) and the single writer handle
** routes.c the JSON API (/api/...)
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
#include <microhttpd.h>

#include "newsdex.h"

typedef struct srv_config {
  const char *db;         /* the archive */
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

/* ---- http.c: replies -------------------------------------------------- */

typedef struct reply {
  unsigned status;
  json_t *json;            /* the body, or NULL for `file` */
  int fd;                  /* a static file (with size and type), or -1 */
  uint64_t size;
  const char *type;
  const char *allow;       /* Allow header for 405 */
  int auth_challenge;      /* WWW-Authenticate for 401 */
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
  pool *pool;
  const char *token;  /* the write token, or NULL */
} request;

/* A query-string argument, or NULL. */
const char *req_arg(const request *r, const char *name);

/* ---- routes.c -------------------------------------------------------- */

/* Handle /api/...; fills out. */
void api_route(const request *r, reply *out);

/* ---- files.c -------------------------------------------------------- */

/* Locate the page's folder: `given`, else web/ beside the binary or in
** ../share/newsdex/web from it, else ../web (a build folder inside the
** checkout).  Returns a malloc'ed real path or NULL (with a message). */
char *files_locate(const char *given);
/* Serve path (e.g. "/", "/app.js") from the folder `root`. */
void files_serve(const char *root, const char *path, reply *out);

#endif
