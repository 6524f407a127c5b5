/*
** names.c -- what a title says: the class of a person's title or
** honorific, and whether it is surely a person's.
**
** A title stands before a person's name ("President", "Sen.", "Mrs.") and
** is never part of it: spans.c drops it and keeps its class, so that
** "President Trump", "Pres. Trump" and "Mr. Trump" are the name "Trump"
** with the classes "president", "president" and "mr".  The class lets the
** archive tell the persons a surname stands for apart ("Mrs. Clinton" and
** "President Clinton"; docs/linking.md, "Canonical entities").
**
** Some title words also begin the names of things ("General Motors",
** "Major League Baseball", "Chief Executive"): those are weak, dropped only
** when what follows looks like a name.  The others are strong: "President
** Bush" is Bush, whatever the dictionary says of "bush".
*/
#include <string.h>

#include "link.h"

typedef struct title_class {
  const char *word, *cls;
  int strong;
} title_class;

/* Abbreviations map to the word they stand for; a word not listed here
** that cue_title() accepts is its own class, in lower case, and strong. */
static const title_class CLASSES[] = {
  {"Mr.", "mr", 1}, {"Mr", "mr", 1}, {"Mrs.", "mrs", 1}, {"Mrs", "mrs", 1}, {"Ms.", "ms", 1},
  {"Ms", "ms", 1}, {"Dr.", "dr", 1}, {"Dr", "dr", 1}, {"Sen.", "senator", 1}, {"Sens.", "senator", 1},
  {"Senator", "senator", 1}, {"Rep.", "representative", 1}, {"Reps.", "representative", 1},
  {"Congressman", "representative", 1}, {"Congresswoman", "representative", 1},
  {"Gov.", "governor", 1}, {"Lt.", "lieutenant", 1}, {"Gen.", "general", 1},
  {"Col.", "colonel", 1}, {"Sgt.", "sergeant", 1}, {"Capt.", "captain", 1}, {"Adm.", "admiral", 1},
  {"Maj.", "major", 1}, {"Cpl.", "corporal", 1}, {"Pvt.", "private", 1}, {"Cmdr.", "commander", 1},
  {"Cdr.", "commander", 1}, {"Rev.", "reverend", 1}, {"Prof.", "professor", 1},
  {"Det.", "detective", 1}, {"Insp.", "inspector", 1}, {"Supt.", "superintendent", 1},
  {"Msgr.", "monsignor", 1}, {"Fr.", "father", 1}, {"Amb.", "ambassador", 1},
  {"Atty.", "attorney", 1}, {"Lt.Gen.", "general", 1}, {"Brig.", "brigadier", 1},
  {"Pres.", "president", 1}, {"Mmes.", "mrs", 1},
  /* words that also start the names of things */
  {"General", "general", 0}, {"Major", "major", 0}, {"Private", "private", 0}, {"Chief", "chief", 0},
  {"Director", "director", 0}, {"Leader", "leader", 0}, {"Host", "host", 0}, {"Agent", "agent", 0},
  {"Executive", "executive", 0}, {"Officer", "officer", 0}, {"Deputy", "deputy", 0},
  {"Counsel", "counsel", 0}, {"Anchor", "anchor", 0}, {"Chef", "chef", 0}, {"Coach", "coach", 0},
  {"Captain", "captain", 0}, {"Commander", "commander", 0}, {"Speaker", "speaker", 0},
  {"Justice", "justice", 0}, {"Trooper", "trooper", 0}, {"Auditor", "auditor", 0},
  {"Treasurer", "treasurer", 0}, {"Correspondent", "correspondent", 0}, {"CEO", "ceo", 0},
  {"Chairperson", "chairman", 0}, {"Lord", "lord", 0}, {"Lady", "lady", 0}, {"King", "king", 0},
  {"Queen", "queen", 0}, {"Prince", "prince", 0}, {"Princess", "princess", 0}, {"Vice", "vice", 0},
  {"Chairwoman", "chairman", 1}, {"Spokeswoman", "spokesman", 1}, {"Councilwoman", "councilman", 1},
  {NULL, NULL, 0}};

int lk_title_class(const char *s, size_t n, char *out, size_t cap) {
  if (!cue_title(s, n)) return 0;
  for (const title_class *c = CLASSES; c->word; c++)
    if (strlen(c->word) == n && !memcmp(c->word, s, n)) {
      size_t m = strlen(c->cls);
      if (m >= cap) m = cap - 1;
      memcpy(out, c->cls, m);
      out[m] = 0;
      return c->strong ? 2 : 1;
    }
  lk_lower(s, n, out, cap);
  return 2;
}
