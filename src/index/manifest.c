/* manifest.c -- reading and writing MANIFEST and deletion files. */
#include "manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/file.h"
#include "../util/mem.h"
#include "newsdex.h"

#define MAN_MAX_SEGS 100000

void man_free(manifest *m) {
  mem_free(m->segs);
  m->segs = NULL;
  m->nsegs = 0;
}

int man_copy(manifest *dst, const manifest *src) {
  *dst = *src;
  dst->segs = mem_calloc(src->nsegs + 1, sizeof *dst->segs);
  if (!dst->segs) return ND_ERR_NOMEM;
  if (src->nsegs) memcpy(dst->segs, src->segs, src->nsegs * sizeof *src->segs);
  return 0;
}

static void render(buf *b, const manifest *m) {
  buf_printf(b, "newsdex-manifest 1\ngeneration %" PRIu64 "\nlanguage %s\nnext-segment %u\n", m->generation,
             m->language, m->next_segno);
  for (size_t i = 0; i < m->nsegs; i++)
    buf_printf(b, "segment %u docs %u deleted %u delgen %" PRIu64 "\n", m->segs[i].segno, m->segs[i].ndocs,
               m->segs[i].ndeleted, m->segs[i].delgen);
}

int man_write(const struct nd_storage *st, const manifest *m) {
  buf b;
  buf_init(&b);
  render(&b, m);
  buf_printf(&b, "checksum %016" PRIx64 "\n", hash64(b.p, b.n));
  int e = b.oom ? ENOMEM : vfs_replace(st, "MANIFEST", b.p, b.n);
  buf_free(&b);
  return e ? status_from_errno(e) : 0;
}

int man_read(const struct nd_storage *st, const char *label, manifest *m, char *err, size_t errcap) {
  memset(m, 0, sizeof *m);
  buf path, b;
  buf_init(&path);
  buf_init(&b);
  buf_printf(&path, "%s/MANIFEST", label);
  int rc = 0;
  int e = path.oom ? ENOMEM : vfs_read(st, "MANIFEST", &b);
  if (e) {
    rc = status_from_errno(e);
    snprintf(err, errcap, "%s: %s", buf_cstr(&path), e == ENOENT ? "no archive here (no MANIFEST)" : strerror(e));
    goto done;
  }
  const char *s = buf_cstr(&b);
  const char *ck = strstr(s, "checksum ");
  uint64_t want;
  /* The checksum line ("checksum " + 16 hex digits + newline) ends the file:
  ** bytes after it would be covered by nothing. */
  if (!ck || strlen(ck) != 26 || ck[25] != '\n' || sscanf(ck, "checksum %" SCNx64, &want) != 1 ||
      hash64(s, (size_t)(ck - s)) != want) {
    rc = ND_ERR_CORRUPT;
    snprintf(err, errcap, "%s: damaged (checksum missing or wrong)", buf_cstr(&path));
    goto done;
  }
  int ver = 0;
  if (sscanf(s, "newsdex-manifest %d", &ver) != 1 || ver != 1) {
    rc = ND_ERR_VERSION;
    snprintf(err, errcap, "%s: format version %d is not supported (this is newsdex %s)", buf_cstr(&path), ver, ND_VERSION);
    goto done;
  }
  size_t cap = 0;
  for (const char *line = strchr(s, '\n'); line && line < ck; line = strchr(line, '\n')) {
    line++;
    man_seg g = {0};
    char lang[32];
    if (sscanf(line, "generation %" SCNu64, &m->generation) == 1) continue;
    if (sscanf(line, "language %31s", lang) == 1) { memcpy(m->language, lang, sizeof lang); continue; }
    if (sscanf(line, "next-segment %u", &m->next_segno) == 1) continue;
    if (sscanf(line, "segment %u docs %u deleted %u delgen %" SCNu64, &g.segno, &g.ndocs, &g.ndeleted, &g.delgen) == 4) {
      if (m->nsegs == MAN_MAX_SEGS || g.ndeleted > g.ndocs) break;
      if (mem_grow(&m->segs, &cap, m->nsegs, sizeof *m->segs)) { rc = ND_ERR_NOMEM; goto done; }
      m->segs[m->nsegs++] = g;
      continue;
    }
    if (line < ck) {
      rc = ND_ERR_CORRUPT;
      snprintf(err, errcap, "%s: unreadable line \"%.40s\"", buf_cstr(&path), line);
      goto done;
    }
  }
  if (!m->language[0]) {
    rc = ND_ERR_CORRUPT;
    snprintf(err, errcap, "%s: no language line", buf_cstr(&path));
  }
done:
  if (rc) man_free(m);
  buf_free(&path);
  buf_free(&b);
  return rc;
}

void del_file_name(uint32_t segno, uint64_t delgen, char *out) {
  sprintf(out, "s%06u_%06" PRIu64 ".del", segno % 1000000u, delgen % 1000000u);
}

int del_read(const struct nd_storage *st, uint32_t segno, uint64_t delgen, roaring_bitmap_t **out, char *err,
             size_t errcap) {
  char name[40];
  del_file_name(segno, delgen, name);
  buf b;
  buf_init(&b);
  int rc = 0;
  int e = vfs_read(st, name, &b);
  if (e) {
    rc = status_from_errno(e);
    snprintf(err, errcap, "%s: %s", name, strerror(e));
  } else if (b.n < 8 || rd_u64(b.p + b.n - 8) != hash64(b.p, b.n - 8) ||
             !(*out = roaring_bitmap_portable_deserialize_safe((const char *)b.p, b.n - 8))) {
    rc = ND_ERR_CORRUPT;
    snprintf(err, errcap, "%s: damaged deletion bitmap", name);
  }
  buf_free(&b);
  return rc;
}

int del_write(const struct nd_storage *st, uint32_t segno, uint64_t delgen, const roaring_bitmap_t *r) {
  char name[40];
  del_file_name(segno, delgen, name);
  size_t n = roaring_bitmap_portable_size_in_bytes(r);
  buf b;
  buf_init(&b);
  int rc = 0;
  if (buf_reserve(&b, n + 8)) { rc = ND_ERR_NOMEM; goto done; }
  roaring_bitmap_portable_serialize(r, (char *)b.p);
  b.n = n;
  buf_put_u64(&b, hash64(b.p, n));
  sink s;
  int e = sink_open(&s, st, name);
  if (e == EEXIST) { /* left by a failed commit: replace it */
    sink_abort(&s);
    vfs_remove(st, name);
    e = sink_open(&s, st, name);
  }
  if (e) { sink_abort(&s); rc = status_from_errno(e); goto done; }
  sink_write(&s, b.p, b.n);
  if ((e = sink_close(&s, NULL))) rc = status_from_errno(e); /* the sink removed it */
done:
  buf_free(&b);
  return rc;
}
