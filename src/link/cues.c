/*
** cues.c -- the fixed word lists of the linker.
**
** Words are compared as written (case matters: "Gen." is a title, "gen"
** nothing).  The lists are short and general; names themselves come from
** the text and from the gazetteers (gazetteer.c), never from here.
*/
#include <pthread.h>
#include <string.h>
#include <xxhash.h>

#include "link.h"

/* Word lists are looked up through one hash table built at first use:
** every word with the set of lists it is in (a linear scan of the lists
** was half of the linker's time). */
static const char *const *const *lists_all(size_t *n);

typedef struct cue_slot {
  const char *word; /* NULL: empty */
  size_t len;
  uint32_t in;      /* bit i: in list i of lists_all() */
} cue_slot;

#define CUE_SLOTS 4096
static cue_slot CUE_TABLE[CUE_SLOTS];
static pthread_once_t CUE_ONCE = PTHREAD_ONCE_INIT;

static size_t cue_hash(const char *s, size_t n) { return (size_t)XXH3_64bits(s, n) & (CUE_SLOTS - 1); }

static cue_slot *cue_find(const char *s, size_t n) {
  size_t h = cue_hash(s, n);
  while (CUE_TABLE[h].word && (CUE_TABLE[h].len != n || memcmp(CUE_TABLE[h].word, s, n))) h = (h + 1) & (CUE_SLOTS - 1);
  return &CUE_TABLE[h];
}

static void cue_build(void) {
  size_t nl;
  const char *const *const *all = lists_all(&nl);
  for (size_t i = 0; i < nl; i++)
    for (const char *const *w = all[i]; *w; w++) {
      cue_slot *sl = cue_find(*w, strlen(*w));
      sl->word = *w;
      sl->len = strlen(*w);
      sl->in |= 1u << i;
    }
}

static int in_list(const char *const *list, const char *s, size_t n) {
  pthread_once(&CUE_ONCE, cue_build);
  size_t nl;
  const char *const *const *all = lists_all(&nl);
  const cue_slot *sl = cue_find(s, n);
  if (!sl->word) return 0;
  for (size_t i = 0; i < nl; i++)
    if (all[i] == list) return (sl->in >> i) & 1;
  return 0;
}

/* Abbreviated titles: a person's name follows. */
static const char *const TITLES_ABBR[] = {
  "Mr.", "Mrs.", "Ms.", "Dr.", "Sen.", "Rep.", "Gov.", "Lt.", "Gen.", "Col.", "Sgt.", "Capt.",
  "Adm.", "Maj.", "Cpl.", "Pvt.", "Cmdr.", "Cdr.", "Rev.", "Prof.", "Det.", "Insp.", "Supt.",
  "Msgr.", "Fr.", "Amb.", "Atty.", "Lt.Gen.", "Brig.", "Pres.", "Sens.", "Reps.", "Mmes.", NULL};

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

int cue_title_abbr(const char *s, size_t n) { return in_list(TITLES_ABBR, s, n); }
int cue_title(const char *s, size_t n) { return in_list(TITLES_ABBR, s, n) || in_list(TITLES, s, n); }

/* Words that may take a period of their own (the period ends no sentence). */
static const char *const ABBR[] = {
  "Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Lt", "Gen", "Col", "Sgt", "Capt", "Adm", "Maj",
  "Cpl", "Pvt", "Cmdr", "Cdr", "Rev", "Prof", "Det", "Insp", "Supt", "Msgr", "Fr", "Amb", "Atty",
  "Brig", "Pres", "Sens", "Reps", "St", "Ste", "Mt", "Ft", "Jr", "Sr", "Inc", "Corp", "Co", "Ltd",
  "Bros", "No", "Nos", "vs", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
  "Oct", "Nov", "Dec", "Ave", "Blvd", "Rd", "Dept", "Univ", "Assn", "Gens", "Messrs", NULL};

int cue_abbr(const char *s, size_t n) { return in_list(ABBR, s, n); }

/* May stand between two capitalised words of one name. */
static const char *const PARTICLES[] = {
  "de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos", "das",
  "do", "bin", "ibn", "ben", "al", "el", "y", "ter", "ten", "zu", "of", "for", "&", "on", "upon",
  "the", "and", NULL};

int cue_particle(const char *s, size_t n) { return in_list(PARTICLES, s, n); }

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

int cue_org_word(const char *s, size_t n) { return in_list(ORG_WORDS, s, n); }

static const char *const PLACE_WORDS[] = {
  "County", "City", "State", "Province", "River", "Mountains", "Mountain", "Island", "Islands",
  "Street", "Square", "Basilica", "Cathedral", "Airport", "Bay", "Lake", "Valley", "Beach",
  "Park", "Avenue", "Road", "Bridge", "Strait", "Sea", "Ocean", "Gulf", "Peninsula", "Desert",
  "Canyon", "Harbor", "Harbour", "Coast", "Falls", "Heights", "Hills", "Township", "District",
  "Region", "Territory", "Territories", "Capitol", "Palace", "Stadium", "Arena", "Plaza",
  "Village", "Town", "Port", "Fort", "Mount", "Mt.", "Ft.", NULL};

int cue_place_word(const char *s, size_t n) { return in_list(PLACE_WORDS, s, n); }

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

int cue_opener(const char *s, size_t n) { return in_list(OPENERS, s, n) && !(n == 3 && !memcmp(s, "New", 3)); }

static const char *const DATE_WORDS[] = {
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
  "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.",
  "Sept.", "Oct.", "Nov.", "Dec.", "EST", "EDT", "PST", "PDT", "GMT", "CST", "CDT", "AM", "PM",
  "Christmas", "Easter", "Thanksgiving", NULL};

int cue_date_word(const char *s, size_t n) { return in_list(DATE_WORDS, s, n); }

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

int cue_stop(const char *s, size_t n) { return in_list(STOP, s, n); }

static const char *const SUFFIXES[] = {"Jr.", "Sr.", "Jr", "Sr", "II", "III", "IV", NULL};
int cue_suffix(const char *s, size_t n) { return in_list(SUFFIXES, s, n); }

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

int cue_demonym(const char *s, size_t n) { return in_list(DEMONYMS, s, n); }

static const char *const *const *lists_all(size_t *n) {
  static const char *const *const ALL[] = {TITLES_ABBR, TITLES, ABBR, PARTICLES, ORG_WORDS, PLACE_WORDS, OPENERS, DATE_WORDS, STOP, SUFFIXES, DEMONYMS};
  *n = sizeof ALL / sizeof *ALL;
  return ALL;
}
