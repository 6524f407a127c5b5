/*
** date.h -- ISO 8601 dates.
**
** Articles carry a date as "YYYY-MM-DD" or a date-time
** "YYYY-MM-DDThh:mm[:ss[.fff]][Z|+hh:mm|-hh:mm]" (a space may stand for the
** T; no zone means UTC).  Internally a date is seconds since 1970-01-01
** UTC (int64, proleptic Gregorian, years 0001..9999).
*/
#ifndef ND_UTIL_DATE_H
#define ND_UTIL_DATE_H
#include <stddef.h>
#include <stdint.h>

#define DATE_NONE INT64_MIN /* an article without a date */

/* Parse a full article date.  Returns 0 and sets *secs, or -1 and writes a
** short reason ("month 13 out of range", "expected YYYY-MM-DD") to
** err[0..errcap). */
int date_parse(const char *s, size_t len, int64_t *secs, char *err, size_t errcap);

/* Parse a possibly partial date used in queries: "YYYY", "YYYY-MM" or
** "YYYY-MM-DD" (or a full date-time).  Sets [*lo, *hi] to the first and last
** second of the period it names.  Returns 0, or -1 with a reason in err. */
int date_parse_period(const char *s, size_t len, int64_t *lo, int64_t *hi, char *err, size_t errcap);

/* Write secs as "YYYY-MM-DD" (when it is midnight UTC) or
** "YYYY-MM-DDThh:mm:ssZ" into out (at least 24 bytes).  Returns the length. */
size_t date_format(int64_t secs, char *out);

/* Parse a length of time: a positive number and a unit, h (hours), d
** (days), w (weeks) or y (365 days): "30d", "12h", "1.5w".  Returns 0 and
** sets *secs, or -1 with a reason in err. */
int date_parse_duration(const char *s, double *secs, char *err, size_t errcap);

/* Days since 1970-01-01 for a civil date, and back. */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);
void date_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
