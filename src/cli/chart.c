/*
** chart.c -- counts per period as a standalone SVG chart.
**
** The picture is 960 x 540 user units: the title at the top, under it the
** legend (one swatch and name per series, wrapped into rows), then the
** plot.  The y axis starts at 0 and ends at a round number, with about
** five ticks at 1, 2 or 5 times a power of ten and light grid lines; its
** label is written upwards on the left.  The x axis has one slot per
** period; labels go on the periods whose number (chart.ord) is a multiple
** of the smallest step of chart.steps that keeps them apart (every
** January, every fifth year...), and its label sits below them.
**
** With few bars to draw (periods times series up to BARS_MAX) each period
** gets a group of bars, one per series; otherwise each series is a line
** through its periods (with a dot per period when they are few enough to
** be told apart).  Series are told apart by colour (a palette readable
** with the common colour blindnesses) and, for lines, by dash pattern.
** Each bar and dot carries a <title>, the tooltip a browser shows.
**
** Text widths are estimated (0.6 em a character), so names are cut with
** "…" to what the estimate says fits.  Every text goes through
** put_text(), which escapes XML's special characters and replaces the
** control characters XML cannot hold.
*/
#include <string.h>

#include "chart.h"

#define W 960.0
#define H 540.0
#define MARGIN_RIGHT 24.0
#define BOTTOM 64.0      /* below the plot: tick labels and the axis label */
#define LEGEND_TOP 52.0
#define LEGEND_ROW 20.0
#define FONT "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
#define BARS_MAX 120    /* bars drawn at most; more: lines */
#define DOTS_MAX 120    /* periods of a line that still get a dot each */
#define NAME_MAX 60     /* characters of a series name in the legend */

static const char *const COLOURS[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                      "#e69f00", "#56b4e9", "#000000"};
static const char *const DASHES[] = {"", "7 4", "2 3", "9 3 2 3"};
#define NCOLOURS (sizeof COLOURS / sizeof *COLOURS)
#define NDASHES (sizeof DASHES / sizeof *DASHES)

/* Width of n characters at font size fs (an estimate). */
static double text_w(size_t n, double fs) { return (double)n * fs * 0.6; }

/* Characters (code points) of a UTF-8 string. */
static size_t chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80) n++;
  return n;
}

/* Write s XML-escaped, cut to at most max characters (the last one "…"
** when cut; max 0: no limit). */
static void put_text(FILE *f, const char *s, size_t max) {
  size_t n = chars(s), shown = 0;
  int cut = max && n > max;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p & 0xc0) != 0x80 && cut && ++shown > max - 1) break;
    switch (*p) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    default: fputc(*p < 0x20 || *p == 0x7f ? (*p == '\t' || *p == '\n' ? ' ' : '?') : *p, f);
    }
  }
  if (cut) fputs("\xe2\x80\xa6", f);
}

/* A count with thousands separators ("12,500"). */
static void put_count(FILE *f, uint64_t v) {
  char d[24];
  int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v);
  for (int i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) fputc(',', f);
    fputc(d[i], f);
  }
}

static size_t count_chars(uint64_t v) {
  char d[24];
  size_t n = (size_t)snprintf(d, sizeof d, "%llu", (unsigned long long)v);
  return n + (n - 1) / 3;
}

/* About five ticks: the smallest 1, 2 or 5 times a power of ten that
** reaches max in five steps. */
static uint64_t tick_step(uint64_t max) {
  uint64_t want = (max + 4) / 5;
  if (want < 1) want = 1;
  for (uint64_t mag = 1;; mag *= 10) {
    if (mag >= want) return mag;
    if (2 * mag >= want) return 2 * mag;
    if (5 * mag >= want) return 5 * mag;
  }
}

/* The step between labelled periods: the first of c->steps at least
** `need`, else a multiple of the last. */
static uint64_t label_step(const chart *c, uint64_t need) {
  uint64_t last = 1;
  for (const unsigned *s = c->steps; s && *s; s++) {
    if (*s >= need) return *s;
    last = *s;
  }
  return (need + last - 1) / last * last;
}

static int64_t floor_mod(int64_t a, int64_t m) { return ((a % m) + m) % m; }

/* The plot's box. */
typedef struct box { double x0, y0, x1, y1; } box;

static double y_of(const box *b, uint64_t v, uint64_t ymax) {
  return b->y1 - (b->y1 - b->y0) * (double)v / (double)ymax;
}

static double slot_w(const box *b, const chart *c) { return (b->x1 - b->x0) / (double)c->nperiods; }

/* Rows of the legend laid out from x0 to x1; draws them when f is set. */
static int legend(FILE *f, const chart *c, double x0, double x1, int lines) {
  int rows = 1;
  double x = x0;
  for (size_t i = 0; i < c->nseries; i++) {
    size_t n = chars(c->series[i].name);
    double w = 26 + text_w(n < NAME_MAX ? n : NAME_MAX, 13) + 22;
    if (x > x0 && x + w > x1) { rows++; x = x0; }
    double y = LEGEND_TOP + (rows - 1) * LEGEND_ROW;
    if (f) {
      const char *col = COLOURS[i % NCOLOURS];
      fprintf(f, "<g class=\"legend-item\">");
      if (lines)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"%s%s%s/>",
                x, y - 4, x + 20, y - 4, col, *DASHES[i % NDASHES] ? " stroke-dasharray=\"" : "",
                DASHES[i % NDASHES], *DASHES[i % NDASHES] ? "\"" : "");
      else
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\"/>", x + 3, y - 11, col);
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\">", x + 26, y);
      put_text(f, c->series[i].name, NAME_MAX);
      fputs("</text></g>\n", f);
    }
    x += w;
  }
  return rows;
}

static void y_axis(FILE *f, const chart *c, const box *b, uint64_t ymax, uint64_t step) {
  for (uint64_t v = 0; v <= ymax; v += step) {
    double y = y_of(b, v, ymax);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", b->x0, y, b->x1, y,
            v ? "#e3e6ea" : "#5b6670");
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">", b->x0 - 6, y + 4);
    put_count(f, v);
    fputs("</text>\n", f);
  }
  fprintf(f, "<text class=\"y-label\" transform=\"translate(18,%.1f) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">",
          (b->y0 + b->y1) / 2);
  put_text(f, c->y_label, 0);
  fputs("</text>\n", f);
}

static void x_axis(FILE *f, const chart *c, const box *b) {
  double slot = slot_w(b, c);
  size_t widest = 1;
  for (size_t i = 0; i < c->nperiods; i++)
    if (chars(c->periods[i]) > widest) widest = chars(c->periods[i]);
  double need = (text_w(widest, 12) + 10) / slot;
  uint64_t step = label_step(c, need < 1 ? 1 : (uint64_t)need + (need > (uint64_t)need));
  size_t labels = 0;
  for (size_t i = 0; i < c->nperiods; i++) {
    double x = b->x0 + slot * ((double)i + 0.5);
    int64_t ord = c->ord ? c->ord[i] : (int64_t)i;
    int labelled = floor_mod(ord, (int64_t)step) == 0 || (i + 1 == c->nperiods && !labels);
    if (labelled || slot >= 4)
      fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#5b6670\"/>", x, b->y1, x,
              b->y1 + (labelled ? 6 : 3));
    if (!labelled) continue;
    labels++;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">", x, b->y1 + 20);
    put_text(f, c->periods[i], 0);
    fputs("</text>\n", f);
  }
  fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#5b6670\"/>\n", b->x0, b->y1, b->x1, b->y1);
  fprintf(f, "<text class=\"x-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\">",
          (b->x0 + b->x1) / 2, H - 14);
  put_text(f, c->x_label, 0);
  fputs("</text>\n", f);
}

/* The tooltip of one value: "NAME, PERIOD: N". */
static void tooltip(FILE *f, const chart *c, size_t s, size_t i) {
  fputs("<title>", f);
  put_text(f, c->series[s].name, 0);
  fputs(", ", f);
  put_text(f, c->periods[i], 0);
  fputs(": ", f);
  put_count(f, c->series[s].values[i]);
  fputs("</title>", f);
}

static void bars(FILE *f, const chart *c, const box *b, uint64_t ymax) {
  double slot = slot_w(b, c), bw = slot * 0.8 / (double)c->nseries;
  for (size_t s = 0; s < c->nseries; s++) {
    fprintf(f, "<g class=\"series\" fill=\"%s\">\n", COLOURS[s % NCOLOURS]);
    for (size_t i = 0; i < c->nperiods; i++) {
      uint64_t v = c->series[s].values[i];
      if (!v) continue;
      double y = y_of(b, v, ymax);
      fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">",
              b->x0 + slot * ((double)i + 0.1) + bw * (double)s, y, bw, b->y1 - y);
      tooltip(f, c, s, i);
      fputs("</rect>\n", f);
    }
    fputs("</g>\n", f);
  }
}

static void lines(FILE *f, const chart *c, const box *b, uint64_t ymax) {
  double slot = slot_w(b, c);
  for (size_t s = 0; s < c->nseries; s++) {
    const char *col = COLOURS[s % NCOLOURS], *dash = DASHES[s % NDASHES];
    fprintf(f, "<g class=\"series\">\n<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\"%s%s%s points=\"",
            col, *dash ? " stroke-dasharray=\"" : "", dash, *dash ? "\"" : "");
    for (size_t i = 0; i < c->nperiods; i++)
      fprintf(f, "%s%.2f,%.2f", i ? " " : "", b->x0 + slot * ((double)i + 0.5), y_of(b, c->series[s].values[i], ymax));
    fputs("\"/>\n", f);
    for (size_t i = 0; c->nperiods <= DOTS_MAX && i < c->nperiods; i++) {
      fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"%s\">", b->x0 + slot * ((double)i + 0.5),
              y_of(b, c->series[s].values[i], ymax), col);
      tooltip(f, c, s, i);
      fputs("</circle>\n", f);
    }
    fputs("</g>\n", f);
  }
}

int chart_write_svg(FILE *f, const chart *c) {
  uint64_t max = 0;
  for (size_t s = 0; s < c->nseries; s++)
    for (size_t i = 0; i < c->nperiods; i++)
      if (c->series[s].values[i] > max) max = c->series[s].values[i];
  uint64_t step = tick_step(max), ymax = (max + step - 1) / step * step;
  if (!ymax) ymax = step;
  int as_lines = c->nperiods * c->nseries > BARS_MAX;
  box b;
  b.x0 = 24 + 10 + text_w(count_chars(ymax), 12) + 8;
  b.x1 = W - MARGIN_RIGHT;
  b.y0 = LEGEND_TOP + legend(NULL, c, b.x0, b.x1, as_lines) * LEGEND_ROW + 8;
  b.y1 = H - BOTTOM;

  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
             "role=\"img\" font-family=\"%s\" fill=\"#1d2329\">\n<title>", W, H, W, H, FONT);
  put_text(f, c->title, 0);
  fprintf(f, "</title>\n<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", W, H);
  fprintf(f, "<text class=\"title\" x=\"%.1f\" y=\"30\" font-size=\"18\" font-weight=\"600\">", b.x0);
  put_text(f, c->title, (size_t)((W - b.x0 - MARGIN_RIGHT) / text_w(1, 18)));
  fputs("</text>\n<g class=\"legend\">\n", f);
  legend(f, c, b.x0, b.x1, as_lines);
  fputs("</g>\n<g class=\"axes\">\n", f);
  y_axis(f, c, &b, ymax, step);
  if (c->nperiods) {
    x_axis(f, c, &b);
  } else {
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\" fill=\"#5b6670\">no dated matches</text>\n",
            (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2);
  }
  fputs("</g>\n", f);
  if (c->nperiods) {
    if (as_lines) lines(f, c, &b, ymax);
    else bars(f, c, &b, ymax);
  }
  fputs("</svg>\n", f);
  return ferror(f) ? -1 : 0;
}
