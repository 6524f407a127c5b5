/*
** cli.h -- internal interface of the `newsdex` command.
**
** main.c owns dispatch, the usage texts, option parsing helpers and the
** mapping from library status codes to exit codes; term.c owns everything
** that depends on the terminal (colour, progress line, safe text output);
** every cmd_*.c file implements one or more sub-commands.
*/
#ifndef ND_CLI_CLI_H
#define ND_CLI_CLI_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "newsdex.h"

/* Exit codes (documented in --help, man/newsdex.1 and docs/cli.md). */
enum {
  EXIT_OK = 0,        /* success */
  EXIT_ERROR = 1,     /* I/O error, damaged archive, out of memory, ... */
  EXIT_USAGE = 2,     /* bad command line or malformed query */
  EXIT_REJECTED = 3,  /* add: some input was rejected, the rest committed */
  EXIT_LOCKED = 4,    /* another writer holds the archive */
  EXIT_NOTFOUND = 5   /* no such article or archive */
};

/* ---- main.c: command line helpers ------------------------------------- */

/* The common state of a sub-command's argument scan. */
typedef struct cli_args {
  const char *cmd; /* "add", "search", ... (for messages) */
  int argc;
  char **argv;
  int i;           /* index of the argument being looked at */
  int no_more_opts; /* a "--" was seen */
  const char *db;  /* --db ARCHIVE (or the global one, or NEWSDEX_DB) */
} cli_args;

/* Results of the option helpers below. */
enum { OPT_NO = 0, OPT_YES = 1, OPT_BAD = -1, OPT_HELP = 2, OPT_SEP = 3 };

/* Set up a scan of argv[1..argc) for sub-command `cmd`; `db` is the global
** --db given before the command (or NULL). */
void cli_args_init(cli_args *a, const char *cmd, const char *db, int argc, char **argv);

/* Classify argv[a->i]: OPT_YES when it is an option ("--name..." before any
** "--"; also "-h" unless `dash_words_are_args`, for search whose "-word"
** arguments are query exclusions), OPT_NO when it is an ordinary argument,
** OPT_SEP for the "--" separator itself (skip it). */
int cli_is_option(cli_args *a, int dash_words_are_args);

/* Does the option at argv[a->i] have this name?  For options taking a value
** (`val` not NULL) accept "--name VALUE" and "--name=VALUE" and store the
** value (a->i then points at the last argument consumed).  Returns OPT_YES,
** OPT_NO, or OPT_BAD after printing a usage error (missing value, or a value
** given to a flag). */
int cli_opt(cli_args *a, const char *name, const char **val);

/* Handle the options every command has: --help/-h (prints the command's
** usage: OPT_HELP) and --db (OPT_YES).  OPT_NO if it is neither, OPT_BAD on
** a usage error. */
int cli_common_opt(cli_args *a);

/* Print "newsdex CMD: unknown option ..." and return EXIT_USAGE. */
int cli_unknown_opt(const cli_args *a);

/* Print a usage error for the command (message plus a hint to --help) and
** return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a decimal count option into [min, max]; prints a usage error and
** returns -1 when it is not one. */
int cli_parse_count(const char *cmd, const char *opt, const char *s, uint64_t min, uint64_t max,
                    uint64_t *out);

/* Parse a --versions value, "collapse" or "all", into ND_VERSIONS_*;
** prints a usage error and returns -1 when it is neither. */
int cli_parse_versions(const char *cmd, const char *s, int *out);

/* The archive to use: --db, else $NEWSDEX_DB.  Prints a usage error and
** returns NULL when there is none. */
const char *cli_archive(const cli_args *a);

/* Print the usage text of a command (or the general one for NULL). */
void cli_print_usage(FILE *f, const char *cmd);

/* Print "error: MESSAGE" for a failed library call on ix (falls back on
** nd_strerror(rc) when the handle has no message). */
void cli_lib_error(const nd_index *ix, int rc);

/* Print "error: ..." (printf style). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit code for a library status. */
int cli_exit_code(int rc);

/* Open an archive; on failure print the library's message, close the
** handle and return the exit code (0 on success). */
int cli_open(const char *db, unsigned flags, const nd_open_options *opts, nd_index **out);

/* A JSON string, or null for NULL or "" (the library's "absent"). */
json_t *cli_json_str(const char *s);

/* Print a JSON value on stdout (indented, one trailing newline) and free
** it.  Returns EXIT_OK, or EXIT_ERROR after a message when it could not be
** built (NULL) or encoded (out of memory). */
int cli_json_print(json_t *v);

/* An article as a JSON object (id, title, date, source, url, marked,
** extra, body), as `show --json` prints it; NULL if out of memory. */
json_t *cli_doc_json(const nd_doc *d);
/* The written forms of topic t (one of l's topics) with their spans in
** body: [{"text", "start", "end", "title"}, ...] in body order; NULL when
** out of memory. */
json_t *cli_topic_forms(const nd_links *l, const nd_topic *t, const char *body);

/* A search hit as a JSON object, as `search --json` prints it; NULL if out
** of memory. */
json_t *cli_hit_json(const nd_hit *h);

/* Archive statistics as a JSON object, as `stats --json` prints them
** (`archive` NULL: no "archive" member); NULL if out of memory. */
json_t *cli_stats_json(const char *archive, const nd_stats *s);

/* The whole of file `path` (- for standard input) as a NUL-terminated
** string (free() it), at most CLI_TEXT_MAX bytes; NULL after a message
** when it cannot be read. */
#define CLI_TEXT_MAX ((size_t)1 << 30)
char *cli_read_text(const char *path);

/* Seconds on the monotonic clock. */
double cli_now(void);

/* ---- term.c: terminal helpers ----------------------------------------- */

/* Colour on stdout: a terminal, and NO_COLOR unset or empty. */
int term_color_stdout(void);

/* Is stderr a terminal (progress output allowed)? */
int term_stderr_tty(void);

#define TERM_BOLD "\033[1m"
#define TERM_RESET "\033[0m"

/* Write text for a human: control characters other than newline and tab
** are shown as '?' (so stored text cannot drive the terminal), except
** occurrences of the strings in keep[0..nkeep) (our own highlight marks)
** which are written as is.  After each newline `indent` is written. */
void term_put_text(FILE *f, const char *s, size_t n, const char *indent, const char *const *keep,
                   size_t nkeep);

/* Same on a single line: every run of white space (newlines included)
** becomes one space. */
void term_put_line(FILE *f, const char *s, size_t n);

/* Same, one character for one: each white space or control character is
** written as one space or '?' (so that columns match term_column()). */
void term_put_flat(FILE *f, const char *s, size_t n);


/* Display column of byte offset `off` in s (counts code points). */
size_t term_column(const char *s, size_t off);
/* On f: "  QUERY" on one line, then a caret under byte `off` of it (off
** past the end: under its end). */
void term_put_caret(FILE *f, const char *query, size_t off);

/* The progress line on stderr.  term_progress() redraws it (callers
** throttle); term_progress_clear() erases it (call before any other
** message, and at the end). */
void term_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void term_progress_clear(void);

/* ---- commands ---------------------------------------------------------- */

/* Each takes the global --db (may be NULL) and argv[0] = command name. */
int cmd_add(const char *db, int argc, char **argv);
int cmd_search(const char *db, int argc, char **argv);
int cmd_show(const char *db, int argc, char **argv);
int cmd_delete(const char *db, int argc, char **argv);
int cmd_stats(const char *db, int argc, char **argv);
int cmd_optimize(const char *db, int argc, char **argv);
int cmd_eval_links(const char *db, int argc, char **argv); /* cmd_links.c */
int cmd_serve(const char *db, int argc, char **argv);
int cmd_check(const char *db, int argc, char **argv);
int cmd_timeline(const char *db, int argc, char **argv);
int cmd_threads(const char *db, int argc, char **argv);
int cmd_stats_merge(const char *db, int argc, char **argv); /* cmd_search.c */

/* cmd_threads.c: print thread `key` and its articles (text or JSON); an
** exit status.  Article id's versions and thread: added to JSON object o,
** or printed as text when o is NULL; an ND_* status. */
int cli_show_thread(nd_index *ix, const char *key, int json);
json_t *cli_thread_json(const nd_thread *t);
/* The hits of r as a JSON array (cli_hit_json each); NULL if out of memory. */
json_t *cli_hits_json(const nd_results *r);
int cli_doc_stories(nd_index *ix, const char *id, json_t *o);

#endif
