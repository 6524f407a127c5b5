/*
** test_link.c -- the key-topic linker: name spans (with the tricky cases),
** types, grouping of mentions, matching, the public calls, out-of-memory
** paths, archive statistics, and a property test over invented articles
** (the fixture news.jsonl) and, when the third-party data is there, real
** ones (sample-1000.jsonl): every span is a real substring of the body at
** its offsets.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "link/gazetteer.h"
#include "link/link.h"
#include "test.h"
#include "testdata.h"
#include "text/analyze.h"
#include "util/mem.h"

/* The name spans of text, joined by '|', in order (static buffer). */
static const char *names(const char *text) {
  static char out[2048];
  lk_words w;
  lk_spans sp = {0};
  out[0] = 0;
  if (gaz_load() || lk_split(text, strlen(text), &w)) return "(oom)";
  if (lk_find_names(text, &w, &sp)) { lk_words_free(&w); return "(oom)"; }
  for (size_t i = 0; i < sp.n; i++) {
    size_t n = strlen(out);
    snprintf(out + n, sizeof out - n, "%s%.*s", i ? "|" : "", (int)(sp.s[i].end - sp.s[i].start), text + sp.s[i].start);
  }
  lk_spans_free(&sp);
  lk_words_free(&w);
  return out;
}

/* The type of the first span of text. */
static int first_type(const char *text) {
  lk_words w;
  lk_spans sp = {0};
  int t = -1;
  if (gaz_load() || lk_split(text, strlen(text), &w)) return -2;
  if (!lk_find_names(text, &w, &sp) && sp.n) t = sp.s[0].type;
  lk_spans_free(&sp);
  lk_words_free(&w);
  return t;
}

static void test_seed_names(void) {
  ASSERT_EQ_STR(names("NATO Secretary-General Jaap de Hoop Scheffer was pushing the 26 NATO countries."),
                "Jaap de Hoop Scheffer|NATO");
  ASSERT_EQ_STR(names("ambassadors would reconvene with the commander in Europe, U.S. Marine Gen. James Jones."),
                "Europe|James Jones");
  ASSERT_EQ_STR(names("That decision went through only after it was moved to NATO's military command."), "NATO");
  ASSERT_EQ_STR(names("French President Jacques Chirac has suggested training."), "Jacques Chirac");
  ASSERT_EQ_STR(names("France, joined for a time by Germany and Belgium, blocked agreement."), "France|Germany|Belgium");
  ASSERT_EQ_STR(names("Two lengthy, closed-door debates ended with no agreement."), "");
  ASSERT_EQ_STR(names("Paris fears sending a lot of forces."), "Paris");
  ASSERT_EQ_STR(names("Differences echoed the alliance crisis ahead of the Iraq war."), "Iraq");
}

static void test_particles_and_prefixes(void) {
  ASSERT_EQ_STR(names("Shiite cleric Muqtada al-Sadr said on Friday."), "Muqtada al-Sadr");
  ASSERT_EQ_STR(names("Officer Pat O'Brien's car was found."), "Pat O'Brien");
  ASSERT_EQ_STR(names("He rode in the Tour de France again."), "Tour de France");
  ASSERT_EQ_STR(names("Officials at the Bank of the West agreed."), "Bank of the West");
  ASSERT_EQ_STR(names("He spoke for the anti-Vietnam movement and a mini-Trump."), "");
  ASSERT_EQ_STR(names("The Vatican secretary of state spoke."), "Vatican");
}

static void test_and_inside_institutions(void) {
  ASSERT_EQ_STR(names("a report by the Food and Drug Administration on drugs."), "Food and Drug Administration");
  ASSERT_EQ_STR(names("a debate between Bush and Kerry on taxes."), "Bush|Kerry");
  ASSERT_EQ_STR(names("analysts at Merck & Co. said so."), "Merck & Co.");
}

static void test_titles(void) {
  ASSERT_EQ_STR(names("President Bush on Tuesday picked Judge John G. Roberts Jr. to replace the judge."),
                "Bush|John G. Roberts Jr.");
  ASSERT_EQ_STR(names("said retiring Supreme Court Justice Sandra Day O'Connor today."), "Sandra Day O'Connor");
  ASSERT_EQ_STR(names("\"I've got my man,\" Citrus County Sheriff Jeff Dawsy told reporters."), "Jeff Dawsy");
  ASSERT_EQ_STR(names("the interview with Capt. Southworth myself."), "Southworth");
  ASSERT_EQ_STR(names("thousands attended a Mass honoring Pope John Paul II on Sunday."), "Mass|John Paul II");
  ASSERT_EQ_STR(names("Secretary of State Colin Powell flew home."), "Colin Powell");
  /* titles and job descriptions are never part of a name */
  ASSERT_EQ_STR(names("said Assistant Secretary for African Affairs Johnnie Carson on Friday."), "Johnnie Carson");
  ASSERT_EQ_STR(names("a meeting with President Trump and Sen. Clinton today."), "Trump|Clinton");
  ASSERT_EQ_STR(names("then Secretary-General Jaap de Hoop Scheffer spoke."), "Jaap de Hoop Scheffer");
  ASSERT_EQ_STR(names("the talks with Prime Minister Tony Blair ended."), "Tony Blair");
  ASSERT_EQ_STR(names("the talks with Defense Secretary Rumsfeld ended."), "Rumsfeld");
  /* title words that start the names of things stay */
  ASSERT_EQ_STR(names("shares of General Motors fell."), "General Motors");
  ASSERT_EQ_STR(names("the owners of Major League Baseball met."), "Major League Baseball");
}

/* One topic per person, named in full, with every written form and its
** title: nd_links_mention. */
static void test_mentions_and_titles(void) {
  nd_doc d = {0};
  d.body = "President Donald Trump spoke in Ohio on Monday. Later Mr. Trump left, and Trump smiled. "
           "Trade with the U.S. and America grew.";
  nd_links *l = NULL;
  nd_link_options o = {10};
  ASSERT_OK(nd_link_doc(NULL, &d, &o, &l));
  size_t found = 0;
  for (size_t i = 0; i < nd_links_count(l); i++) {
    nd_topic t;
    nd_links_topic(l, i, &t);
    size_t s, e, n = 0;
    const char *title;
    char forms[256] = "";
    while (nd_links_mention(l, i, n, &s, &e, &title) == ND_OK) {
      ASSERT(e > s && e <= strlen(d.body));
      snprintf(forms + strlen(forms), sizeof forms - strlen(forms), "%s%.*s/%s", n ? "|" : "", (int)(e - s), d.body + s,
               title);
      n++;
    }
    ASSERT_EQ_INT(n, t.mentions);
    if (!strcmp(t.text, "Donald Trump")) {
      ASSERT_EQ_STR(forms, "Donald Trump/president|Trump/mr|Trump/");
      found++;
    }
    if (!strcmp(t.text, "United States")) {
      ASSERT_EQ_STR(forms, "U.S./|America/");
      found++;
    }
    ASSERT(strcmp(t.text, "Trump") && strcmp(t.text, "America"));
  }
  ASSERT_EQ_INT(found, 2);
  size_t s, e;
  ASSERT(nd_links_mention(l, nd_links_count(l), 0, &s, &e, NULL) == ND_ERR_INVALID);
  nd_links_free(l);
}

/* The text of the best topics of body (k of them), "|"-joined. */
static const char *best(const char *body, const char *source, size_t k) {
  static char out[512];
  nd_doc d = {0};
  d.body = body;
  d.source = source;
  nd_links *l = NULL;
  nd_link_options o = {k};
  out[0] = 0;
  if (nd_link_doc(NULL, &d, &o, &l)) return "error";
  for (size_t i = 0; i < nd_links_count(l); i++) {
    nd_topic t;
    nd_links_topic(l, i, &t);
    snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "|" : "", t.text);
  }
  nd_links_free(l);
  return out;
}

/* Kinds of topics editors do not pick, and forms they do. */
static void test_topic_kinds(void) {
  /* the outlet naming itself */
  const char *b = "On Monday FOX News learned that the Halloran Foundation will close. Then FOX News asked Martin "
                  "Hollis why, and Hollis said FOX News was wrong.";
  ASSERT(strstr(best(b, NULL, 2), "FOX News") != NULL);
  ASSERT(strstr(best(b, "FOX News (foxnews.com)", 2), "FOX News") == NULL);
  /* a named event keeps its head noun; the people of a place rank below the places */
  const char *c = "After Hurricane Charley hit, Florida residents waited. Charley killed 13 people, and Florida "
                  "residents fled while Charley moved north to Punta Gorda.";
  ASSERT_EQ_STR(best(c, NULL, 3), "Hurricane Charley|Punta Gorda|Florida");
  /* a title tells two people of one surname apart; "Mr." goes with any */
  ASSERT_EQ_STR(best("Gov. Jeb Bush toured Punta Gorda on Friday. President Bush will visit on Sunday.", NULL, 5),
                "Jeb Bush|Punta Gorda|Bush");
}

static void test_demonyms_are_no_names(void) {
  ASSERT_EQ_STR(names("the Icelandic trawlers left."), "");
  ASSERT_EQ_STR(names("he said Iraqi troops moved."), "");
  ASSERT_EQ_STR(names("where Californian voters went."), "");
  ASSERT_EQ_STR(names("Paris fears sending a lot of forces."), "Paris");
}

static void test_places_quotes_and_possessives(void) {
  ASSERT_EQ_STR(names("Crowds gathered in St. Peter's Basilica on Sunday."), "St. Peter's Basilica");
  ASSERT_EQ_STR(names("the program \xE2\x80\x9CStolen Honor: Wounds That Never Heal\xE2\x80\x9D aired."),
                "Stolen Honor: Wounds That Never Heal");
  ASSERT_EQ_STR(names("his book \"Reach: Finding Strength, Spirit and Power\" sold."), "Strength|Spirit|Power");
  ASSERT_EQ_STR(names("the nations' leaders and Germany's chancellor."), "Germany");
  ASSERT_EQ_STR(names("We'll ask Bill Cowan about it. I'd say no."), "Bill Cowan");
}

static void test_non_ascii(void) {
  ASSERT_EQ_STR(names("Coach J\xC3\xBCrgen M\xC3\xBCller visited \xC5\x81\xC3\xB3" "d\xC5\xBA on Monday."),
                "J\xC3\xBCrgen M\xC3\xBCller|\xC5\x81\xC3\xB3" "d\xC5\xBA");
  ASSERT_EQ_STR(names("Prime Minister Recep Tayyip Erdo\xC4\x9F" "an met \xC3\x89lys\xC3\xA9" "e officials."),
                "Recep Tayyip Erdo\xC4\x9F" "an|\xC3\x89lys\xC3\xA9" "e");
}

static void test_headlines_and_capitals(void) {
  /* a title-case line without a final period is a headline: no spans there */
  ASSERT_EQ_STR(names("Florida Faces Destruction Wrought by Charley\n\nIt was hit by Hurricane Charley near Punta Gorda."),
                "Hurricane Charley|Punta Gorda");
  /* shouting: all-capital common words are not acronyms */
  ASSERT_EQ_STR(names("TERRIBLE DISASTER STRIKES, officials said of the FBI report."), "FBI");
  /* sentence-initial capitals: function words and common words go, names stay */
  ASSERT_EQ_STR(names("The alliance met. But NATO officials said so. Both sides agreed."), "NATO");
  ASSERT_EQ_STR(names("On Wednesday, Mark Hyman said it."), "Mark Hyman");
  ASSERT_EQ_STR(names(""), "");
  ASSERT_EQ_STR(names("   \n\n  "), "");
}

static void test_types(void) {
  ASSERT_EQ_INT(first_type("said French President Jacques Chirac today."), ND_TOPIC_PERSON);
  ASSERT_EQ_INT(first_type("a decision by the Sinclair Broadcast Group to air it."), ND_TOPIC_ORG);
  ASSERT_EQ_INT(first_type("troops left for France on Monday."), ND_TOPIC_PLACE);
  ASSERT_EQ_INT(first_type("a cow from Citrus County was sold."), ND_TOPIC_PLACE);
  ASSERT_EQ_INT(first_type("the talks of NATO went on."), ND_TOPIC_ORG);
  ASSERT_EQ_INT(first_type("then Lance Armstrong rode on."), ND_TOPIC_PERSON);
  ASSERT_EQ_INT(first_type("he went to Los Angeles again."), ND_TOPIC_PLACE);
  gaz_counts c;
  gaz_get_counts(&c);
  ASSERT(c.words > 50000);     /* wamerican */
  ASSERT(c.countries > 200);   /* iso-codes */
  ASSERT(c.regions > 3000);
  ASSERT(c.cities > 200);      /* tzdata */
}

/* Link a text without an archive; topics joined as "text/mentions|...". */
static const char *topics(const char *body, const char *title, size_t k) {
  static char out[2048];
  nd_doc d = {0};
  d.body = body;
  d.title = title;
  nd_link_options o = {k};
  nd_links *l = NULL;
  out[0] = 0;
  if (nd_link_doc(NULL, &d, &o, &l)) return "(error)";
  for (size_t i = 0; i < nd_links_count(l); i++) {
    nd_topic t;
    nd_links_topic(l, i, &t);
    size_t n = strlen(out);
    snprintf(out + n, sizeof out - n, "%s%s/%zu", i ? "|" : "", t.text, t.mentions);
  }
  nd_links_free(l);
  return out;
}

static void test_grouping(void) {
  const char *body =
    "Jaap de Hoop Scheffer spoke in Brussels on Monday about the plan.\n\n"
    "Later de Hoop Scheffer said the plan was good. Scheffer left early.\n\n"
    "The Food and Drug Administration agreed; the FDA said so twice, and the FDA meant it.";
  ASSERT_EQ_STR(topics(body, NULL, 2), "Jaap de Hoop Scheffer/3|Food and Drug Administration/3");
  /* a short form shared by two names joins the nearest one before it */
  const char *p = "Scott Peterson was sentenced. Peterson listened.\n\nLaci Peterson died in 2002. "
                  "Peterson was eight months pregnant. Her mother Sharon Rocha spoke.";
  ASSERT_EQ_STR(topics(p, NULL, 2), "Scott Peterson/2|Laci Peterson/2");
}

static void test_link_doc_calls(void) {
  nd_doc d = {0};
  nd_links *l = (nd_links *)&d;
  ASSERT_EQ_INT(nd_link_doc(NULL, &d, NULL, &l), ND_ERR_INVALID);
  ASSERT(l == NULL);
  ASSERT_EQ_INT(nd_link_doc(NULL, NULL, NULL, &l), ND_ERR_INVALID);
  d.body = "Nothing to see here, said nobody.";
  ASSERT_OK(nd_link_doc(NULL, &d, NULL, &l));
  ASSERT_EQ_INT(nd_links_count(l), 0);
  nd_topic t;
  ASSERT_EQ_INT(nd_links_topic(l, 0, &t), ND_ERR_INVALID);
  nd_links_free(l);
  nd_links_free(NULL);
  /* default k is 3; spans point at the first mention */
  d.body = "Mayor Ann Lee met Tom Reed, Sue Kim and Bob Hale in Kent Falls. Lee said Reed and Kim agreed.";
  ASSERT_OK(nd_link_doc(NULL, &d, NULL, &l));
  ASSERT_EQ_INT(nd_links_count(l), 3);
  ASSERT_OK(nd_links_topic(l, 0, &t));
  ASSERT_EQ_STR(t.text, "Ann Lee");
  ASSERT_EQ_INT(t.type, ND_TOPIC_PERSON);
  ASSERT_EQ_INT(t.start, strstr(d.body, "Ann Lee") - d.body);
  ASSERT_EQ_INT(t.end, t.start + 7);
  ASSERT_EQ_INT(t.mentions, 2);
  ASSERT_EQ_INT(t.articles, 0);
  nd_links_free(l);
  ASSERT_EQ_STR(nd_topic_type_name(ND_TOPIC_PERSON), "person");
  ASSERT_EQ_STR(nd_topic_type_name(ND_TOPIC_ORG), "organisation");
  ASSERT_EQ_STR(nd_topic_type_name(ND_TOPIC_PLACE), "place");
  ASSERT_EQ_STR(nd_topic_type_name(99), "other");
  /* the title counts as a headline: a topic named there gains */
  const char *b = "Tom Reed met Sue Kim on Monday. Reed and Kim talked. Kim left. Kim came back.";
  ASSERT_EQ_STR(topics(b, NULL, 1), "Sue Kim/4");
  ASSERT_EQ_STR(topics(b, "Reed Speaks Out", 1), "Tom Reed/2");
}

static void test_out_of_memory(void) {
  nd_doc d = {0};
  d.body = "NATO failed Wednesday to agree. NATO Secretary-General Jaap de Hoop Scheffer spoke of the "
           "training mission; the training missions went on. Scheffer left for Brussels.";
  nd_links *l = NULL;
  ASSERT_OK(gaz_load());
  int ok = 0;
  for (long n = 0; n < 400 && !ok; n++) {
    mem_fail_after(n);
    int rc = nd_link_doc(NULL, &d, NULL, &l);
    mem_fail_after(-1);
    if (rc == ND_OK) { ok = 1; break; }
    ASSERT_EQ_INT(rc, ND_ERR_NOMEM);
    ASSERT(l == NULL);
  }
  ASSERT(ok);
  ASSERT(nd_links_count(l) >= 2);
  nd_links_free(l);
}

static void test_matching(void) {
  analyzer *an = an_new("english");
  ASSERT(an);
  ASSERT(lk_match("NATO", "NATO", 0, NULL));
  ASSERT(lk_match("nato's", "NATO", 0, NULL));
  ASSERT(lk_match("U.S.", "US", 0, NULL));
  ASSERT(!lk_match("Scheffer", "Jaap de Hoop Scheffer", 0, NULL));
  ASSERT(lk_match("Scheffer", "Jaap de Hoop Scheffer", 1, NULL));
  ASSERT(lk_match("Jaap de Hoop Scheffer", "de Hoop Scheffer", 1, NULL));
  ASSERT(lk_match("Iraq", "Iraq war", 1, NULL));
  ASSERT(!lk_match("Hoop", "Hooper", 1, NULL)); /* whole words only */
  ASSERT(!lk_match("Iraq war", "war in Iraq", 1, NULL));
  ASSERT(!lk_match("", "NATO", 1, NULL));
  ASSERT(!lk_match("training missions", "training mission", 0, NULL));
  ASSERT(lk_match("training missions", "training mission", 0, an));
  ASSERT(lk_match("Training Missions", "mission", 1, an));
  char *n = lk_norm("  The  U.S. Army's   ", NULL);
  ASSERT_EQ_STR(n, "the us army");
  mem_free(n);
  an_free(an);
}

/* ---- archive statistics --------------------------------------------------- */

static char g_dir[64];

static void test_archive_statistics(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/nd-link-XXXXXX");
  ASSERT(mkdtemp(g_dir));
  nd_index *ix = NULL;
  ASSERT_OK(nd_open(g_dir, ND_OPEN_CREATE, NULL, &ix));
  /* "Port Authority" is in nearly every article, "Ada Kowalczyk" in three */
  char body[256], id[16];
  for (int i = 0; i < 64; i++) {
    nd_doc d = {0};
    snprintf(id, sizeof id, "a%d", i);
    if (i < 60) snprintf(body, sizeof body, "The Port Authority met on day %d to discuss the harbour fees.", i);
    else snprintf(body, sizeof body, "Rain fell on day %d in the valley, and the river rose.", i);
    d.id = id;
    d.body = body;
    ASSERT_OK(nd_add(ix, &d, NULL));
  }
  for (int i = 0; i < 3; i++) {
    nd_doc d = {0};
    snprintf(id, sizeof id, "b%d", i);
    snprintf(body, sizeof body, "Ada Kowalczyk spoke on day %d.", i);
    d.id = id;
    d.body = body;
    ASSERT_OK(nd_add(ix, &d, NULL));
  }
  ASSERT_OK(nd_commit(ix));
  nd_doc d = {0};
  d.body = "The Port Authority met Ada Kowalczyk. Kowalczyk said the Port Authority would act.";
  /* the text alone prefers the organisation named first */
  ASSERT_EQ_STR(topics(d.body, NULL, 1), "Port Authority/2");
  nd_links *l = NULL;
  nd_link_options o = {2};
  ASSERT_OK(nd_link_doc(ix, &d, &o, &l));
  ASSERT_EQ_INT(nd_links_count(l), 2);
  nd_topic t0, t1;
  nd_links_topic(l, 0, &t0);
  nd_links_topic(l, 1, &t1);
  /* the archive: the Port Authority is in 60 of 67 articles, so it says
  ** little about this one */
  ASSERT_EQ_STR(t0.text, "Ada Kowalczyk");
  ASSERT_EQ_INT(t0.articles, 3);
  ASSERT_EQ_STR(t1.text, "Port Authority");
  ASSERT_EQ_INT(t1.articles, 60);
  nd_links_free(l);
  /* by id */
  ASSERT_OK(nd_link_id(ix, "b1", &o, &l));
  ASSERT_EQ_INT(nd_links_count(l), 1);
  nd_links_topic(l, 0, &t0);
  ASSERT_EQ_STR(t0.text, "Ada Kowalczyk");
  ASSERT_EQ_INT(t0.start, 0);
  nd_links_free(l);
  ASSERT_EQ_INT(nd_link_id(ix, "nope", &o, &l), ND_ERR_NOTFOUND);
  ASSERT(l == NULL);
  nd_close(ix);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  ASSERT_OK(system(cmd));
}

/* ---- property: spans are real substrings ------------------------------ */

typedef struct prop {
  size_t articles, spans, topics, bad;
  char first_bad[256];
} prop;

static int utf8_boundary(const char *s, size_t i) { return ((unsigned char)s[i] & 0xC0) != 0x80; }

static void prop_bad(prop *p, const char *what, const char *id) {
  if (!p->bad++) snprintf(p->first_bad, sizeof p->first_bad, "%s in %s", what, id ? id : "?");
}

static int prop_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  prop *p = ctx;
  const char *b = doc->body ? doc->body : ""; /* a title-only article */
  size_t len = strlen(b);
  lk_words w;
  lk_spans sp = {0};
  if (lk_split(b, len, &w)) { prop_bad(p, "oom", doc->id); return 1; }
  for (size_t i = 0; i < w.n; i++)
    if (w.w[i].start >= w.w[i].end || w.w[i].end > len || !utf8_boundary(b, w.w[i].start) ||
        (w.w[i].end < len && !utf8_boundary(b, w.w[i].end)))
      prop_bad(p, "word offsets", doc->id);
  if (lk_find_names(b, &w, &sp) || lk_find_phrases(b, &w, NULL, &sp)) { prop_bad(p, "oom", doc->id); }
  for (size_t i = 0; i < sp.n; i++) {
    const lk_span *s = &sp.s[i];
    p->spans++;
    if (s->start >= s->end || s->end > len || s->w0 >= s->w1 || s->w1 > w.n ||
        s->start != w.w[s->w0].start || s->end != w.w[s->w1 - 1].end || !utf8_boundary(b, s->start) ||
        (s->end < len && !utf8_boundary(b, s->end)) || memchr(b + s->start, '\n', s->end - s->start))
      prop_bad(p, "span offsets", doc->id);
  }
  lk_spans_free(&sp);
  lk_words_free(&w);
  nd_links *l = NULL;
  nd_link_options o = {5};
  if (nd_link_doc(NULL, doc, &o, &l)) { prop_bad(p, "nd_link_doc failed", doc->id); return 0; }
  if (nd_links_count(l) > 5) prop_bad(p, "more than k topics", doc->id);
  for (size_t i = 0; i < nd_links_count(l); i++) {
    nd_topic t;
    nd_links_topic(l, i, &t);
    p->topics++;
    /* the text is written in the body, or is the one name of a country written there */
    size_t cn = 0;
    const char *canon = gaz_country(b + t.start, t.end - t.start, &cn);
    int named = strstr(b, t.text) || (canon && strlen(t.text) == cn && !memcmp(canon, t.text, cn));
    if (t.start >= t.end || t.end > len || !t.text[0] || !named || t.mentions < 1 ||
        (i && t.score > p->spans * 1e9))
      prop_bad(p, "topic span", doc->id);
    /* the first mention, written out, is a word run of the body */
    if (!utf8_boundary(b, t.start) || (t.end < len && !utf8_boundary(b, t.end)))
      prop_bad(p, "topic boundary", doc->id);
    if (i) {
      nd_topic prev;
      nd_links_topic(l, i - 1, &prev);
      if (prev.score < t.score) prop_bad(p, "topics not best first", doc->id);
    }
  }
  nd_links_free(l);
  p->articles++;
  return 0;
}

/* A name's particles are never a key phrase, however often written: "van
** der" of two people named "van der ..." is no topic of its own. */
static void test_particles_are_no_phrase(void) {
  nd_doc d = {0};
  d.body = "Anna van der Berg met Piet van der Meer in Oslo on Monday. Later van der Berg said the plan of "
           "van der Meer would fail, and van der Berg left.";
  nd_links *l = NULL;
  nd_link_options o = {10};
  ASSERT_OK(nd_link_doc(NULL, &d, &o, &l));
  size_t people = 0;
  for (size_t i = 0; i < nd_links_count(l); i++) {
    nd_topic t;
    nd_links_topic(l, i, &t);
    if (strstr(t.text, "van der") == t.text) {
      char text[128];
      snprintf(text, sizeof text, "%s", t.text);
      nd_links_free(l);
      TEST_FAIL_("topic \"%s\" starts with the particles", text);
    }
    people += !strcmp(t.text, "Anna van der Berg") || !strcmp(t.text, "Piet van der Meer");
  }
  nd_links_free(l);
  ASSERT_EQ_INT(people, 2);
}

static void spans_are_substrings(const char *path) {
  prop p = {0};
  ingest_stats st = {0};
  ASSERT_OK(gaz_load());
  ASSERT_OK(ingest_path(path, prop_doc, NULL, &p, &st));
  if (p.bad) TEST_FAIL_("%zu bad; first: %s", p.bad, p.first_bad);
  ASSERT(p.articles >= 1000);
  ASSERT(p.spans > 10 * p.articles);
  ASSERT(p.topics > 3 * p.articles);
}

static void test_spans_are_substrings_of_invented_articles(void) {
  char path[1024];
  spans_are_substrings(test_fixture(path, sizeof path, "news.jsonl"));
}

static void test_spans_are_substrings_of_real_articles(void) {
  char path[1024];
  TEST_REAL_DATA_OR_SKIP(path, "news/sample-1000.jsonl");
  spans_are_substrings(path);
}

TEST_MAIN(TEST(test_seed_names), TEST(test_particles_and_prefixes), TEST(test_and_inside_institutions),
          TEST(test_titles), TEST(test_demonyms_are_no_names), TEST(test_mentions_and_titles), TEST(test_topic_kinds), TEST(test_places_quotes_and_possessives),
          TEST(test_non_ascii),
          TEST(test_headlines_and_capitals), TEST(test_types), TEST(test_grouping),
          TEST(test_link_doc_calls), TEST(test_out_of_memory), TEST(test_matching),
          TEST(test_archive_statistics), TEST(test_particles_are_no_phrase),
          TEST(test_spans_are_substrings_of_invented_articles),
          TEST(test_spans_are_substrings_of_real_articles))
