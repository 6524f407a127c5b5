/* snippet.c -- choosing and highlighting a snippet (see snippet.h). */
#include "snippet.h"

#include <string.h>

#include "../text/sentence.h"
#include "../util/mem.h"
#include "newsdex.h"

#define MAX_MATCHES 2048

static int push_str(char ***arr, size_t *n, const char *s) {
  char **p = mem_realloc(*arr, (*n + 1) * sizeof *p);
  if (!p) return -1;
  *arr = p;
  if (!(p[*n] = mem_strdup(s))) return -1;
  (*n)++;
  return 0;
}

static int collect(const qnode *q, hl_terms *h) {
  switch (q->kind) {
    case Q_NOT: case Q_DATE: return 0;
    case Q_TERM: case Q_PHRASE:
      if (qf_keyword(q->field)) return 0;
      for (size_t i = 0; i < q->nterms; i++)
        if (push_str(&h->terms, &h->n, q->terms[i])) return -1;
      return 0;
    case Q_PREFIX:
      if (qf_keyword(q->field)) return 0;
      return push_str(&h->prefixes, &h->np, q->terms[0]);
    default:
      for (size_t i = 0; i < q->nkids; i++)
        if (collect(q->kids[i], h)) return -1;
      return 0;
  }
}

int hl_collect(const qnode *q, hl_terms *out) {
  memset(out, 0, sizeof *out);
  if (collect(q, out)) { hl_free(out); return -1; }
  return 0;
}

void hl_free(hl_terms *h) {
  for (size_t i = 0; i < h->n; i++) mem_free(h->terms[i]);
  for (size_t i = 0; i < h->np; i++) mem_free(h->prefixes[i]);
  mem_free(h->terms);
  mem_free(h->prefixes);
  memset(h, 0, sizeof *h);
}

typedef struct tok {
  uint32_t start, end;
  int match; /* index of the highlight term, or -1 */
} tok;

typedef struct scan {
  const hl_terms *h;
  analyzer *an;
  const char *body;
  tok *t;
  size_t n, cap;
  size_t nmatch;
  int oom;
  uint32_t join_end; /* a matching compound's end: its later parts match too */
  int join_m;
} scan;

static int which(scan *s, const an_token *tk) {
  for (size_t i = 0; i < s->h->n; i++)
    if (strlen(s->h->terms[i]) == tk->len && !memcmp(s->h->terms[i], tk->term, tk->len)) return (int)i;
  if (s->h->np) {
    char folded[AN_MAX_TERM * 4 + 8];
    size_t n = an_fold(s->an, s->body + tk->start, tk->end - tk->start, folded, sizeof folded);
    for (size_t i = 0; i < s->h->np; i++) {
      size_t pl = strlen(s->h->prefixes[i]);
      /* A prefix matches the index term (the stem) or the folded word. */
      if ((tk->len >= pl && !memcmp(tk->term, s->h->prefixes[i], pl)) || (n >= pl && !memcmp(folded, s->h->prefixes[i], pl)))
        return (int)(s->h->n + i);
    }
  }
  return -1;
}

static int on_tok(void *ctx, const an_token *tk) {
  scan *s = ctx;
  if (tk->joined) {
    /* "email" from "e-mail": if the joined form matches, mark the parts,
    ** those before it (the first) and those after it. */
    int m = which(s, tk);
    for (size_t i = s->n; m >= 0 && i-- > 0 && s->t[i].start >= tk->start;) s->t[i].match = m;
    if (m >= 0) s->join_end = tk->end, s->join_m = m;
    return 0;
  }
  if (mem_grow(&s->t, &s->cap, s->n, sizeof *s->t)) { s->oom = 1; return -1; }
  int m = which(s, tk);
  if (m < 0 && tk->end <= s->join_end) m = s->join_m;
  s->t[s->n++] = (tok){tk->start, tk->end, m};
  if (m >= 0 && ++s->nmatch >= MAX_MATCHES) return 1;
  return 0;
}

void text_put(buf *out, const char *text, size_t n, int html) {
  int space = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c <= ' ' || c == 0x7f) { space = 1; continue; }
    if (space && out->n && out->p[out->n - 1] != ' ') buf_putc(out, ' ');
    space = 0;
    if (html && (c == '<' || c == '>' || c == '&' || c == '"' || c == '\'')) {
      buf_puts(out, c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : "&#39;");
    } else {
      buf_putc(out, c);
    }
  }
  if (space && out->n && out->p[out->n - 1] != ' ') buf_putc(out, ' ');
}

/* How far past max_chars characters the headline's sentence end is looked
** for (bytes): enough for the words after a period (sentence.h). */
#define LEAD_LOOKAHEAD 256

void lead_make(const char *body, size_t max_chars, buf *out) {
  size_t start = 0;
  while (body[start] == ' ' || body[start] == '\t' || body[start] == '\n' || body[start] == '\r') start++;
  /* a character is at most 4 bytes: the sentence is looked at no further
  ** than where max_chars characters surely end, plus the word after it */
  size_t len = start + strnlen(body + start, max_chars * 4 + LEAD_LOOKAHEAD);
  size_t end = sent_end(body, len, start);
  size_t chars = 0, last_space = 0;
  for (size_t i = start; i < end; i++) {
    unsigned char c = (unsigned char)body[i];
    if ((c & 0xC0) == 0x80) continue; /* count characters, not bytes */
    if (c <= ' ') last_space = i;
    if (++chars > max_chars) {
      size_t cut = last_space > start + (i - start) / 2 ? last_space : i;
      text_put(out, body + start, cut - start, 0);
      buf_puts(out, "…");
      return;
    }
  }
  text_put(out, body + start, end - start, 0);
}

/* The end of the last sentence that ends in [lo, hi] (offsets into body,
** which has n bytes), or 0 when none does. */
static size_t last_sentence_end(const char *body, size_t n, size_t from, size_t lo, size_t hi) {
  size_t best = 0, p = from;
  while (p < n) {
    size_t e = sent_end(body, n, p);
    if (e > hi) break;
    if (e >= lo) best = e;
    size_t q = sent_skip(body, n, e);
    if (q <= p) break;
    p = q;
  }
  return best;
}

/* The start of the last sentence that starts in [lo, hi] (the text's start
** counts when lo is 0), or n when none does. */
static size_t last_sentence_start(const char *body, size_t n, size_t lo, size_t hi) {
  size_t best = lo ? n : sent_skip(body, n, 0), p = lo;
  if (best > hi) best = n;
  while (p < hi) {
    size_t q = sent_skip(body, n, sent_end(body, n, p));
    if (q > hi || q <= p) break;
    best = p = q;
  }
  return best;
}

int snippet_make(analyzer *an, const char *body, const hl_terms *h, int mode, size_t chars, const char *open,
                 const char *close, buf *out) {
  size_t blen = strlen(body);
  size_t scanlen = blen < SNIPPET_SCAN ? blen : SNIPPET_SCAN;
  scan s = {h, an, body, NULL, 0, 0, 0, 0, 0, -1};
  /* Only words that start as a term or prefix does can stem to it: the
  ** others need no stemming. */
  unsigned char first[256] = {0};
  for (size_t i = 0; i < h->n; i++) first[(unsigned char)h->terms[i][0]] = 1;
  for (size_t i = 0; i < h->np; i++) first[(unsigned char)h->prefixes[i][0]] = 1;
  an_stem_filter(an, first);
  an_analyze(an, body, scanlen, 0, on_tok, &s, NULL);
  an_stem_filter(an, NULL);
  if (s.oom) { mem_free(s.t); return -1; }
  /* Choose the window start: a token index. */
  size_t best = 0;
  double best_score = -1;
  size_t nterms = h->n + h->np;
  unsigned char seen[256];
  for (size_t i = 0; i < s.n; i++) {
    if (s.t[i].match < 0) continue;
    /* Start a little before the match, at most a fifth of the window. */
    size_t j = i;
    while (j > 0 && s.t[i].start - s.t[j - 1].start < chars / 5) j--;
    memset(seen, 0, sizeof seen);
    size_t distinct = 0, all = 0;
    for (size_t k = j; k < s.n && s.t[k].end - s.t[j].start <= chars; k++) {
      int m = s.t[k].match;
      if (m < 0) continue;
      all++;
      if (m < 256 && !seen[m]) { seen[m] = 1; distinct++; }
    }
    double sc = (double)distinct * 1000 + (double)all;
    if (sc > best_score) { best_score = sc; best = j; }
    if (distinct >= nterms && distinct > 0) break; /* cannot do better than all terms */
  }
  /* Fill the window: when it would end before `chars`, start earlier. */
  if (s.n) {
    size_t end = (size_t)s.t[best].start + chars < blen ? s.t[best].start + chars : blen;
    while (best > 0 && s.t[best - 1].start + chars >= end) best--;
  }
  /* Whole sentences where they fit: when the sentence of the window's
  ** first match starts inside the window, or a little before it (an eighth
  ** of its length), the snippet starts there. */
  if (s.n) {
    size_t m = best;
    while (m < s.n && s.t[m].match < 0) m++;
    size_t from = s.t[best].start, slack = chars / 8;
    size_t ss = m < s.n ? last_sentence_start(body, blen, from > slack ? from - slack : 0, s.t[m].start) : blen;
    if (ss < blen) {
      while (best > 0 && s.t[best - 1].start >= ss) best--;
      while (best < m && s.t[best].start < ss) best++;
    }
  }
  size_t from = s.n ? s.t[best].start : 0;
  size_t limit = from + chars;
  int html = mode == ND_SNIPPET_HTML;
  if (from > 0) buf_puts(out, "… ");
  /* Where the window is cut (tokens past `limit` do not fit), it ends at
  ** a sentence's end instead when one lies in its second half or a little
  ** past it, after the last match it shows. */
  size_t k = best, last_match = from;
  for (; k < s.n && s.t[k].end <= limit; k++)
    if (s.t[k].match >= 0) last_match = s.t[k].end;
  int cut = k < s.n || (s.n == 0 && blen > chars) || (k == s.n && scanlen < blen);
  size_t stop = limit, sent_stop = 0;
  if (cut && s.n) {
    size_t lo = from + chars / 2 > last_match ? from + chars / 2 : last_match;
    size_t hi = limit + chars / 8 < scanlen ? limit + chars / 8 : scanlen;
    sent_stop = last_sentence_end(body, blen, from, lo, hi);
    if (sent_stop) stop = sent_stop;
  }
  size_t at = from;
  for (k = best; k < s.n && s.t[k].end <= stop; k++) {
    text_put(out, body + at, s.t[k].start - at, html);
    if (s.t[k].match >= 0) buf_puts(out, open);
    text_put(out, body + s.t[k].start, s.t[k].end - s.t[k].start, html);
    if (s.t[k].match >= 0) buf_puts(out, close);
    at = s.t[k].end;
  }
  if (sent_stop) {
    text_put(out, body + at, sent_stop - at, html);
    if (sent_skip(body, blen, sent_stop) < blen) buf_puts(out, " …");
  } else if (cut) {
    /* Cut: keep the punctuation right after the last word, then "…". */
    size_t end = at;
    while (end < blen && end < at + 2 && (unsigned char)body[end] > ' ' && (unsigned char)body[end] < 0x80 &&
           !((body[end] | 32) >= 'a' && (body[end] | 32) <= 'z') && !(body[end] >= '0' && body[end] <= '9'))
      end++;
    if (s.n == 0) end = chars < blen ? chars : blen;
    text_put(out, body + at, end - at, html);
    buf_puts(out, " …");
  } else {
    text_put(out, body + at, blen - at, html);
  }
  /* Trim trailing space. */
  while (out->n && out->p[out->n - 1] == ' ') out->n--;
  mem_free(s.t);
  return out->oom ? -1 : 0;
}
