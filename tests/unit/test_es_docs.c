/*
** test_es_docs.c -- ES documents as articles and back (src/es/docs.c):
** each _source below is written to an archive with nd_add, read back with
** nd_get, and must come back from es_source_of equal to what was written,
** field for field (json_equal), whatever names and nulls it used; an
** article added as JSON Lines (no ES marks) reads back with its body, ""
** included.  Then the refusals (mapper_parsing_exception naming the
** field) and _source filtering.
*/
#include <jansson.h>

#include "es/es.h"
#include "newsdex.h"
#include "test.h"
#include "testfs.h"

static char dir[] = "/tmp/nd-test-es-docs-XXXXXX";
static nd_index *ix;

static void open_archive(void) {
  if (ix) return;
  if (!mkdtemp(dir) || nd_open(dir, ND_OPEN_CREATE, NULL, &ix)) TEST_FAIL_("cannot create %s", dir);
}

/* Write src under id, read it back as _source. */
static json_t *round_trip(const char *id, const char *src_text) {
  open_archive();
  json_error_t je;
  json_t *src = json_loads(src_text, 0, &je);
  if (!src) TEST_FAIL_("bad test JSON %s: %s", src_text, je.text);
  es_article a;
  es_err e;
  if (es_article_from_source(src, id, &a, &e)) TEST_FAIL_("%s refused: %s", src_text, e.reason);
  int rc = nd_add(ix, &a.doc, NULL);
  es_article_free(&a);
  json_decref(src);
  if (rc || nd_commit(ix)) TEST_FAIL_("nd_add/nd_commit of %s: %s", id, nd_errmsg(ix));
  nd_document *d = NULL;
  if (nd_get(ix, id, &d)) TEST_FAIL_("nd_get %s: %s", id, nd_errmsg(ix));
  json_t *back = es_source_of(nd_document_doc(d));
  nd_document_free(d);
  return back;
}

static void check_same(const char *id, const char *src_text) {
  json_t *back = round_trip(id, src_text), *want = json_loads(src_text, 0, NULL);
  char *got = json_dumps(back, JSON_COMPACT | JSON_SORT_KEYS);
  int same = json_equal(back, want);
  json_decref(back);
  json_decref(want);
  if (!same) {
    fprintf(stderr, "  wrote %s\n  read  %s\n", src_text, got);
    free(got);
    TEST_FAIL_("%s did not come back as written", id);
  }
  free(got);
}

static void test_round_trips(void) {
  check_same("plain", "{\"title\":\"Harbour storm\",\"date\":\"2004-07-14\",\"source\":\"Ledger\",\"url\":\"https://x.org/1\",\"body\":\"The storm hit the harbour.\"}");
  check_same("other-names", "{\"title\":\"T\",\"@timestamp\":\"2004-07-14T10:30:00Z\",\"content\":\"Body under content.\"}");
  check_same("text-name", "{\"text\":\"Only a body, named text.\"}");
  check_same("nulls", "{\"title\":\"T\",\"date\":null,\"source\":null,\"url\":null,\"body\":\"b\"}");
  check_same("no-body", "{\"title\":\"A title alone\",\"source\":\"S\"}");
  check_same("null-body", "{\"title\":\"A title\",\"body\":null}");
  check_same("empty-body", "{\"title\":\"A title\",\"body\":\"\"}");
  check_same("extra", "{\"title\":\"T\",\"body\":\"b\",\"section\":\"sport\",\"tags\":[\"a\",\"b\"],\"n\":3,\"nested\":{\"x\":[1,2.5,null]}}");
}

static void test_numeric_date(void) {
  /* epoch milliseconds are kept as the ISO second they fall in */
  json_t *back = round_trip("ms", "{\"title\":\"T\",\"date\":1089801000999,\"body\":\"b\"}");
  ASSERT_EQ_STR(json_string_value(json_object_get(back, "date")), "2004-07-14T10:30:00.000Z");
  json_decref(back);
}

static void test_jsonl_body(void) {
  /* an article added without ES (no marks): its body comes back, even "" */
  open_archive();
  nd_doc d = {.id = "jsonl", .title = "Title", .body = ""};
  ASSERT_OK(nd_add(ix, &d, NULL));
  ASSERT_OK(nd_commit(ix));
  nd_document *g = NULL;
  ASSERT_OK(nd_get(ix, "jsonl", &g));
  json_t *back = es_source_of(nd_document_doc(g));
  nd_document_free(g);
  ASSERT_EQ_STR(json_string_value(json_object_get(back, "body")), "");
  ASSERT_EQ_STR(json_string_value(json_object_get(back, "title")), "Title");
  json_decref(back);
}

static void refused(const char *src_text, const char *field) {
  json_t *src = json_loads(src_text, 0, NULL);
  es_article a;
  es_err e = {0};
  int rc = es_article_from_source(src, "x", &a, &e);
  json_decref(src);
  if (!rc) {
    es_article_free(&a);
    TEST_FAIL_("%s was accepted", src_text);
  }
  ASSERT_EQ_INT(e.status, 400);
  ASSERT_EQ_STR(e.type, "mapper_parsing_exception");
  if (!strstr(e.reason, field)) TEST_FAIL_("the reason for %s does not name %s: %s", src_text, field, e.reason);
}

static void test_refusals(void) {
  refused("{\"title\":3,\"body\":\"b\"}", "[title]");
  refused("{\"title\":\"t\",\"source\":[\"a\"]}", "[source]");
  refused("{\"title\":\"t\",\"content\":{\"x\":1}}", "[content]");
  refused("{\"title\":\"t\",\"@newsdex\":1}", "@newsdex");
  refused("[1,2]", "object");
}

static void test_source_filter(void) {
  json_t *src = json_loads("{\"title\":\"T\",\"source\":\"S\",\"body\":\"b\",\"section\":\"x\"}", 0, NULL);
  json_t *spec = json_loads("{\"includes\":[\"s*\",\"title\"],\"excludes\":[\"section\"]}", 0, NULL);
  json_t *out = es_source_filter(json_copy(src), spec);
  ASSERT_EQ_INT(json_object_size(out), 2);
  ASSERT(json_object_get(out, "title") && json_object_get(out, "source"));
  json_decref(out);
  ASSERT(es_source_filter(json_copy(src), json_false()) == NULL);
  json_t *all = es_source_filter(json_copy(src), json_true());
  ASSERT(json_equal(all, src));
  json_decref(all);
  es_err e;
  json_t *bad = json_loads("{\"include\":[1]}", 0, NULL);
  ASSERT(es_source_spec_check(bad, &e) == -1 && e.status == 400);
  json_decref(bad);
  json_decref(spec);
  json_decref(src);
}

static void test_cleanup(void) {
  nd_close(ix);
  ix = NULL;
  rm_rf(dir);
}

TEST_MAIN(TEST(test_round_trips), TEST(test_numeric_date), TEST(test_jsonl_body), TEST(test_refusals),
          TEST(test_source_filter), TEST(test_cleanup))
