/*
** newsdex.h -- the public interface of the newsdex library.
**
** newsdex is a search engine for news archives.  An archive ("index") is a
** directory of immutable segment files plus a manifest naming the live ones.
** This header is everything an embedding program needs:
**
**   nd_open()          open (or create) an archive, for reading or writing
**   nd_add()           add or replace an article        (writers only)
**   nd_add_batch()     add many, prepared on several threads (writers only)
**   nd_delete()        delete an article by id          (writers only)
**   nd_commit()        make added/deleted articles durable and visible
**   nd_optimize()      merge all segments into one, dropping deleted articles
**   nd_search()        run a query, get ranked hits with snippets
**   nd_get()           fetch one stored article by id
**   nd_stats()         counts and sizes
**   nd_link_doc()      the key topics of an article, to link to searches
**   nd_facets_get()    counts of matches per source and per period
**   nd_suggest()       completions from the term dictionary
**   nd_related()       the articles most like a given one
**   nd_check()         verify every file and invariant of an archive
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

/* ---- storage ---------------------------------------------------------
** Where an archive's files live.  By default (nd_open_options.storage NULL)
** they are files in the directory nd_open() is given.  An embedding program
** can keep them elsewhere by supplying these functions (the PostgreSQL
** extension keeps them in an index relation's pages; SQLite's VFS is the
** model).  The engine's use of them is narrow:
**   - a file is written once, sequentially (create, append..., finish),
**     then only read whole or removed; names are short ASCII words
**     ("MANIFEST", "s000001.doc") and never reused after removal;
**   - `replace` is the one overwrite: it must be atomic and durable (the
**     manifest, switched at every commit);
**   - `finish` makes the file's bytes durable; `sync` makes the creations
**     and removals done so far durable (a directory fsync);
**   - `map` gives a file's bytes, read-only and contiguous, until `unmap`;
**   - `list` calls `each` with every file's name (a writer's own lock file
**     left out); `each` may remove the file it is given;
**   - `lock`, called once by a writer handle, fails with EWOULDBLOCK when
**     another writer holds the archive; `unlock` releases it at close.
**     Either may be NULL when the embedding program serialises writers.
** Every function returns 0 or an errno (ENOENT: no such file, EEXIST:
** create of an existing name, ENOSPC: full).  Calls on distinct files may
** come from different threads when nd_open_options.threads > 1; set it to
** 1 for a storage that must stay on one thread. */
typedef struct nd_storage nd_storage;
struct nd_storage {
  void *ctx; /* the embedding program's */
  int (*create)(const nd_storage *st, const char *name, void **file);
  int (*append)(void *file, const void *p, size_t n);
  int (*finish)(void *file);                    /* durable, then closed */
  void (*abandon)(const nd_storage *st, void *file); /* closed and removed */
  int (*map)(const nd_storage *st, const char *name, const void **p, size_t *n, void **token);
  void (*unmap)(const nd_storage *st, void *token, const void *p, size_t n);
  int (*replace)(const nd_storage *st, const char *name, const void *p, size_t n);
  int (*remove)(const nd_storage *st, const char *name);
  int (*list)(const nd_storage *st, int (*each)(void *arg, const char *name), void *arg);
  int (*sync)(const nd_storage *st);
  int (*lock)(const nd_storage *st);
  void (*unlock)(const nd_storage *st);
};

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
  /* Articles whose 5-word shingles overlap by at least this much (Jaccard,
  ** estimated from their fingerprints) are versions of one story (see
  ** ND_VERSIONS_COLLAPSE).  0 means ND_NEAR_DUP (0.8).  Applies to the
  ** articles this handle adds. */
  double near_dup;
  /* Where the archive's files live (see nd_storage); NULL means the
  ** directory `path`.  With a storage, `path` only names the archive in
  ** messages.  The storage must outlive the handle. */
  const nd_storage *storage;
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
** A title or a body is required (one with something besides whitespace);
** fields left NULL are absent.  An article added without a body is
** returned with body "". */
typedef struct nd_doc {
  const char *id;         /* unique; NULL: a stable id is derived from the content */
  const char *title;
  const char *date;       /* ISO 8601: YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z|+hh:mm] */
  const char *source;     /* publication */
  const char *url;
  const char *body;       /* the text (NULL: none, for a title-only article);
                          ** "(search)" markers are stripped by nd_add */
  const char *extra_json; /* a JSON object with any other fields, stored as is */
  const char *const *marked; /* terms the source marked "(search)" */
  size_t n_marked;
} nd_doc;

/* Add an article, or replace the stored article with the same id.  The text
** is validated (UTF-8, date syntax, a title or a body: "empty article"
** when neither has anything besides whitespace); a bad article returns
** ND_ERR_INVALID and changes nothing.  "(search)" markers in the body are
** removed and the terms they followed appended to the marked list.  The
** change is visible and durable after nd_commit().  If `id_out` is not NULL
** it receives the article's id (owned by the handle, valid until the next
** call). */
int nd_add(nd_index *ix, const nd_doc *doc, const char **id_out);

/* What became of one article of nd_add_batch(). */
typedef struct nd_add_result {
  int status;          /* what nd_add() would have returned for it */
  const char *id;      /* its id (derived when it had none); NULL when it was
                       ** refused before its id was known */
  const char *message; /* why it was refused, as nd_errmsg() would say; "" if added */
} nd_add_result;

/* Add docs[0..n) as n calls of nd_add() in that order would, with the same
** result in the archive, but with the work of preparing each article (its
** checks, "(search)" markers, key topics and text analysis) spread over
** the handle's threads (nd_open_options.threads; with 1 it is all done in
** the calling thread, article after article).  res[i] receives what became
** of docs[i]; its strings are owned by the handle and valid until the next
** call on it.  An article refused for itself (ND_ERR_INVALID: bad UTF-8,
** bad date, empty article...; ND_ERR_LIMIT) costs nothing stored and the batch
** goes on.  Any other failure (out of memory, a segment that could not be
** written) stops the batch at that article and is returned, nd_errmsg()
** saying it; that article and every later one get it as their status
** (later ones with the message "not added: an earlier article stopped the
** batch"); the articles before it were added.  Returns ND_OK otherwise.
** Memory: the articles of a batch may all be prepared before they are
** buffered, so a batch can hold all of them analysed at once, about three
** times their text besides the buffer (nd_open_options.buffer_bytes); a
** few hundred articles or a few MB of text per batch keep the threads
** busy. */
int nd_add_batch(nd_index *ix, const nd_doc *docs, size_t n, nd_add_result *res);

/* Delete the article with this id.  ND_ERR_NOTFOUND if there is none. */
int nd_delete(nd_index *ix, const char *id);

/* Write buffered articles and deletions to new files, fsync them and switch
** the manifest atomically.  A crash at any moment leaves either the previous
** commit or this one.  On failure the archive stays at the previous commit
** and the pending changes are discarded.  If an nd_add() or nd_add_batch()
** failed because a segment could not be written (out of memory, disk
** full...), articles added since the last commit were lost with it: the
** next nd_commit() then fails too, discarding the rest, rather than
** publish part of them. */
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

/* Orders of nd_search's hits.  Ties (equal scores; equal dates) go to the
** higher score, then the newer article, then a fixed order of the
** archive's articles (the same from page to page); by date, undated
** articles come last in both orders. */
enum {
  ND_SORT_RELEVANCE = 0, /* best score first */
  ND_SORT_DATE = 1,      /* newest first */
  ND_SORT_DATE_ASC = 2   /* oldest first */
};
enum {
  ND_SNIPPET_NONE = 0,  /* no snippets */
  ND_SNIPPET_PLAIN = 1, /* text as is, matches wrapped in hl_open/hl_close */
  ND_SNIPPET_HTML = 2   /* text HTML-escaped, matches wrapped in hl_open/hl_close */
};

typedef struct nd_search_options {
  size_t limit;         /* hits to return; 0 means 10 (for none, count =
                        ** ND_COUNT_ONLY) */
  size_t offset;        /* hits to skip first (paging) */
  int sort;             /* ND_SORT_RELEVANCE (ties: newer first), ND_SORT_DATE
                        ** (newest first) or ND_SORT_DATE_ASC (oldest first) */
  int snippets;         /* ND_SNIPPET_* */
  size_t snippet_chars; /* approximate snippet length; 0 means 160 */
  const char *hl_open;  /* marks around matched words; NULL means "[" and "]" */
  const char *hl_close;
  int count;            /* ND_COUNT_EXACT (default), ND_COUNT_LOWER_BOUND
                        ** or ND_COUNT_ONLY */
  int ids_only;         /* 1: hits carry only id and score; nothing stored is
                        ** read (no title, date, snippet...) */
  int versions;         /* ND_VERSIONS_COLLAPSE (default): one hit per story,
                        ** its best-ranked version; ND_VERSIONS_ALL: every
                        ** matching article */
  double half_life;     /* recency: seconds after which an article's score
                        ** is halved (0: no recency; see ND_RECENCY) */
  int64_t as_of;        /* recency: ages are counted back from this time
                        ** (seconds since 1970, UTC); 0 means now (so the
                        ** first second of 1970 cannot be asked for) */
  int mark_title;       /* with snippets: hits also carry title_marked */
  const char *stats;    /* score with these corpus statistics instead of the
                        ** archive's own (see nd_query_stats); NULL: own */
} nd_search_options;

/* Wire copies and near-duplicates.  Each article gets a fingerprint of its
** text when it is added (64 MinHash values of its 5-word shingles); the
** articles whose shingles overlap by at least ND_NEAR_DUP (Jaccard) form a
** *version group*, one story, whose canonical article is the earliest
** (the longest when dates tie).  nd_search() collapses each group to its
** best-ranked matching member unless asked for every version; facets and
** histograms then count stories instead of articles (docs/stories.md). */
enum { ND_VERSIONS_COLLAPSE = 0, ND_VERSIONS_ALL = 1 };
#define ND_NEAR_DUP 0.8

/* Recency: with half_life h > 0 an article's BM25F score is multiplied by
** 2^(-age/h), its age counted from as_of (an article dated after it has
** age 0).  An undated article is scored as ND_RECENCY_UNDATED half-lives
** old.  The top hits stay exact: see docs/stories.md. */
#define ND_RECENCY_UNDATED 10

/* How nd_results_total() is computed.  ND_COUNT_EXACT counts every matching
** article.  ND_COUNT_LOWER_BOUND lets a relevance-ranked search skip
** documents that cannot enter the top offset+limit; the total is then at
** least offset+count and at most the exact count (see
** nd_results_total_exact()).  ND_COUNT_ONLY returns no hits at all (limit
** and offset are ignored, nothing stored is read) and the exact total:
** what Elasticsearch's size 0 gives, e.g. beside nd_facets_get().  (limit
** 0 keeps meaning the default, 10, for the programs written before.) */
enum { ND_COUNT_EXACT = 0, ND_COUNT_LOWER_BOUND = 1, ND_COUNT_ONLY = 2 };

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
  uint64_t versions;   /* other live articles of its version group (0: none);
                       ** 0 with ids_only (story and thread are set) */
  const char *story;   /* its version group's key (16 hex digits): articles
                       ** with the same key are versions of one story */
  const char *thread;  /* the key of its story thread (16 hex digits) */
  const char *title_marked; /* with mark_title and snippets: the whole title,
                            ** its matches wrapped as in the snippet (escaped
                            ** alike); "" otherwise or when it has none */
} nd_hit;

typedef struct nd_results nd_results;

/* ---- statistics shared by shards -----------------------------------------
** BM25 weighs a word by how many articles hold it (df) among how many there
** are (N), and an article's length against the average length.  An archive
** split into shards scores each shard against its own figures, so the same
** article scores differently on different shards and the shards' merged
** top k is not the top k of the whole.  As Elasticsearch's
** dfs_query_then_fetch does, a coordinator asks every shard for the figures
** a query needs (nd_query_stats), adds them up (nd_stats_merge) and passes
** the sum to every shard's search (nd_search_options.stats): each shard
** then scores exactly as one archive holding all of them would.  The
** figures are text (format in docs/api.md), so that they pass through SQL
** or HTTP unchanged.  Strings from these are freed with nd_string_free.
**
** nd_query_stats: the figures `query` (parsed as nd_search parses it: the
** same ND_ERR_QUERY and nd_error_offset) is scored with on this archive.
** nd_stats_merge: their sum over parts[0..n); ND_ERR_INVALID when a part
** is malformed.  nd_search with opts->stats: ND_ERR_INVALID, nd_errmsg()
** saying why, when they are malformed or lack a term the search looks up
** here (figures made for another query).  Exact but for two things: wire
** copies are grouped within a shard only (search shards with
** ND_VERSIONS_ALL), and a person's whole name (person:, topic:) is
** resolved against each shard's own articles. */
int nd_query_stats(nd_index *ix, const char *query, char **out);
int nd_stats_merge(const char *const *parts, size_t n, char **out);
void nd_string_free(char *s);

/* Run `query` (see docs/query-language.md).  `opts` may be NULL.  On
** ND_ERR_QUERY, nd_errmsg() says what is wrong and nd_error_offset() where. */
int nd_search(nd_index *ix, const char *query, const nd_search_options *opts,
              nd_results **out);
uint64_t nd_results_total(const nd_results *r); /* every matching article */
int nd_results_total_exact(const nd_results *r); /* 1 if the total is exact */
/* The stories (version groups) among the matching articles: exact when
** the total is exact, else a lower bound.  With ND_VERSIONS_ALL they are
** not counted: this is the total. */
uint64_t nd_results_stories(const nd_results *r);
size_t nd_results_count(const nd_results *r);   /* hits held (<= limit) */
/* The i-th hit (0-based, already offset).  Returns ND_ERR_INVALID if i is out of range. */
int nd_results_hit(const nd_results *r, size_t i, nd_hit *out);
/* The whole stored article of the i-th hit (body and extra JSON included),
** valid until r is freed: what nd_get() would read again.  NULL when i is
** out of range or the search was ids_only. */
const nd_doc *nd_results_doc(const nd_results *r, size_t i);
void nd_results_free(nd_results *r);

/* ---- facets, histograms, suggestions, related articles ------------------ */

/* A key and the number of articles it stands for. */
typedef struct nd_count {
  const char *key;
  uint64_t count;
} nd_count;

/* Periods of a date histogram.  Keys: "YYYY", "YYYY-MM", ISO weeks
** "YYYY-Www" (the ISO week-numbering year), "YYYY-MM-DD". */
enum { ND_HIST_NONE = 0, ND_HIST_DAY = 1, ND_HIST_WEEK = 2, ND_HIST_MONTH = 3, ND_HIST_YEAR = 4 };

typedef struct nd_facet_options {
  const char *const *fields; /* fields to count: "source", "people", "organisations", "places", "topics" */
  size_t nfields;
  size_t limit;              /* keys kept per field (most frequent); 0 means 10 */
  int histogram;             /* ND_HIST_*: matching articles per period */
  int versions;              /* ND_VERSIONS_COLLAPSE (default): count stories
                             ** (version groups) rather than articles: a
                             ** wire story run by thirty outlets counts once;
                             ** ND_VERSIONS_ALL: count articles */
} nd_facet_options;

/* One field's counts: most frequent first, ties in key order.  A key is a
** value of the field as articles write it: a source ("USA TODAY") or a key
** topic's name, the most frequent of its written forms (the forms that
** differ only in case and white space, or in the topic's normalisation,
** are counted together). */
typedef struct nd_facet {
  const char *field;
  const nd_count *counts;
  size_t n;
} nd_facet;

typedef struct nd_facets {
  uint64_t total;         /* matching articles */
  uint64_t stories;       /* their version groups (docs/stories.md) when counting
                          ** stories; with ND_VERSIONS_ALL, total (not counted) */
  const nd_facet *fields; /* one per requested field, in request order */
  size_t nfields;
  const nd_count *hist;   /* periods in ascending order; empty ones left out */
  size_t nhist;
  uint64_t undated;       /* matching articles (or, counting stories, stories)
                          ** without a date */
} nd_facets;

/* Count the articles matching `query` per term of each field and per
** period of their date.  Reads only the index (postings and the date
** column), never the stored articles.  An unknown field is ND_ERR_INVALID;
** a bad query ND_ERR_QUERY as in nd_search(). */
int nd_facets_get(nd_index *ix, const char *query, const nd_facet_options *opts, nd_facets **out);
void nd_facets_free(nd_facets *f);

/* Completions of `prefix` (folded, not stemmed) from the term dictionary:
** up to `limit` (0 means 10) index terms starting with it, the most
** frequent (document frequency over the archive) first.  Terms are stems
** ("govern" for "government").  *out is an array of *n counts (free with
** nd_counts_free).  A prefix that folds to nothing gives no completions. */
int nd_suggest(nd_index *ix, const char *prefix, size_t limit, nd_count **out, size_t *n);
void nd_counts_free(nd_count *c);

/* The articles most like article `id`: its most distinctive terms (tf-idf
** over its title and body, analysed again) run as a ranked OR query; the
** article itself is left out.  `opts` as in nd_search().  ND_ERR_NOTFOUND
** if there is no such article. */
int nd_related(nd_index *ix, const char *id, const nd_search_options *opts, nd_results **out);

/* What users write, read the way the library reads it: an article date
** (as nd_doc.date: YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z|+hh:mm]) as
** seconds since 1970, UTC; a half-life for recency (a positive number and
** h, d, w or y: "30d") as seconds.  ND_OK, or ND_ERR_INVALID with a short
** reason in why[0..cap) (why may be NULL). */
int nd_parse_date(const char *s, int64_t *seconds, char *why, size_t cap);
int nd_parse_duration(const char *s, double *seconds, char *why, size_t cap);

/* ---- stories: versions and threads -------------------------------------- */

/* The versions of article id's story, itself included: canonical first
** (the earliest; the longest when dates tie), then by date.  Hits carry
** no score and no snippet; nd_results_total() is their number.
** ND_ERR_NOTFOUND if there is no such article.  See docs/stories.md. */
int nd_versions(nd_index *ix, const char *id, nd_results **out);

/* A story thread: articles about one developing story, gathered as they
** are added (docs/stories.md). */
typedef struct nd_thread {
  const char *key;       /* 16 hex digits, as nd_hit.thread */
  const char *headline;  /* of its first article */
  const char *first_id;  /* its first article (by date) */
  const char *from, *to; /* dates of its first and last articles ("" if undated) */
  uint64_t articles;     /* live articles */
  uint64_t stories;      /* their version groups */
  const nd_count *sources; /* sources and their articles, most first */
  size_t nsources;
} nd_thread;

typedef struct nd_thread_options {
  const char *from, *to; /* only threads with an article in [from, to] (dates; NULL: open) */
  size_t limit;          /* threads listed; 0 means 10 */
  size_t min_articles;   /* threads smaller are left out; 0 means 2 */
} nd_thread_options;

typedef struct nd_threads nd_threads;
/* The largest threads (most stories, then most articles, then newest
** first), as their articles in the date range count them.  Reads every
** article of the range (the date index), so it costs what a facet over
** them costs. */
int nd_threads_list(nd_index *ix, const nd_thread_options *opts, nd_threads **out);
size_t nd_threads_count(const nd_threads *t);
int nd_threads_item(const nd_threads *t, size_t i, nd_thread *out);
void nd_threads_free(nd_threads *t);
/* The thread with this key (*out as one item of nd_threads_list, with
** limit 1); ND_ERR_NOTFOUND if no live article is in it. */
int nd_thread_get(nd_index *ix, const char *key, nd_threads **out);
/* The articles of the thread with this key in date order (undated last),
** as nd_versions() gives hits.  ND_ERR_NOTFOUND if there is none. */
int nd_thread_articles(nd_index *ix, const char *key, nd_results **out);

/* ---- key-topic links ---------------------------------------------------- */

/* nd_link_doc() picks the few topics of an article worth a link to a search
** of the archive (people, organisations, places, key phrases such as "Iraq
** war"), as a newsroom marks them "(search)".  See docs/linking.md. */

enum { ND_TOPIC_OTHER = 0, ND_TOPIC_PERSON = 1, ND_TOPIC_ORG = 2, ND_TOPIC_PLACE = 3 };

typedef struct nd_link_options {
  size_t k; /* topics to choose at most; 0 means 3 */
} nd_link_options;

typedef struct nd_topic {
  const char *text;   /* its canonical name: the fullest mention, titles never part of it
                      ** ("Jaap de Hoop Scheffer"); a country's one name ("United States"
                      ** for "U.S."); every mention: nd_links_mention() */
  int type;           /* ND_TOPIC_* */
  double score;       /* salience; higher is more worth a link */
  size_t start, end;  /* bytes of its first mention in the body: body[start..end) */
  size_t mentions;    /* mentions in the body, shorter forms included */
  uint64_t articles;  /* archive articles that contain it (0 without an archive) */
} nd_topic;

typedef struct nd_links nd_links;

/* Choose up to k topics of doc->body (doc->title, when set, counts as a
** headline).  `ix` may be NULL: then only the text is used; with an archive
** (read-only use: the call searches it) a topic found in other articles
** gains and one found in nearly every article loses.  `opts` may be NULL.
** The result is independent of doc->marked.  ND_ERR_INVALID if the body
** is NULL ("" is an empty body: no topics); ND_ERR_NOMEM; a search error of ix.  Topics come best first. */
int nd_link_doc(nd_index *ix, const nd_doc *doc, const nd_link_options *opts, nd_links **out);
/* The same for the stored article with this id (ND_ERR_NOTFOUND if none). */
int nd_link_id(nd_index *ix, const char *id, const nd_link_options *opts, nd_links **out);
size_t nd_links_count(const nd_links *l);
/* The i-th topic, best first.  ND_ERR_INVALID if i is out of range. */
int nd_links_topic(const nd_links *l, size_t i, nd_topic *out);
/* The j-th mention (from 0, in body order) of topic i, shorter forms
** included: its bytes in the body, body[*start..*end), and the class of
** the title written before it ("president", "senator", "mr"; "" for none;
** titles are never part of a topic's text).  ND_OK, or ND_ERR_INVALID
** when topic i has no j-th mention. */
int nd_links_mention(const nd_links *l, size_t i, size_t j, size_t *start, size_t *end, const char **title);
void nd_links_free(nd_links *l);
/* "person", "organisation", "place" or "other". */
const char *nd_topic_type_name(int type);

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

/* ---- checking ---------------------------------------------------------- */

/* What nd_check() looked at. */
typedef struct nd_check_report {
  uint64_t segments;      /* segments opened */
  uint64_t terms;         /* dictionary entries */
  uint64_t postings;      /* (term, article) pairs decoded */
  uint64_t positions;     /* word positions decoded */
  uint64_t articles;      /* stored articles decoded (deleted ones too) */
  uint64_t deleted;       /* of which deleted */
  uint64_t stored_blocks; /* compressed blocks decompressed */
  uint64_t bytes;         /* bytes of files read and checksummed */
  uint64_t problems;      /* problems found (0: the archive is sound) */
} nd_check_report;

/* Called once per problem with one line naming the file and where in it
** (offset, term, article number or id) and what is wrong. */
typedef void (*nd_check_fn)(void *ctx, const char *problem);

/* Verify the archive in directory `path` without changing it or taking
** the writer lock: the manifest's checksum, every segment file's size and
** XXH64, the deletion files, and the internal invariants (terms sorted,
** every postings list decoding in range and agreeing with the document
** table, date and id indexes sorted and pointing at real articles, every
** stored block decompressing and every record decoding, each id live at
** most once).  Costs one pass over the archive.  Each problem goes to
** `on_problem` (may be NULL; at most 50 per segment are passed, all are
** counted).  `out` (may be NULL) receives the counts.  Returns ND_OK when
** no problem was found, ND_ERR_CORRUPT when one was, ND_ERR_NOTFOUND when
** there is no archive (also reported through on_problem), ND_ERR_NOMEM. */
int nd_check(const char *path, nd_check_fn on_problem, void *ctx, nd_check_report *out);
/* The same for an archive kept in a storage of the embedding program's;
** `name` names it in the problems reported. */
int nd_check_storage(const nd_storage *st, const char *name, nd_check_fn on_problem, void *ctx,
                     nd_check_report *out);

#ifdef __cplusplus
}
#endif
#endif /* NEWSDEX_H */
