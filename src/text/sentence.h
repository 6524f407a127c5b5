/*
** sentence.h -- where sentences end.
**
** One rule for the whole project: the headline of an untitled article (its
** first sentence), snippets (which stop at a sentence's end) and the
** key-topic linker (which word starts a sentence) all ask this module, and
** the linker takes its abbreviations from the list here.
**
** A sentence ends
**   - after `.`, `!` or `?` (a run of them, "?!"), with the closing quotes
**     and brackets right after it, when a blank, a line break or the end of
**     the text follows -- a period between letters or digits ("3.5",
**     "example.com", "jo@mail.org") ends nothing; after a full-width `。`
**     `！` `？` no blank is needed;
**   - at a blank line (a paragraph break), and at a line break before an
**     indented line;
**   - at any other line break unless the text is wrapped there: the next
**     line starts with a lower-case letter, or the line is long (50 bytes
**     or more) and ends in a letter, digit, comma or hyphen.
**
** An ellipsis ("...", ". . .", "…") ends no sentence; the end of a paragraph
** ends it anyway.  Whether a period ends the sentence depends on the word
** it follows and on the word after it (after any opening quotes):
**   - a title or honorific ("Mr.", "Sen.", "Gen.") or a word that stands
**     before what it qualifies ("vs.", "Mt.", "e.g."): never;
**   - "No." and "Nos.": not before a number, else as a plain word;
**   - an abbreviation that may end a sentence ("Inc.", "Co.", "Jr.",
**     "etc.", "Jan.", "Calif."), an initial ("W.") or a dotted acronym
**     ("U.S.", "a.m."): only when the next word is a capitalised function
**     word that starts sentences ("The", "He", "But", "In"...) or a
**     capitalised word after an opening double quote, or nothing follows
**     in the paragraph.  So "the U.S. The talks" is two sentences,
**     "U.S. officials" and "George W. Bush" one; a name after such a
**     period ("in the U.S. Bush said") is read as the same sentence;
**   - any other word: unless the next word starts with a lower-case letter.
** The same for `!` and `?` ('"Why?" he asked.' is one sentence).
** Abbreviations are matched as written ("Gen", not "gen"); an all-capital
** form is also tried with only its first letter capital ("SEN." = "Sen.").
*/
#ifndef ND_TEXT_SENTENCE_H
#define ND_TEXT_SENTENCE_H
#include <stddef.h>

/* What an abbreviation's period may do (the kinds of sent_abbrevs()). */
enum {
  SENT_TITLE = 1,  /* a title or honorific, a name follows ("Sen.", "Dr."): never ends a sentence */
  SENT_BEFORE = 2, /* stands before what it qualifies ("vs.", "Mt.", "e.g."): never ends one */
  SENT_NUMBER = 3, /* an abbreviation before a number ("No. 1"), else a plain word */
  SENT_MAYEND = 4  /* may end a sentence ("Inc.", "Jr.", "Jan."): see above */
};

typedef struct sent_abbrev {
  const char *word; /* without its final period: "Gen", "e.g" */
  int kind;         /* SENT_* */
} sent_abbrev;

/* The list of abbreviations that take a period of their own, sorted by
** bytes; *n receives its length. */
const sent_abbrev *sent_abbrevs(size_t *n);

/* The kind (SENT_*) of the abbreviation s[0..n), written without its final
** period, as written; 0 when it is none. */
int sent_abbrev_kind(const char *s, size_t n);

/* Does a sentence end with the terminator (. ! ? or a full-width stop) at
** text[i]?  The offset just past the sentence (the terminator run and the
** closing quotes and brackets after it), else 0. */
size_t sent_ends_at(const char *text, size_t len, size_t i);

/* The end of the sentence that holds text[at]: the offset just past its
** last character (terminator and closing quotes included; at a line or
** paragraph break, its last character that is no blank), or len. */
size_t sent_end(const char *text, size_t len, size_t at);

/* Where the text goes on after a sentence that ends at `end`: past blanks
** and line breaks (len when nothing follows). */
size_t sent_skip(const char *text, size_t len, size_t end);

#endif
