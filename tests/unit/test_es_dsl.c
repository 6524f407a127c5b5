/*
** test_es_dsl.c -- the ES query DSL, query strings and date math
** (src/es/dsl.c, qstring.c, datemath.c).
**
** 1. Translation: DSL JSON -> the exact newsdex query expected, the notes
**    expected in the warnings, and refusals (400, ES's error type, a
**    reason naming the part).  JSON and queries are written here with ' for
**    " and ` for ' (Q() turns them back) to stay readable.
** 2. Date math: anchors, units, rounding up and down, partial dates,
**    offsets, epoch formats, errors.
** 3. Oracle: an archive of the fixtures' news.jsonl and, when present,
**    $NEWSDEX_TEST_DATA/news/sample-1000.jsonl (skipped, and said so, when
**    absent); ~400 generated DSL queries over ids, source, dates (every
**    bound kind, date math), exists, bool (must, filter, should with
**    minimum_should_match, must_not), match and multi_match (operator,
**    minimum_should_match) are run through es_query and nd_search
**    (ND_VERSIONS_ALL, exact) and compared hit for hit with ES's semantics
**    evaluated here by brute force over the loaded articles.  now_ms is a
**    constant.  Words are checked on analysed terms (the analyser is the
**    definition of a word on both sides); sources compare as newsdex keys
**    them (case-folded, white space collapsed).
*/
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "es/es.h"
#include "ingest/ingest.h"
#include "newsdex.h"
#define TEST_RNG_SEED 0x45534453u
#include "test.h"
#include "testdata.h"
#include "testutil.h"
#include "text/analyze.h"
#include "util/date.h"

/* 2024-03-15T12:34:56.789Z */
static int64_t now_ms(void) { return (date_days_from_civil(2024, 3, 15) * 86400 + 12 * 3600 + 34 * 60 + 56) * 1000 + 789; }

/* s with ' made " and ` made ' (malloc'ed). */
static char *Q(const char *s) {
  char *r = xstrdup(s);
  for (char *p = r; *p; p++) *p = *p == '\'' ? '"' : *p == '`' ? '\'' : *p;
  return r;
}

static json_t *J(const char *js) {
  char *t = Q(js);
  json_error_t err;
  json_t *j = json_loads(t, 0, &err);
  if (!j) fprintf(stderr, "  bad test JSON %s: %s\n", t, err.text);
  free(t);
  return j;
}

/* Translate js; compare with want (NULL: expect a refusal of `type` whose
** reason holds `sub`); with wsub, the warnings must hold it.  0 when it
** went as expected, else 1 (and a line saying how). */
static int check(int line, const char *js, const char *want, const char *type, const char *sub, const char *wsub) {
  json_t *j = J(js);
  char *w = NULL, *exp = want ? Q(want) : NULL;
  es_err e = {0};
  int bad = 0;
  char *got = j ? es_query(j, now_ms(), &w, &e) : NULL;
  if (!j) bad = 1;
  else if (want && (!got || strcmp(got, exp))) {
    fprintf(stderr, "  line %d: %s\n    want %s\n    got  %s%s%s\n", line, js, exp, got ? got : "(refused) ", got ? "" : e.reason, "");
    bad = 1;
  } else if (!want && got) {
    fprintf(stderr, "  line %d: %s\n    want a refusal, got %s\n", line, js, got);
    bad = 1;
  } else if (!want && (e.status != 400 || strcmp(e.type, type) || !strstr(e.reason, sub))) {
    fprintf(stderr, "  line %d: %s\n    want 400 %s \"...%s...\", got %u %s \"%s\"\n", line, js, type, sub, e.status, e.type, e.reason);
    bad = 1;
  }
  if (!bad && wsub && (!w || !strstr(w, wsub))) {
    fprintf(stderr, "  line %d: %s\n    want a warning with \"%s\", got \"%s\"\n", line, js, wsub, w ? w : "");
    bad = 1;
  }
  if (!bad && want && !wsub && w) {
    fprintf(stderr, "  line %d: %s\n    want no warning, got \"%s\"\n", line, js, w);
    bad = 1;
  }
  free(got);
  free(w);
  free(exp);
  json_decref(j);
  return bad;
}

#define TR(js, want) fails += check(__LINE__, js, want, NULL, NULL, NULL)
#define TRW(js, want, wsub) fails += check(__LINE__, js, want, NULL, NULL, wsub)
#define NO(js, type, sub) fails += check(__LINE__, js, NULL, type, sub, NULL)
#define PE "parsing_exception"
#define IA "illegal_argument_exception"

/* ---- 1. translation -------------------------------------------------------- */

static void test_match_all_none(void) {
  int fails = 0;
  char *w = NULL;
  es_err e;
  char *q = es_query(NULL, now_ms(), &w, &e);
  ASSERT_EQ_STR(q, "*");
  free(q);
  TR("{'match_all':{}}", "*");
  TR("{'match_all':{'boost':1.2}}", "*");
  TR("{'match_none':{}}", "* -*");
  TR("{'bool':{}}", "*");
  TR("{'bool':{'filter':[],'must':{'match_all':{}}}}", "*");
  NO("{'match_all':{'foo':1}}", PE, "[foo]");
  ASSERT_EQ_INT(fails, 0);
}

static void test_match(void) {
  int fails = 0;
  TR("{'match':{'title':'Iraqi forces'}}", "title:('Iraqi' OR 'forces')");
  TR("{'match':{'title':'Iraqi'}}", "title:'Iraqi'");
  TR("{'match':{'body':{'query':'a b c','operator':'and'}}}", "body:('a' 'b' 'c')");
  TR("{'match':{'content':{'query':'a b c','operator':'AND'}}}", "body:('a' 'b' 'c')");
  TR("{'match':{'text':{'query':'a b','operator':'or'}}}", "body:('a' OR 'b')");
  /* minimum_should_match: k of n */
  const char *three = "title:(('a' 'b') OR ('a' 'c') OR ('b' 'c'))";
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':2}}}", three);
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':'2'}}}", three);
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':-1}}}", three);
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':'-1'}}}", three);
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':'67%'}}}", three);
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':'-34%'}}}", three);
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':'66%'}}}", "title:('a' OR 'b' OR 'c')");
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':'100%'}}}", "title:('a' 'b' 'c')");
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':0}}}", "title:('a' OR 'b' OR 'c')");
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':'-5'}}}", "title:('a' OR 'b' OR 'c')");
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':4}}}", "* -*");
  TR("{'match':{'title':{'query':'a','minimum_should_match':4}}}", "title:'a'");
  TR("{'match':{'title':{'query':'a b c','minimum_should_match':3,'operator':'or'}}}", "title:('a' 'b' 'c')");
  TR("{'match':{'title':{'query':'a b c d','minimum_should_match':'75%'}}}",
     "title:(('a' 'b' 'c') OR ('a' 'b' 'd') OR ('a' 'c' 'd') OR ('b' 'c' 'd'))");
  /* C(8,4) = 70 > 64 */
  NO("{'match':{'title':{'query':'a b c d e f g h','minimum_should_match':4}}}", IA, "minimum_should_match 4 of 8");
  TR("{'match':{'title':{'query':'a b c d e f g h','minimum_should_match':7}}}",
     "title:(('a' 'b' 'c' 'd' 'e' 'f' 'g') OR ('a' 'b' 'c' 'd' 'e' 'f' 'h') OR ('a' 'b' 'c' 'd' 'e' 'g' 'h') OR "
     "('a' 'b' 'c' 'd' 'f' 'g' 'h') OR ('a' 'b' 'c' 'e' 'f' 'g' 'h') OR ('a' 'b' 'd' 'e' 'f' 'g' 'h') OR "
     "('a' 'c' 'd' 'e' 'f' 'g' 'h') OR ('b' 'c' 'd' 'e' 'f' 'g' 'h'))");
  NO("{'match':{'title':{'query':'a b c','minimum_should_match':'2<75%'}}}", IA, "2<75%");
  /* the user's text never becomes syntax */
  TR("{'match':{'title':'a\\\"b (c) OR -d title:x * AND'}}",
     "title:('a' OR 'b' OR '(c)' OR 'OR' OR '-d' OR 'title:x' OR 'AND')");
  TR("{'match':{'body':'  ,  ... '}}", "* -*");
  TR("{'match':{'body':{'query':', ;','zero_terms_query':'all'}}}", "*");
  TR("{'match':{'body':{'query':'U.S.-led e-mail'}}}", "body:('U.S.-led' OR 'e-mail')");
  TR("{'match':{'title':2004}}", "title:'2004'");
  /* keyword, id and date fields take the whole value */
  TR("{'match':{'source':'New York Times - News'}}", "source:'New York Times - News'");
  TR("{'match':{'people':'Jaap de Hoop Scheffer'}}", "person:'Jaap de Hoop Scheffer'");
  TR("{'match':{'_id':'fx:00001'}}", "id:'fx:00001'");
  TR("{'match':{'date':'2004-07-14'}}", "date:2004-07-14T00:00:00Z..2004-07-14T23:59:59Z");
  /* options */
  TRW("{'match':{'title':{'query':'a','analyzer':'standard'}}}", "title:'a'", "analyzer [standard]");
  TR("{'match':{'title':{'query':'a','boost':2,'_name':'x','lenient':true}}}", "title:'a'");
  TR("{'match':{'title':{'query':'a','fuzziness':0}}}", "title:'a'");
  NO("{'match':{'title':{'query':'a','fuzziness':'AUTO'}}}", IA, "fuzziness");
  NO("{'match':{'title':{'query':'a','analyzer':'keyword'}}}", IA, "analyzer [keyword]");
  NO("{'match':{'title':{'query':'a','zero_terms_query':'some'}}}", IA, "zero_terms_query");
  NO("{'match':{'title':{'query':'a','operator':'xor'}}}", IA, "operator");
  NO("{'match':{'title':{'query':'a','cutoff_frequency':0.1}}}", PE, "[cutoff_frequency]");
  NO("{'match':{'title':{'operator':'and'}}}", PE, "query");
  NO("{'match':{'author':'x'}}", IA, "[author]");
  NO("{'match':{'*':'x'}}", IA, "multi_match");
  NO("{'match':{'title':'x','body':'y'}}", PE, "[title] and [body]");
  NO("{'match':{'url':'x'}}", IA, "url");
  ASSERT_EQ_INT(fails, 0);
}

static void test_match_phrase(void) {
  int fails = 0;
  TR("{'match_phrase':{'title':'Iraqi forces'}}", "title:'Iraqi forces'");
  TR("{'match_phrase':{'body':{'query':'Iraqi   \\\"forces\\\"','slop':0}}}", "body:'Iraqi forces'");
  TR("{'match_phrase':{'body':'...'}}", "* -*");
  TR("{'match_phrase':{'source':'Fox News'}}", "source:'Fox News'");
  NO("{'match_phrase':{'title':{'query':'a b','slop':1}}}", IA, "[match_phrase] slop > 0 is not supported until newsdex has NEAR");
  NO("{'match_phrase':{'title':{'query':'a b','operator':'and'}}}", PE, "[operator]");
  NO("{'match_phrase_prefix':{'title':'a b'}}", PE, "[match_phrase_prefix] query is not supported by newsdex");
  ASSERT_EQ_INT(fails, 0);
}

static void test_multi_match(void) {
  int fails = 0;
  TR("{'multi_match':{'query':'nato summit','fields':['title','body']}}", "'nato' OR 'summit'");
  TR("{'multi_match':{'query':'nato summit'}}", "'nato' OR 'summit'");
  TR("{'multi_match':{'query':'nato summit','fields':['*']}}", "'nato' OR 'summit'");
  TRW("{'multi_match':{'query':'nato summit','fields':['title^3','body']}}", "'nato' OR 'summit'", "boosts are not applied");
  TR("{'multi_match':{'query':'nato summit','fields':['title^2.5','body^1']}}", "'nato' OR 'summit'");
  TR("{'multi_match':{'query':'nato summit','fields':['title','content'],'operator':'and'}}",
     "title:('nato' 'summit') OR body:('nato' 'summit')");
  TR("{'multi_match':{'query':'nato summit','fields':['title','body'],'type':'most_fields','operator':'and'}}",
     "title:('nato' 'summit') OR body:('nato' 'summit')");
  TR("{'multi_match':{'query':'nato summit','fields':['title','body'],'type':'cross_fields','operator':'and'}}",
     "'nato' 'summit'");
  TR("{'multi_match':{'query':'a b c','type':'cross_fields','minimum_should_match':2}}",
     "('a' 'b') OR ('a' 'c') OR ('b' 'c')");
  TR("{'multi_match':{'query':'nato summit','fields':['title']}}", "title:('nato' OR 'summit')");
  TR("{'multi_match':{'query':'nato summit','fields':['body'],'operator':'and'}}", "body:('nato' 'summit')");
  TR("{'multi_match':{'query':'nato summit','fields':['title','body'],'type':'phrase'}}", "'nato summit'");
  TR("{'multi_match':{'query':'nato summit','fields':['title'],'type':'phrase'}}", "title:'nato summit'");
  TR("{'multi_match':{'query':'Reuters','fields':['title','source']}}", "title:'Reuters' OR source:'Reuters'");
  TR("{'multi_match':{'query':'','fields':['title','body']}}", "* -*");
  NO("{'multi_match':{'query':'nato','fields':['title^3','body'],'fuzziness':'AUTO:4,8'}}", IA, "fuzziness");
  NO("{'multi_match':{'query':'nato','type':'bool_prefix'}}", IA, "type [bool_prefix]");
  NO("{'multi_match':{'query':'nato','type':'phrase_prefix'}}", IA, "type [phrase_prefix]");
  NO("{'multi_match':{'query':'nato','fields':['title','date']}}", IA, "[date]");
  NO("{'multi_match':{'query':'nato','fields':['title*']}}", IA, "[title*]");
  NO("{'multi_match':{'query':'nato','fields':['title','source'],'type':'cross_fields'}}", IA, "cross_fields");
  NO("{'multi_match':{'query':'a b','type':'phrase','slop':2}}", IA, "NEAR");
  TR("{'combined_fields':{'query':'a b','fields':['title','body'],'operator':'and'}}", "'a' 'b'");
  ASSERT_EQ_INT(fails, 0);
}

static void test_term_level(void) {
  int fails = 0;
  TR("{'term':{'source':'Reuters'}}", "source:'Reuters'");
  TR("{'term':{'source.keyword':{'value':'New York Times - News','boost':2}}}", "source:'New York Times - News'");
  TR("{'term':{'source':'Le Monde \\\"Diplo\\\"'}}", "source:'Le Monde Diplo'");
  TR("{'term':{'source':'   '}}", "* -*");
  TR("{'term':{'people':'Donald Trump'}}", "person:'Donald Trump'");
  TR("{'term':{'organisations':'NATO'}}", "org:'NATO'");
  TR("{'term':{'organizations.keyword':'NATO'}}", "org:'NATO'");
  TR("{'term':{'places':'Iraq'}}", "place:'Iraq'");
  TR("{'term':{'topics':'Iraq war'}}", "topic:'Iraq war'");
  TR("{'term':{'topics':'...'}}", "* -*");
  TR("{'term':{'_id':'fx:00001'}}", "id:'fx:00001'");
  TR("{'term':{'_id':''}}", "* -*");
  NO("{'term':{'_id':'a\\\"b'}}", IA, "double quote");
  TRW("{'term':{'title':'iraq'}}", "title:'iraq'", "newsdex analyses the value");
  TR("{'term':{'date':'2004-07'}}", "date:2004-07-01T00:00:00Z..2004-07-31T23:59:59Z");
  NO("{'term':{'title.keyword':'Iraq'}}", IA, "[title.keyword]");
  NO("{'term':{'source':{'value':'x','foo':1}}}", PE, "[foo]");
  NO("{'term':{'source':[1]}}", PE, "needs a value");
  TR("{'terms':{'source':['Reuters','USA TODAY']}}", "source:('Reuters' OR 'USA TODAY')");
  TR("{'terms':{'source':['Reuters'],'boost':1}}", "source:'Reuters'");
  TR("{'terms':{'source':[]}}", "* -*");
  TR("{'terms':{'_id':['a','b']}}", "id:'a' OR id:'b'");
  NO("{'terms':{'source':{'index':'x','id':'1','path':'s'}}}", PE, "lookup");
  TR("{'ids':{'values':['a','b','c']}}", "id:'a' OR id:'b' OR id:'c'");
  TR("{'ids':{'values':['a']}}", "id:'a'");
  TR("{'ids':{'values':[]}}", "* -*");
  TR("{'prefix':{'title':'recon'}}", "title:recon*");
  TR("{'prefix':{'body':{'value':'o\\u0027bri'}}}", "body:o`bri*");
  TR("{'prefix':{'source':'fox'}}", "source:fox*");
  TR("{'prefix':{'source.keyword':'u.s'}}", "source:u.s*");
  TR("{'prefix':{'people':'obam'}}", "person:obam*");
  NO("{'prefix':{'title':'a'}}", IA, "too short");
  NO("{'prefix':{'title':'re-con'}}", IA, "single word");
  NO("{'prefix':{'source':'new yo'}}", IA, "single word");
  NO("{'prefix':{'_id':'fx'}}", IA, "[_id]");
  TR("{'exists':{'field':'date'}}", "date:*");
  TR("{'exists':{'field':'@timestamp'}}", "date:*");
  TR("{'exists':{'field':'title'}}", "title:*");
  TR("{'exists':{'field':'source'}}", "source:*");
  TR("{'exists':{'field':'url'}}", "url:*");
  TR("{'exists':{'field':'people'}}", "person:*");
  TR("{'exists':{'field':'places'}}", "place:*");
  TR("{'exists':{'field':'organisations'}}", "org:*");
  TR("{'exists':{'field':'topics'}}", "topic:*");
  TR("{'exists':{'field':'body'}}", "*");
  NO("{'exists':{'field':'author'}}", IA, "[author]");
  TRW("{'bool':{'should':[{'exists':{'field':'title'}},{'term':{'title':'x'}}]}}", "title:* OR title:'x'", "analyses");
  ASSERT_EQ_INT(fails, 0);
}

static void test_range(void) {
  int fails = 0;
  TR("{'range':{'date':{'gte':'2004-07-14','lte':'2004-07-20'}}}", "date:2004-07-14T00:00:00Z..2004-07-20T23:59:59Z");
  TR("{'range':{'date':{'gt':'2004-07-14'}}}", "date:>=2004-07-15T00:00:00Z");
  TR("{'range':{'date':{'lt':'2004-07-14'}}}", "date:<=2004-07-13T23:59:59Z");
  TR("{'range':{'date':{'lte':'2004-07'}}}", "date:<=2004-07-31T23:59:59Z");
  TR("{'range':{'date':{'gte':'2004'}}}", "date:>=2004-01-01T00:00:00Z");
  TR("{'range':{'date':{'gt':'2004-07-14T10:00:00'}}}", "date:>=2004-07-14T10:00:01Z");
  TR("{'range':{'date':{'gt':'2004-07-14T10:00:00.000'}}}", "date:>=2004-07-14T10:00:01Z");
  TR("{'range':{'date':{'gte':'2004-07-14T10:00:00.001'}}}", "date:>=2004-07-14T10:00:01Z");
  TR("{'range':{'date':{'lte':'2004-07-14T10:00:00.999'}}}", "date:<=2004-07-14T10:00:00Z");
  TR("{'range':{'date':{'lt':'2004-07-14T10:00:00.001'}}}", "date:<=2004-07-14T10:00:00Z");
  TR("{'range':{'date':{'lt':'2004-07-14T10:00:00.000'}}}", "date:<=2004-07-14T09:59:59Z");
  TR("{'range':{'date':{'gte':'2004-07-14T12:00:00+02:00'}}}", "date:>=2004-07-14T10:00:00Z");
  /* Searchkit's epoch milliseconds, as strings of digits */
  TR("{'range':{'date':{'gte':'1546300800000'}}}", "date:>=2019-01-01T00:00:00Z");
  TR("{'range':{'date':{'lte':'1577836799999'}}}", "date:<=2019-12-31T23:59:59Z");
  TR("{'range':{'date':{'gte':1546300800500}}}", "date:>=2019-01-01T00:00:01Z");
  TR("{'range':{'date':{'gt':1546300800000}}}", "date:>=2019-01-01T00:00:01Z");
  TR("{'range':{'date':{'lt':1546300800000}}}", "date:<=2018-12-31T23:59:59Z");
  TR("{'range':{'date':{'gte':1546300800,'format':'epoch_second'}}}", "date:>=2019-01-01T00:00:00Z");
  NO("{'range':{'date':{'gte':'14/07/2004','format':'epoch_millis||yyyy-MM-dd'}}}", "parse_exception", "failed to parse date field [14/07/2004]");
  /* date math, now = 2024-03-15T12:34:56.789Z */
  TR("{'range':{'date':{'gte':'now-30d/d'}}}", "date:>=2024-02-14T00:00:00Z");
  TR("{'range':{'date':{'gte':'now/M','lte':'now/M'}}}", "date:2024-03-01T00:00:00Z..2024-03-31T23:59:59Z");
  TR("{'range':{'date':{'gt':'now/M'}}}", "date:>=2024-04-01T00:00:00Z");
  TR("{'range':{'date':{'lt':'now/M'}}}", "date:<=2024-02-29T23:59:59Z");
  TR("{'range':{'@timestamp':{'gte':'2004-07-14||+1M/d','lt':'2004-07-14||+1M+1d/d'}}}",
     "date:2004-08-14T00:00:00Z..2004-08-14T23:59:59Z");
  TR("{'range':{'date':{'from':'2004','to':'2005','include_lower':true,'include_upper':false}}}",
     "date:2004-01-01T00:00:00Z..2004-12-31T23:59:59Z");
  TR("{'range':{'date':{'from':'2004','to':'2005','include_lower':false}}}",
     "date:2005-01-01T00:00:00Z..2005-12-31T23:59:59Z");
  TR("{'range':{'date':{'from':null,'to':'2004'}}}", "date:<=2004-12-31T23:59:59Z");
  TR("{'range':{'date':{}}}", "date:*");
  TR("{'range':{'date':{'gte':'0001-01-01'}}}", "date:*");
  TR("{'range':{'date':{'gte':'2005','lte':'2004'}}}", "* -*");
  TR("{'range':{'date':{'gte':'2004','lt':'2004'}}}", "* -*");
  TR("{'range':{'date':{'gt':'10000','format':'epoch_millis'}}}", "date:>=1970-01-01T00:00:11Z");
  TR("{'range':{'date':{'gte':'2004','time_zone':'Z'}}}", "date:>=2004-01-01T00:00:00Z");
  TR("{'range':{'date':{'gte':'2004','time_zone':'+00:00','relation':'within'}}}", "date:>=2004-01-01T00:00:00Z");
  TR("{'range':{'date':{'gte':'2004','time_zone':'UTC'}}}", "date:>=2004-01-01T00:00:00Z");
  NO("{'range':{'date':{'gte':'2004','time_zone':'+01:00'}}}", IA, "time_zone [+01:00]");
  NO("{'range':{'date':{'gte':'2004','time_zone':'Europe/Paris'}}}", IA, "time_zone");
  NO("{'range':{'title':{'gte':'a'}}}", IA, "[range] on field [title]");
  NO("{'range':{'date':{'gte':'2004','gt':'2003'}}}", PE, "one lower bound");
  NO("{'range':{'date':{'gte':'yesterday'}}}", "parse_exception", "[yesterday]");
  NO("{'range':{'date':{'gte':'2004','format':'dd/MM/yyyy'}}}", IA, "[dd/MM/yyyy]");
  NO("{'range':{'date':{'gte':true}}}", PE, "bounds");
  NO("{'range':{'date':{'gte':'now-1x'}}}", "parse_exception", "unit [x]");
  NO("{'range':{'date':{'gte':'2004','relation':'disjoint'}}}", IA, "relation");
  ASSERT_EQ_INT(fails, 0);
}

static void test_bool(void) {
  int fails = 0;
  TR("{'bool':{'must':{'match':{'title':'nato'}},'must_not':[{'term':{'source':'Fox News'}}]}}",
     "title:'nato' -source:'Fox News'");
  TR("{'bool':{'must_not':[{'term':{'source':'Fox News'}}]}}", "* -source:'Fox News'");
  TR("{'bool':{'must_not':[{'term':{'source':'a'}},{'term':{'source':'b'}}]}}", "* -source:'a' -source:'b'");
  TR("{'bool':{'must_not':{'bool':{'must':[{'term':{'source':'a'}},{'match':{'title':'x'}}]}}}}",
     "* -(source:'a' title:'x')");
  TR("{'bool':{'must_not':{'bool':{'must_not':{'term':{'source':'a'}}}}}}", "source:'a'");
  TR("{'bool':{'must_not':{'match_all':{}}}}", "* -*");
  TR("{'bool':{'must_not':{'match_none':{}}}}", "*");
  TR("{'bool':{'should':[{'term':{'source':'a'}},{'term':{'source':'b'}}]}}", "source:('a' OR 'b')");
  TR("{'bool':{'should':[{'term':{'source':'a'}},{'match':{'title':'x'}}]}}", "source:'a' OR title:'x'");
  TR("{'bool':{'should':{'term':{'source':'a'}},'must_not':{'term':{'_id':'x'}}}}", "source:'a' -id:'x'");
  TR("{'bool':{'should':[{'term':{'source':'a'}},{'bool':{'must_not':{'term':{'source':'b'}}}}]}}",
     "source:'a' OR (* -source:'b')");
  TR("{'bool':{'should':[{'term':{'source':'a'}},{'term':{'source':'b'}},{'term':{'source':'c'}}],'minimum_should_match':2}}",
     "source:(('a' 'b') OR ('a' 'c') OR ('b' 'c'))");
  TR("{'bool':{'should':[{'term':{'source':'a'}},{'term':{'source':'b'}}],'minimum_should_match':'100%'}}",
     "source:('a' 'b')");
  TR("{'bool':{'should':[{'term':{'source':'a'}},{'term':{'source':'b'}}],'minimum_should_match':3}}", "* -*");
  TR("{'bool':{'should':[{'term':{'source':'a'}},{'term':{'source':'b'}}],'minimum_should_match':0}}",
     "source:('a' OR 'b')");
  TRW("{'bool':{'must':{'term':{'source':'a'}},'should':{'match':{'title':'x'}}}}", "source:'a'", "should clauses beside must/filter");
  TRW("{'bool':{'filter':{'term':{'source':'a'}},'should':{'match':{'title':'x'}}}}", "source:'a'", "filter clauses are scored");
  TR("{'bool':{'must':{'term':{'source':'a'}},'should':[{'match':{'title':'x'}},{'match':{'title':'y'}}],'minimum_should_match':1}}",
     "source:'a' title:('x' OR 'y')");
  TRW("{'bool':{'filter':[{'bool':{'should':[{'term':{'people':'Donald Trump'}}]}},{'bool':{'should':[{'term':{'source':'Reuters'}}]}}],"
      "'must':{'match_all':{}}}}",
      "person:'Donald Trump' source:'Reuters'", "filter");
  TR("{'bool':{'must':[{'bool':{'should':[{'match':{'title':'a'}},{'match':{'body':'b'}}]}},{'term':{'source':'s'}}]}}",
     "(title:'a' OR body:'b') source:'s'");
  TR("{'bool':{'must':{'match':{'title':'a b'}},'must_not':{'match':{'title':'c d'}}}}",
     "title:(('a' OR 'b') -('c' OR 'd'))");
  TR("{'bool':{'must':{'match_none':{}},'should':{'term':{'source':'a'}}, 'minimum_should_match':1}}", "* -*");
  TR("{'bool':{'must':{'ids':{'values':[]}},'must_not':{'term':{'source':'a'}}}}", "* -*");
  TR("{'bool':{'should':[]}}", "*");
  TRW("{'constant_score':{'filter':{'term':{'source':'a'}},'boost':1.2}}", "source:'a'", "constant_score");
  NO("{'bool':{'must':'x'}}", PE, "[bool]");
  NO("{'bool':{'must':[{'match':{'title':'x'}}],'shuld':[]}}", PE, "[shuld]");
  NO("{'bool':{'should':[{'term':{'source':'a'}}],'minimum_should_match':'1<2'}}", IA, "minimum_should_match");
  ASSERT_EQ_INT(fails, 0);
}

static void test_refused_queries(void) {
  int fails = 0;
  static const char *const names[] = {"fuzzy", "wildcard", "regexp", "nested", "boosting", "dis_max", "function_score",
                                      "geo_distance", "geo_bounding_box", "script", "more_like_this", "span_near",
                                      "has_child", "terms_set", "match_bool_prefix", "intervals", NULL};
  for (size_t i = 0; names[i]; i++) {
    char js[200], sub[100];
    snprintf(js, sizeof js, "{'%s':{'title':'x'}}", names[i]);
    snprintf(sub, sizeof sub, "[%s] query is not supported by newsdex", names[i]);
    NO(js, PE, sub);
  }
  NO("{'frobnicate':{}}", PE, "unknown query [frobnicate]");
  NO("{'match':{'title':'x'},'term':{'source':'y'}}", PE, "multiple fields");
  NO("{}", PE, "none");
  NO("[]", PE, "object");
  NO("{'bool':{'must':{'nested':{'path':'x','query':{'match_all':{}}}}}}", PE, "[nested]");
  ASSERT_EQ_INT(fails, 0);
}

static void test_limits(void) {
  int fails = 0;
  /* depth: a bool costs 3 levels (clause, bool, array) */
  char js[4096] = "", tail[4096] = "";
  for (int d = 0; d < 11; d++) { strcat(js, "{'bool':{'must':["); strcat(tail, "]}}"); }
  strcat(js, "{'match_all':{}}");
  strcat(js, tail);
  NO(js, PE, "deeper than 32");
  js[0] = tail[0] = 0;
  for (int d = 0; d < 9; d++) { strcat(js, "{'bool':{'must':["); strcat(tail, "]}}"); }
  strcat(js, "{'term':{'source':'a'}}");
  strcat(js, tail);
  TR(js, "source:'a'");
  /* leaf clauses */
  size_t cap = 64 * 1024, n = 0;
  char *big = xmalloc(cap);
  n += (size_t)snprintf(big + n, cap - n, "{'terms':{'source':[");
  for (int i = 0; i <= ES_MAX_CLAUSES; i++) n += (size_t)snprintf(big + n, cap - n, "%s'v%d'", i ? "," : "", i);
  snprintf(big + n, cap - n, "]}}");
  NO(big, IA, "1024 leaf clauses");
  /* the length of the translation */
  n = (size_t)snprintf(big, cap, "{'ids':{'values':[");
  for (int i = 0; i < 300; i++) n += (size_t)snprintf(big + n, cap - n, "%s'article-%05d'", i ? "," : "", i);
  snprintf(big + n, cap - n, "]}}");
  NO(big, IA, "4096");
  free(big);
  ASSERT_EQ_INT(fails, 0);
}

static void test_query_string(void) {
  int fails = 0;
  TR("{'query_string':{'query':'nato summit'}}", "'nato' OR 'summit'");
  TR("{'query_string':{'query':'nato AND summit'}}", "'nato' 'summit'");
  TRW("{'query_string':{'query':'nato && summit || x'}}", "'nato' 'summit'", "optional clauses");
  TR("{'query_string':{'query':'nato summit','default_operator':'AND'}}", "'nato' 'summit'");
  TRW("{'query_string':{'query':'+nato summit'}}", "'nato'", "optional clauses beside required");
  TRW("{'query_string':{'query':'a AND b OR c'}}", "'a' 'b'", "optional clauses");
  TRW("{'query_string':{'query':'a OR b AND c'}}", "'b' 'c'", "optional clauses");
  TR("{'query_string':{'query':'nato -france'}}", "'nato' -'france'");
  TR("{'query_string':{'query':'nato NOT france'}}", "'nato' -'france'");
  TR("{'query_string':{'query':'nato !france'}}", "'nato' -'france'");
  TR("{'query_string':{'query':'-france'}}", "* -'france'");
  TR("{'query_string':{'query':'NOT france NOT spain'}}", "* -'france' -'spain'");
  TR("{'query_string':{'query':'title:(iraq OR iraqi) -title:france'}}", "title:(('iraq' OR 'iraqi') -'france')");
  TR("{'query_string':{'query':'title:\\\"Iraqi forces\\\" body:nato'}}", "title:'Iraqi forces' OR body:'nato'");
  TR("{'query_string':{'query':'source:\\\"New York Times - News\\\"'}}", "source:'New York Times - News'");
  TR("{'query_string':{'query':'source:Reuters people:\\\"Donald Trump\\\"','default_operator':'and'}}",
     "source:'Reuters' person:'Donald Trump'");
  TR("{'query_string':{'query':'reconstruct*'}}", "title:reconstruct* OR body:reconstruct*");
  TR("{'query_string':{'query':'title:reconstruct*'}}", "title:reconstruct*");
  TR("{'query_string':{'query':'*:*'}}", "*");
  TR("{'query_string':{'query':'*'}}", "*");
  TR("{'query_string':{'query':'title:*'}}", "title:*");
  TR("{'query_string':{'query':'_exists_:date nato'}}", "date:* OR 'nato'");
  TR("{'query_string':{'query':'date:[2004-01-01 TO 2004-12-31]'}}", "date:2004-01-01T00:00:00Z..2004-12-31T23:59:59Z");
  TR("{'query_string':{'query':'date:{2004 TO 2005}'}}", "* -*");
  TR("{'query_string':{'query':'date:{2004 TO 2006}'}}", "date:2005-01-01T00:00:00Z..2005-12-31T23:59:59Z");
  TR("{'query_string':{'query':'date:[2004 TO 2005}'}}", "date:2004-01-01T00:00:00Z..2004-12-31T23:59:59Z");
  TR("{'query_string':{'query':'date:[* TO 2004}'}}", "date:<=2003-12-31T23:59:59Z");
  TR("{'query_string':{'query':'date:[2004-07 TO *]'}}", "date:>=2004-07-01T00:00:00Z");
  TR("{'query_string':{'query':'date:>=2004-07'}}", "date:>=2004-07-01T00:00:00Z");
  TR("{'query_string':{'query':'date:<2004-07-14T10:00:00'}}", "date:<=2004-07-14T09:59:59Z");
  TR("{'query_string':{'query':'date:2004-07-14'}}", "date:2004-07-14T00:00:00Z..2004-07-14T23:59:59Z");
  TR("{'query_string':{'query':'date:[now-7d/d TO now]'}}", "date:2024-03-08T00:00:00Z..2024-03-15T12:34:56Z");
  TR("{'query_string':{'query':'nato','default_field':'title'}}", "title:'nato'");
  TR("{'query_string':{'query':'nato','fields':['title','body']}}", "'nato'");
  TRW("{'query_string':{'query':'nato','fields':['title^2','body']}}", "'nato'", "boosts are not applied");
  TR("{'query_string':{'query':'nato','fields':['title','source']}}", "title:'nato' OR source:'nato'");
  TRW("{'query_string':{'query':'nato^2 summit'}}", "'nato' OR 'summit'", "boosts (^N) are ignored");
  TR("{'query_string':{'query':'a\\\\:b c\\\\*'}}", "'a:b' OR 'c*'");
  TR("{'query_string':{'query':'nato , ;'}}", "'nato'");
  TR("{'query_string':{'query':'nato AND ,'}}", "'nato'");
  TR("{'query_string':{'query':''}}", "* -*");
  TR("{'query_string':{'query':', ;'}}", "* -*");
  TR("{'query_string':{'query':'a b c','minimum_should_match':2}}", "('a' 'b') OR ('a' 'c') OR ('b' 'c')");
  TR("{'query_string':{'query':'(a OR b) AND (c OR (d e))'}}", "('a' OR 'b') ('c' OR 'd' OR 'e')");
  TR("{'query_string':{'query':'e-mail U.S.'}}", "'e-mail' OR 'U.S.'");
  TR("{'bool':{'must':[{'query_string':{'query':'a OR b'}},{'term':{'source':'s'}}]}}", "('a' OR 'b') source:'s'");
  TR("{'bool':{'must_not':{'query_string':{'query':'a'}}}}", "* -('a')");
  NO("{'query_string':{'query':'nato~2'}}", IA, "~ (fuzzy)");
  NO("{'query_string':{'query':'\\\"a b\\\"~3'}}", IA, "~ (proximity)");
  NO("{'query_string':{'query':'na?o'}}", IA, "wildcard [na?o]");
  NO("{'query_string':{'query':'na*o'}}", IA, "wildcard [na*o]");
  NO("{'query_string':{'query':'*nato'}}", IA, "wildcard [*nato]");
  NO("{'query_string':{'query':'/na.o/'}}", IA, "regular expressions");
  NO("{'query_string':{'query':'author:x'}}", IA, "[author]");
  NO("{'query_string':{'query':'title:[a TO b]'}}", IA, "[range] on field [title]");
  NO("{'query_string':{'query':'(a b'}}", PE, "missing )");
  NO("{'query_string':{'query':'a b)'}}", PE, "unbalanced )");
  NO("{'query_string':{'query':'\\\"a b'}}", PE, "not closed");
  NO("{'query_string':{'query':'AND a'}}", PE, "nothing before it");
  NO("{'query_string':{'query':'a AND'}}", PE, "missing clause");
  NO("{'query_string':{'query':'a','phrase_slop':2}}", IA, "phrase_slop");
  NO("{'query_string':{'query':'a','default_operator':'xor'}}", IA, "default_operator");
  NO("{'query_string':{'query':'a','default_field':'title','fields':['body']}}", PE, "default_field");
  NO("{'query_string':{'query':'date:[2004 TO 2005]','time_zone':'+02:00'}}", IA, "time_zone");
  NO("{'query_string':{'query':'a','flags':'ALL'}}", PE, "[flags]");
  NO("{'query_string':{}}", PE, "query string");
  ASSERT_EQ_INT(fails, 0);
}

static void test_simple_query_string(void) {
  int fails = 0;
  TR("{'simple_query_string':{'query':'nato summit'}}", "'nato' OR 'summit'");
  TR("{'simple_query_string':{'query':'nato + summit'}}", "'nato' 'summit'");
  TR("{'simple_query_string':{'query':'nato | summit'}}", "'nato' OR 'summit'");
  TR("{'simple_query_string':{'query':'nato summit','default_operator':'and'}}", "'nato' 'summit'");
  TR("{'simple_query_string':{'query':'nato -france'}}", "'nato' OR (* -'france')");
  TR("{'simple_query_string':{'query':'nato -france','default_operator':'AND'}}", "'nato' -'france'");
  TR("{'simple_query_string':{'query':'a + b | c'}}", "('a' 'b') OR 'c'");
  TR("{'simple_query_string':{'query':'a | b + c'}}", "('a' OR 'b') 'c'");
  TR("{'simple_query_string':{'query':'a + (b | c)'}}", "'a' ('b' OR 'c')");
  TR("{'simple_query_string':{'query':'\\\"Iraqi forces\\\" + nato'}}", "'Iraqi forces' 'nato'");
  TR("{'simple_query_string':{'query':'recon*','fields':['title']}}", "title:recon*");
  TR("{'simple_query_string':{'query':'a*b'}}", "'a*b'");
  TR("{'simple_query_string':{'query':'a b)'}}", "'a' OR 'b'");
  TR("{'simple_query_string':{'query':'title:x'}}", "'title:x'");
  TR("{'simple_query_string':{'query':'--nato'}}", "'nato'");
  TRW("{'simple_query_string':{'query':'nato','fields':['title','body^2']}}", "'nato'", "boosts are not applied");
  TR("{'simple_query_string':{'query':''}}", "* -*");
  TR("{'simple_query_string':{'query':'a b c','minimum_should_match':'-1'}}", "('a' 'b') OR ('a' 'c') OR ('b' 'c')");
  NO("{'simple_query_string':{'query':'nato~2'}}", IA, "fuzziness");
  NO("{'simple_query_string':{'query':'\\\"a b\\\"~2'}}", IA, "slop");
  NO("{'simple_query_string':{'query':'a','flags':'AND|OR'}}", IA, "flags");
  NO("{'simple_query_string':{'query':'a','default_field':'title'}}", PE, "[default_field]");
  ASSERT_EQ_INT(fails, 0);
}

/* ---- 2. date math ---------------------------------------------------------- */

/* es_datemath(s, fmt, round_up) written as ES writes dates, or "ERR: reason". */
static void dm(char *out, size_t n, const char *s, const char *fmt, int up) {
  es_err e;
  int64_t ms;
  if (es_datemath(s, fmt, now_ms(), up, &ms, &e)) snprintf(out, n, "ERR %s", e.reason);
  else if (es_format_ms(ms, out, n)) snprintf(out, n, "ms %lld", (long long)ms);
}

static int dm_check(int line, const char *s, const char *fmt, int up, const char *want) {
  char got[600];
  dm(got, sizeof got, s, fmt, up);
  if (!strncmp(want, "ERR", 3) ? strncmp(got, "ERR", 3) || !strstr(got, want + 4) : strcmp(got, want)) {
    fprintf(stderr, "  line %d: %s (%s, round_up %d): want %s, got %s\n", line, s, fmt ? fmt : "default", up, want, got);
    return 1;
  }
  return 0;
}

#define DM(s, fmt, up, want) fails += dm_check(__LINE__, s, fmt, up, want)

static void test_datemath(void) {
  int fails = 0;
  DM("now", NULL, 0, "2024-03-15T12:34:56.789Z");
  DM("now", NULL, 1, "2024-03-15T12:34:56.789Z");
  DM("now-30d/d", NULL, 0, "2024-02-14T00:00:00.000Z");
  DM("now-30d/d", NULL, 1, "2024-02-14T23:59:59.999Z");
  DM("now/M", NULL, 0, "2024-03-01T00:00:00.000Z");
  DM("now/M", NULL, 1, "2024-03-31T23:59:59.999Z");
  DM("now/y", NULL, 1, "2024-12-31T23:59:59.999Z");
  DM("now/w", NULL, 0, "2024-03-11T00:00:00.000Z"); /* a Monday */
  DM("now/w", NULL, 1, "2024-03-17T23:59:59.999Z");
  DM("now/h", NULL, 0, "2024-03-15T12:00:00.000Z");
  DM("now/H", NULL, 1, "2024-03-15T12:59:59.999Z");
  DM("now/m", NULL, 0, "2024-03-15T12:34:00.000Z");
  DM("now/s", NULL, 1, "2024-03-15T12:34:56.999Z");
  DM("now+1h", NULL, 0, "2024-03-15T13:34:56.789Z");
  DM("now-1y", NULL, 0, "2023-03-15T12:34:56.789Z");
  DM("now+d", NULL, 0, "2024-03-16T12:34:56.789Z");
  DM("now-2w+3d-4h+5m-6s", NULL, 0, "2024-03-04T08:39:50.789Z");
  DM("2004-07-14||+1M/d", NULL, 0, "2004-08-14T00:00:00.000Z");
  DM("2004-07-14||+1M/d", NULL, 1, "2004-08-14T23:59:59.999Z");
  DM("2004-07-14||", NULL, 1, "2004-07-14T00:00:00.000Z"); /* the anchor is read rounding down */
  DM("2004-01-31||+1M", NULL, 0, "2004-02-29T00:00:00.000Z");
  DM("2004-02-29||+1y", NULL, 0, "2005-02-28T00:00:00.000Z");
  DM("2004-03-31T10:00:00Z||-1M", NULL, 0, "2004-02-29T10:00:00.000Z");
  DM("1970-01-01||-1d/w", NULL, 0, "1969-12-29T00:00:00.000Z");
  /* partial dates */
  DM("2004", NULL, 0, "2004-01-01T00:00:00.000Z");
  DM("2004", NULL, 1, "2004-12-31T23:59:59.999Z");
  DM("2004-02", NULL, 1, "2004-02-29T23:59:59.999Z");
  DM("2004-07-14", NULL, 1, "2004-07-14T23:59:59.999Z");
  DM("2004-07-14T10", NULL, 1, "2004-07-14T10:59:59.999Z");
  DM("2004-07-14T10:30", NULL, 1, "2004-07-14T10:30:59.999Z");
  DM("2004-07-14T10:30:15", NULL, 1, "2004-07-14T10:30:15.999Z");
  DM("2004-07-14T10:30:15.5", NULL, 1, "2004-07-14T10:30:15.500Z");
  DM("2004-07-14T10:30:15.123456789Z", NULL, 0, "2004-07-14T10:30:15.123Z");
  DM("2004-07-14 10:30:15", NULL, 0, "2004-07-14T10:30:15.000Z");
  /* offsets */
  DM("2004-07-14T10:30:00+02:00", NULL, 0, "2004-07-14T08:30:00.000Z");
  DM("2004-07-14T10:30:00-0530", NULL, 0, "2004-07-14T16:00:00.000Z");
  DM("2004-07-14T01:00:00+03", NULL, 0, "2004-07-13T22:00:00.000Z");
  DM("2004-07-14T10:30+02:00", NULL, 1, "2004-07-14T08:30:59.999Z");
  /* epochs */
  DM("1546300800000", NULL, 0, "2019-01-01T00:00:00.000Z");
  DM("1546300800000", NULL, 1, "2019-01-01T00:00:00.000Z");
  DM("-1000", NULL, 0, "1969-12-31T23:59:59.000Z");
  DM("1546300800000", "epoch_millis", 0, "2019-01-01T00:00:00.000Z");
  DM("1546300800", "epoch_second", 0, "2019-01-01T00:00:00.000Z");
  DM("1546300800", "epoch_second", 1, "2019-01-01T00:00:00.999Z");
  DM("1546300800.25", "epoch_second", 1, "2019-01-01T00:00:00.250Z");
  DM("1546300800000||+1d", "epoch_millis", 0, "2019-01-02T00:00:00.000Z");
  DM("2004", "epoch_millis", 0, "1970-01-01T00:00:02.004Z");
  DM("2004", "epoch_millis||yyyy", 0, "1970-01-01T00:00:02.004Z");
  DM("2004-07", "epoch_millis||yyyy-MM", 1, "2004-07-31T23:59:59.999Z");
  DM("2004-07-14", "strict_date", 0, "2004-07-14T00:00:00.000Z");
  /* errors */
  DM("yesterday", NULL, 0, "ERR failed to parse date field [yesterday]");
  DM("2004-13", NULL, 0, "ERR failed to parse");
  DM("2004-02-30", NULL, 0, "ERR failed to parse");
  DM("2004-07-14T25:00", NULL, 0, "ERR failed to parse");
  DM("2004-07-14T10:00:00X", NULL, 0, "ERR failed to parse");
  DM("04-07-14", NULL, 0, "ERR failed to parse");
  DM("now-", NULL, 0, "ERR truncated date math");
  DM("now-1", NULL, 0, "ERR truncated date math");
  DM("now-1q", NULL, 0, "ERR unit [q]");
  DM("now*2d", NULL, 0, "ERR operator not supported");
  DM("now/1d", NULL, 0, "ERR rounding `/` can only be used on single unit types");
  DM("now+99999999999d", NULL, 0, "ERR number too large");
  DM("now+2000000000y", NULL, 0, "ERR out of range");
  DM("2004-07-14||+1x", NULL, 0, "ERR unit [x]");
  DM("2004-07-14+1d", NULL, 0, "ERR failed to parse");
  DM("2004", "dd/MM/yyyy", 0, "ERR date format [dd/MM/yyyy] is not supported");
  DM("", NULL, 0, "ERR failed to parse");
  DM("1.5", NULL, 0, "1970-01-01T00:00:00.001Z"); /* epoch_millis: a fraction of a ms is cut */
  DM("1e5", NULL, 0, "ERR failed to parse");
  DM("12ab", "epoch_second", 0, "ERR failed to parse");
  ASSERT_EQ_INT(fails, 0);
}

/* ---- 3. the oracle ------------------------------------------------------- */

#define BIG_LIMIT 100000
#define NO_DATE INT64_MIN

typedef struct odoc {
  char *id, *source_key;
  int has_title;
  int64_t secs;            /* NO_DATE: undated */
  uint64_t *title_t, *body_t; /* sorted hashes of the analysed terms */
  size_t ntitle, nbody;
} odoc;

static odoc *D;
static size_t ND;
static analyzer *AN;
static nd_index *IX;
static char DIR_[256];
static char SKIPPED[1400];

typedef struct hv { uint64_t *v; size_t n, cap; } hv;

static int emit_hash(void *ctx, const an_token *t) {
  hv *h = ctx;
  if (h->n == h->cap) { h->cap = h->cap ? 2 * h->cap : 64; h->v = xrealloc(h->v, h->cap * sizeof *h->v); }
  h->v[h->n++] = fnv(t->term, t->len);
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The sorted distinct term hashes of text. */
static uint64_t *terms_of(const char *text, size_t *n) {
  hv h = {0};
  if (text) an_analyze(AN, text, strlen(text), 0, emit_hash, &h, NULL);
  qsort(h.v, h.n, sizeof *h.v, cmp_u64);
  size_t k = 0;
  for (size_t i = 0; i < h.n; i++)
    if (!k || h.v[k - 1] != h.v[i]) h.v[k++] = h.v[i];
  *n = k;
  return h.v;
}

static int has_term(const uint64_t *v, size_t n, uint64_t t) { return bsearch(&t, v, n, sizeof t, cmp_u64) != NULL; }

/* A source as newsdex keys it: folded, white space and quotes one space. */
static char *src_key_of(const char *s) {
  size_t n = strlen(s), cap = 8 * n + 16, o = 0;
  char *f = xmalloc(cap), *out = xmalloc(cap);
  size_t k = an_fold(AN, s, n, f, cap);
  int gap = 0;
  for (size_t i = 0; i < k; i++) {
    unsigned char c = (unsigned char)f[i];
    if (c <= ' ' || c == 0x7f || c == '"') { gap = o > 0; continue; }
    if (gap) out[o++] = ' ';
    gap = 0;
    out[o++] = (char)c;
  }
  out[o] = 0;
  free(f);
  if (!o) { free(out); return NULL; }
  return out;
}

typedef struct load_ctx { size_t max, got; } load_ctx;

static int on_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  load_ctx *c = ctx;
  if (c->got >= c->max) return 1;
  c->got++;
  if (!doc->id) return 0;
  for (size_t i = 0; i < ND; i++)
    if (!strcmp(D[i].id, doc->id)) return 0;
  if (nd_add(IX, doc, NULL)) { fprintf(stderr, "  nd_add(%s): %s\n", doc->id, nd_errmsg(IX)); return 1; }
  D = xrealloc(D, (ND + 1) * sizeof *D);
  odoc *d = &D[ND++];
  memset(d, 0, sizeof *d);
  d->id = xstrdup(doc->id);
  d->source_key = doc->source ? src_key_of(doc->source) : NULL;
  d->has_title = doc->title && !ingest_blank(doc->title, strlen(doc->title));
  d->secs = NO_DATE;
  char err[128];
  if (doc->date && date_parse(doc->date, strlen(doc->date), &d->secs, err, sizeof err)) d->secs = NO_DATE;
  d->title_t = terms_of(doc->title, &d->ntitle);
  d->body_t = terms_of(doc->body, &d->nbody);
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  fprintf(stderr, "  ingest: %s:%llu: %s\n", file, (unsigned long long)line, reason);
}

static void test_oracle_build(void) {
  char path[1200];
  AN = an_new("english");
  ASSERT(AN);
  snprintf(DIR_, sizeof DIR_, "/tmp/nd_es_dsl_XXXXXX");
  ASSERT(mkdtemp(DIR_));
  char ixdir[300];
  snprintf(ixdir, sizeof ixdir, "%s/ix", DIR_);
  ASSERT_OK(nd_open(ixdir, ND_OPEN_CREATE, NULL, &IX));
  load_ctx c = {1500, 0};
  ingest_path(test_fixture(path, sizeof path, "news.jsonl"), on_doc, on_err, &c, NULL);
  size_t n1 = ND;
  ASSERT(n1 >= 1000);
  if (test_real_data(path, sizeof path, "news/sample-1000.jsonl", SKIPPED, sizeof SKIPPED)) {
    load_ctx c2 = {1000, 0};
    ingest_path(path, on_doc, on_err, &c2, NULL);
  }
  ASSERT_OK(nd_commit(IX));
  fprintf(stderr, "  oracle corpus: %zu articles (%zu news.jsonl, %zu sample-1000.jsonl)\n", ND, n1, ND - n1);
}

static void test_oracle_real_data(void) {
  if (SKIPPED[0]) TEST_SKIP_("the oracle ran on the fixtures only: %s", SKIPPED);
}

/* ---- ES's semantics, by brute force ---- */

/* A word's one analysed term (0 when it has none or several). */
static uint64_t word_term(const char *w) {
  size_t n;
  uint64_t *t = terms_of(w, &n), r = n == 1 ? t[0] : 0;
  free(t);
  return r;
}

/* Does d have word w in title (f 1), body (2) or either (3)? */
static int has_word(const odoc *d, const char *w, int f) {
  uint64_t t = word_term(w);
  return ((f & 1) && has_term(d->title_t, d->ntitle, t)) || ((f & 2) && has_term(d->body_t, d->nbody, t));
}

/* Lucene's minimum_should_match for n clauses, written anew here. */
static long msm_k(const json_t *v, size_t n) {
  long p, r;
  if (json_is_integer(v)) p = (long)json_integer_value(v), r = p;
  else {
    const char *s = json_string_value(v);
    p = atol(s);
    r = strchr(s, '%') ? (long)((float)((long)n * p) * 0.01f) : p;
  }
  if (r < 0) r += (long)n;
  return r < 0 ? 0 : r;
}

/* How many of the words of text d has in fields f; *n gets their number. */
static size_t words_hit(const odoc *d, const char *text, int f, size_t *n) {
  char *t = xstrdup(text), *save = NULL;
  size_t hit = 0;
  *n = 0;
  for (char *w = strtok_r(t, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    (*n)++;
    hit += has_word(d, w, f);
  }
  free(t);
  return hit;
}

/* match / multi_match text: operator and minimum_should_match. */
static int text_match(const odoc *d, const char *text, int f, int and_op, const json_t *msm) {
  size_t n, hit = words_hit(d, text, f, &n);
  long k = and_op ? (long)n : msm && n > 1 ? msm_k(msm, n) : 1;
  if (k < 1) k = 1;
  return (long)hit >= k;
}

static int field_bits(const char *f) { return !strcmp(f, "title") ? 1 : !strcmp(f, "body") ? 2 : 3; }

static int es_eval(const json_t *q, const odoc *d);

static int eval_list(const json_t *v, const odoc *d, size_t *n) {
  size_t m = json_is_array(v) ? json_array_size(v) : v ? 1 : 0, hit = 0;
  for (size_t i = 0; i < m; i++) hit += es_eval(json_is_array(v) ? json_array_get(v, i) : v, d);
  *n = m;
  return (int)hit;
}

static int eval_bool(const json_t *b, const odoc *d) {
  size_t n;
  int must = eval_list(json_object_get(b, "must"), d, &n);
  if ((size_t)must != n) return 0;
  size_t nm = n;
  int filt = eval_list(json_object_get(b, "filter"), d, &n);
  if ((size_t)filt != n) return 0;
  nm += n;
  if (eval_list(json_object_get(b, "must_not"), d, &n)) return 0;
  int sh = eval_list(json_object_get(b, "should"), d, &n);
  const json_t *msm = json_object_get(b, "minimum_should_match");
  long k = msm ? msm_k(msm, n) : nm ? 0 : 1;
  if (n && !nm && k < 1) k = 1;
  return !n || sh >= k;
}

static int eval_range(const json_t *r, const odoc *d) {
  if (d->secs == NO_DATE) return 0;
  int64_t t = d->secs * 1000, x;
  const char *fmt = json_string_value(json_object_get(r, "format"));
  static const char *const op[4] = {"gte", "gt", "lte", "lt"};
  for (int i = 0; i < 4; i++) {
    const json_t *v = json_object_get(r, op[i]);
    if (!v) continue;
    char tmp[40];
    const char *s = json_is_string(v) ? json_string_value(v) : (snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v)), tmp);
    es_err e;
    if (es_datemath(s, fmt, now_ms(), i == 1 || i == 2, &x, &e)) return -1;
    if ((i == 0 && t < x) || (i == 1 && t <= x) || (i == 2 && t > x) || (i == 3 && t >= x)) return 0;
  }
  return 1;
}

/* The subset of ES's query DSL the generated queries use. */
static int es_eval(const json_t *q, const odoc *d) {
  const char *k = json_object_iter_key(json_object_iter((json_t *)q));
  json_t *b = json_object_iter_value(json_object_iter((json_t *)q));
  const char *f = json_object_iter_key(json_object_iter(b));
  json_t *v = json_object_iter_value(json_object_iter(b));
  if (!strcmp(k, "match_all")) return 1;
  if (!strcmp(k, "bool")) return eval_bool(b, d);
  if (!strcmp(k, "ids")) {
    size_t n = json_array_size(json_object_get(b, "values"));
    for (size_t i = 0; i < n; i++)
      if (!strcmp(json_string_value(json_array_get(json_object_get(b, "values"), i)), d->id)) return 1;
    return 0;
  }
  if (!strcmp(k, "term") || !strcmp(k, "terms")) {
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < n; i++) {
      const char *s = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
      if (!strcmp(f, "_id") && !strcmp(s, d->id)) return 1;
      if (!strcmp(f, "source") && d->source_key) {
        char *key = src_key_of(s);
        int eq = key && !strcmp(key, d->source_key);
        free(key);
        if (eq) return 1;
      }
    }
    return 0;
  }
  if (!strcmp(k, "range")) return eval_range(v, d);
  if (!strcmp(k, "exists")) {
    const char *fld = json_string_value(json_object_get(b, "field"));
    return !strcmp(fld, "date") ? d->secs != NO_DATE : !strcmp(fld, "source") ? d->source_key != NULL : 1;
  }
  if (!strcmp(k, "prefix")) {
    const char *s = json_string_value(v);
    return d->source_key && !strncmp(d->source_key, s, strlen(s));
  }
  if (!strcmp(k, "match")) {
    if (json_is_string(v)) return text_match(d, json_string_value(v), field_bits(f), 0, NULL);
    const char *op = json_string_value(json_object_get(v, "operator"));
    return text_match(d, json_string_value(json_object_get(v, "query")), field_bits(f), op && !strcmp(op, "and"),
                      json_object_get(v, "minimum_should_match"));
  }
  if (!strcmp(k, "multi_match")) {
    const char *text = json_string_value(json_object_get(b, "query")), *op = json_string_value(json_object_get(b, "operator"));
    const char *type = json_string_value(json_object_get(b, "type"));
    const json_t *msm = json_object_get(b, "minimum_should_match");
    int and_op = op && !strcmp(op, "and");
    if (type && !strcmp(type, "cross_fields")) {
      /* each word from either field, then operator / msm over the words */
      return text_match(d, text, 3, and_op, msm);
    }
    /* best_fields: the best single field decides */
    return text_match(d, text, 1, and_op, msm) || text_match(d, text, 2, and_op, msm);
  }
  fprintf(stderr, "  oracle: cannot evaluate [%s]\n", k);
  return -1;
}

/* ---- query generation ---- */

static char **WORDS;   /* words of mid document frequency */
static size_t NWORDS;
static char **SOURCES; /* distinct sources as written */
static size_t NSOURCES;

static const char *rword(void) { return WORDS[rn(NWORDS)]; }
static const char *rsource(void) { return SOURCES[rn(NSOURCES)]; }
static const char *rid(void) { return D[rn(ND)].id; }

/* A date (ES text) near the corpus's dates: a random article's, in one of
** several shapes, or date math. */
static void rdate(char *out, size_t n) {
  const odoc *d = &D[rn(ND)];
  for (int tries = 0; d->secs == NO_DATE && tries < 50; tries++) d = &D[rn(ND)];
  int64_t s = d->secs == NO_DATE ? 1100000000 : d->secs;
  int64_t days = s / 86400 - (s % 86400 < 0), y;
  unsigned m, dd;
  date_civil_from_days(days, &y, &m, &dd);
  int64_t t = s - days * 86400;
  switch (rn(9)) {
  case 0: snprintf(out, n, "%04d", (int)y); break;
  case 1: snprintf(out, n, "%04d-%02u", (int)y, m); break;
  case 2: snprintf(out, n, "%04d-%02u-%02u", (int)y, m, dd); break;
  case 3: snprintf(out, n, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, dd, (int)(t / 3600), (int)(t / 60 % 60), (int)(t % 60)); break;
  case 4: snprintf(out, n, "%lld", (long long)(s * 1000 + (int64_t)rn(3) * 500 - 500)); break;
  case 5: snprintf(out, n, "%04d-%02u-%02u||+%uM/M", (int)y, m, dd, (unsigned)rn(3)); break;
  case 6: snprintf(out, n, "%04d-%02u-%02u||-%ud/w", (int)y, m, dd, (unsigned)rn(20)); break;
  case 7: snprintf(out, n, "now-%uy/y", (unsigned)(2024 - y)); break;
  default: snprintf(out, n, "%04d-%02u-%02uT%02d:%02d", (int)y, m, dd, (int)(t / 3600), (int)(t / 60 % 60)); break;
  }
}

static void sbuf_add(char **b, size_t *n, size_t *cap, const char *s) {
  size_t k = strlen(s);
  if (*n + k + 1 > *cap) { *cap = (*n + k + 1) * 2; *b = xrealloc(*b, *cap); }
  memcpy(*b + *n, s, k + 1);
  *n += k;
}

/* A leaf clause of one of the kinds the oracle knows, as JSON text. */
static char *gen_leaf(void) {
  char t[600], a[64], b[64];
  static const char *const ops[4] = {"gte", "gt", "lte", "lt"};
  switch (rn(11)) {
  case 0: snprintf(t, sizeof t, "{\"ids\":{\"values\":[\"%s\",\"%s\",\"nope\"]}}", rid(), rid()); break;
  case 1: snprintf(t, sizeof t, "{\"term\":{\"source\":\"%s\"}}", rsource()); break;
  case 2: snprintf(t, sizeof t, "{\"terms\":{\"source\":[\"%s\",\"%s\"]}}", rsource(), rsource()); break;
  case 3: rdate(a, sizeof a); snprintf(t, sizeof t, "{\"range\":{\"date\":{\"%s\":\"%s\"}}}", ops[rn(4)], a); break;
  case 4:
    rdate(a, sizeof a);
    rdate(b, sizeof b);
    snprintf(t, sizeof t, "{\"range\":{\"date\":{\"%s\":\"%s\",\"%s\":\"%s\"}}}", ops[rn(2)], a, ops[2 + rn(2)], b);
    break;
  case 5: snprintf(t, sizeof t, "{\"exists\":{\"field\":\"%s\"}}", rn(2) ? "date" : "source"); break;
  case 6: snprintf(t, sizeof t, "{\"match\":{\"%s\":\"%s %s\"}}", rn(2) ? "title" : "body", rword(), rword()); break;
  case 7:
    snprintf(t, sizeof t, "{\"match\":{\"%s\":{\"query\":\"%s %s %s\",\"operator\":\"%s\"}}}", rn(2) ? "title" : "body",
             rword(), rword(), rword(), rn(2) ? "and" : "or");
    break;
  case 8: {
    static const char *const msm[] = {"2", "-1", "\"67%\"", "\"-34%\"", "\"50%\"", "3"};
    snprintf(t, sizeof t, "{\"match\":{\"body\":{\"query\":\"%s %s %s %s\",\"minimum_should_match\":%s}}}", rword(), rword(),
             rword(), rword(), msm[rn(6)]);
    break;
  }
  case 9:
    snprintf(t, sizeof t, "{\"multi_match\":{\"query\":\"%s %s\",\"fields\":[\"title\",\"body\"],\"type\":\"%s\",\"operator\":\"%s\"}}",
             rword(), rword(), rn(2) ? "best_fields" : "cross_fields", rn(2) ? "and" : "or");
    break;
  default: {
    char pre[8];
    const char *s = rsource();
    char *k = src_key_of(s);
    snprintf(pre, sizeof pre, "%.3s", k ? k : "xx");
    free(k);
    if (strlen(pre) < 2 || strpbrk(pre, " \"():*\\-'")) snprintf(pre, sizeof pre, "ne");
    snprintf(t, sizeof t, "{\"prefix\":{\"source\":\"%s\"}}", pre);
  }
  }
  return xstrdup(t);
}

/* A bool of 1-4 clauses per occurrence (depth-limited), or a leaf. */
static char *gen_query(int depth) {
  if (depth == 0 || rn(3) == 0) return gen_leaf();
  static const char *const occ[] = {"must", "filter", "should", "must_not"};
  char *b = NULL;
  size_t n = 0, cap = 0;
  int nshould = 0, any = 0;
  sbuf_add(&b, &n, &cap, "{\"bool\":{");
  for (int o = 0; o < 4; o++) {
    if (rn(2)) continue;
    int k = 1 + (int)rn(3);
    if (o == 2) nshould = k;
    sbuf_add(&b, &n, &cap, any ? ",\"" : "\"");
    sbuf_add(&b, &n, &cap, occ[o]);
    sbuf_add(&b, &n, &cap, "\":[");
    for (int i = 0; i < k; i++) {
      char *c = gen_query(depth - 1);
      if (i) sbuf_add(&b, &n, &cap, ",");
      sbuf_add(&b, &n, &cap, c);
      free(c);
    }
    sbuf_add(&b, &n, &cap, "]");
    any = 1;
  }
  if (nshould > 1 && rn(2)) {
    char m[64];
    snprintf(m, sizeof m, "%s\"minimum_should_match\":%d", any ? "," : "", 1 + (int)rn((size_t)nshould));
    sbuf_add(&b, &n, &cap, m);
  }
  sbuf_add(&b, &n, &cap, "}}");
  return b;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Run one query both ways; 0 when the hits agree. */
static int oracle_one(const char *js, size_t *hits) {
  json_error_t je;
  json_t *q = json_loads(js, 0, &je);
  if (!q) { fprintf(stderr, "  bad generated JSON: %s\n", js); return 1; }
  es_err e;
  char *w = NULL, *nq = es_query(q, now_ms(), &w, &e);
  free(w);
  if (!nq) {
    json_decref(q);
    fprintf(stderr, "  refused: %s\n    %s\n", js, e.reason);
    return 1;
  }
  char **want = xmalloc((ND + 1) * sizeof *want);
  size_t nw = 0;
  for (size_t i = 0; i < ND; i++) {
    int r = es_eval(q, &D[i]);
    if (r < 0) { free(want); free(nq); json_decref(q); return 1; }
    if (r) want[nw++] = D[i].id;
  }
  json_decref(q);
  nd_search_options o = {0};
  o.limit = BIG_LIMIT;
  o.versions = ND_VERSIONS_ALL;
  o.ids_only = 1;
  nd_results *res = NULL;
  int rc = nd_search(IX, nq, &o, &res);
  if (rc) {
    fprintf(stderr, "  nd_search failed: %s\n    query %s\n    from %s\n", nd_errmsg(IX), nq, js);
    free(want);
    free(nq);
    return 1;
  }
  size_t ng = nd_results_count(res);
  char **got = xmalloc((ng + 1) * sizeof *got);
  for (size_t i = 0; i < ng; i++) {
    nd_hit h;
    nd_results_hit(res, i, &h);
    got[i] = xstrdup(h.id);
  }
  int bad = nd_results_total(res) != ng || ng != nw;
  qsort(want, nw, sizeof *want, cmp_str);
  qsort(got, ng, sizeof *got, cmp_str);
  for (size_t i = 0; !bad && i < nw; i++) bad = strcmp(want[i], got[i]) != 0;
  if (bad) {
    fprintf(stderr, "  MISMATCH: %zu hits, ES semantics %zu\n    DSL   %s\n    query %s\n", ng, nw, js, nq);
    size_t i = 0, j = 0, shown = 0;
    while ((i < nw || j < ng) && shown < 5) {
      int c = i == nw ? 1 : j == ng ? -1 : strcmp(want[i], got[j]);
      if (c < 0) { fprintf(stderr, "    missing %s\n", want[i++]); shown++; }
      else if (c > 0) { fprintf(stderr, "    extra   %s\n", got[j++]); shown++; }
      else i++, j++;
    }
  }
  *hits = nw;
  for (size_t i = 0; i < ng; i++) free(got[i]);
  free(got);
  free(want);
  free(nq);
  nd_results_free(res);
  return bad;
}

/* Words of mid frequency (in 1%..30% of the articles, one analysed term)
** and the distinct sources, from the corpus. */
static void pick_vocabulary(void) {
  char path[1200];
  (void)path;
  static const char *const cand[] = {"said", "the", "harbour", "storm", "council", "minister", "court", "police",
      "government", "market", "prices", "workers", "trade", "oil", "bank", "talks", "election", "protest",
      "president", "water", "company", "report", "week", "year", "union", "officials", "rain", "fire", "school",
      "army", "percent", "million", "new", "after", "during", "against", "because", "agency", "drought", "fans",
      "jury", "theatre", "bridge", "forest", "nuclear", "crops", "phone", "growth", "sales", "gas", "trial", NULL};
  for (size_t i = 0; cand[i]; i++) {
    uint64_t t = word_term(cand[i]);
    size_t df = 0;
    for (size_t k = 0; k < ND; k++) df += has_term(D[k].title_t, D[k].ntitle, t) || has_term(D[k].body_t, D[k].nbody, t);
    if (df * 100 >= ND && df * 100 <= ND * 60) {
      WORDS = xrealloc(WORDS, (NWORDS + 1) * sizeof *WORDS);
      WORDS[NWORDS++] = xstrdup(cand[i]);
    }
  }
}

/* The distinct sources as newsdex keys them (any written form finds them). */
static void pick_sources(void) {
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].source_key || strchr(D[i].source_key, '"') || strchr(D[i].source_key, '\\')) continue;
    size_t k = 0;
    while (k < NSOURCES && strcmp(SOURCES[k], D[i].source_key)) k++;
    if (k < NSOURCES) continue;
    SOURCES = xrealloc(SOURCES, (NSOURCES + 1) * sizeof *SOURCES);
    SOURCES[NSOURCES++] = xstrdup(D[i].source_key);
  }
}

static void test_oracle_queries(void) {
  ASSERT(IX && ND);
  pick_vocabulary();
  pick_sources();
  fprintf(stderr, "  %zu words, %zu sources\n", NWORDS, NSOURCES);
  ASSERT(NWORDS >= 8 && NSOURCES >= 3);
  int bad = 0, nonempty = 0, total = 0;
  for (int i = 0; i < 400; i++) {
    char *js = gen_query(i < 150 ? 0 : i < 300 ? 1 : 2);
    size_t hits = 0;
    bad += oracle_one(js, &hits);
    nonempty += hits > 0 && hits < ND;
    total++;
    free(js);
  }
  fprintf(stderr, "  %d queries, %d with some but not all articles, %d mismatches\n", total, nonempty, bad);
  ASSERT_EQ_INT(bad, 0);
  ASSERT(nonempty > total / 3);
}

/* Fixed queries: each bound kind on a known article's date, match_all, an
** empty bool, must_not alone. */
static void test_oracle_fixed(void) {
  ASSERT(IX && ND);
  const odoc *d = NULL;
  for (size_t i = 0; i < ND && !d; i++)
    if (D[i].secs != NO_DATE && D[i].secs % 86400 == 0) d = &D[i];
  ASSERT(d);
  int64_t ms = d->secs * 1000;
  char js[800];
  size_t hits;
  int bad = 0;
  static const char *const ops[4] = {"gte", "gt", "lte", "lt"};
  for (int op = 0; op < 4; op++)
    for (int delta = -1; delta <= 1; delta++) {
      snprintf(js, sizeof js, "{\"range\":{\"date\":{\"%s\":%lld}}}", ops[op], (long long)(ms + delta));
      bad += oracle_one(js, &hits);
      snprintf(js, sizeof js, "{\"range\":{\"date\":{\"%s\":\"%lld||%+dd/d\"}}}", ops[op], (long long)ms, delta);
      bad += oracle_one(js, &hits);
    }
  bad += oracle_one("{\"match_all\":{}}", &hits);
  ASSERT_EQ_INT(hits, ND);
  bad += oracle_one("{\"bool\":{}}", &hits);
  char id[300];
  snprintf(id, sizeof id, "{\"bool\":{\"must_not\":{\"ids\":{\"values\":[\"%s\"]}}}}", d->id);
  bad += oracle_one(id, &hits);
  ASSERT_EQ_INT(hits, ND - 1);
  ASSERT_EQ_INT(bad, 0);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb; (void)flag; (void)ftw;
  return remove(p);
}

static void test_oracle_cleanup(void) {
  nd_close(IX);
  IX = NULL;
  for (size_t i = 0; i < ND; i++) { free(D[i].id); free(D[i].source_key); free(D[i].title_t); free(D[i].body_t); }
  free(D);
  for (size_t i = 0; i < NWORDS; i++) free(WORDS[i]);
  free(WORDS);
  for (size_t i = 0; i < NSOURCES; i++) free(SOURCES[i]);
  free(SOURCES);
  an_free(AN);
  ASSERT(DIR_[0]);
  ASSERT_EQ_INT(nftw(DIR_, rm_cb, 16, FTW_DEPTH | FTW_PHYS), 0);
}

TEST_MAIN(TEST(test_match_all_none), TEST(test_match), TEST(test_match_phrase), TEST(test_multi_match),
          TEST(test_term_level), TEST(test_range), TEST(test_bool), TEST(test_refused_queries), TEST(test_limits),
          TEST(test_query_string), TEST(test_simple_query_string), TEST(test_datemath), TEST(test_oracle_build),
          TEST(test_oracle_real_data), TEST(test_oracle_fixed), TEST(test_oracle_queries), TEST(test_oracle_cleanup))
