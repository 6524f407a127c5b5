/*
** newsdex.h -- the public interface of the newsdex library.
**
** newsdex is a search engine for news archives.  An archive ("index") is a
** directory of immutable segment files plus a manifest naming the live ones.
** This header is everything an embedding program needs:
**
**   nd_open()          open (or create) an archive, for reading or writing
**   nd_add()           add or replace an article        (writers only)
**   nd_delete()        delete an article by id          (writers only)
**   nd_commit()        make added/deleted articles durable and visible
**   nd_optimize()      merge all segments into one, dropping deleted articles
**   nd_search()        run a query, get ranked hits with snippets
**   nd_get()           fetch one stored article by id
**   nd_stats()         counts and sizes
**   nd_strerror()      text for a status code; nd_errmsg() details
**
** Conventions
**   - Every function that can fail returns an int status: ND_OK (0) on
**     success, a negative ND_ERR_* code otherwise.  The library never prints.
**   - After a failure, nd_errmsg(ix) describes it in one line (naming the
**     file, field or query position involved).  The string is owned by the
**     handle and valid until the next call on it.
**   - Strings are UTF-8 and NUL-terminated.  Pointers inside results and
**     documents are owned by that result/document and live until it is freed.
**   - One nd_index handle must not be used by two threads at once.  Any
**     number of handles (in any number of threads or processes) may read the
**     same archive; at most one handle at a time may write it (a second
**     writer gets ND_ERR_LOCKED).
**   - A handle searches the snapshot it last opened or committed; call
**     nd_refresh() to see commits made by other handles since.
*/
#ifndef NEWSDEX_H
#define NEWSDEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ND_VERSION "0.1.0"

/* Status codes. */
enum {
  ND_OK = 0,
  ND_ERR_NOMEM = -1,    /* out of memory */
  ND_ERR_IO = -2,       /* a system call failed (see nd_errmsg) */
  ND_ERR_CORRUPT = -3,  /* a file of the archive is damaged */
  ND_ERR_LOCKED = -4,   /* another writer holds the archive */
  ND_ERR_QUERY = -5,    /* the query is malformed; see nd_error_offset() */
  ND_ERR_NOTFOUND = -6, /* no such article or archive */
  ND_ERR_INVALID = -7,  /* bad argument or bad article (missing body, bad date...) */
  ND_ERR_READONLY = -8, /* write call on a handle opened read-only */
  ND_ERR_NOSPACE = -9,  /* the disk is full; the archive stays at its last commit */
  ND_ERR_VERSION = -10, /* the archive was written by an incompatible version */
  ND_ERR_LIMIT = -11    /* a size or complexity limit was exceeded */
};

/* Static text for a status code ("ok", "out of memory", ...).  Never NULL. */
const char *nd_strerror(int status);

typedef struct nd_index nd_index;

/* Flags for nd_open(). */
#define ND_OPEN_WRITE 0x1  /* open for writing (takes the writer lock) */
#define ND_OPEN_CREATE 0x2 /* create the archive if it does not exist (implies WRITE) */

typedef struct nd_open_options {
  /* Snowball stemming language for a new archive ("english", "french", ...,
  ** or "none").  Ignored when the archive exists: the language is a property
  ** of the archive.  NULL means "english". */
  const char *language;
  /* Bytes of analysed text a writer buffers in memory before it writes a
  ** segment.  0 means the default (64 MiB).  Bounds a writer's memory:
  ** with threads > 1 a full buffer is written while the next one fills,
  ** so a writer holds up to two. */
  size_t buffer_bytes;
  /* Automatic merging: when this many segments of about the same size
  ** (within a factor of it) exist after a commit, they are merged into one,
  ** so an archive keeps O(log n) segments.  0 means the default (10); 1
  ** turns automatic merging off (nd_optimize still merges everything). */
  unsigned merge_factor;
  /* Threads a writer uses: with 2 or more (the default, 0, means 2), a
  ** full buffer is written as a segment (sorted, encoded, compressed) in a
  ** background thread while nd_add goes on analysing into the next one.
  ** 1 writes in the calling thread. */
  unsigned threads;
} nd_open_options;

/* Open the archive in directory `path`.  `opts` may be NULL.  On success
** *out is a new handle; on failure *out is still set (unless NULL or out of
** memory) so that nd_errmsg() can be read, and must be closed with nd_close(). */
int nd_open(const char *path, unsigned flags, const nd_open_options *opts,
            nd_index **out);

/* Close a handle.  Uncommitted changes are discarded.  NULL is a no-op. */
void nd_close(nd_index *ix);

/* One line describing the last failure on this handle ("" if none). */
const char *nd_errmsg(const nd_index *ix);

/* After ND_ERR_QUERY: byte offset in the query string where the problem is. */
size_t nd_error_offset(const nd_index *ix);

/* Re-read the manifest so that searches see the latest commit. */
int nd_refresh(nd_index *ix);

/* ---- articles ---------------------------------------------------------- */

/* An article, as given to nd_add() and as returned by nd_get().
** Only body is required.  Fields left NULL are absent. */
typedef struct nd_doc {
  const char *id;         /* unique; NULL: a stable id is derived from the content */
  const char *title;
  const char *date;       /* ISO 8601: YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z|+hh:mm] */
  const char *source;     /* publication */
  const char *url;
  const char *body;       /* the text; "(search)" markers are stripped by nd_add */
  const char *extra_json; /* a JSON object with any other fields, stored as is */
  const char *const *marked; /* terms the source marked "(search)" */
  size_t n_marked;
} nd_doc;

/* Add an article, or replace the stored article with the same id.  The text
** is validated (UTF-8, date syntax, body present); a bad article returns
** ND_ERR_INVALID and changes nothing.  "(search)" markers in the body are
** removed and the terms they followed appended to the marked list.  The
** change is visible and durable after nd_commit().  If `id_out` is not NULL
** it receives the article's id (owned by the handle, valid until the next
** call). */
int nd_add(nd_index *ix, const nd_doc *doc, const char **id_out);

/* Delete the article with this id.  ND_ERR_NOTFOUND if there is none. */
int nd_delete(nd_index *ix, const char *id);

/* Write buffered articles and deletions to new files, fsync them and switch
** the manifest atomically.  A crash at any moment leaves either the previous
** commit or this one.  On failure the archive stays at the previous commit
** and the pending changes are discarded. */
int nd_commit(nd_index *ix);

/* Commit, then merge every segment into one, dropping deleted articles. */
int nd_optimize(nd_index *ix);

/* A stored article.  nd_document_doc() gives a view valid until the
** document is freed. */
typedef struct nd_document nd_document;
int nd_get(nd_index *ix, const char *id, nd_document **out);
const nd_doc *nd_document_doc(const nd_document *d);
void nd_document_free(nd_document *d);

/* ---- search ------------------------------------------------------------ */

enum { ND_SORT_RELEVANCE = 0, ND_SORT_DATE = 1 };
enum {
  ND_SNIPPET_NONE = 0,  /* no snippets */
  ND_SNIPPET_PLAIN = 1, /* text as is, matches wrapped in hl_open/hl_close */
  ND_SNIPPET_HTML = 2   /* text HTML-escaped, matches wrapped in hl_open/hl_close */
};

typedef struct nd_search_options {
  size_t limit;         /* hits to return; 0 means 10 */
  size_t offset;        /* hits to skip first (paging) */
  int sort;             /* ND_SORT_RELEVANCE (ties: newer first) or ND_SORT_DATE (newest first) */
  int snippets;         /* ND_SNIPPET_* */
  size_t snippet_chars; /* approximate snippet length; 0 means 160 */
  const char *hl_open;  /* marks around matched words; NULL means "[" and "]" */
  const char *hl_close;
  int count;            /* ND_COUNT_EXACT (default) or ND_COUNT_LOWER_BOUND */
  int ids_only;         /* 1: hits carry only id and score; nothing stored is
                        ** read (no title, date, snippet...) */
} nd_search_options;

/* How nd_results_total() is computed.  ND_COUNT_EXACT counts every matching
** article.  ND_COUNT_LOWER_BOUND lets a relevance-ranked search skip
** documents that cannot enter the top offset+limit; the total is then at
** least offset+count and at most the exact count (see
** nd_results_total_exact()). */
enum { ND_COUNT_EXACT = 0, ND_COUNT_LOWER_BOUND = 1 };

typedef struct nd_hit {
  const char *id;
  double score;
  const char *title;   /* "" if the article has none */
  const char *date;    /* "" if none */
  const char *source;  /* "" if none */
  const char *url;     /* "" if none */
  const char *snippet; /* "" if snippets were not asked for */
  const char *headline; /* what a listing shows: the title, or for an article
                        ** without one the start of its first sentence */
} nd_hit;

typedef struct nd_results nd_results;

/* Run `query` (see docs/query-language.md).  `opts` may be NULL.  On
** ND_ERR_QUERY, nd_errmsg() says what is wrong and nd_error_offset() where. */
int nd_search(nd_index *ix, const char *query, const nd_search_options *opts,
              nd_results **out);
uint64_t nd_results_total(const nd_results *r); /* every matching article */
int nd_results_total_exact(const nd_results *r); /* 1 if the total is exact */
size_t nd_results_count(const nd_results *r);   /* hits held (<= limit) */
/* The i-th hit (0-based, already offset).  Returns ND_ERR_INVALID if i is out of range. */
int nd_results_hit(const nd_results *r, size_t i, nd_hit *out);
void nd_results_free(nd_results *r);

/* ---- statistics -------------------------------------------------------- */

typedef struct nd_stats {
  uint64_t articles;     /* live articles */
  uint64_t deleted;      /* deleted but not yet merged away */
  uint64_t segments;
  uint64_t terms;        /* sum over segments of distinct terms */
  uint64_t bytes;        /* size of the files of the current commit */
  uint64_t stored_bytes; /* of which compressed stored articles */
  uint64_t generation;   /* commit number */
  const char *language;  /* stemming language */
} nd_stats;

int nd_stats_get(nd_index *ix, nd_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* NEWSDEX_H */
