/*
** ingest.h -- readers that turn files into articles.
**
** ingest_path() reads one path: a plain-text article (.txt), a JSON Lines
** file (.jsonl), a zstd-compressed JSON Lines file (.jsonl.zst), or a folder,
** in which every such file below it is read, in byte order of the paths.
** For every good article it calls on_doc; for every bad one (invalid JSON,
** invalid UTF-8, a missing or non-string body, a field of the wrong type, an
** unreadable file, ...) it calls on_error with the file, the line (1-based;
** 0 when the problem is the file as a whole) and a one-line reason, and goes
** on with the next article.
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
} ingest_stats;

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

/* Read a plain-text article from memory (used by ingest_path for .txt; also
** exposed for tests).  `file` names it in the title rule's fallback id.
** Calls on_doc once, or on_error once. */
int ingest_text(const char *text, size_t len, const char *file, ingest_doc_fn on_doc,
                ingest_error_fn on_error, void *ctx);

/* Parse one JSON Lines record (line without the newline). */
int ingest_json_line(const char *line, size_t len, const char *file, uint64_t lineno,
                     ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx);

/* Stream one JSON Lines file (zst: zstd-compressed) through
** ingest_json_line; *bytes is increased by the uncompressed bytes read.
** Used by ingest_path. */
int ingest_jsonl_file(const char *path, int zst, ingest_doc_fn on_doc, ingest_error_fn on_error,
                      void *ctx, uint64_t *bytes);

#endif
