/*
** stories.h -- version groups (wire copies) and story threads, assigned as
** articles are added.
**
** Every article carries two keys in its segment (segment.h's seg_docx):
**
**   story   its version group.  Candidates are the live articles that
**           share an LSH band with it (fingerprint.h; never a scan) and
**           whose MinHash signature agrees with its own in
**           STORY_VERIFY_FROM of the 64 slots or more (an estimated
**           Jaccard of 0.6); the STORY_DUP_CANDS most similar are kept.
**           One agreeing in STORY_SURE slots (0.95) is taken at once;
**           otherwise, most similar first, both texts are analysed again
**           and their shingle sets compared exactly, and the first whose
**           Jaccard reaches near_dup (default ND_NEAR_DUP = 0.8) is taken
**           (a text that cannot be read is judged on its signature).  The
**           article takes that one's story key; else it starts a group of
**           its own, keyed by the XXH64 of its id.  The estimate's error
**           (about 0.05 at 0.8 with 64 slots) only decides what is checked,
**           not what is a version.
**   thread  its story thread.  A version of a story joins its group's
**           thread.  Otherwise a dated article looks for the best match
**           among live articles dated within STORY_WINDOW_DAYS of it that
**           share one of its key topics (the first STORY_TOPICS of its
**           topic terms: people, organisations, places and key phrases;
**           partial names left out).  A topic weighs ln(1 + N/(df + 1)) /
**           ln(1 + N), N the articles of the archive (at least
**           STORY_MIN_N: in a smaller one every topic is rare), df those
**           with the topic: 1 for a topic no other article has, less the more
**           common it is, and 0 below STORY_MIN_TOPIC (in the news
**           corpus, a topic of more than about 1 article in 80: "Feb",
**           "mln dlrs", "New York").  A candidate qualifies when the topics it shares
**           weigh at least STORY_MIN_WEIGHT together (two rare ones, or
**           several common ones: "United States" and "Treasury" do not
**           make a story) and its SimHash agrees in a bits with
**           sim = (a - 32) / 32 >= STORY_MIN_SIM (about the cosine of the
**           two word-count vectors).  A thread is joined when one of its
**           candidate articles qualifies, or two when two or more were
**           candidates (so that a story does not drift, article by
**           article, into another); of those, the one whose best
**           candidate has the highest weight + STORY_SIM_FACTOR * sim.
**           A candidate does not count when its thread started more
**           than STORY_SPAN_BEFORE days after the article or more than
**           STORY_SPAN_DAYS - STORY_SPAN_BEFORE days before it: a thread
**           spans at most STORY_SPAN_DAYS.  With no thread to join, the
**           article starts one: its key
**           holds the day it starts (top 24 bits: days since 1970-01-01
**           plus 2^23; all ones for an undated article, which never joins
**           one) and 40 bits of the XXH64 of the article's id.
**
** Keys are labels, never rewritten: an article added later joins a group
** or thread; an earlier one never moves.  So the result depends on the
** order articles are added (as any single-pass clustering does), and
** deleting the article that started a group leaves the group.
**
** What is looked at for one added article: 16 band-table lookups and the
** signatures they return; per key topic, in each segment, the postings of
** its topic terms (skipped for a topic in more than STORY_TOPIC_MAX_DF
** articles of that segment: too common to mark a story), and in the
** articles added since the last commit at most STORY_RECENT_SCAN of the
** latest with that topic.  Nothing proportional to the archive.
*/
#ifndef ND_INDEX_STORIES_H
#define ND_INDEX_STORIES_H
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"
#include "membuf.h"

struct nd_index;

#define STORY_VERIFY_FROM 39
#define STORY_SURE 61
#define STORY_DUP_CANDS 16
#define STORY_WINDOW_DAYS 7
#define STORY_SPAN_DAYS 31
#define STORY_SPAN_BEFORE 3
#define STORY_TOPICS 8
#define STORY_MIN_WEIGHT 1.0
#define STORY_MIN_TOPIC 0.4
#define STORY_MIN_N 1000
#define STORY_MIN_SIM 0.15
#define STORY_SIM_FACTOR 2.0
#define STORY_TOPIC_MAX_DF 2000
#define STORY_RECENT_SCAN 64

/* The writer's table of the articles added since the last commit, which
** the band tables and postings of the snapshot do not hold yet: their
** band keys, thread topics, dates and keys, about 400 bytes an article
** (a candidate's signature is read where the article is: its buffer or
** the pending segment the buffer was written to). */
typedef struct story_pending story_pending;
void story_pending_free(story_pending *sp);
/* Forget everything (at commit, or when pending changes are dropped). */
void story_pending_clear(story_pending *sp);

/* The thread-relevant topic terms of an article, from its topic terms
** (`topics`: each a length byte and the term, as link/topic_terms.h makes
** them): up to STORY_TOPICS, appended to out the same way. */
int story_topics(const buf *topics, buf *out);

/* Set p->x.story and p->x.thread for an article about to be buffered (id
** its id, date its date, topics as story_topics() gave them), looking at
** the snapshot and the articles added since the last commit, then
** remember it among those.  0 or ND_ERR_NOMEM / ND_ERR_CORRUPT. */
int story_assign(struct nd_index *ix, const char *id, int64_t date, const buf *topics, mb_prep *p);

/* The day (since 1970-01-01) a thread key says its thread started;
** INT64_MIN for a thread of an undated article. */
int64_t story_thread_day(uint64_t thread);

/* Call fn(ctx, segment index, doc) for every live article of the snapshot
** whose story (which = 0) or thread (which = 1) key is k.  A non-zero
** return stops (and is returned). */
int story_members(struct nd_index *ix, int which, uint64_t k, int (*fn)(void *ctx, size_t si, uint32_t doc),
                  void *ctx);

#endif
