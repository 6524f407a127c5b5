/*
** test_parse.c -- the query parser (src/query/parse.c): tables of queries
** and their canonical dumps, tables of bad queries and where they fail,
** limits, out-of-memory paths and a generated stress test.
*/
#include <stdint.h>
#include <string.h>

#include "query/parse.h"
#include "test.h"
#include "util/buf.h"
#include "util/mem.h"

static analyzer *an_get(void) {
  static analyzer *an;
  if (!an) an = an_new("english");
  return an;
}

/* ---- good queries ------------------------------------------------------- */

typedef struct good_case { const char *q, *dump; } good_case;

/* 2004-01-01, end of 2004, July 2004, end of June 2004 in seconds. */
#define Y2004 "1072915200"
#define Y2004_END "1104537599"
#define JUL "1088640000"
#define JUL_END "1091318399"
#define JUN_END "1088639999"
#define MIN "-9223372036854775807"
#define MAX "9223372036854775807"

static const good_case good[] = {
  /* words, stems, implicit AND */
  {"nato", "(TERM nato)"},
  {"NATO training \"Iraqi forces\"", "(AND (TERM nato) (TERM train) (PHRASE \"iraqi forc\"))"},
  {"  spaced   out  ", "(AND (TERM space) (TERM out))"},
  /* words the analyzer splits become phrases; joined tokens are ignored */
  {"e-mail", "(PHRASE \"e mail\")"},
  {"U.S.-led", "(PHRASE \"us led\")"},
  {"\"U.S.-led forces\"", "(PHRASE \"us led forc\")"},
  {"example.com", "(PHRASE \"exampl com\")"},
  {"35,000", "(TERM 35000)"},
  {"a, b.", "(AND (TERM a) (TERM b))"},
  /* quoted phrases of one word or none */
  {"\"single\"", "(TERM singl)"},
  {"x \"...\"", "(TERM x)"},
  {"\"a b\"c", "(AND (PHRASE \"a b\") (TERM c))"},
  /* operators and precedence: NOT > AND > OR */
  {"a AND b", "(AND (TERM a) (TERM b))"},
  {"a b OR c", "(OR (AND (TERM a) (TERM b)) (TERM c))"},
  {"a OR b c", "(OR (TERM a) (AND (TERM b) (TERM c)))"},
  {"a OR b AND c OR d", "(OR (TERM a) (AND (TERM b) (TERM c)) (TERM d))"},
  {"a -b OR c", "(OR (AND (TERM a) (NOT (TERM b))) (TERM c))"},
  {"a NOT b", "(AND (TERM a) (NOT (TERM b)))"},
  {"a AND NOT b", "(AND (TERM a) (NOT (TERM b)))"},
  {"a or b not c and d", "(AND (TERM a) (TERM or) (TERM b) (TERM not) (TERM c) (TERM and) (TERM d))"},
  {"(a OR b) c", "(AND (OR (TERM a) (TERM b)) (TERM c))"},
  /* flattening and collapsing */
  {"(a OR b) OR (c OR d)", "(OR (TERM a) (TERM b) (TERM c) (TERM d))"},
  {"(a b) (c (d e))", "(AND (TERM a) (TERM b) (TERM c) (TERM d) (TERM e))"},
  {"((((a))))", "(TERM a)"},
  {"a (-b)", "(AND (TERM a) (NOT (TERM b)))"},
  {"a (-b -c)", "(AND (TERM a) (NOT (TERM b)) (NOT (TERM c)))"},
  {"-(a -b) c", "(AND (NOT (AND (TERM a) (NOT (TERM b)))) (TERM c))"},
  {"a (,) OR ;", "(TERM a)"},
  {"a -,", "(TERM a)"},
  /* '-' is a NOT only at the start of a word */
  {"a - b", "(AND (TERM a) (TERM b))"},
  {"a -", "(TERM a)"},
  {"well-known", "(PHRASE \"well known\")"},
  {"(a)-b", "(AND (TERM a) (TERM b))"},
  {"-b a", "(AND (NOT (TERM b)) (TERM a))"},
  {"a -OR", "(AND (TERM a) (NOT (TERM or)))"},
  /* fields */
  {"title:iraq", "(TERM title iraq)"},
  {"body:iraq source:reuters", "(AND (TERM body iraq) (TERM source reuters))"},
  /* source: the whole value, case-folded, white space collapsed, never analysed */
  {"source:\"  New York\tTimes -  News \"", "(TERM source new york times - news)"},
  {"source:USA source:TheBlaze.com", "(AND (TERM source usa) (TERM source theblaze.com))"},
  {"source:Fox* -source:\"Fox News\"", "(AND (PREFIX source fox) (NOT (TERM source fox news)))"},
  {"source:(Reuters OR \"BBC News\")", "(OR (TERM source reuters) (TERM source bbc news))"},
  {"source:\"  \" nato", "(TERM nato)"},
  {"source:ÉCOLE", "(TERM source école)"},
  {"title:\"iraqi forces\"", "(PHRASE title \"iraqi forc\")"},
  /* topic fields: normalised names, never analysed (not stemmed) */
  {"topic:\"Jaap de Hoop Scheffer\"", "(TERM topic jaap de hoop scheffer)"},
  {"person:Müller's", "(TERM person müller)"},
  {"org:U.S. place:Łódź", "(AND (TERM org united states) (TERM place łódź))"}, /* a country by one name */
  {"organisation:NATO organization:nato", "(AND (TERM org nato) (TERM org nato))"},
  {"topic:iraq* -place:\"New York\"", "(AND (PREFIX topic iraq) (NOT (TERM place new york)))"},
  {"topic:(NATO OR \"Iraq war\")", "(OR (TERM topic nato) (TERM topic iraq war))"},
  {"topic:\"...\" nato", "(TERM nato)"},
  {"title:(a OR b)", "(OR (TERM title a) (TERM title b))"},
  {"title:(a -\"b c\")", "(AND (TERM title a) (NOT (PHRASE title \"b c\")))"},
  {"title:(a title:b)", "(AND (TERM title a) (TERM title b))"},
  {"title:OR", "(TERM title or)"},
  {"title:e-mail", "(PHRASE title \"e mail\")"},
  {"-title:iraq war", "(AND (NOT (TERM title iraq)) (TERM war))"},
  /* colons that are not fields */
  {"Update: NATO", "(AND (TERM updat) (TERM nato))"},
  {"title: iraq", "(AND (TERM titl) (TERM iraq))"},
  {"nato:", "(TERM nato)"},
  {"(title:)", "(TERM titl)"},
  {"10:30", "(PHRASE \"10 30\")"},
  {"http://example.com", "(PHRASE \"http exampl com\")"},
  /* prefixes */
  {"iraq*", "(PREFIX iraq)"},
  {"Iraq*", "(PREFIX iraq)"},
  {"title:iraq*", "(PREFIX title iraq)"},
  {"ÉCOLE*", "(PREFIX école)"},
  {"o'brien*", "(PREFIX o'brien)"},
  {"\"iraq* war\"", "(PHRASE \"iraq war\")"},
  /* dates */
  {"date:2004", "(DATE " Y2004 " " Y2004_END ")"},
  {"date:2004-07", "(DATE " JUL " " JUL_END ")"},
  {"date:2004-07-01..2004-07-31", "(DATE " JUL " " JUL_END ")"},
  {"date:2004-07..2004-07", "(DATE " JUL " " JUL_END ")"},
  {"date:2004-07-01T00:00:00Z", "(DATE " JUL " " JUL ")"},
  {"date:>=2004-07", "(DATE " JUL " " MAX ")"},
  {"date:>2004-06", "(DATE " JUL " " MAX ")"},
  {"date:2004-07..", "(DATE " JUL " " MAX ")"},
  {"date:<2004-07", "(DATE " MIN " " JUN_END ")"},
  {"date:<=2004-06-30", "(DATE " MIN " " JUN_END ")"},
  {"date:..2004-06", "(DATE " MIN " " JUN_END ")"},
  {"date:2004-07-01..2004-07-01", "(DATE " JUL " 1088726399)"},
  {"title:iraq date:2004-01-01..2004-12-31 -france",
   "(AND (TERM title iraq) (DATE " Y2004 " " Y2004_END ") (NOT (TERM franc)))"},
  {"iraq -date:2004", "(AND (TERM iraq) (NOT (DATE " Y2004 " " Y2004_END ")))"},
};

static void test_good_queries(void) {
  int bad = 0;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    qnode *n = NULL;
    char err[256] = "", dump[1024];
    size_t off = 0;
    int rc = qp_parse(an_get(), good[i].q, &n, err, sizeof err, &off);
    if (rc) {
      fprintf(stderr, "  %s: error %d at %zu: %s\n", good[i].q, rc, off, err);
      bad++;
      continue;
    }
    qnode_dump(n, dump, sizeof dump);
    if (strcmp(dump, good[i].dump)) {
      fprintf(stderr, "  %s\n    got  %s\n    want %s\n", good[i].q, dump, good[i].dump);
      bad++;
    }
    qnode_free(n);
  }
  ASSERT_EQ_INT(bad, 0);
}

/* ---- bad queries -------------------------------------------------------- */

typedef struct bad_case { const char *q; size_t off; const char *word; } bad_case;

static const bad_case bad[] = {
  {"", 0, "empty query"},
  {"   ", 0, "empty query"},
  {", . ;", 0, "empty query"},
  {"(a OR b) c)", 10, "unbalanced \")\""},
  {"a)", 1, "unbalanced"},
  {"x (a OR b", 2, "unbalanced \"(\""},
  {"x \"iraqi forces", 2, "unbalanced"},
  {"a OR", 2, "missing term after OR"},
  {"a OR OR b", 2, "missing term after OR"},
  {"(a OR) b", 3, "missing term after OR"},
  {"OR a", 0, "missing term before OR"},
  {"a (OR b)", 3, "missing term before OR"},
  {"a AND", 2, "missing term after AND"},
  {"AND a", 0, "missing term before AND"},
  {"a AND OR b", 2, "missing term after AND"},
  {"a NOT", 2, "missing term after NOT"},
  {"a NOT)", 2, "missing term after NOT"},
  {"a -)", 3, "unbalanced"},
  {"()", 0, "empty parentheses"},
  {"a ( )", 2, "empty parentheses"},
  {"foo:bar", 0, "unknown field 'foo'"},
  {"nato topic:a*", 11, "prefix \"a*\" at 11 is too short"},
  {"nato source:a*", 12, "prefix \"a*\" at 12 is too short"},
  {"topic:\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", 7, "is too long"},
  {"topic:\"...\"", 0, "empty query"},
  {"place:date:2004", 6, "cannot apply to a date"},
  {"x Title:iraq", 2, "unknown field 'Title'"},
  {"a title:foo:bar", 8, "unknown field 'foo'"},
  {"re:(a b)", 0, "fields: title, body, source, topic, person, org, place, date"},
  {"-france", 0, "alone"},
  {"  -france", 2, "\"-france\" alone"},
  {"NOT a", 0, "at least one term"},
  {"-a -b", 0, "alone"},
  {"(-a)", 0, "alone"},
  {"-date:2004", 0, "alone"},
  {"a OR -b", 5, "OR"},
  {"-b OR a", 0, "OR"},
  {"(a OR -b) c", 6, "OR"},
  {"a OR (-b -c)", 5, "OR"},
  {"a -(-b)", 2, "double negation"},
  {"a NOT NOT b", 6, "double negation"},
  {"a NOT -b", 6, "double negation"},
  {"a*", 0, "too short"},
  {"x é*", 2, "too short"},
  {"e-ma*", 0, "single word"},
  {"title:a*", 6, "too short"},
  {"date:2004-13", 5, "month 13"},
  {"x date:2003-02-29", 7, "day 29"},
  {"date:july", 5, "bad date"},
  {"date:2005..2004", 5, "empty date range"},
  {"date:2004-08..2004-07-31", 5, "empty date range"},
  {"date:..", 5, "empty date range"},
  {"date:>=", 7, "bad date"},
  {"date:2004..2005-1", 11, "bad date"},
  {"date:(2004)", 0, "expected a date"},
  {"date:\"2004\"", 0, "expected a date"},
  {"title:date:2004", 6, "cannot apply to a date"},
  {"title:(a OR date:2004)", 12, "cannot apply to a date"},
  {"title:body:x", 6, "another field"},
  {"title:(a body:b)", 9, "inside title"},
  {"a \xff b", 2, "UTF-8"},
};

static void test_bad_queries(void) {
  int fails = 0;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    qnode *n = (qnode *)1;
    char err[256] = "";
    size_t off = 12345;
    int rc = qp_parse(an_get(), bad[i].q, &n, err, sizeof err, &off);
    if (rc != -1 || n != NULL) {
      fprintf(stderr, "  %s: rc %d, expected an error\n", bad[i].q, rc);
      fails++;
      if (rc == 0) qnode_free(n);
      continue;
    }
    if (off != bad[i].off || !strstr(err, bad[i].word) || strchr(err, '\n')) {
      fprintf(stderr, "  %s: at %zu \"%s\"; want at %zu \"%s\"\n", bad[i].q, off, err, bad[i].off, bad[i].word);
      fails++;
    }
  }
  ASSERT_EQ_INT(fails, 0);
}

/* Messages quote the query on one line and are cut to the buffer. */
static void test_messages(void) {
  qnode *n;
  char err[256];
  size_t off;
  ASSERT_EQ_INT(qp_parse(an_get(), "-france", &n, err, sizeof err, &off), -1);
  ASSERT_EQ_STR(err, "\"-france\" alone at 0: a query needs at least one term to look for");
  ASSERT_EQ_INT(qp_parse(an_get(), "(a OR b) c)", &n, err, sizeof err, &off), -1);
  ASSERT_EQ_STR(err, "unbalanced \")\" at 10");
  ASSERT_EQ_INT(qp_parse(an_get(), "foo:bar", &n, err, sizeof err, &off), -1);
  ASSERT_EQ_STR(err, "unknown field 'foo' at 0 (fields: title, body, source, topic, person, org, place, date, id)");
  ASSERT_EQ_INT(qp_parse(an_get(), "-a\n-b", &n, err, sizeof err, &off), -1);
  ASSERT(!strchr(err, '\n'));
  char tiny[8];
  ASSERT_EQ_INT(qp_parse(an_get(), "a OR", &n, tiny, sizeof tiny, &off), -1);
  ASSERT_EQ_STR(tiny, "missing");
  ASSERT_EQ_INT(qp_parse(an_get(), "a OR", &n, NULL, 0, NULL), -1);
}

/* ---- limits ------------------------------------------------------------- */

static void test_limits(void) {
  qnode *n;
  char err[256];
  size_t off;
  buf b;
  /* 10,000 terms: too long. */
  buf_init(&b);
  for (int k = 0; k < 10000; k++) buf_puts(&b, "word ");
  ASSERT_EQ_INT(qp_parse(an_get(), buf_cstr(&b), &n, err, sizeof err, &off), -1);
  ASSERT(strstr(err, "too long"));
  ASSERT_EQ_INT(off, QP_MAX_QUERY);
  /* Exactly QP_MAX_QUERY bytes is allowed. */
  buf_reset(&b);
  while (b.n + 5 <= QP_MAX_QUERY) buf_puts(&b, "word ");
  while (b.n < QP_MAX_QUERY) buf_putc(&b, 'x');
  ASSERT_EQ_INT(qp_parse(an_get(), buf_cstr(&b), &n, err, sizeof err, &off), 0);
  qnode_free(n);
  /* 1,100 short words fit in the bytes but not in QP_MAX_NODES. */
  buf_reset(&b);
  for (int k = 0; k < 1100; k++) buf_puts(&b, "a ");
  ASSERT_EQ_INT(qp_parse(an_get(), buf_cstr(&b), &n, err, sizeof err, &off), -1);
  ASSERT(strstr(err, "too complex"));
  ASSERT_EQ_INT(off, 2 * QP_MAX_NODES);
  /* 100 nested parentheses. */
  buf_reset(&b);
  for (int k = 0; k < 100; k++) buf_putc(&b, '(');
  buf_puts(&b, "a");
  for (int k = 0; k < 100; k++) buf_putc(&b, ')');
  ASSERT_EQ_INT(qp_parse(an_get(), buf_cstr(&b), &n, err, sizeof err, &off), -1);
  ASSERT(strstr(err, "nested"));
  ASSERT_EQ_INT(off, QP_MAX_DEPTH);
  /* QP_MAX_DEPTH levels are fine. */
  buf_reset(&b);
  for (int k = 0; k < QP_MAX_DEPTH; k++) buf_puts(&b, "(a -");
  buf_puts(&b, "b");
  for (int k = 0; k < QP_MAX_DEPTH; k++) buf_putc(&b, ')');
  ASSERT_EQ_INT(qp_parse(an_get(), buf_cstr(&b), &n, err, sizeof err, &off), 0);
  qnode_free(n);
  /* 1,000 NOTs in a row. */
  buf_reset(&b);
  buf_puts(&b, "a ");
  for (int k = 0; k < 1000; k++) buf_puts(&b, "NOT ");
  buf_puts(&b, "b");
  ASSERT_EQ_INT(qp_parse(an_get(), buf_cstr(&b), &n, err, sizeof err, &off), -1);
  ASSERT(strstr(err, "double negation"));
  buf_free(&b);
}

/* qnode_dump never writes past cap and always terminates. */
static void test_dump_truncation(void) {
  qnode *n;
  char err[256], full[512], small[16];
  size_t off;
  ASSERT_OK(qp_parse(an_get(), "NATO training \"Iraqi forces\" -france", &n, err, sizeof err, &off));
  qnode_dump(n, full, sizeof full);
  ASSERT_EQ_STR(full, "(AND (TERM nato) (TERM train) (PHRASE \"iraqi forc\") (NOT (TERM franc)))");
  for (size_t cap = 1; cap <= sizeof small; cap++) {
    memset(small, 'Z', sizeof small);
    qnode_dump(n, small, cap);
    ASSERT_EQ_INT(strlen(small), cap - 1);
    ASSERT(!strncmp(small, full, cap - 1));
  }
  qnode_free(n);
  qnode_dump(NULL, full, sizeof full);
  ASSERT_EQ_STR(full, "(null)");
}

/* Phrase positions come from the analyzer: joined tokens take none. */
static void test_phrase_positions(void) {
  qnode *n;
  char err[256];
  size_t off;
  ASSERT_OK(qp_parse(an_get(), "\"the e-mail was sent\"", &n, err, sizeof err, &off));
  ASSERT_EQ_INT(n->kind, Q_PHRASE);
  ASSERT_EQ_INT(n->nterms, 5);
  for (uint32_t k = 0; k < 5; k++) ASSERT_EQ_INT(n->pos[k], k);
  ASSERT_EQ_INT(n->offset, 0);
  qnode_free(n);
  ASSERT_OK(qp_parse(an_get(), "x title:\"a b\"", &n, err, sizeof err, &off));
  ASSERT_EQ_INT(n->kids[1]->field, QF_TITLE);
  ASSERT_EQ_INT(n->kids[1]->offset, 8);
  qnode_free(n);
}

/* Every allocation failure gives -2 (or success) and leaks nothing (the
** ASan build checks the leaks). */
static void test_out_of_memory(void) {
  static const char *const qs[] = {
    "NATO training \"Iraqi forces\" -france",
    "title:(a OR b c) OR (d -e) e-mail iraq* date:2004",
    "a OR -b",
  };
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    int done = 0;
    for (long k = 0; k < 10000 && !done; k++) {
      qnode *n = NULL;
      char err[256];
      size_t off;
      mem_fail_after(k);
      int rc = qp_parse(an_get(), qs[i], &n, err, sizeof err, &off);
      mem_fail_after(-1);
      if (i == 2) ASSERT(rc == -1 || rc == -2);
      else ASSERT(rc == 0 || rc == -2);
      if (rc == -2) { ASSERT(n == NULL); ASSERT_EQ_STR(err, "out of memory"); }
      if (rc != -2) done = 1;
      qnode_free(n);
    }
    ASSERT(done);
  }
}

/* ---- stress ------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33) % n;
}

/* Checks the tree's shape: NOT only under an AND with a positive kid, no
** AND in AND or OR in OR, no single kids, phrases of 2+ terms from 0.
** Returns the number of nodes, or -1. */
static long check_tree(const qnode *n, const qnode *parent, int depth) {
  if (depth > 3 * (QP_MAX_DEPTH + 2)) return -1;
  switch (n->kind) {
    case Q_TERM: case Q_PREFIX: return n->nterms == 1 && n->nkids == 0 ? 1 : -1;
    case Q_PHRASE: return n->nterms >= 2 && n->pos[0] == 0 ? 1 : -1;
    case Q_DATE: return n->date_lo <= n->date_hi ? 1 : -1;
    case Q_ALL: case Q_EXISTS: return n->nkids == 0 && n->nterms == 0 ? 1 : -1;
    case Q_ID: return n->nterms == 1 && n->nkids == 0 ? 1 : -1;
    case Q_NOT:
      if (!parent || parent->kind != Q_AND || n->nkids != 1 || n->kids[0]->kind == Q_NOT) return -1;
      break;
    case Q_AND: case Q_OR: {
      int pos = 0;
      if (n->nkids < 2) return -1;
      for (size_t k = 0; k < n->nkids; k++) {
        if (n->kids[k]->kind == n->kind) return -1;
        if (n->kids[k]->kind != Q_NOT) pos = 1;
      }
      if (!pos) return -1;
      break;
    }
  }
  long total = 1;
  for (size_t k = 0; k < n->nkids; k++) {
    long c = check_tree(n->kids[k], n, depth + 1);
    if (c < 0) return -1;
    total += c;
  }
  return total;
}

static void test_stress(void) {
  static const char *const alphabet[] = {
    "nato", "Iraq", "e-mail", "U.S.", "forces", "a", "\"", "\"", "(", "(", ")", ")",
    "OR", "AND", "NOT", "-", "*", "title:", "body:", "source:", "date:", "foo:", "..", ":",
    "2004", "2004-07", "-13", ">=", "<", ",", " ", " ", " ", " ", "é", "\xe2\x80\x99",
  };
  const size_t na = sizeof alphabet / sizeof alphabet[0];
  char q[256], err[256], dump[2048];
  long parsed = 0, errors = 0;
  for (int iter = 0; iter < 20000; iter++) {
    size_t len = 0, ntok = 1 + rnd(20);
    for (size_t k = 0; k < ntok; k++) {
      const char *t = alphabet[rnd((uint32_t)na)];
      size_t tl = strlen(t);
      if (len + tl >= sizeof q) break;
      memcpy(q + len, t, tl);
      len += tl;
    }
    q[len] = 0;
    qnode *n = NULL;
    size_t off = (size_t)-1;
    err[0] = 0;
    int rc = qp_parse(an_get(), q, &n, err, sizeof err, &off);
    if (rc == 0) {
      parsed++;
      if (check_tree(n, NULL, 0) < 0) {
        qnode_dump(n, dump, sizeof dump);
        TEST_FAIL_("bad tree for [%s]: %s", q, dump);
      }
      qnode_dump(n, dump, sizeof dump);
      ASSERT(dump[0] == '(');
      qnode_free(n);
    } else {
      errors++;
      if (rc != -1 || n || off > len || !err[0] || strchr(err, '\n'))
        TEST_FAIL_("[%s]: rc %d off %zu len %zu err \"%s\"", q, rc, off, len, err);
    }
  }
  fprintf(stderr, "  stress: %ld parsed, %ld errors\n", parsed, errors);
  ASSERT(parsed > 1000 && errors > 1000);
}

TEST_MAIN(TEST(test_good_queries), TEST(test_bad_queries), TEST(test_messages), TEST(test_limits),
          TEST(test_dump_truncation), TEST(test_phrase_positions), TEST(test_out_of_memory),
          TEST(test_stress))
