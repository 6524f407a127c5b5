/*
** http.c -- the HTTP side of `newsdex serve` on libmicrohttpd.
**
** libmicrohttpd runs a pool of worker threads (one epoll loop each); a
** request is handled on the thread that read it, with a reader handle
** from pool.c.  Per request a small state records the raw URI (for the log
** line), the method, the body as it arrives (refused with 413 past
** max_body, announced or not), the status and the size sent.  Every reply
** carries a Content-Security-Policy that allows only this origin's files
** and no inline script, and asks browsers not to sniff types or frame the
** page.  When more than max_conn connections are open, new requests get
** 503.  Clients silent for `timeout` seconds are disconnected.  The main
** thread waits for SIGINT or SIGTERM, then stops the daemon, which
** finishes the requests in progress.
*/
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "../cli/cli.h"
#include "../es/es.h"
#include "server.h"

#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
#define TOKEN_MAX 4096
#define LOG_URI_MAX 300 /* characters of the URI in a log line */

typedef struct req_state {
  double t0;
  char *uri;
  const char *method;
  int started;
  char *body;
  size_t len, cap;
  int too_big;
  unsigned status;
  uint64_t bytes;
} req_state;

static struct {
  srv_config cfg;
  registry reg;
  char *web;
  char *token;
  atomic_int open_conns;
} S;

/* ---- replies --------------------------------------------------------- */

unsigned reply_error(reply *out, unsigned status, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_decref(out->json);
  out->json = json_object();
  json_object_set_new(out->json, "error", cli_json_str(msg));
  json_object_set_new(out->json, "status", json_integer(status));
  out->status = status;
  return status;
}

unsigned reply_lib_error(reply *out, nd_index *ix, int rc) {
  const char *m = ix ? nd_errmsg(ix) : "";
  if (!m || !*m) m = nd_strerror(rc);
  unsigned status = 500;
  switch (rc) {
  case ND_ERR_QUERY: case ND_ERR_INVALID: status = 400; break;
  case ND_ERR_LIMIT: status = 400; break;
  case ND_ERR_NOTFOUND: status = 404; break;
  case ND_ERR_LOCKED: status = 503; break;
  }
  reply_error(out, status, "%s", m);
  if (rc == ND_ERR_QUERY) json_object_set_new(out->json, "position", json_integer((json_int_t)nd_error_offset(ix)));
  return status;
}


/* ---- the write token ------------------------------------------------------ */

/* Decode base64 (standard alphabet, padding optional) into out (cap bytes,
** NUL-terminated).  0, or -1 when it is not base64 or does not fit. */
static int unbase64(const char *s, char *out, size_t cap) {
  unsigned acc = 0, bits = 0;
  size_t o = 0;
  for (; *s && *s != '='; s++) {
    const char *A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(A, *s);
    if (!p || !*s) return -1;
    acc = (acc << 6) | (unsigned)(p - A);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o + 1 >= cap) return -1;
      out[o++] = (char)((acc >> bits) & 0xff);
    }
  }
  out[o] = 0;
  return 0;
}

/* Compare a and the token in time independent of where they differ. */
static int token_equal(const char *a, const char *token) {
  size_t n = strlen(a), m = strlen(token);
  unsigned diff = n != m;
  for (size_t i = 0; i < m; i++) diff |= (unsigned char)(a[i < n ? i : 0] ^ token[i]);
  return !diff;
}

/* The token a request presents: Bearer T, ApiKey T or ApiKey base64(ID:T),
** Basic base64(USER:T).  Written into buf; NULL when there is none. */
static const char *presented(const char *h, const char *token, char *buf, size_t cap) {
  if (!strncasecmp(h, "Bearer ", 7)) return h + 7;
  if (!strncasecmp(h, "ApiKey ", 7)) {
    h += 7;
    if (token_equal(h, token)) return h;
    if (unbase64(h, buf, cap)) return h;
    char *colon = strchr(buf, ':');
    return colon ? colon + 1 : buf;
  }
  if (!strncasecmp(h, "Basic ", 6)) {
    if (unbase64(h + 6, buf, cap)) return NULL;
    char *colon = strchr(buf, ':');
    return colon ? colon + 1 : NULL;
  }
  return NULL;
}

int req_authorised(const request *r, reply *out, int es) {
  int status = 0;
  const char *why = NULL;
  if (!r->token) {
    status = 403, why = "writes are off on this server (start it with --write-token FILE)";
  } else {
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char buf[TOKEN_MAX + 64];
    const char *t = h ? presented(h, r->token, buf, sizeof buf) : NULL;
    if (!h) status = 401, why = "this needs the write token: send Authorization: Bearer TOKEN (or ApiKey, or Basic with the token as password)";
    else if (!t || !token_equal(t, r->token)) status = 403, why = "wrong write token";
  }
  if (!status) return 0;
  out->auth_challenge = status == 401;
  if (es) {
    es_err e;
    es_fail(&e, (unsigned)status, status == 401 ? "security_exception" : "security_exception", "%s", why);
    json_decref(out->json);
    out->json = es_error_json(&e);
    out->status = (unsigned)status;
    return status;
  }
  return (int)reply_error(out, (unsigned)status, "%s", why);
}

const char *req_arg(const request *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, req_state *st, reply *rp, int api) {
  struct MHD_Response *resp = NULL;
  if (rp->fd >= 0) {
    resp = MHD_create_response_from_fd(rp->size, rp->fd);
    if (!resp) close(rp->fd);
    st->bytes = rp->size;
  } else if (rp->text) {
    size_t n = strlen(rp->text);
    resp = MHD_create_response_from_buffer(n, rp->text, MHD_RESPMEM_MUST_FREE);
    if (resp) rp->text = NULL;
    st->bytes = n;
  } else if (rp->head) {
    resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    rp->type = "application/json; charset=utf-8";
  } else {
    char *text = rp->json ? json_dumps(rp->json, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8)) : NULL;
    if (!text) {
      rp->status = 500;
      text = strdup("{\"error\":\"out of memory\",\"status\":500}");
    }
    if (text) {
      size_t n = strlen(text);
      text[n] = '\n'; /* replaces the NUL: the length is passed */
      resp = MHD_create_response_from_buffer(n + 1, text, MHD_RESPMEM_MUST_FREE);
      if (!resp) free(text);
      st->bytes = n + 1;
    }
    rp->type = "application/json; charset=utf-8";
  }
  json_decref(rp->json);
  rp->json = NULL;
  free(rp->text);
  rp->text = NULL;
  if (!resp) {
    free(rp->warning);
    return MHD_NO;
  }
  if (rp->warning) {
    MHD_add_response_header(resp, "Warning", rp->warning);
    free(rp->warning);
    rp->warning = NULL;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rp->type);
  MHD_add_response_header(resp, "Content-Security-Policy", CSP);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, api ? "no-store" : "no-cache");
  if (rp->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rp->allow);
  if (rp->auth_challenge) MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  if (rp->status == 503) MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
  st->status = rp->status;
  enum MHD_Result r = MHD_queue_response(conn, rp->status, resp);
  MHD_destroy_response(resp);
  return r;
}

/* ---- request life cycle ------------------------------------------------ */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
  req_state *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  st->t0 = cli_now();
  st->uri = strdup(uri ? uri : "");
  return st;
}

/* The URI for the log: printable ASCII only, shortened. */
static void log_uri(const char *u, char *out, size_t cap) {
  size_t o = 0;
  for (; *u && o + 4 < cap; u++) {
    unsigned char c = (unsigned char)*u;
    if (c > 0x20 && c < 0x7f) out[o++] = (char)c;
    else o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
  }
  if (*u && o + 4 <= cap) { memcpy(out + o, "...", 3); o += 3; }
  out[o] = 0;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
  req_state *st = *con_cls;
  if (!st) return;
  char addr[INET6_ADDRSTRLEN] = "-";
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
    else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
  }
  char uri[LOG_URI_MAX + 8], when[32];
  log_uri(st->uri ? st->uri : "", uri, sizeof uri);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  fprintf(stderr, "%s %s %s %s %u %llu %.1fms%s\n", when, addr, st->method ? st->method : "-", uri, st->status,
          (unsigned long long)st->bytes, (cli_now() - st->t0) * 1e3,
          toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timeout)" : " (aborted)");
  free(st->uri);
  free(st->body);
  free(st);
  *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context, enum MHD_ConnectionNotificationCode toe) {
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) atomic_fetch_add(&S.open_conns, 1);
  else atomic_fetch_sub(&S.open_conns, 1);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
  req_state *st = *con_cls;
  if (!st) return MHD_NO; /* out of memory in on_uri */
  reply rp = {.status = 200, .fd = -1};
  int api = !strncmp(url, "/api/", 5) || !strcmp(url, "/api");
  if (!st->started) {
    st->started = 1;
    st->method = method; /* owned by the connection, valid until completion */
    if ((unsigned)atomic_load(&S.open_conns) > S.cfg.max_conn) {
      reply_error(&rp, 503, "the server is overloaded (%u connections open); try again", S.cfg.max_conn);
      return send_reply(conn, st, &rp, 1);
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > S.cfg.max_body) {
      reply_error(&rp, 413, "request body of %s bytes is over the limit of %zu", cl, S.cfg.max_body);
      return send_reply(conn, st, &rp, 1);
    }
    return MHD_YES;
  }
  if (*upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    if (st->too_big) return MHD_YES;
    if (st->len + n > S.cfg.max_body) {
      st->too_big = 1;
      return MHD_YES;
    }
    if (st->len + n + 1 > st->cap) {
      size_t cap = st->cap ? st->cap : 4096;
      while (cap < st->len + n + 1) cap *= 2;
      char *b = realloc(st->body, cap);
      if (!b) return MHD_NO;
      st->body = b;
      st->cap = cap;
    }
    memcpy(st->body + st->len, upload, n);
    st->len += n;
    st->body[st->len] = 0;
    return MHD_YES;
  }
  if (st->too_big) {
    reply_error(&rp, 413, "request body over the limit of %zu bytes", S.cfg.max_body);
    return send_reply(conn, st, &rp, 1);
  }
  if (st->uri && strcasestr(st->uri, "%00")) {
    reply_error(&rp, 400, "a NUL byte in the request's address");
    return send_reply(conn, st, &rp, 1);
  }
  char *raw = strndup(st->uri ? st->uri : url, strcspn(st->uri ? st->uri : url, "?"));
  if (!raw) return MHD_NO;
  request rq = {conn, method, url, st->body ? st->body : "", st->len, NULL, &S.reg, S.token, raw};
  if (api) {
    /* /api/ serves one index: index=NAME, or the only one. */
    int several;
    const char *name = req_arg(&rq, "index");
    srv_index *x = registry_default(&S.reg, name, &several);
    if (x) {
      rq.pool = &x->pool;
      api_route(&rq, &rp);
      registry_put(&S.reg, x);
    } else if (several) {
      reply_error(&rp, 400, "this server has several indexes: name one with index=NAME");
    } else {
      reply_error(&rp, 404, "no such index: %s", name ? name : "(none served)");
    }
  } else if (es_owns(&rq)) {
    api = 1;
    es_route(&rq, &rp);
  } else if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
    rp.allow = "GET, HEAD";
    reply_error(&rp, 405, "method %s not allowed on %s", method, url);
  } else {
    files_serve(S.web, url, &rp);
  }
  free(raw);
  return send_reply(conn, st, &rp, api || rp.fd < 0);
}

/* ---- start and stop -------------------------------------------------- */

static char *read_token(const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) {
    cli_error("cannot read the write token file %s: %s", file, strerror(errno));
    return NULL;
  }
  char *t = calloc(1, TOKEN_MAX + 2);
  size_t n = t ? fread(t, 1, TOKEN_MAX + 1, f) : 0;
  fclose(f);
  if (!t) { cli_error("out of memory"); return NULL; }
  while (n && isspace((unsigned char)t[n - 1])) t[--n] = 0;
  size_t bad = 0;
  while (bad < n && t[bad] > 0x20 && t[bad] < 0x7f) bad++;
  if (n < 16 || n > TOKEN_MAX || bad < n) {
    cli_error("%s: the write token must be one line of 16 to %d printable characters without spaces", file, TOKEN_MAX);
    free(t);
    return NULL;
  }
  return t;
}

int srv_run(const srv_config *c) {
  memset(&S, 0, sizeof S);
  S.cfg = *c;
  struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM}, *ai = NULL;
  char port[16];
  snprintf(port, sizeof port, "%u", c->port);
  if (getaddrinfo(c->bind, port, &hints, &ai) || !ai) {
    cli_usage_error("serve", "--bind wants a numeric IPv4 or IPv6 address, not '%s'", c->bind);
    return EXIT_USAGE;
  }
  int st = EXIT_OK;
  char why[512];
  if (mhd_load(why, sizeof why)) {
    cli_error("%s", why);
    freeaddrinfo(ai);
    return EXIT_ERROR;
  }
  if (!(S.web = files_locate(c->web))) st = EXIT_ERROR;
  if (!st && c->token_file && !(S.token = read_token(c->token_file))) st = EXIT_USAGE;
  if (!st) st = registry_open(&S.reg, c->root, c->db, c->threads, S.token != NULL);
  /* Signals are taken by sigwait in this thread only: block them before
  ** the workers start, so that they inherit the mask. */
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);
  struct MHD_Daemon *d = NULL;
  if (!st) {
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    d = MHD_start_daemon(flags, (uint16_t)c->port, NULL, NULL, on_request, NULL,
                         MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                         MHD_OPTION_THREAD_POOL_SIZE, c->threads,
                         MHD_OPTION_CONNECTION_LIMIT, c->max_conn + 64,
                         MHD_OPTION_CONNECTION_TIMEOUT, c->timeout,
                         MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
                         MHD_OPTION_END);
    if (!d) {
      cli_error("cannot listen on %s port %u: %s", c->bind, c->port, strerror(errno));
      st = EXIT_ERROR;
    }
  }
  if (!st) {
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned p = di ? di->port : c->port;
    int v6 = ai->ai_family == AF_INET6;
    fprintf(stderr, "newsdex: serving %s on http://%s%s%s:%u/ (%u threads, writes %s)\n", c->root ? c->root : c->db, v6 ? "[" : "", c->bind,
            v6 ? "]" : "", p, c->threads, S.token ? "on" : "off");
    fflush(stderr);
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "newsdex: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    MHD_stop_daemon(d);
    fprintf(stderr, "newsdex: stopped\n");
  }
  freeaddrinfo(ai);
  registry_close(&S.reg);
  free(S.token);
  free(S.web);
  return st;
}
