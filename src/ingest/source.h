/*
** source.h -- one input's bytes, uncompressed, a chunk at a time (internal
** to src/ingest/).
**
** An input is a file or standard input, stored plain, gzip- or
** zstd-compressed.  The compression is named by the caller (a file's
** ending) or recognised by the magic number at the start (ISRC_SNIFF):
** 28 B5 2F FD is zstd, 1F 8B gzip, anything else plain.  Several zstd
** frames or gzip members one after the other are one stream, as `zstd -dc`
** and `gzip -dc` read them.  Nothing is ever held whole: the caller pulls
** chunks of at most ~128 KiB of uncompressed bytes with isrc_next().
*/
#ifndef ND_INGEST_SOURCE_H
#define ND_INGEST_SOURCE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>
#include <zstd.h>

enum { ISRC_PLAIN, ISRC_GZIP, ISRC_ZSTD, ISRC_SNIFF };

typedef struct isrc {
  FILE *f;            /* NULL once closed; stdin is not closed */
  int codec;          /* ISRC_PLAIN, ISRC_GZIP or ISRC_ZSTD */
  z_stream gz;
  int gz_ready;       /* inflateInit2 done */
  ZSTD_DStream *zs;
  uint8_t *in;        /* raw bytes read, in[in_pos..in_len) not yet decoded */
  size_t in_pos, in_len, in_cap;
  int in_eof;         /* the file has no more bytes (or a read failed) */
  uint8_t *out;       /* decompressed bytes (compressed codecs only) */
  size_t out_cap;
  int open_frame;     /* inside a zstd frame or gzip member at the last step */
  int full_out;       /* the last step filled `out`: more may be pending */
  const uint8_t *p;   /* the current chunk: p[0..n) */
  size_t n;
  int pending;        /* isrc_peek() loaded a chunk not yet handed out */
  int state;          /* what isrc_next() returns once the stream is over:
                      ** 0 (the end), ND_ERR_IO or ND_ERR_NOMEM; 1 while
                      ** going */
  uint64_t *raw;      /* add the bytes read from the file (may be NULL) */
  uint64_t *bytes;    /* add the uncompressed bytes handed out (may be NULL) */
  char err[160];      /* why isrc_next() returned -1 */
} isrc;

/* Open `path` (NULL: standard input) with the given codec (ISRC_SNIFF:
** recognised by its magic number).  `raw` and `bytes` (may be NULL) are
** added to as bytes are read.  Returns 0, ND_ERR_NOMEM, or ND_ERR_IO with
** s->err set (the file cannot be opened or read: strerror).  Close with
** isrc_close() in every case. */
int isrc_open(isrc *s, const char *path, int codec, uint64_t *raw, uint64_t *bytes);

/* Make s->p[0..s->n) the next chunk of uncompressed bytes (n > 0).
** Returns 1 when there is one, 0 at the end of the stream, ND_ERR_NOMEM,
** or ND_ERR_IO with s->err set: "read error: ...", "corrupt zstd stream: ...",
** "truncated zstd stream", "corrupt gzip stream: ...", "truncated gzip
** stream".  After the end or an error every call returns the same. */
int isrc_next(isrc *s);

/* The first chunk without consuming it: the next isrc_next() hands out the
** same chunk.  Same returns as isrc_next(). */
int isrc_peek(isrc *s);

/* Free everything; closes the file unless it is standard input. */
void isrc_close(isrc *s);

#endif
