/*
** ingest.h -- readers that turn files into articles.
**
** ingest_path() reads one path: a plain-text article (.txt), a JSON Lines
** file (.jsonl, .jsonl.zst, .jsonl.gz), a JSON array of articles (.json),
** or a folder, in which every such file below it is read, in byte order of
** the paths.  A file named directly with another ending, and standard
** input (ingest_input()), are recognised by their content: gzip or zstd
** by the magic number, then JSON Lines ("{" first), a JSON array ("[")
** or plain text (valid UTF-8); anything else is refused as binary data.
** For every good article it calls on_doc; for every bad one (invalid JSON,
** invalid UTF-8, an empty article, a field of the wrong type, an
** unreadable file, ...) it calls on_error with the file, the place and a
** one-line reason, and goes on with the next article.  The place is the
** line (1-based), INGEST_ELEMENT | index for element `index` (0-based) of
** a JSON array, or 0 when the problem is the input as a whole.
**
** The nd_doc passed to on_doc and its strings are valid only during the
** call.  Markers "(search)" are NOT stripped here: nd_add() does that.
*/
#ifndef ND_INGEST_INGEST_H
#define ND_INGEST_INGEST_H
#include <stddef.h>
#include <stdint.h>

#include "newsdex.h"

typedef struct ingest_stats {
  uint64_t files;    /* files read */
  uint64_t articles; /* articles passed to on_doc */
  uint64_t rejected; /* articles or files passed to on_error */
  uint64_t bytes;    /* input bytes read (uncompressed) */
  uint64_t raw;      /* bytes read from the files as stored (compressed) */
} ingest_stats;

/* Formats (ingest_input); INGEST_AUTO: by the ending, else by content. */
enum { INGEST_AUTO = 0, INGEST_TXT, INGEST_JSONL, INGEST_JSON };

/* The place of an element of a JSON array: INGEST_ELEMENT | index. */
#define INGEST_ELEMENT (UINT64_C(1) << 63)

/* The name standard input goes by in reports. */
#define INGEST_STDIN "(stdin)"

/* Return 0 to go on, non-zero to stop the whole ingest (that value is then
** returned by ingest_path). */
typedef int (*ingest_doc_fn)(void *ctx, const nd_doc *doc, const char *file, uint64_t line);
typedef void (*ingest_error_fn)(void *ctx, const char *file, uint64_t line, const char *reason);

/* `stats` (may be NULL) is added to, not reset: zero it before the first
** call to total several paths.
** Returns 0 when the path was walked (even if some input was rejected), the
** callback's non-zero value if it stopped the walk, or ND_ERR_NOMEM.  A path
** that does not exist or cannot be read is reported through on_error. */
int ingest_path(const char *path, ingest_doc_fn on_doc, ingest_error_fn on_error,
                void *ctx, ingest_stats *stats);

/* ingest_path() with a format: `path` NULL reads standard input (named
** INGEST_STDIN; a text read from it has no id), and `format` (INGEST_*)
** says what standard input or a file named directly without a known
** ending holds (INGEST_AUTO: recognise it by its content).  Compression is
** always recognised by the magic number there.  Files with a known ending
** and files found in folders go by their ending. */
int ingest_input(const char *path, int format, ingest_doc_fn on_doc, ingest_error_fn on_error,
                 void *ctx, ingest_stats *stats);

/* Add to *bytes the size, as stored, of what ingest_path(path) would read
** (a file's size; every file to read below a folder); standard input
** (NULL) counts when it is a regular file.  0, or -1 when a size is not
** known (a pipe, a path that cannot be read): *bytes is then partial. */
int ingest_size(const char *path, uint64_t *bytes);

/* Is p[0..n) only whitespace (space, tab, CR, LF, FF, VT)? */
int ingest_blank(const char *p, size_t n);

/* Is an article empty: neither its title nor its body (NULL: none) has
** anything besides whitespace?  The rule of the readers and of nd_add()
** ("empty article"). */
int ingest_empty_article(const char *title, const char *body);

/* "FILE:LINE: ", "FILE:[INDEX]: " or "FILE: " for a place, into out
** (always NUL-terminated). */
void ingest_where(char *out, size_t n, const char *file, uint64_t place);

/* Read a plain-text article from memory (used by ingest_path for .txt; also
** exposed for tests).  `file` names it in reports and gives its id (the
** base name without .txt).  Calls on_doc once, or on_error once. */
int ingest_text(const char *text, size_t len, const char *file, ingest_doc_fn on_doc,
                ingest_error_fn on_error, void *ctx);

/* The same with the id taken from `idname` (NULL: no id). */
int ingest_text_named(const char *text, size_t len, const char *file, const char *idname,
                      ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx);

/* Parse one JSON Lines record (line without the newline). */
int ingest_json_line(const char *line, size_t len, const char *file, uint64_t lineno,
                     ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx);

/* Stream an opened source (source.h) as JSON Lines through
** ingest_json_line, or as one JSON array of articles.  Used by
** ingest_input.  Return 0, a callback's stop value, or ND_ERR_NOMEM. */
struct isrc;
int ingest_jsonl_src(struct isrc *s, const char *file, ingest_doc_fn on_doc, ingest_error_fn on_error,
                     void *ctx);
int ingest_json_array_src(struct isrc *s, const char *file, ingest_doc_fn on_doc,
                          ingest_error_fn on_error, void *ctx);

#endif
