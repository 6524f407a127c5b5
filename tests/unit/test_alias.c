/*
** test_alias.c -- one name per person and per country: the alias table
** (index/alias.h) on invented articles.
**
** Two Bushes, told apart by dates: articles of 1989-1992 name "George H.
** W. Bush" and "President Bush" together, articles of 2001-2004 "George W.
** Bush" and "President Bush"; an article of 1991 and one of 2003 say only
** "President Bush", one without a date too.  Two Clintons in one era, told
** apart by titles: "Hillary Clinton" goes with "Mrs. Clinton", "Bill
** Clinton" with "President Clinton", both with a bare "Clinton"; articles
** say only "Mrs. Clinton", only "President Clinton", only "Clinton".  Then
** more evidence arrives and the bare "Clinton" resolves; a merge keeps it
** all; countries are one place by any of their names.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newsdex.h"
#include "test.h"
#include "testfs.h"

static char DIR_[256];
static nd_index *IX;

static void add(const char *id, const char *date, const char *body) {
  nd_doc d = {0};
  d.id = id;
  d.date = date;
  d.title = "A report";
  d.body = body;
  ASSERT_OK(nd_add(IX, &d, NULL));
}

/* The ids matching q, sorted, joined by "|". */
static const char *ids(const char *q) {
  static char out[4096];
  nd_results *r = NULL;
  nd_search_options o = {.versions = ND_VERSIONS_ALL};
  o.limit = 100;
  o.ids_only = 1;
  out[0] = 0;
  if (nd_search(IX, q, &o, &r)) {
    snprintf(out, sizeof out, "error: %s", nd_errmsg(IX));
    return out;
  }
  char *v[100];
  size_t n = nd_results_count(r);
  for (size_t i = 0; i < n; i++) {
    nd_hit h;
    nd_results_hit(r, i, &h);
    v[i] = strdup(h.id);
  }
  for (size_t i = 1; i < n; i++) /* insertion sort: a few ids */
    for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
      char *x = v[j];
      v[j] = v[j - 1];
      v[j - 1] = x;
    }
  for (size_t i = 0; i < n; i++) {
    if (i) strcat(out, "|");
    strncat(out, v[i], sizeof out - strlen(out) - 2);
    free(v[i]);
  }
  nd_results_free(r);
  return out;
}

/* The count of `name` in the people (or places) facet of query q; -1 if absent. */
static long facet(const char *field, const char *q, const char *name) {
  const char *fields[] = {field};
  nd_facet_options o = {fields, 1, 100, 0, ND_VERSIONS_ALL};
  nd_facets *f = NULL;
  if (nd_facets_get(IX, q, &o, &f)) return -2;
  long n = -1;
  for (size_t i = 0; i < f->fields[0].n; i++)
    if (!strcmp(f->fields[0].counts[i].key, name)) n = (long)f->fields[0].counts[i].count;
  nd_facets_free(f);
  return n;
}

/* Add article PREFIX<i>: `story`, numbered so that no two are alike. */
static void add_story(const char *prefix, int i, const char *date, const char *story) {
  char id[32], body[512];
  snprintf(id, sizeof id, "%s%d", prefix, i);
  snprintf(body, sizeof body, "%s Story %d.", story, i);
  add(id, date, body);
}

static void commit(void) { ASSERT_OK(nd_commit(IX)); }

static void test_build(void) {
  snprintf(DIR_, sizeof DIR_, "/tmp/nd_test_alias_%d", (int)getpid());
  rm_rf(DIR_);
  nd_open_options oo = {0};
  oo.merge_factor = 1; /* no automatic merges */
  ASSERT_OK(nd_open(DIR_, ND_OPEN_WRITE | ND_OPEN_CREATE, &oo, &IX));
  static const char *const OLD[] = {"1989-03-01", "1990-06-12", "1992-01-20"};
  static const char *const NEW[] = {"2001-02-01", "2002-09-12", "2004-05-03"};
  for (int i = 0; i < 3; i++) {
    add_story("hw", i, OLD[i],
              "George H. W. Bush met the ministers in Ottawa on trade. Later President Bush spoke of the "
              "budget talks, and the talks went on.");
    add_story("w", i, NEW[i],
              "George W. Bush met the ministers in Madrid on trade. Later President Bush spoke of the war "
              "and the budget, and the talks went on.");
  }
  add("bush1991", "1991-04-04", "The talks ended when President Bush left the hall early in the morning.");
  add("bush2003", "2003-04-04", "The talks ended when President Bush left the hall late in the evening.");
  add("bushnodate", NULL, "The talks ended when President Bush left the hall at noon.");
  static const char *const ERA[] = {"2013-05-01", "2014-06-12", "2015-02-20", "2016-03-03"};
  for (int i = 0; i < 4; i++) {
    add_story("hc", i, ERA[i],
              "Hillary Clinton toured the plant in Ohio. Mrs. Clinton said jobs came first, and Clinton "
              "later left for Iowa.");
  }
  for (int i = 0; i < 3; i++) {
    add_story("bc", i, ERA[i],
              "Bill Clinton opened the library in Arkansas. President Clinton said the past was gone, and "
              "Clinton later left for Texas.");
  }
  add("mrs", "2015-07-07", "In the evening Mrs. Clinton answered questions from the crowd.");
  add("pres", "2015-07-08", "In the evening President Clinton answered questions from the crowd.");
  add("bare", "2015-07-09", "The crowd cheered as Clinton answered questions in the evening.");
  for (int i = 0; i < 3; i++) {
    add_story("dt", i, ERA[3], "Donald Trump spoke in Ohio. President Trump then flew home.");
  }
  add("dj", "2016-09-09", "Donald J. Trump signed the order in the afternoon.");
  add("us1", "2015-01-01", "Trade between the U.S. and Canada grew in the spring.");
  add("us2", "2015-01-02", "Trade between the United States and Mexico grew in the fall.");
  add("us3", "2015-01-03", "Factories in America and in Japan grew in the fall.");
  add("uk1", "2015-01-04", "Ministers in Britain met bankers in the spring.");
  add("uk2", "2015-01-05", "Ministers of the U.K. met bankers in the fall.");
  commit();
}

static void test_dates_tell_two_bushes_apart(void) {
  ASSERT_EQ_STR(ids("person:\"George H. W. Bush\""), "bush1991|hw0|hw1|hw2");
  ASSERT_EQ_STR(ids("person:\"George W. Bush\""), "bush2003|w0|w1|w2");
  /* without a date the evidence of both eras is even: it stays "Bush" */
  ASSERT_EQ_STR(ids("person:Bush"), "bushnodate");
  ASSERT_EQ_STR(ids("person:\"President Bush\""), "bushnodate");
  ASSERT_EQ_INT(facet("people", "talks", "George H. W. Bush"), 4);
  ASSERT_EQ_INT(facet("people", "talks", "George W. Bush"), 4);
  ASSERT_EQ_INT(facet("people", "talks", "Bush"), 1);
  ASSERT_EQ_INT(facet("people", "talks", "President Bush"), -1); /* a title is never part of a name */
}

static void test_titles_tell_two_clintons_apart(void) {
  ASSERT_EQ_STR(ids("person:\"Hillary Clinton\""), "hc0|hc1|hc2|hc3|mrs");
  ASSERT_EQ_STR(ids("person:\"Bill Clinton\""), "bc0|bc1|bc2|pres");
  ASSERT_EQ_STR(ids("person:\"Mrs. Clinton\""), "hc0|hc1|hc2|hc3|mrs");
  ASSERT_EQ_STR(ids("person:\"President Clinton\""), "bc0|bc1|bc2|pres");
  /* a bare "Clinton": 4 articles for Hillary, 3 for Bill -- not clear
  ** enough; without a title it is not even surely a person */
  ASSERT_EQ_STR(ids("person:Clinton"), "");
  ASSERT_EQ_STR(ids("topic:Clinton"), "bare");
  ASSERT_EQ_INT(facet("people", "evening OR crowd", "Hillary Clinton"), 1);
  ASSERT_EQ_INT(facet("people", "evening OR crowd", "Bill Clinton"), 1);
  ASSERT_EQ_INT(facet("people", "evening OR crowd", "Clinton"), -1);
  ASSERT_EQ_INT(facet("topics", "evening OR crowd", "Clinton"), 1);
}

static void test_new_evidence_resolves(void) {
  for (int i = 0; i < 6; i++) { /* 10 articles for Hillary against 3 */
    add_story("hc-more", i, "2016-01-02", "Hillary Clinton spoke in Denver. Clinton then left for Utah.");
  }
  commit();
  ASSERT(strstr(ids("person:\"Hillary Clinton\""), "bare") != NULL);
  ASSERT_EQ_STR(ids("person:\"Bill Clinton\""), "bc0|bc1|bc2|pres");
  ASSERT_EQ_INT(facet("topics", "evening OR crowd", "Clinton"), -1);
  ASSERT_EQ_INT(facet("people", "evening OR crowd", "Hillary Clinton"), 2);
  char hillary[4096];
  snprintf(hillary, sizeof hillary, "%s", ids("person:\"Hillary Clinton\""));
  ASSERT(strstr(hillary, "bare") && strstr(hillary, "mrs") && strstr(hillary, "hc-more5"));
  ASSERT_EQ_STR(ids("person:Clinton"), hillary);
}

static void test_merge_keeps_it(void) {
  ASSERT_OK(nd_optimize(IX));
  ASSERT(strstr(ids("person:\"Hillary Clinton\""), "bare") != NULL);
  ASSERT_EQ_STR(ids("person:\"George W. Bush\""), "bush2003|w0|w1|w2");
  ASSERT_EQ_STR(ids("person:Bush"), "bushnodate");
  ASSERT_OK(nd_check(DIR_, NULL, NULL, NULL));
}

/* Middle initials: "Donald J. Trump" is Donald Trump when the archive
** resolves forms to that name; "George W. Bush", itself what forms
** resolve to, stays George W. Bush. */
static void test_middle_initials(void) {
  ASSERT_EQ_STR(ids("person:\"Donald Trump\""), "dj|dt0|dt1|dt2");
  ASSERT_EQ_STR(ids("person:\"Donald J. Trump\""), "dj|dt0|dt1|dt2");
  ASSERT_EQ_INT(facet("people", "Trump OR afternoon", "Donald Trump"), 4);
  ASSERT_EQ_INT(facet("people", "Trump OR afternoon", "Donald J. Trump"), -1);
  ASSERT_EQ_STR(ids("person:\"George W. Bush\""), "bush2003|w0|w1|w2");
}

static void test_one_country_one_place(void) {
  ASSERT_EQ_STR(ids("place:\"United States\""), "us1|us2|us3");
  ASSERT_EQ_STR(ids("place:\"U.S.\""), "us1|us2|us3");
  ASSERT_EQ_STR(ids("place:America"), "us1|us2|us3");
  ASSERT_EQ_STR(ids("place:Britain"), "uk1|uk2");
  ASSERT_EQ_INT(facet("places", "trade OR factories OR ministers", "United States"), 3);
  ASSERT_EQ_INT(facet("places", "trade OR factories OR ministers", "United Kingdom"), 2);
  ASSERT_EQ_INT(facet("places", "trade OR factories OR ministers", "U.S."), -1);
}

static void test_cleanup(void) {
  nd_close(IX);
  IX = NULL;
  rm_rf(DIR_);
}

TEST_MAIN(TEST(test_build), TEST(test_dates_tell_two_bushes_apart), TEST(test_titles_tell_two_clintons_apart),
          TEST(test_new_evidence_resolves), TEST(test_merge_keeps_it), TEST(test_middle_initials),
          TEST(test_one_country_one_place),
          TEST(test_cleanup))
