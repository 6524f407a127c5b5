/*
** cues.c -- the fixed word lists of the linker.
**
** Words are compared as written (case matters: "Gen." is a title, "gen"
** nothing).  The lists are short and general; names themselves come from
** the text and from the gazetteers (gazetteer.c), never from here.  The
** abbreviations (the words that take a period of their own, and the titles
** among them) are the project's one list, in src/text/sentence.c.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "../text/sentence.h"
#include "link.h"

/* Word lists are looked up through one hash table built at first use:
** every word with the set of lists it is in (a linear scan of the lists
** was half of the linker's time).  The cue_* calls run several times for
** every word of every article and most words are in no list, so two small
** tables filled with it turn most of them away before any hashing: for
** each first byte, and for each length, the lists that have such a word. */
static const char *const *const *lists_all(size_t *n);

/* The lists, by their index in lists_all(); a mask of L_* bits names a set
** of them. */
enum {
  I_TITLES_ABBR, I_TITLES, I_ABBR, I_PARTICLES, I_ORG_WORDS, I_PLACE_WORDS, I_OPENERS,
  I_DATE_WORDS, I_STOP, I_SUFFIXES, I_DEMONYMS, I_LISTS
};
enum {
  L_TITLES_ABBR = 1u << I_TITLES_ABBR, L_TITLES = 1u << I_TITLES, L_ABBR = 1u << I_ABBR,
  L_PARTICLES = 1u << I_PARTICLES, L_ORG_WORDS = 1u << I_ORG_WORDS, L_PLACE_WORDS = 1u << I_PLACE_WORDS,
  L_OPENERS = 1u << I_OPENERS, L_DATE_WORDS = 1u << I_DATE_WORDS, L_STOP = 1u << I_STOP,
  L_SUFFIXES = 1u << I_SUFFIXES, L_DEMONYMS = 1u << I_DEMONYMS
};

/* A slot holds its word (32 bytes a slot, 64 KB in all): a look-up reads
** one cache line and follows no pointer. */
#define CUE_MAX_WORD 28
typedef struct cue_slot {
  uint16_t in;  /* the lists it is in (L_* bits); 0: empty */
  uint8_t len;
  char word[CUE_MAX_WORD + 1];
} cue_slot;

#define CUE_SLOTS 2048
static cue_slot CUE_TABLE[CUE_SLOTS];
static uint32_t CUE_BY_FIRST[256], CUE_BY_LEN[CUE_MAX_WORD + 1];
static pthread_once_t CUE_ONCE = PTHREAD_ONCE_INIT;
static atomic_int CUE_READY; /* set (release) once the tables are built */

/* The hash of a word (n >= 1) mixes its length and four of its bytes:
** enough to spread the few hundred words of the lists, and cheaper than
** hashing every byte of every word looked up. */
static size_t cue_hash(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  uint32_t h = (uint32_t)n * 0x9E3779B1u;
  h ^= u[0] * 0x85EBCA77u;
  h ^= u[n - 1] * 0xC2B2AE3Du;
  h ^= u[n / 2] * 0x27D4EB2Fu;
  h ^= u[(n - 1) / 3] * 0x165667B1u;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  return (size_t)h & (CUE_SLOTS - 1);
}

/* Are a[0..n) and b[0..n) the same bytes?  The words are a few bytes: a
** loop is cheaper than a call to memcmp(). */
static int same_bytes(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

static cue_slot *cue_find(const char *s, size_t n) {
  size_t h = cue_hash(s, n);
  while (CUE_TABLE[h].in && (CUE_TABLE[h].len != n || !same_bytes(CUE_TABLE[h].word, s, n))) h = (h + 1) & (CUE_SLOTS - 1);
  return &CUE_TABLE[h];
}

/* Put word s[0..n) in list i (I_*). */
static void cue_add(const char *s, size_t n, unsigned i) {
  if (!n || n > CUE_MAX_WORD) return; /* none is (17 bytes at most); in_list() refuses them too */
  cue_slot *sl = cue_find(s, n);
  memcpy(sl->word, s, n);
  sl->len = (uint8_t)n;
  sl->in |= (uint16_t)(1u << i);
  CUE_BY_FIRST[(unsigned char)s[0]] |= 1u << i;
  CUE_BY_LEN[n] |= 1u << i;
}

static void cue_build(void) {
  size_t nl;
  const char *const *const *all = lists_all(&nl);
  for (size_t i = 0; i < nl; i++)
    if (all[i]) /* NULL: the abbreviations, below */
      for (const char *const *w = all[i]; *w; w++) cue_add(*w, strlen(*w), (unsigned)i);
  /* The abbreviations of sentence.c: each may take a period (I_ABBR, as
  ** written without it: "Gen"), and its titles are the abbreviated titles
  ** (I_TITLES_ABBR, written with it: "Gen."). */
  size_t na;
  const sent_abbrev *ab = sent_abbrevs(&na);
  for (size_t i = 0; i < na; i++) {
    size_t n = strlen(ab[i].word);
    cue_add(ab[i].word, n, I_ABBR);
    if (ab[i].kind == SENT_TITLE && n < CUE_MAX_WORD) {
      char t[CUE_MAX_WORD + 1];
      memcpy(t, ab[i].word, n);
      t[n] = '.';
      cue_add(t, n + 1, I_TITLES_ABBR);
    }
  }
  atomic_store_explicit(&CUE_READY, 1, memory_order_release);
}

/* Is s[0..n) in one of the lists of `mask` (L_* bits)? */
static int in_list(uint32_t mask, const char *s, size_t n) {
  if (!atomic_load_explicit(&CUE_READY, memory_order_acquire)) pthread_once(&CUE_ONCE, cue_build);
  if (!n || n > CUE_MAX_WORD || !(CUE_BY_FIRST[(unsigned char)s[0]] & CUE_BY_LEN[n] & mask)) return 0;
  return (cue_find(s, n)->in & mask) != 0;
}

/* Abbreviated titles, a person's name follows ("Sen.", "Gen.", "Mr."): the
** SENT_TITLE abbreviations of src/text/sentence.c with their period. */

static const char *const TITLES[] = {
  "Mr", "Mrs", "Ms", "Dr", "President", "Vice", "Secretary", "Secretary-General", "Minister",
  "Premier", "Chancellor", "Judge", "Justice", "Sheriff", "Pope", "Cardinal", "Bishop",
  "Archbishop", "Reverend", "King", "Queen", "Prince", "Princess", "Sir", "Dame", "Lord", "Lady",
  "Senator", "Congressman", "Congresswoman", "Representative", "Governor", "Mayor",
  "Ambassador", "Chairman", "Chairwoman", "Chief", "Director", "Commissioner", "Detective",
  "Officer", "Deputy", "General", "Colonel", "Captain", "Major", "Lieutenant", "Sergeant",
  "Admiral", "Commander", "Corporal", "Private", "Spokesman", "Spokeswoman", "Coach",
  "Professor", "Attorney", "Prosecutor", "Councilman", "Councilwoman", "Speaker", "Leader",
  "Rabbi", "Imam", "Ayatollah", "Sheik", "Sheikh", "Emir", "Sultan", "Chef", "Anchor",
  "Host", "Correspondent", "Inspector", "Superintendent", "Trooper", "Constable", "Auditor",
  "Treasurer", "Counsel", "Agent", "CEO", "Chairperson", "Executive", NULL};

int cue_title_abbr(const char *s, size_t n) { return in_list(L_TITLES_ABBR, s, n); }
int cue_title(const char *s, size_t n) { return in_list(L_TITLES_ABBR | L_TITLES, s, n); }

/* Words that may take a period of their own ("Gen", "Inc", "Jr"): every
** abbreviation of src/text/sentence.c.  Whether that period also ends a
** sentence is sent_ends_at()'s question, not this list's. */
int cue_abbr(const char *s, size_t n) { return in_list(L_ABBR, s, n); }

/* May stand between two capitalised words of one name. */
static const char *const PARTICLES[] = {
  "de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos", "das",
  "do", "bin", "ibn", "ben", "al", "el", "y", "ter", "ten", "zu", "of", "for", "&", "on", "upon",
  "the", "and", NULL};

int cue_particle(const char *s, size_t n) { return in_list(L_PARTICLES, s, n); }

/* The last (or a) word of an organisation's name. */
static const char *const ORG_WORDS[] = {
  "Group", "Inc.", "Inc", "Corp.", "Corp", "Co.", "Company", "Companies", "Institute",
  "Administration", "Department", "Agency", "Commission", "Committee", "Council", "Association",
  "University", "College", "School", "Party", "Exchange", "Bank", "Court", "Senate", "House",
  "Congress", "Ministry", "Organization", "Organisation", "Union", "League", "Foundation", "Board",
  "Bureau", "Service", "Services", "Network", "News", "Times", "Post", "Journal", "Press",
  "Airlines", "Airways", "Motors", "Club", "Fund", "Authority", "Office", "Center", "Centers",
  "Centre", "Army", "Navy", "Corps", "Police", "Federation", "Society", "Alliance", "Trust",
  "Holdings", "Ltd.", "Ltd", "LLC", "Systems", "Technologies", "Parliament", "Assembly",
  "Government", "Church", "Broadcasting", "Communications", "Pharmaceuticals", "Laboratories",
  "Industries", "Enterprises", "International", "Brothers", "Bros.", "Partners", "Capital",
  "Securities", "Insurance", "Hospital", "Clinic", "Museum", "Academy", "Coalition",
  "Movement", "Front", "Brigade", "Brigades", "Command", "Forces", "Guard", "Cabinet",
  "Tribunal", "Reserve", "Commerce", "Chamber", "Project", "Program", "Programme", NULL};

int cue_org_word(const char *s, size_t n) { return in_list(L_ORG_WORDS, s, n); }

static const char *const PLACE_WORDS[] = {
  "County", "City", "State", "Province", "River", "Mountains", "Mountain", "Island", "Islands",
  "Street", "Square", "Basilica", "Cathedral", "Airport", "Bay", "Lake", "Valley", "Beach",
  "Park", "Avenue", "Road", "Bridge", "Strait", "Sea", "Ocean", "Gulf", "Peninsula", "Desert",
  "Canyon", "Harbor", "Harbour", "Coast", "Falls", "Heights", "Hills", "Township", "District",
  "Region", "Territory", "Territories", "Capitol", "Palace", "Stadium", "Arena", "Plaza",
  "Village", "Town", "Port", "Fort", "Mount", "Mt.", "Ft.", NULL};

int cue_place_word(const char *s, size_t n) { return in_list(L_PLACE_WORDS, s, n); }

/* Capitalised function words and sentence openers: never the start of a name. */
static const char *const OPENERS[] = {
  "The", "A", "An", "This", "That", "These", "Those", "But", "And", "Or", "Nor", "So", "Yet",
  "In", "On", "At", "By", "For", "From", "To", "Of", "With", "Without", "As", "If", "When",
  "While", "After", "Before", "Since", "Until", "Although", "Though", "Because", "However",
  "Meanwhile", "Also", "Then", "There", "Here", "It", "Its", "It's", "He", "She", "They",
  "We", "I", "You", "His", "Her", "Their", "Our", "My", "Your", "Some", "Many", "Most", "All",
  "Both", "Each", "Every", "No", "Not", "Now", "One", "Two", "Three", "Four", "Five", "Six",
  "Seven", "Eight", "Nine", "Ten", "Former", "Late", "Acting", "Retired", "Updated", "Under",
  "Over", "About", "Against", "Among", "Between", "During", "Despite", "Through", "Like",
  "Unlike", "What", "Who", "Why", "How", "Where", "Which", "Whether", "Even", "Only", "Just",
  "More", "Less", "Other", "Another", "Such", "Still", "Instead", "Asked", "Said", "Says",
  "Hi", "Dear", "Thanks", "Yes", "Please", "Sources", "Officials", "Authorities", "Police",
  "Earlier", "Later", "Today", "Tonight", "Yesterday", "Tomorrow", "Last", "Next", "First",
  "Is", "Are", "Was", "Were", "Will", "Would", "Can", "Could", "Should", "Do", "Does", "Did",
  "Has", "Have", "Had", "Let", "Don't", "Mr", "Mrs", "New", "No.", "Nos.", "Dad", "Mom", NULL};

int cue_opener(const char *s, size_t n) { return in_list(L_OPENERS, s, n) && !(n == 3 && !memcmp(s, "New", 3)); }

static const char *const DATE_WORDS[] = {
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
  "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.",
  "Sept.", "Oct.", "Nov.", "Dec.", "EST", "EDT", "PST", "PDT", "GMT", "CST", "CDT", "AM", "PM",
  "Christmas", "Easter", "Thanksgiving", NULL};

int cue_date_word(const char *s, size_t n) { return in_list(L_DATE_WORDS, s, n); }

/* Lower-case function and very common words: never part of a key phrase. */
static const char *const STOP[] = {
  "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "by", "for", "from", "to",
  "with", "without", "as", "into", "onto", "over", "under", "about", "after", "before", "than",
  "that", "this", "these", "those", "it", "its", "he", "she", "they", "them", "his", "her",
  "their", "we", "our", "you", "your", "i", "me", "my", "who", "whom", "whose", "which", "what",
  "when", "where", "why", "how", "is", "are", "was", "were", "be", "been", "being", "am", "do",
  "does", "did", "have", "has", "had", "will", "would", "can", "could", "should", "may",
  "might", "must", "shall", "not", "no", "so", "if", "then", "there", "here", "also", "just",
  "only", "very", "more", "most", "less", "much", "many", "some", "any", "all", "each", "every",
  "both", "other", "another", "such", "same", "own", "up", "down", "out", "off", "again",
  "said", "says", "say", "told", "tell", "according", "while", "during", "since", "until",
  "through", "between", "among", "against", "because", "though", "although", "whether", "yet",
  "still", "even", "ever", "never", "now", "new", "one", "two", "three", "four", "five", "six",
  "seven", "eight", "nine", "ten", "first", "second", "last", "next", "year", "years", "day",
  "days", "week", "weeks", "month", "months", "time", "times", "people", "officials",
  "official", "including", "like", "well", "way", "made", "make", "get", "got", "going", "go",
  "went", "come", "came", "take", "took", "see", "saw", "know", "think", "want", "need",
  "set", "put", "give", "gave", "back", "early", "late", "earlier", "later", "ago", "per",
  "percent", "mr", "mrs", "ms", "dr", "lot", "lots", "thing", "things", "today", "yesterday",
  "tomorrow", "tonight", "morning", "afternoon", "evening", "night", "s", "t", "don", "didn",
  "around", "across", "within", "upon", "via", "already", "almost", "away", "far", "long",
  "good", "great", "big", "small", "high", "low", "old", "part", "number", "end", "being",
  "let", "us", "him", "himself", "herself", "themselves", "itself", "too", "often", "always",
  "really", "something", "nothing", "anything", "everything", "someone", "anyone", "everyone",
  "several", "few", "top", "former", "current", "recent", "major", "likely", "others", NULL};

int cue_stop(const char *s, size_t n) { return in_list(L_STOP, s, n); }

static const char *const SUFFIXES[] = {"Jr.", "Sr.", "Jr", "Sr", "II", "III", "IV", NULL};
int cue_suffix(const char *s, size_t n) { return in_list(L_SUFFIXES, s, n); }

/* Adjectives of nationality and religion: describe, name no topic. */
static const char *const DEMONYMS[] = {
  "American", "Americans", "British", "French", "German", "Germans", "Italian", "Spanish",
  "Russian", "Russians", "Chinese", "Japanese", "Korean", "Iraqi", "Iraqis", "Iranian",
  "Israeli", "Israelis", "Palestinian", "Palestinians", "Afghan", "Pakistani", "Indian",
  "Syrian", "Egyptian", "Saudi", "Turkish", "Greek", "Dutch", "Belgian", "Swiss", "Swedish",
  "Norwegian", "Danish", "Polish", "Ukrainian", "Canadian", "Mexican", "Brazilian",
  "Australian", "European", "Europeans", "African", "Asian", "Arab", "Arabs", "Muslim",
  "Muslims", "Christian", "Christians", "Jewish", "Catholic", "Catholics", "Protestant",
  "Shiite", "Shiites", "Sunni", "Sunnis", "Kurdish", "Kurds", "Western", "Eastern",
  "Northern", "Southern", "Islamic", "Democrat", "Democrats", "Democratic", "Republican",
  "Republicans", "English", "Irish", "Scottish", "Welsh", "Cuban", "Lebanese", "Jordanian",
  "Libyan", "Sudanese", "Nigerian", "Kenyan", "Vietnamese", "Filipino", "Indonesian",
  "Portuguese", "Austrian", "Hungarian", "Czech", "Serbian", "Croatian", "Bosnian",
  "Albanian", "Romanian", "Bulgarian", "Finnish", "Scandinavian", "Latino", "Hispanic",
  "Californian", "Texan", "Floridian", "Pakistanis", "Afghans", "Palestinian", NULL};

int cue_demonym(const char *s, size_t n) { return in_list(L_DEMONYMS, s, n); }

static const char *const *const *lists_all(size_t *n) {
  static const char *const *const ALL[I_LISTS] = {
    [I_TITLES_ABBR] = NULL, [I_TITLES] = TITLES, [I_ABBR] = NULL, [I_PARTICLES] = PARTICLES,
    [I_ORG_WORDS] = ORG_WORDS, [I_PLACE_WORDS] = PLACE_WORDS, [I_OPENERS] = OPENERS,
    [I_DATE_WORDS] = DATE_WORDS, [I_STOP] = STOP, [I_SUFFIXES] = SUFFIXES, [I_DEMONYMS] = DEMONYMS};
  *n = I_LISTS;
  return ALL;
}
