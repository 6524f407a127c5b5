/*
** salience.c -- score the topics of an article and sort them best first.
**
** The score adds up, for each topic (weights below, docs/linking.md):
**   - mentions: log2(1 + mentions), shorter forms included;
**   - position: early first mentions gain, most in the first sentence;
**   - type: a person's full name or an organisation gains; a country or
**     continent loses much, a state or province some (editors rarely link
**     them: they are in too many stories to say what this one is about);
**     A single capitalised word that the dictionary has only in lower case
**     ("Mass", "Left", "Honor") loses: it is more likely emphasis than a name;
**   - a key phrase ending in a plural noun for people ("Florida residents")
**     loses: it names the people of a place, not what happened;
**   - the outlet: a name made only of the words of the article's source
**     ("FOX News" on foxnews.com) loses much: a site names itself;
**   - headline: a topic named on the headline (the title, or a headline
**     line of the body) gains;
**   - key phrases: lose, a name with a noun ("Iraq war") less than two
**     lower-case words; then gain by their strength as a unit in the archive
**     and, for a name with a noun, by how often the name is written elsewhere
**     in the article ("Iraq war" in a story about Iraq);
**   - archive: a topic found in no other article loses (its search would
**     find nothing more), one in many gains a little, one in a large share
**     of all articles loses in proportion.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gazetteer.h"
#include "link.h"

#define W_MENTIONS 1.2
#define W_POSITION 1.5
#define W_FIRST_SENT 0.6
#define W_PERSON 0.8
#define W_PERSON_SHORT 0.1
#define W_ORG 0.6
#define W_MULTIWORD 0.3
#define W_COUNTRY (-4.0)
#define W_REGION (-1.5)
#define W_HEAD 0.8
#define W_ASSOC 2.0
#define W_NAME_PHRASE (-0.6)
#define W_NAME_ELSEWHERE 0.6
#define W_PHRASE (-1.5)
#define W_NO_OTHERS (-0.8)
#define W_DF 0.3
#define W_COMMON (-4.0)
#define W_COMMON_WORD (-1.0)
#define W_OWN_OUTLET (-4.0)
#define W_PEOPLE (-2.0)

/* Is word i of the body a word of `text` (lower case, a blank before and
** after every word)? */
static int word_in(const char *text, const char *body, const lk_words *w, uint32_t i) {
  char low[258];
  low[0] = ' ';
  size_t m = lk_lower(body + w->w[i].start, w->w[i].end - w->w[i].start, low + 1, sizeof low - 2);
  low[m + 1] = ' ';
  low[m + 2] = 0;
  return strstr(text, low) != NULL;
}

/* Is a content word of the topic's name in the headline text ` head `? */
static int in_head(const char *body, const lk_words *w, const lk_span *s, const char *head) {
  if (!head || !*head) return 0;
  for (uint32_t i = s->w0; i < s->w1; i++) {
    size_t n = w->w[i].end - w->w[i].start;
    if (n >= 3 && !cue_particle(body + w->w[i].start, n) && word_in(head, body, w, i)) return 1;
  }
  return 0;
}

static double type_weight(const lk_topic *t, const lk_span *name) {
  size_t words = name->w1 - name->w0;
  double x = 0;
  if (name->phrase) return (name->phrase == 2 ? W_NAME_PHRASE : W_PHRASE) + W_ASSOC * name->assoc;
  switch (t->type) {
  case ND_TOPIC_PERSON: x = words >= 2 ? W_PERSON : W_PERSON_SHORT; break;
  case ND_TOPIC_ORG: x = W_ORG; break;
  case ND_TOPIC_PLACE:
    if (name->gflags & (GZ_COUNTRY | GZ_CONTINENT)) x = W_COUNTRY;
    else if (name->gflags & GZ_REGION && !(name->gflags & GZ_CITY)) x = W_REGION;
    break;
  default: x = words >= 2 ? W_MULTIWORD : 0; break;
  }
  if (name->common) x += W_COMMON_WORD;
  return x;
}

/* How often the first word of a name-and-noun phrase ("Iraq" of "Iraq
** war") is written elsewhere in the article. */
static size_t name_elsewhere(const char *body, const lk_words *w, const lk_span *s) {
  size_t c = 0, n = w->w[s->w0].end - w->w[s->w0].start;
  for (size_t i = 0; i < w->n; i++)
    if (i != s->w0 && w->w[i].end - w->w[i].start == n && !memcmp(body + w->w[i].start, body + s->start, n)) c++;
  return c;
}

static int by_score(const void *a, const void *b) {
  const lk_topic *x = a, *y = b;
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  return (x->first > y->first) - (x->first < y->first);
}

/* Plural nouns for groups of people: a name with one of them ("Florida
** residents", "Iraqi officials") names the people of a place or a body,
** not a topic of its own. */
static int people_noun(const char *s, size_t n) {
  static const char *const W[] = {"residents", "officials", "voters", "lawmakers", "leaders", "troops", "forces",
                                  "citizens", "people", "workers", "students", "farmers", "families", "fans",
                                  "police", "authorities", "investigators", "prosecutors", "officers", "members",
                                  "supporters", "critics", "analysts", "experts", "executives", "employees",
                                  "soldiers", "protesters", "victims", "players", NULL};
  for (size_t i = 0; W[i]; i++)
    if (strlen(W[i]) == n && !memcmp(W[i], s, n)) return 1;
  return 0;
}

/* Is every word of the topic's name a word of the article's outlet
** (`source`, as a lower-case text with a blank before and after each
** word)?  "FOX News" on a page of "FOX News (foxnews.com)" is the outlet
** naming itself, not a topic of the story. */
static int own_outlet(const char *body, const lk_words *w, const lk_span *s, const char *source) {
  if (!source || !*source) return 0;
  for (uint32_t i = s->w0; i < s->w1; i++)
    if (!word_in(source, body, w, i)) return 0;
  return 1;
}

int lk_score(const char *body, const lk_words *w, const lk_spans *sp, lk_topics *tp, lk_stats *st,
             const char *head, const char *source) {
  uint64_t docs = lk_stats_docs(st);
  uint32_t first_sent = 0;
  for (size_t i = 0; i < w->n; i++)
    if (!(w->w[i].flags & LW_HEAD)) { first_sent = w->w[i].sent; break; }
  for (size_t i = 0; i < tp->n; i++) {
    lk_topic *t = &tp->t[i];
    const lk_span *name = &sp->s[t->name], *first = &sp->s[t->first];
    double pos = w->n ? (double)first->w0 / (double)w->n : 0;
    double s = 1.0 + W_MENTIONS * log2(1.0 + t->mentions);
    s += W_POSITION * (1 - pos) * (1 - pos);
    if (w->w[first->w0].sent == first_sent) s += W_FIRST_SENT;
    s += type_weight(t, name);
    if (name->phrase == 2) s += W_NAME_ELSEWHERE * log2(1.0 + name_elsewhere(body, w, name));
    if (name->phrase && people_noun(body + w->w[name->w1 - 1].start, w->w[name->w1 - 1].end - w->w[name->w1 - 1].start))
      s += W_PEOPLE;
    if (t->type != ND_TOPIC_PERSON && own_outlet(body, w, name, source)) s += W_OWN_OUTLET;
    t->in_head = in_head(body, w, name, head);
    if (t->in_head) s += W_HEAD;
    if (docs) {
      int rc = lk_stats_df(st, body + name->start, name->end - name->start, &t->df);
      if (rc) return rc;
      /* a person's full name is specific even when new to the archive:
      ** its search finds the stories still to come */
      int full_name = t->type == ND_TOPIC_PERSON && name->w1 - name->w0 >= 2;
      if (t->df < 2) s += full_name ? 0 : W_NO_OTHERS;
      else s += W_DF * fmin(log10((double)t->df), 2.0) + W_COMMON * ((double)t->df / (double)docs);
    }
    t->score = s;
  }
  if (tp->n > 1) qsort(tp->t, tp->n, sizeof *tp->t, by_score); /* (tp->t is NULL when there is none) */
  return 0;
}
