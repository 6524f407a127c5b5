/*
** source.c -- owns reading an input's bytes (source.h): a file or standard
** input, plain, gzip (zlib) or zstd, handed out uncompressed a chunk at a
** time.
**
** Rules:
**   - The codec is the caller's (a file's ending) or, with ISRC_SNIFF, the
**     magic number of the first bytes: 28 B5 2F FD zstd, 1F 8B gzip, else
**     plain.  An empty input is an empty stream whatever the codec.
**   - zstd frames and gzip members follow one another in one stream (as
**     `zstd -dc` and `gzip -dc` read them).
**   - An input that ends inside a frame or member is "truncated zstd
**     stream" / "truncated gzip stream"; bytes the decoder refuses are
**     "corrupt zstd stream: <zstd's error>" / "corrupt gzip stream:
**     <zlib's message>".  Everything handed out before stays handed out:
**     the caller decides what a partial record is worth.
**   - Raw bytes (as stored in the file) and uncompressed bytes are counted
**     as they go, for statistics and progress.
** Memory: one raw chunk (ZSTD_DStreamInSize(), 128 KiB) and, when
** compressed, one output chunk (ZSTD_DStreamOutSize(), 128 KiB) plus the
** decoder's window.
*/
#include "source.h"

#include <errno.h>
#include <string.h>

#include "../util/mem.h"
#include "newsdex.h"

static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
  (void)opaque;
  return mem_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p) {
  (void)opaque;
  mem_free(p);
}

/* Fail the stream: s->err = what, returns ND_ERR_IO (and stays failed). */
static int fail(isrc *s, const char *what, const char *detail) {
  snprintf(s->err, sizeof s->err, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
  return s->state = ND_ERR_IO;
}

/* Read the next raw chunk into in[0..in_len).  0 or ND_ERR_IO. */
static int fill_raw(isrc *s) {
  s->in_pos = 0;
  s->in_len = fread(s->in, 1, s->in_cap, s->f);
  if (s->raw) *s->raw += s->in_len;
  if (s->in_len < s->in_cap) {
    s->in_eof = 1;
    if (ferror(s->f)) return fail(s, "read error", strerror(errno));
  }
  return 0;
}

/* Is there no raw byte left, in the buffer or in the file (1, else 0)?
** May read; ND_ERR_IO when that fails. */
static int raw_done(isrc *s) {
  if (s->in_pos < s->in_len) return 0;
  if (s->in_eof) return 1;
  if (fill_raw(s)) return ND_ERR_IO;
  return s->in_len == 0;
}

static int chunk(isrc *s, const uint8_t *p, size_t n) {
  s->p = p;
  s->n = n;
  if (s->bytes) *s->bytes += n;
  return 1;
}

static int next_plain(isrc *s) {
  int d = raw_done(s);
  if (d) return d < 0 ? d : (s->state = 0);
  size_t n = s->in_len - s->in_pos;
  s->in_pos = s->in_len;
  return chunk(s, s->in, n);
}

static int next_zstd(isrc *s) {
  for (;;) {
    int d = s->full_out ? 0 : raw_done(s); /* a full output may hide more */
    if (d < 0) return d;
    if (d) return s->open_frame ? fail(s, "truncated zstd stream", NULL) : (s->state = 0);
    ZSTD_inBuffer ib = {s->in, s->in_len, s->in_pos};
    ZSTD_outBuffer ob = {s->out, s->out_cap, 0};
    size_t ret = ZSTD_decompressStream(s->zs, &ob, &ib);
    s->in_pos = ib.pos;
    if (ZSTD_isError(ret)) return fail(s, "corrupt zstd stream", ZSTD_getErrorName(ret));
    s->open_frame = ret != 0;
    s->full_out = ob.pos == ob.size && ret != 0; /* 0: the frame is decoded and flushed */
    if (ob.pos) return chunk(s, s->out, ob.pos);
  }
}

static int next_gzip(isrc *s) {
  for (;;) {
    int d = s->full_out ? 0 : raw_done(s);
    if (d < 0) return d;
    if (d) return s->open_frame ? fail(s, "truncated gzip stream", NULL) : (s->state = 0);
    /* Between members (also before the first: a reset is harmless there). */
    if (!s->open_frame && inflateReset(&s->gz) != Z_OK) return fail(s, "corrupt gzip stream", "cannot reset");
    s->gz.next_in = s->in + s->in_pos;
    s->gz.avail_in = (uInt)(s->in_len - s->in_pos);
    s->gz.next_out = s->out;
    s->gz.avail_out = (uInt)s->out_cap;
    int ret = inflate(&s->gz, Z_NO_FLUSH);
    s->in_pos = s->in_len - s->gz.avail_in;
    size_t got = s->out_cap - s->gz.avail_out;
    if (ret == Z_MEM_ERROR) return s->state = ND_ERR_NOMEM;
    if (ret == Z_NEED_DICT || ret == Z_DATA_ERROR || ret == Z_STREAM_ERROR)
      return fail(s, "corrupt gzip stream", s->gz.msg ? s->gz.msg : "invalid data");
    s->open_frame = ret != Z_STREAM_END;
    s->full_out = s->gz.avail_out == 0 && ret != Z_STREAM_END; /* Z_STREAM_END: all flushed */
    if (got) return chunk(s, s->out, got);
  }
}

int isrc_next(isrc *s) {
  if (s->pending) {
    s->pending = 0;
    return 1;
  }
  if (s->state != 1) return s->state;
  switch (s->codec) {
  case ISRC_GZIP: return next_gzip(s);
  case ISRC_ZSTD: return next_zstd(s);
  default: return next_plain(s);
  }
}

int isrc_peek(isrc *s) {
  int r = isrc_next(s);
  s->pending = r == 1;
  return r;
}

static int is_stdin(const isrc *s) { return s->f == stdin; }

int isrc_open(isrc *s, const char *path, int codec, uint64_t *raw, uint64_t *bytes) {
  memset(s, 0, sizeof *s);
  s->raw = raw;
  s->bytes = bytes;
  s->state = 1;
  s->f = path ? fopen(path, "rb") : stdin;
  if (!s->f) return fail(s, strerror(errno), NULL);
  s->in_cap = ZSTD_DStreamInSize();
  if (!(s->in = mem_alloc(s->in_cap))) return s->state = ND_ERR_NOMEM;
  if (codec == ISRC_SNIFF) {
    if (fill_raw(s)) return ND_ERR_IO;
    const uint8_t *m = s->in;
    if (s->in_len >= 4 && m[0] == 0x28 && m[1] == 0xB5 && m[2] == 0x2F && m[3] == 0xFD) codec = ISRC_ZSTD;
    else if (s->in_len >= 2 && m[0] == 0x1F && m[1] == 0x8B) codec = ISRC_GZIP;
    else codec = ISRC_PLAIN;
  }
  s->codec = codec;
  if (codec == ISRC_PLAIN) return 0;
  s->out_cap = ZSTD_DStreamOutSize();
  if (!(s->out = mem_alloc(s->out_cap))) return s->state = ND_ERR_NOMEM;
  if (codec == ISRC_ZSTD) {
    if (!(s->zs = ZSTD_createDStream())) return s->state = ND_ERR_NOMEM;
    ZSTD_initDStream(s->zs);
    return 0;
  }
  s->gz.zalloc = z_alloc;
  s->gz.zfree = z_free;
  int ret = inflateInit2(&s->gz, 15 + 16); /* 15: the largest window; +16: gzip header */
  if (ret != Z_OK) return s->state = ret == Z_MEM_ERROR ? ND_ERR_NOMEM : fail(s, "cannot start zlib", NULL);
  s->gz_ready = 1;
  return 0;
}

void isrc_close(isrc *s) {
  if (s->f && !is_stdin(s)) fclose(s->f);
  s->f = NULL;
  if (s->gz_ready) inflateEnd(&s->gz);
  s->gz_ready = 0;
  ZSTD_freeDStream(s->zs);
  s->zs = NULL;
  mem_free(s->in);
  mem_free(s->out);
  s->in = s->out = NULL;
}
