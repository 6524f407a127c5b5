/*
** chart.h -- counts per period drawn as a standalone SVG chart (used by
** `newsdex timeline --svg`).
*/
#ifndef ND_CLI_CHART_H
#define ND_CLI_CHART_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One line (or one colour of bars) of a chart: its name, shown in the
** legend, and one value per period. */
typedef struct chart_series {
  const char *name;
  const uint64_t *values;
} chart_series;

typedef struct chart {
  const char *title;          /* at the top */
  const char *x_label;        /* under the x axis ("month") */
  const char *y_label;        /* beside the y axis ("stories per month") */
  const char *const *periods; /* the x axis' labels, in order */
  const int64_t *ord;         /* each period's number on its time scale
                              ** (month 0 is January of year 0): a label is
                              ** put where ord is a multiple of the step */
  const unsigned *steps;      /* label steps to choose from, ascending,
                              ** ended by 0 (e.g. 1, 3, 6, 12 for months) */
  size_t nperiods;
  const chart_series *series;
  size_t nseries;
} chart;

/* Write c to f as one SVG document: a title, a legend naming each series,
** a y axis with ticks and its label, an x axis labelled with periods far
** enough apart not to overlap, and grouped bars (few periods) or lines
** (many).  Text is XML-escaped and shortened to fit.  Returns 0, or -1
** when writing failed. */
int chart_write_svg(FILE *f, const chart *c);

#endif
