/*
** gazetteer.h -- word and place lists the linker reads from Debian packages.
**
** Loaded once per process, on first use, from files installed by Debian
** packages (no network, nothing shipped in the project):
**
**   wamerican  /usr/share/dict/words        English words as a dictionary
**              writes them: "paris" is absent, "Paris" present, "mark" and
**              "Mark" both.  Tells a capitalised common word at the start of
**              a sentence ("Two", "Differences") from a name ("Paris").
**   iso-codes  /usr/share/iso-codes/json/iso_3166-1.json   country names
**              (name, common_name, official_name) and iso_3166-2.json
**              subdivision names (states, provinces, ...).
**   tzdata     /usr/share/zoneinfo/zone1970.tab            city names of
**              time zones ("America/Los_Angeles" -> "Los Angeles").
**
** The folder of each can be changed at compile time (ND_DICT_WORDS,
** ND_ISO_CODES_DIR, ND_ZONEINFO_DIR).  A missing file leaves its list
** empty: linking still works, with types from cues only.
*/
#ifndef ND_LINK_GAZETTEER_H
#define ND_LINK_GAZETTEER_H
#include <stddef.h>
#include <stdint.h>

/* Flags of an entry (a name can have several). */
enum {
  GZ_WORD = 1,      /* the dictionary has it spelled exactly so */
  GZ_COUNTRY = 2,   /* a country name */
  GZ_REGION = 4,    /* a subdivision: state, province, region... */
  GZ_CITY = 8,      /* a city of the time-zone database */
  GZ_CONTINENT = 16 /* a continent or world region (built in) */
};

/* Load the lists if not done yet.  0, or -1 when memory ran out (then the
** next call tries again). Thread-safe. */
int gaz_load(void);

/* The flags of exactly s[0..n) (0 if unknown).  gaz_load() must have
** succeeded. */
unsigned gaz_flags(const char *s, size_t n);

/* The canonical name of the country named s[0..n) ("U.S.", "US",
** "America", "United States of America" -> "United States"; "Britain",
** "U.K." -> "United Kingdom"), its length in *len; NULL when s names no
** country (or gaz_load() has not run).  Not NUL-terminated. */
const char *gaz_country(const char *s, size_t n, size_t *len);

/* Is s[0..n) an adjective of nationality or of a region ("Iraqi",
** "Icelandic", "Californian"): a capitalised word whose stem, with the
** ending of a place name, is a country, region or continent? */
int gaz_demonym(const char *s, size_t n);

/* Entries loaded from each source, for the docs and tests. */
typedef struct gaz_counts {
  size_t words, countries, regions, cities;
} gaz_counts;
void gaz_get_counts(gaz_counts *out);

#endif
