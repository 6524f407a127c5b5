/*
** test_sentence.c -- sentence ends (src/text/sentence.c) and their three
** users: the headline of an untitled article (lead_make(), and through
** nd_search() the headline of a hit), snippets that stop at a sentence's
** end, and the linker's first-word-of-a-sentence flag (LW_SENT).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "link/link.h"
#include "newsdex.h"
#include "present/snippet.h"
#include "query/parse.h"
#include "test.h"
#include "text/analyze.h"
#include "text/sentence.h"
#include "util/buf.h"

/* The sentences of text, white space collapsed, joined by " | ". */
static const char *split(const char *text) {
  static char out[8192];
  size_t len = strlen(text), o = 0;
  size_t p = sent_skip(text, len, 0);
  out[0] = 0;
  while (p < len) {
    size_t e = sent_end(text, len, p);
    if (e <= p) TEST_FAIL_("no progress at %zu in \"%s\"", p, text);
    if (o) o += (size_t)snprintf(out + o, sizeof out - o, " | ");
    int space = 0;
    for (size_t i = p; i < e && o + 8 < sizeof out; i++) {
      unsigned char c = (unsigned char)text[i];
      if (c <= ' ') { space = 1; continue; }
      if (space) out[o++] = ' ';
      space = 0;
      out[o++] = (char)c;
    }
    out[o] = 0;
    p = sent_skip(text, len, e);
  }
  return out;
}

#define SPLITS(text, want) ASSERT_EQ_STR(split(text), want)

static void test_cheney(void) {
  SPLITS("Vice President Dick Cheney and Sen. John Edwards met on Tuesday. They debated for 90 minutes.",
         "Vice President Dick Cheney and Sen. John Edwards met on Tuesday. | They debated for 90 minutes.");
}

static void test_titles(void) {
  SPLITS("Mr. Smith went to Washington.", "Mr. Smith went to Washington.");
  SPLITS("Mrs. Jones and Dr. Who met Gov. Arnold Schwarzenegger, Rep. Nancy Pelosi and Lt. Gen. Ricardo "
         "Sanchez. Then they left.",
         "Mrs. Jones and Dr. Who met Gov. Arnold Schwarzenegger, Rep. Nancy Pelosi and Lt. Gen. Ricardo "
         "Sanchez. | Then they left.");
  SPLITS("Capt. Kirk, Sgt. Pepper, Adm. Nelson, Col. Sanders, Prof. Plum, Rev. Green and Pres. Lincoln.",
         "Capt. Kirk, Sgt. Pepper, Adm. Nelson, Col. Sanders, Prof. Plum, Rev. Green and Pres. Lincoln.");
  /* a title never ends a sentence, even before a starter word */
  SPLITS("Ask Dr. No about it.", "Ask Dr. No about it.");
  /* wire copy in capitals */
  SPLITS("SEN. JOHN KERRY SPOKE. THE CROWD CHEERED.", "SEN. JOHN KERRY SPOKE. | THE CROWD CHEERED.");
}

static void test_acronyms(void) {
  SPLITS("U.S. officials said. The talks ended.", "U.S. officials said. | The talks ended.");
  SPLITS("The talks were held in the U.S. The next round is in Paris.",
         "The talks were held in the U.S. | The next round is in Paris.");
  SPLITS("He asked the U.N. But nobody answered.", "He asked the U.N. | But nobody answered.");
  SPLITS("The U.K. government and the U.N. Security Council agreed.",
         "The U.K. government and the U.N. Security Council agreed.");
  /* the documented limit: a name after an acronym continues the sentence */
  SPLITS("He moved to the U.S. Bush said so.", "He moved to the U.S. Bush said so.");
  SPLITS("They met at 9 a.m. Tuesday and left at 5 p.m. The vote was held later.",
         "They met at 9 a.m. Tuesday and left at 5 p.m. | The vote was held later.");
  SPLITS("Some states, e.g. Texas, and i.e. The Lone Star State.",
         "Some states, e.g. Texas, and i.e. The Lone Star State.");
  SPLITS("The U.S.-led force moved in.", "The U.S.-led force moved in.");
  /* at the very end of the text or a paragraph */
  SPLITS("Made in the U.S.", "Made in the U.S.");
  SPLITS("Made in the U.S.\n\nBush said so.", "Made in the U.S. | Bush said so.");
}

static void test_initials(void) {
  SPLITS("George W. Bush met George H. W. Bush. They talked.",
         "George W. Bush met George H. W. Bush. | They talked.");
  SPLITS("J. R. R. Tolkien and J.R.R. Martin wrote books.", "J. R. R. Tolkien and J.R.R. Martin wrote books.");
  SPLITS("He took vitamin C. The cold went away.", "He took vitamin C. | The cold went away.");
  /* a single lower-case letter is a plain word */
  SPLITS("Choose plan a. Plan b is worse.", "Choose plan a. | Plan b is worse.");
}

static void test_abbreviations(void) {
  SPLITS("Apple Inc. The company said so.", "Apple Inc. | The company said so.");
  SPLITS("Apple Inc. said Monday it would grow.", "Apple Inc. said Monday it would grow.");
  SPLITS("He bought shares of Acme Co. Shares rose.", "He bought shares of Acme Co. Shares rose.");
  SPLITS("Apples, pears, etc. The rest was sold.", "Apples, pears, etc. | The rest was sold.");
  SPLITS("Apples, pears, etc. and more.", "Apples, pears, etc. and more.");
  SPLITS("Martin Luther King Jr. The civil rights leader spoke.",
         "Martin Luther King Jr. | The civil rights leader spoke.");
  SPLITS("Martin Luther King Jr. Day is a holiday.", "Martin Luther King Jr. Day is a holiday.");
  SPLITS("On Jan. 5 and Sept. 11, Bush vs. Kerry, Mt. Everest and Ft. Worth.",
         "On Jan. 5 and Sept. 11, Bush vs. Kerry, Mt. Everest and Ft. Worth.");
  SPLITS("It opened in Oct. The first visitors came.", "It opened in Oct. | The first visitors came.");
  SPLITS("He lives in Sacramento, Calif. He works in St. Louis, Mo. near the river.",
         "He lives in Sacramento, Calif. | He works in St. Louis, Mo. near the river.");
  SPLITS("Corp. Ltd. Bros. Ave.", "Corp. Ltd. Bros. Ave.");
  /* "No." before a number only */
  SPLITS("He was No. 1 in the polls. Was he? No. The answer was no.",
         "He was No. 1 in the polls. | Was he? | No. | The answer was no.");
  SPLITS("Nos. 3 and 4 were sold.", "Nos. 3 and 4 were sold.");
  /* as written: "gen." is no abbreviation */
  SPLITS("It is the next gen. The old one is gone.", "It is the next gen. | The old one is gone.");
}

static void test_list(void) {
  size_t n;
  const sent_abbrev *a = sent_abbrevs(&n);
  ASSERT(n > 50);
  for (size_t i = 0; i < n; i++) {
    if (i) ASSERT(strcmp(a[i - 1].word, a[i].word) < 0);
    ASSERT_EQ_INT(sent_abbrev_kind(a[i].word, strlen(a[i].word)), a[i].kind);
    ASSERT(a[i].kind >= SENT_TITLE && a[i].kind <= SENT_MAYEND);
  }
  ASSERT_EQ_INT(sent_abbrev_kind("Sen", 3), SENT_TITLE);
  ASSERT_EQ_INT(sent_abbrev_kind("Inc", 3), SENT_MAYEND);
  ASSERT_EQ_INT(sent_abbrev_kind("vs", 2), SENT_BEFORE);
  ASSERT_EQ_INT(sent_abbrev_kind("No", 2), SENT_NUMBER);
  ASSERT_EQ_INT(sent_abbrev_kind("sen", 3), 0);
  ASSERT_EQ_INT(sent_abbrev_kind("Senate", 6), 0);
  ASSERT_EQ_INT(sent_abbrev_kind("Se", 2), 0);
  ASSERT_EQ_INT(sent_abbrev_kind("", 0), 0);
  /* the linker's lists are this list */
  for (size_t i = 0; i < n; i++) {
    char w[40];
    size_t m = strlen(a[i].word);
    ASSERT(cue_abbr(a[i].word, m));
    snprintf(w, sizeof w, "%s.", a[i].word);
    ASSERT_EQ_INT(cue_title_abbr(w, m + 1), a[i].kind == SENT_TITLE);
    ASSERT(cue_title(w, m + 1) || a[i].kind != SENT_TITLE);
  }
  ASSERT(cue_title("President", 9) && !cue_title_abbr("President", 9));
  ASSERT(!cue_abbr("Senate", 6) && !cue_abbr("gen", 3));
}

static void test_numbers(void) {
  SPLITS("The rate rose 3.5 percent to 4.25. Analysts were surprised.",
         "The rate rose 3.5 percent to 4.25. | Analysts were surprised.");
  SPLITS("It cost $1,234.56 in 2004. 15 people paid.", "It cost $1,234.56 in 2004. | 15 people paid.");
  SPLITS("Version 2.0.1 shipped.", "Version 2.0.1 shipped.");
}

static void test_quotes(void) {
  SPLITS("\"We will win.\" Then he left.", "\"We will win.\" | Then he left.");
  SPLITS("He said, \"It is over.\" The crowd left.", "He said, \"It is over.\" | The crowd left.");
  SPLITS("\"Why?\" he asked. \"Because.\"", "\"Why?\" he asked. | \"Because.\"");
  SPLITS("\xE2\x80\x9CWe will win.\xE2\x80\x9D Then he left.",
         "\xE2\x80\x9CWe will win.\xE2\x80\x9D | Then he left.");
  SPLITS("It was \xE2\x80\x98over.\xE2\x80\x99 The end.", "It was \xE2\x80\x98over.\xE2\x80\x99 | The end.");
  SPLITS("(He left early.) Then the rest went home.", "(He left early.) | Then the rest went home.");
  SPLITS("He left [early.] Then they did.", "He left [early.] | Then they did.");
  /* an opening quote before a starter after an acronym */
  SPLITS("He flew to the U.S. \"The trip was long,\" he said.",
         "He flew to the U.S. | \"The trip was long,\" he said.");
  SPLITS("said an analyst at Rodman & Renshaw Inc. \xE2\x80\x9CInventories are in good shape.\xE2\x80\x9D",
         "said an analyst at Rodman & Renshaw Inc. | \xE2\x80\x9CInventories are in good shape.\xE2\x80\x9D");
  /* but not a bracket, nor a quoted word in lower case */
  SPLITS("Acme Inc. (Nasdaq: ACME) rose. The U.S. \"war on terror\" went on.",
         "Acme Inc. (Nasdaq: ACME) rose. | The U.S. \"war on terror\" went on.");
}

static void test_marks(void) {
  SPLITS("Stop! Now. Really?! Yes.", "Stop! | Now. | Really?! | Yes.");
  SPLITS("Yahoo! is a site.", "Yahoo! is a site.");
}

static void test_ellipsis(void) {
  SPLITS("He paused... Then he spoke.", "He paused... Then he spoke.");
  SPLITS("He paused . . . Then he spoke.", "He paused . . . Then he spoke.");
  SPLITS("Wait \xE2\x80\xA6 What? Nothing.", "Wait \xE2\x80\xA6 What? | Nothing.");
  SPLITS("It trailed off...", "It trailed off...");
}

static void test_urls(void) {
  SPLITS("See www.example.com/a.b?c=d for more. Write to jo.smith@mail.example.org. Thanks.",
         "See www.example.com/a.b?c=d for more. | Write to jo.smith@mail.example.org. | Thanks.");
  SPLITS("Visit http://news.example.com/2004/10/06/debate.html today.",
         "Visit http://news.example.com/2004/10/06/debate.html today.");
}

static void test_lines(void) {
  /* a blank line is a paragraph break, a headline line ends there */
  SPLITS("A headline without a period\n\nThe body starts here. Then more.",
         "A headline without a period | The body starts here. | Then more.");
  SPLITS("Short line\nNext line here.", "Short line | Next line here.");
  /* wrapped text: the next line goes on in lower case, or the line is long */
  SPLITS("SALVADOR, Feb 26 - Showers continued throughout the week in\n"
         "the Bahia cocoa zone, alleviating the drought since early\n"
         "January and improving prospects.\n"
         "    The dry period means the temporao will be late.",
         "SALVADOR, Feb 26 - Showers continued throughout the week in the Bahia cocoa zone, alleviating "
         "the drought since early January and improving prospects. | The dry period means the temporao will be "
         "late.");
  /* an indented line starts a paragraph */
  SPLITS("Standard Oil Co and BP North America\n    Inc said they plan a venture.",
         "Standard Oil Co and BP North America | Inc said they plan a venture.");
  /* CR LF, blank lines made of blanks, a paragraph after an abbreviation */
  SPLITS("First line\r\n \t\r\nSecond, by Acme Co.\n\nBush said so.", "First line | Second, by Acme Co. | Bush said so.");
  SPLITS("\n\n  \n", "");
}

static void test_unicode(void) {
  SPLITS("Der Pr\xC3\xA4sident sprach. \xC3\x89lodie antwortete! \xC3\x87" "a va? Oui.",
         "Der Pr\xC3\xA4sident sprach. | \xC3\x89lodie antwortete! | \xC3\x87" "a va? | Oui.");
  /* an initial that is not ASCII, a lower-case word that is not ASCII */
  SPLITS("\xC5\xA0. Petrovi\xC4\x87 arrived. \xC3\x89tait-il l\xC3\xA0?",
         "\xC5\xA0. Petrovi\xC4\x87 arrived. | \xC3\x89tait-il l\xC3\xA0?");
  SPLITS("Il est parti. \xC3\xA9videmment, non.", "Il est parti. \xC3\xA9videmment, non.");
  /* full-width stops need no blank */
  SPLITS("\xE4\xBB\x8A\xE6\x97\xA5\xE3\x81\xAF\xE6\x99\xB4\xE3\x82\x8C\xE3\x80\x82\xE6\x98\x8E\xE6\x97\xA5"
         "\xE3\x81\xAF\xE9\x9B\xA8\xE3\x80\x82",
         "\xE4\xBB\x8A\xE6\x97\xA5\xE3\x81\xAF\xE6\x99\xB4\xE3\x82\x8C\xE3\x80\x82 | \xE6\x98\x8E\xE6\x97\xA5"
         "\xE3\x81\xAF\xE9\x9B\xA8\xE3\x80\x82");
  /* a no-break space after the period */
  SPLITS("He left.\xC2\xA0Then she did.", "He left. | Then she did.");
  /* broken UTF-8 does not stop it */
  SPLITS("Bad \xFF\xFE bytes. Then good.", "Bad \xFF\xFE bytes. | Then good.");
}

static void test_edges(void) {
  ASSERT_EQ_INT(sent_end("", 0, 0), 0);
  ASSERT_EQ_INT(sent_skip("", 0, 0), 0);
  ASSERT_EQ_INT(sent_ends_at("", 0, 0), 0);
  SPLITS("", "");
  SPLITS(".", ".");
  SPLITS("?!", "?!");
  SPLITS("A text with no period at all", "A text with no period at all");
  SPLITS("Trailing blanks.   ", "Trailing blanks.");
  const char *t = "U.S. troops";
  ASSERT_EQ_INT(sent_ends_at(t, strlen(t), 1), 0); /* inside the acronym */
  ASSERT_EQ_INT(sent_ends_at(t, strlen(t), 3), 0); /* its own period, before a lower-case word */
  ASSERT_EQ_INT(sent_ends_at(t, strlen(t), 0), 0); /* no terminator */
  t = "Over. \"Yes.\"";
  ASSERT_EQ_INT(sent_ends_at(t, strlen(t), 4), 5);
  ASSERT_EQ_INT(sent_ends_at(t, strlen(t), 10), 12);
}

static void test_long(void) {
  /* 1 MB without a period: one sentence, found in one pass */
  size_t n = 1 << 20;
  char *big = malloc(n + 1);
  ASSERT(big);
  for (size_t i = 0; i < n; i++) big[i] = i % 6 == 5 ? ' ' : 'a' + (char)(i % 5);
  big[n] = 0;
  ASSERT_EQ_INT(sent_end(big, n, 0), n);
  /* many sentences with abbreviations inside: each found once */
  const char *one = "Sen. A. Smith of the U.S. met Gen. Jones at 5 p.m. on Jan. 5. He said no. ";
  size_t m = strlen(one), count = 0;
  for (size_t i = 0; i + m <= n; i += m) memcpy(big + i, one, m);
  size_t end = n / m * m;
  big[end] = 0;
  for (size_t p = 0; p < end;) {
    size_t e = sent_end(big, end, p);
    if (e <= p) break;
    count++;
    p = sent_skip(big, end, e);
  }
  ASSERT_EQ_INT(count, 2 * (n / m));
  /* one very long line broken by nothing */
  memset(big, 'x', n);
  ASSERT_EQ_INT(sent_end(big, n, 0), n);
  free(big);
}

/* ---- the users */

static const char *lead(const char *body, size_t chars) {
  static char out[1024];
  buf b = {0};
  lead_make(body, chars, &b);
  snprintf(out, sizeof out, "%.*s", (int)b.n, b.n ? (const char *)b.p : "");
  buf_free(&b);
  return out;
}

static void test_lead(void) {
  ASSERT_EQ_STR(lead("Vice President Dick Cheney and Sen. John Edwards met on Tuesday. They debated.", 80),
                "Vice President Dick Cheney and Sen. John Edwards met on Tuesday.");
  ASSERT_EQ_STR(lead("\n  U.S. officials said. The talks ended.", 80), "U.S. officials said.");
  ASSERT_EQ_STR(lead("George W. Bush spoke.", 80), "George W. Bush spoke.");
  ASSERT_EQ_STR(lead("A headline line\n\nThe body.", 80), "A headline line");
  ASSERT_EQ_STR(lead("", 80), "");
  ASSERT_EQ_STR(lead("No period here", 80), "No period here");
  /* too long: cut at a word */
  ASSERT_EQ_STR(lead("Gen. James Jones, the supreme allied commander in Europe, met the ambassadors of the alliance "
                     "on Thursday.",
                     60),
                "Gen. James Jones, the supreme allied commander in Europe,…");
  /* characters, not bytes */
  ASSERT_EQ_STR(lead("\xC3\x89l\xC3\xA8ve \xC3\xA0 l'\xC3\xA9" "cole. Ensuite.", 20),
                "\xC3\x89l\xC3\xA8ve \xC3\xA0 l'\xC3\xA9" "cole.");
}

static const char *snip(const char *body, const char *query, size_t chars) {
  static char out[2048];
  analyzer *an = an_new("english");
  qnode *q = NULL;
  char err[256];
  size_t off;
  hl_terms h;
  buf b = {0};
  out[0] = 0;
  if (!an || qp_parse(an, query, &q, err, sizeof err, &off) || hl_collect(q, &h)) {
    snprintf(out, sizeof out, "(setup failed)");
  } else {
    if (snippet_make(an, body, &h, ND_SNIPPET_PLAIN, chars, "[", "]", &b)) snprintf(out, sizeof out, "(failed)");
    else snprintf(out, sizeof out, "%.*s", (int)b.n, b.n ? (const char *)b.p : "");
    hl_free(&h);
  }
  buf_free(&b);
  if (q) qnode_free(q);
  if (an) an_free(an);
  return out;
}

static void test_snippet(void) {
  /* the window ends at a sentence's end near its end, not in the middle
  ** of "Sen. John Edwards" */
  const char *body =
    "Vice President Dick Cheney and Sen. John Edwards met on Tuesday in Cleveland. They argued about Iraq and "
    "the economy for ninety minutes. Neither man gave ground, and the moderator had to step in twice.";
  ASSERT_EQ_STR(snip(body, "cheney", 90),
                "Vice President Dick [Cheney] and Sen. John Edwards met on Tuesday in Cleveland. …");
  /* it starts at the sentence of the match when one starts in its lead */
  ASSERT_EQ_STR(snip(body, "argued", 90), "… They [argued] about Iraq and the economy for ninety minutes. …");
  /* a sentence may run a little past the window */
  ASSERT_EQ_STR(snip("The talks in the U.S. ended on Tuesday. Officials said more would follow next week.", "talks", 36),
                "The [talks] in the U.S. ended on Tuesday. …");
  /* with no sentence end in reach it is cut at a word */
  ASSERT_EQ_STR(snip("one two three four five six seven eight nine ten eleven twelve", "three", 20),
                "… [three] four five six …");
  /* the whole text when it fits */
  ASSERT_EQ_STR(snip("Mr. Smith went to Washington.", "smith", 160), "Mr. [Smith] went to Washington.");
}

static void test_linker_words(void) {
  /* LW_SENT marks the first word of each sentence; abbreviations do not
  ** start one, a sentence-ending acronym does */
  const char *t = "Vice President Dick Cheney and Sen. John Edwards met on Tuesday. They talked in the U.S. "
                  "The talks went on 3.5 hours... Then George W. Bush spoke. \"We won.\" He left.";
  lk_words w;
  ASSERT_OK(lk_split(t, strlen(t), &w));
  char starts[512] = "";
  for (size_t i = 0; i < w.n; i++)
    if (w.w[i].flags & LW_SENT) {
      size_t o = strlen(starts);
      snprintf(starts + o, sizeof starts - o, "%s%.*s", o ? "|" : "", (int)(w.w[i].end - w.w[i].start), t + w.w[i].start);
    }
  size_t nsent = w.nsent;
  int abbr_us = 0;
  for (size_t i = 0; i < w.n; i++)
    if (w.w[i].end - w.w[i].start == 4 && !memcmp(t + w.w[i].start, "U.S.", 4)) abbr_us = (w.w[i].flags & LW_ABBR) != 0;
  lk_words_free(&w);
  /* "We" starts a quotation, which the linker also marks */
  ASSERT_EQ_STR(starts, "Vice|They|The|We|He");
  ASSERT_EQ_INT(nsent, 5);
  ASSERT(abbr_us); /* the period still belongs to "U.S." */
}

/* ---- the headline of an untitled hit, through the library */

static void test_headline(void) {
  char dir[] = "/tmp/ndsent-XXXXXX";
  ASSERT(mkdtemp(dir));
  char db[64];
  snprintf(db, sizeof db, "%s/db", dir);
  nd_index *ix;
  ASSERT_OK(nd_open(db, ND_OPEN_CREATE, NULL, &ix));
  nd_doc a = {.id = "cheney",
              .body = "Vice President Dick Cheney and Sen. John Edwards met on Tuesday. They debated Iraq, taxes "
                      "and health care for ninety minutes in Cleveland."};
  nd_doc b = {.id = "us", .body = "U.S. officials said. The talks in Geneva ended without a deal."};
  nd_doc c = {.id = "titled", .title = "Debate Night", .body = "Mr. Cheney and Mr. Edwards debated."};
  ASSERT_OK(nd_add(ix, &a, NULL));
  ASSERT_OK(nd_add(ix, &b, NULL));
  ASSERT_OK(nd_add(ix, &c, NULL));
  ASSERT_OK(nd_commit(ix));
  nd_search_options o = {.snippets = ND_SNIPPET_PLAIN};
  nd_results *res;
  nd_hit h;
  ASSERT_OK(nd_search(ix, "tuesday", &o, &res));
  ASSERT(nd_results_count(res) >= 1);
  int seen = 0;
  for (size_t i = 0; i < nd_results_count(res); i++) {
    ASSERT_OK(nd_results_hit(res, i, &h));
    if (!strcmp(h.id, "cheney")) {
      ASSERT_EQ_STR(h.headline, "Vice President Dick Cheney and Sen. John Edwards met on Tuesday.");
      seen = 1;
    }
  }
  nd_results_free(res);
  ASSERT(seen);
  ASSERT_OK(nd_search(ix, "geneva", &o, &res));
  ASSERT_EQ_INT(nd_results_count(res), 1);
  ASSERT_OK(nd_results_hit(res, 0, &h));
  ASSERT_EQ_STR(h.headline, "U.S. officials said.");
  nd_results_free(res);
  ASSERT_OK(nd_search(ix, "title:debate", &o, &res));
  ASSERT_EQ_INT(nd_results_count(res), 1);
  ASSERT_OK(nd_results_hit(res, 0, &h));
  ASSERT_EQ_STR(h.headline, "Debate Night");
  nd_results_free(res);
  nd_close(ix);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ASSERT_EQ_INT(system(cmd), 0);
}

TEST_MAIN(TEST(test_cheney), TEST(test_titles), TEST(test_acronyms), TEST(test_initials), TEST(test_abbreviations),
          TEST(test_list), TEST(test_numbers), TEST(test_quotes), TEST(test_marks), TEST(test_ellipsis),
          TEST(test_urls), TEST(test_lines), TEST(test_unicode), TEST(test_edges), TEST(test_long),
          TEST(test_lead), TEST(test_snippet), TEST(test_linker_words), TEST(test_headline))
