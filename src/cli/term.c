/*
** term.c -- terminal helpers of the `newsdex` command: whether to use
** colour (a terminal, NO_COLOR unset or empty), the progress line on stderr,
** and writing stored text safely (no control characters reach the
** terminal) and shortened at a word boundary.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int progress_len; /* characters of the progress line on screen */

int term_color_stdout(void) {
  const char *nc = getenv("NO_COLOR");
  if (nc && *nc) return 0;
  return isatty(STDOUT_FILENO);
}

int term_stderr_tty(void) { return isatty(STDERR_FILENO); }

/* Is c a control character we must not send (all C0 but \t and \n, DEL)? */
static int is_unsafe(unsigned char c) { return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f; }

/* Length of the keep[] string that s[0..n) starts with, or 0. */
static size_t kept_prefix(const char *s, size_t n, const char *const *keep, size_t nkeep) {
  for (size_t k = 0; k < nkeep; k++) {
    size_t len = keep[k] ? strlen(keep[k]) : 0;
    if (len && len <= n && !memcmp(s, keep[k], len)) return len;
  }
  return 0;
}

void term_put_text(FILE *f, const char *s, size_t n, const char *indent, const char *const *keep,
                   size_t nkeep) {
  size_t i = 0;
  while (i < n) {
    size_t k = kept_prefix(s + i, n - i, keep, nkeep);
    if (k) { fwrite(s + i, 1, k, f); i += k; continue; }
    unsigned char c = (unsigned char)s[i++];
    if (c == '\n') {
      fputc('\n', f);
      if (indent) fputs(indent, f);
    } else {
      fputc(is_unsafe(c) ? '?' : c, f);
    }
  }
}

static int is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void term_put_line(FILE *f, const char *s, size_t n) {
  int pending_space = 0, any = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_space(c)) { pending_space = any; continue; }
    if (pending_space) fputc(' ', f);
    pending_space = 0;
    any = 1;
    fputc(is_unsafe(c) ? '?' : c, f);
  }
}

void term_put_flat(FILE *f, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    fputc(is_space(c) ? ' ' : is_unsafe(c) ? '?' : c, f);
  }
}

static int is_cont(unsigned char c) { return (c & 0xc0) == 0x80; }

size_t term_column(const char *s, size_t off) {
  size_t col = 0;
  for (size_t i = 0; i < off && s[i]; i++)
    if (!is_cont((unsigned char)s[i])) col++;
  return col;
}

void term_progress(const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n >= (int)sizeof line) n = (int)sizeof line - 1;
  /* Pad with spaces over what a longer previous line left. */
  fprintf(stderr, "\r%s%*s", line, progress_len > n ? progress_len - n : 0, "");
  fflush(stderr);
  progress_len = n;
}

void term_progress_clear(void) {
  if (!progress_len) return;
  fprintf(stderr, "\r%*s\r", progress_len, "");
  fflush(stderr);
  progress_len = 0;
}

void term_put_caret(FILE *f, const char *query, size_t off) {
  size_t len = strlen(query);
  if (off > len) off = len;
  fputs("  ", f);
  term_put_flat(f, query, len);
  fputs("\n  ", f);
  for (size_t i = 0, col = term_column(query, off); i < col; i++) fputc(' ', f);
  fputs("^\n", f);
}
