/*
** main.c -- the `newsdex` command: dispatch to sub-commands, global options
** (--help, --version, --db), usage texts, option parsing helpers, error
** messages and the mapping from library status codes to exit codes.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

typedef int (*cmd_fn)(const char *db, int argc, char **argv);

typedef struct command {
  const char *name;
  cmd_fn fn;
  const char *summary;
  const char *usage; /* synopsis and options */
} command;

static const command COMMANDS[] = {
  {"add", cmd_add, "add articles from files, folders and standard input",
   "usage: newsdex add --db ARCHIVE [--format jsonl|json|txt] [--quiet] [--language LANG]\n"
   "                   [--buffer-mb N] [--threads N] PATH...\n"
   "\n"
   "Add the articles of each PATH to the archive (created if missing) and\n"
   "commit once at the end.  A PATH is a .txt article, a .jsonl, .jsonl.zst\n"
   "or .jsonl.gz file (one JSON article per line), a .json file (one JSON\n"
   "array of articles), a folder (every such file below it), or - for\n"
   "standard input.  Standard input and a file with another ending (such as\n"
   "split's batch-000) are recognised by their content: zstd or gzip, then\n"
   "JSON Lines, a JSON array or else one plain-text article; binary data is\n"
   "refused.  An article needs a title or a body.  An article with the id of\n"
   "a stored one replaces it.  Each rejected input is reported on stderr as\n"
   "FILE:LINE: REASON (FILE:[INDEX]: REASON for an element of a JSON array)\n"
   "and skipped.  On a terminal a progress bar shows on stderr.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  --format FMT     what standard input and files without a known ending\n"
   "                   hold: jsonl, json or txt (default: recognised by the\n"
   "                   content); compression is still recognised\n"
   "  --quiet          no progress bar and no summary (rejections are still\n"
   "                   reported)\n"
   "  --language LANG  stemming language of a new archive (default english;\n"
   "                   'none' disables stemming); ignored if it exists\n"
   "  --buffer-mb N    memory for buffered articles before a segment is\n"
   "                   written, in MiB (default 64)\n"
   "  --threads N      1: everything in one thread; 2 or more (default 2):\n"
   "                   prepare articles (checks, key topics, analysis) on N\n"
   "                   threads and write each full buffer in the background\n"
   "                   while the next one fills (memory: up to two buffers)\n"
   "  -h, --help       show this help\n"},
  {"search", cmd_search, "search the archive",
   "usage: newsdex search --db ARCHIVE [--json] [--limit N] [--offset N]\n"
   "                      [--sort relevance|date|date-asc] [--count exact|lower-bound]\n"
   "                      [--facets FIELD,...] [--facet-limit N] [--versions collapse|all]\n"
   "                      [--recency HALF_LIFE [--as-of DATE]] [--stats FILE] QUERY...\n"
   "       newsdex search --db ARCHIVE --print-stats QUERY...\n"
   "       newsdex search --db ARCHIVE --batch [--limit N] [--count ...] [--timings]\n"
   "\n"
   "Search the archive; the QUERY words are joined with spaces (see\n"
   "docs/query-language.md).  A word starting with a single '-' is an\n"
   "exclusion, not an option; put '--' before a query word that starts\n"
   "with '--'.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  --json           print one JSON object (snippets HTML, <mark>ed)\n"
   "  --limit N        hits to show (default 10); 0: only the total (and\n"
   "                   the facets), counted exactly\n"
   "  --offset N       hits to skip first (default 0)\n"
   "  --sort KEY       relevance (default; ties newer first), date (newest\n"
   "                   first) or date-asc (oldest first; also: oldest)\n"
   "  --count HOW      exact (default): count every match; lower-bound: the\n"
   "                   total may stop at what ranking needed (faster)\n"
   "  --facets LIST    count the matches' most frequent values of each field:\n"
   "                   people, organisations, places, topics (key topics of\n"
   "                   any type), source\n"
   "  --facet-limit N  values shown per field, 1 to 1000 (default 10)\n"
   "  --versions HOW   collapse (default): one hit per story, its best-ranked\n"
   "                   version, with \"N other versions\"; facets count\n"
   "                   stories; all: every matching article\n"
   "  --recency HALF   multiply each score by 2^(-age/HALF): HALF is a number\n"
   "                   and h, d, w or y (30d); undated articles count as\n"
   "                   10 half-lives old\n"
   "  --as-of DATE     with --recency: ages counted back from DATE (default:\n"
   "                   now)\n"
   "  --print-stats    print the figures the QUERY is scored with on this\n"
   "                   archive (articles, length sums, each term's df)\n"
   "                   instead of searching; newsdex stats-merge adds up\n"
   "                   those of several shards\n"
   "  --stats FILE     score with the figures in FILE (- for stdin) instead\n"
   "                   of the archive's: with the sum of every shard's, each\n"
   "                   shard scores as one archive of them all would\n"
   "  --batch          run each line of stdin as a query; print per query\n"
   "                   TOTAL<tab>ID,ID,... (or error<tab>MESSAGE)\n"
   "  --timings        with --batch: '#qt_ns N' per query on stderr\n"
   "  --help           show this help\n"},
  {"stats-merge", cmd_stats_merge, "add up the figures of a query from several shards",
   "usage: newsdex stats-merge FILE...\n"
   "\n"
   "Add up the figures that 'newsdex search --print-stats QUERY' printed on\n"
   "each shard of an archive (FILE: one shard's, - for standard input) and\n"
   "print the sum, for 'newsdex search --stats' on every shard: each then\n"
   "scores as one archive of all the shards' articles would, so that the\n"
   "best hits of the shards together are the best of the whole\n"
   "(docs/api.md describes the text).\n"
   "\n"
   "  -h, --help       show this help\n"},
  {"timeline", cmd_timeline, "count the matches of queries per day, week, month or year",
   "usage: newsdex timeline --db ARCHIVE [--by day|week|month|year] [--from DATE] [--to DATE]\n"
   "                        [--versions collapse|all] [--csv] [--svg FILE] [--title TEXT]\n"
   "                        QUERY...\n"
   "\n"
   "Count the stories (or articles) matching each QUERY per period of their\n"
   "date, exactly, from the index, and print a row per period with the counts\n"
   "and a bar per query.  Each QUERY argument is one query: quote a query of\n"
   "several words (newsdex timeline NATO '\"Iraq war\"').  Every period from\n"
   "the first to the last is shown, 0 where nothing matched.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  --by UNIT        day, week (ISO weeks), month or year; default: year when\n"
   "                   the dates span over three years, month over three\n"
   "                   months, else day\n"
   "  --from DATE      count articles dated from DATE on (YYYY, YYYY-MM or\n"
   "                   YYYY-MM-DD); the periods shown start at DATE's\n"
   "  --to DATE        count articles dated up to the end of DATE; the periods\n"
   "                   shown end at DATE's\n"
   "  --versions HOW   collapse (default): count stories, a wire story run by\n"
   "                   many outlets once; all: count every article\n"
   "  --csv            print CSV instead: period,QUERY1,QUERY2,... then a row\n"
   "                   per period\n"
   "  --svg FILE       write a chart of the counts (SVG, - for standard\n"
   "                   output): one series per query, a legend, labelled axes\n"
   "  --title TEXT     the chart's title (default: \"Stories per month, FIRST to\n"
   "                   LAST\")\n"
   "  -h, --help       show this help\n"},
  {"show", cmd_show, "print one stored article",
   "usage: newsdex show --db ARCHIVE [--json | --html] [--links] [-k N] ID\n"
   "       newsdex show --db ARCHIVE [--json] --thread KEY\n"
   "\n"
   "Print the stored article with this id: its fields, the terms marked\n"
   "(search), any extra fields, its other versions (wire copies: id, date,\n"
   "source) and its story thread, then the body.  With --thread, list the\n"
   "thread with that key (as search --json and threads give it) in date\n"
   "order.  With --links the article's\n"
   "key topics are chosen (docs/linking.md) and \" (search)\" is printed after\n"
   "each one's first mention.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  --json           print the article as one JSON object; with --links\n"
   "                   it has \"links\": start, end (bytes of the body), text,\n"
   "                   type, score, mentions, articles of each topic\n"
   "  --links          choose the key topics and mark them\n"
   "  --html           print the article as HTML, each topic's first mention\n"
   "                   a link to /search?q=TOPIC (implies --links)\n"
   "  -k, --topics N   topics to choose, 1 to 100 (default 3; implies --links)\n"
   "  --thread KEY     show the story thread with this key instead\n"
   "  -h, --help       show this help\n"},
  {"threads", cmd_threads, "list the largest story threads",
   "usage: newsdex threads --db ARCHIVE [--from DATE] [--to DATE] [--limit N]\n"
   "                       [--min-articles N] [--json]\n"
   "\n"
   "List the largest story threads -- articles about one developing story,\n"
   "gathered as they were added (docs/stories.md) -- most stories first:\n"
   "the first article's headline, the number of articles and of stories\n"
   "(wire copies counted once), the dates, the sources and the thread's\n"
   "key, for newsdex show --thread KEY.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  --from DATE      count only articles dated from DATE on (YYYY, YYYY-MM\n"
   "                   or YYYY-MM-DD)\n"
   "  --to DATE        count only articles dated up to the end of DATE\n"
   "  --limit N        threads to list, 1 to 1000 (default 10)\n"
   "  --min-articles N leave out smaller threads (default 2)\n"
   "  --json           print one JSON object {\"threads\": [...]}\n"
   "  -h, --help       show this help\n"},
  {"delete", cmd_delete, "delete articles by id",
   "usage: newsdex delete --db ARCHIVE ID...\n"
   "\n"
   "Delete the articles with these ids and commit.  An unknown id is\n"
   "reported (exit status 5); the others are still deleted.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  -h, --help       show this help\n"},
  {"stats", cmd_stats, "print counts and sizes",
   "usage: newsdex stats --db ARCHIVE [--json]\n"
   "\n"
   "Print the number of articles, deleted articles, segments and terms, the\n"
   "size of the archive, its commit number and its stemming language.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  --json           print one JSON object\n"
   "  -h, --help       show this help\n"},
  {"optimize", cmd_optimize, "merge all segments into one",
   "usage: newsdex optimize --db ARCHIVE\n"
   "\n"
   "Merge every segment of the archive into one, dropping deleted articles.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  -h, --help       show this help\n"},
  {"eval-links", cmd_eval_links, "measure the key-topic links against people's",
   "usage: newsdex eval-links [--db ARCHIVE] [-k N] [--summary] FILE...\n"
   "\n"
   "Hide the \"(search)\" markers of articles that editors marked, choose\n"
   "k topics for each (docs/linking.md) and report precision, recall and F1\n"
   "against the marked terms, exact and lenient, with the hits, misses and\n"
   "extras of each article.  A FILE is a .txt article, a folder of them or\n"
   "a .jsonl file whose records have \"body_with_markers\" (and optionally\n"
   "\"marked_terms\", \"marked_terms_lenient\"), a \"body\" with markers, or\n"
   "\"keyphrases\" (scored at 3, 5 and 10 topics).  Archive statistics come\n"
   "from --db when it is given; without it the text alone is used.\n"
   "\n"
   "  --db ARCHIVE     an archive for statistics (read only; optional here)\n"
   "  -k, --topics N   topics per marked article, 1 to 64 (default 3)\n"
   "  --summary        only the totals, no per-article listing\n"
   "  -h, --help       show this help\n"},
  {"check", cmd_check, "verify the archive's files and invariants",
   "usage: newsdex check --db ARCHIVE [--json]\n"
   "\n"
   "Read the whole archive and verify the manifest's checksum, every segment\n"
   "file's size and checksum, the deletion files, and the index's internal\n"
   "invariants (sorted terms, postings agreeing with the document table,\n"
   "date and id indexes, every stored article readable).  Each problem is\n"
   "printed as 'problem: FILE: where: what'; then a summary.  Nothing is\n"
   "changed and no lock is taken.  Exit status 1 when a problem is found.\n"
   "\n"
   "  --db ARCHIVE     the archive directory (default: $NEWSDEX_DB)\n"
   "  --json           print one JSON object (counts and \"details\")\n"
   "  -h, --help       show this help\n"},
  {"serve", cmd_serve, "serve archives over HTTP: JSON API, Elasticsearch API, web page",
   "usage: newsdex serve (--db ARCHIVE | --root DIR) [--bind ADDR] [--port N]\n"
   "                     [--threads N] [--write-token FILE] [--web DIR]\n"
   "                     [--max-body-mb N] [--max-connections N] [--timeout SECONDS]\n"
   "\n"
   "Serve over HTTP: the JSON API under /api/ (docs/api.md), a subset of the\n"
   "Elasticsearch REST API at the root (docs/elasticsearch.md) and the search\n"
   "page at /.  Commits made meanwhile by other processes become visible\n"
   "without a restart.  One line per request is logged on stderr.  SIGINT or\n"
   "SIGTERM stops the server after the requests in progress.\n"
   "\n"
   "  --db ARCHIVE          the archive directory (default: $NEWSDEX_DB),\n"
   "                        served as the index named after its folder\n"
   "  --root DIR            serve every archive in DIR as an index named after\n"
   "                        its folder; with writes on, PUT /{index} creates\n"
   "                        one and DELETE /{index} deletes one\n"
   "  --bind ADDR           numeric address to listen on (default 127.0.0.1)\n"
   "  --port N              port (default 8080; 0: any free port, printed)\n"
   "  --threads N           worker threads (default: twice the processors)\n"
   "  --write-token FILE    allow writes (POST /api/docs, DELETE /api/doc/ID and\n"
   "                        the ES API's) for requests with 'Authorization:\n"
   "                        Bearer TOKEN' (or ApiKey TOKEN, or Basic with TOKEN\n"
   "                        as the password), the token being FILE's one line\n"
   "                        (16+ characters); creates the archive if missing.\n"
   "                        Default: no writes\n"
   "  --web DIR             the page's files (default: found beside the command)\n"
   "  --max-body-mb N       largest request body (default 8)\n"
   "  --max-connections N   open connections before answering 503 (default 512)\n"
   "  --timeout SECONDS     close connections idle this long (default 15)\n"
   "  -h, --help            show this help\n"},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof *COMMANDS)

static const char EXIT_TEXT[] =
  "exit status:\n"
  "  0  success\n"
  "  1  error (I/O, damaged archive, out of memory, ...)\n"
  "  2  usage error or malformed query\n"
  "  3  add: some input was rejected (the rest was committed)\n"
  "  4  the archive is locked by another writer\n"
  "  5  not found (article or archive)\n";

static const command *find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(COMMANDS[i].name, name)) return &COMMANDS[i];
  return NULL;
}

static void print_general_usage(FILE *f) {
  fputs("usage: newsdex [--db ARCHIVE] COMMAND [OPTIONS] [ARGS...]\n"
        "       newsdex --help | --version | help COMMAND\n"
        "\n"
        "newsdex indexes news articles into an archive and searches it.\n"
        "\n"
        "commands:\n", f);
  for (size_t i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
  fputs("\n"
        "Every command takes --db ARCHIVE (an archive directory); without it\n"
        "$NEWSDEX_DB is used.  'newsdex COMMAND --help' describes a command.\n"
        "Colour is used only on a terminal, and never when NO_COLOR is set.\n"
        "\n", f);
  fputs(EXIT_TEXT, f);
}

void cli_print_usage(FILE *f, const char *cmd) {
  const command *c = cmd ? find_command(cmd) : NULL;
  if (!c) { print_general_usage(f); return; }
  fputs(c->usage, f);
  fputc('\n', f);
  fputs(EXIT_TEXT, f);
}

/* ---- messages ----------------------------------------------------------- */

void cli_error(const char *fmt, ...) {
  va_list ap;
  term_progress_clear();
  fputs("error: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void cli_lib_error(const nd_index *ix, int rc) {
  const char *m = ix ? nd_errmsg(ix) : NULL;
  if (!m || !*m) m = nd_strerror(rc);
  cli_error("%s", m);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "newsdex%s%s: ", cmd ? " " : "", cmd ? cmd : "");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'newsdex %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
  return EXIT_USAGE;
}

int cli_exit_code(int rc) {
  switch (rc) {
  case ND_OK: return EXIT_OK;
  case ND_ERR_LOCKED: return EXIT_LOCKED;
  case ND_ERR_NOTFOUND: return EXIT_NOTFOUND;
  case ND_ERR_QUERY: return EXIT_USAGE;
  default: return EXIT_ERROR;
  }
}

int cli_open(const char *db, unsigned flags, const nd_open_options *opts, nd_index **out) {
  nd_index *ix = NULL;
  int rc = nd_open(db, flags, opts, &ix);
  if (rc == ND_OK) { *out = ix; return EXIT_OK; }
  *out = NULL;
  cli_lib_error(ix, rc);
  if (rc == ND_ERR_NOTFOUND && !(flags & ND_OPEN_CREATE))
    fprintf(stderr, "hint: 'newsdex add --db %s PATH...' creates an archive\n", db);
  nd_close(ix);
  /* The only invalid argument nd_open() can see is the language option. */
  return rc == ND_ERR_INVALID ? EXIT_USAGE : cli_exit_code(rc);
}

/* A copy of s with every byte of an invalid UTF-8 sequence replaced by
** '?' (only used if the library ever hands out bad UTF-8). */
static json_t *lossy_string(const char *s) {
  size_t n = strlen(s);
  char *t = malloc(n + 1);
  if (!t) return NULL;
  for (size_t i = 0; i <= n; i++) t[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
  json_t *v = json_string(t);
  free(t);
  return v;
}

json_t *cli_json_str(const char *s) {
  if (!s || !*s) return json_null();
  json_t *v = json_string(s);
  return v ? v : lossy_string(s);
}

int cli_json_print(json_t *v) {
  char *text = v ? json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
  json_decref(v);
  if (!text) {
    cli_error("out of memory building the JSON output");
    return EXIT_ERROR;
  }
  fputs(text, stdout);
  fputc('\n', stdout);
  free(text);
  return EXIT_OK;
}

char *cli_read_text(const char *path) {
  int is_stdin = !strcmp(path, "-");
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    cli_error("cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  char *t = NULL;
  size_t n = 0, cap = 0;
  int err = 0;
  for (;;) {
    if (n + 1 >= cap) {
      char *u = cap < CLI_TEXT_MAX ? realloc(t, cap = cap ? cap * 2 : 4096) : NULL;
      if (!u) { err = cap < CLI_TEXT_MAX ? ENOMEM : EFBIG; break; }
      t = u;
    }
    size_t got = fread(t + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) err = errno ? errno : EIO;
      break;
    }
  }
  if (!is_stdin) fclose(f);
  if (err) {
    cli_error("cannot read %s: %s", is_stdin ? "standard input" : path, strerror(err));
    free(t);
    return NULL;
  }
  t[n] = 0;
  return t;
}

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- option parsing ----------------------------------------------------- */

void cli_args_init(cli_args *a, const char *cmd, const char *db, int argc, char **argv) {
  a->cmd = cmd;
  a->argc = argc;
  a->argv = argv;
  a->i = 1;
  a->no_more_opts = 0;
  a->db = db;
}

int cli_is_option(cli_args *a, int dash_words_are_args) {
  const char *s = a->argv[a->i];
  if (a->no_more_opts) return OPT_NO;
  if (!strcmp(s, "--")) { a->no_more_opts = 1; return OPT_SEP; }
  if (s[0] == '-' && s[1] == '-') return OPT_YES;
  if (!dash_words_are_args && s[0] == '-' && s[1]) return OPT_YES;
  return OPT_NO;
}

int cli_opt(cli_args *a, const char *name, const char **val) {
  const char *s = a->argv[a->i];
  if (s[0] != '-' || s[1] != '-') return OPT_NO;
  size_t n = strlen(name);
  if (strncmp(s + 2, name, n) || (s[2 + n] && s[2 + n] != '=')) return OPT_NO;
  if (!val) {
    if (s[2 + n] == '=') return cli_usage_error(a->cmd, "option '--%s' takes no value", name), OPT_BAD;
    return OPT_YES;
  }
  if (s[2 + n] == '=') { *val = s + 3 + n; return OPT_YES; }
  if (a->i + 1 >= a->argc) return cli_usage_error(a->cmd, "option '--%s' needs a value", name), OPT_BAD;
  *val = a->argv[++a->i];
  return OPT_YES;
}

int cli_common_opt(cli_args *a) {
  const char *s = a->argv[a->i];
  if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
    cli_print_usage(stdout, a->cmd);
    return OPT_HELP;
  }
  const char *v;
  int r = cli_opt(a, "db", &v);
  if (r != OPT_YES) return r;
  if (!*v) return cli_usage_error(a->cmd, "--db needs a directory name"), OPT_BAD;
  a->db = v;
  return OPT_YES;
}

int cli_unknown_opt(const cli_args *a) {
  return cli_usage_error(a->cmd, "unknown option '%s'", a->argv[a->i]);
}

int cli_parse_count(const char *cmd, const char *opt, const char *s, uint64_t min, uint64_t max,
                    uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (!*s || *s == '-' || *s == '+' || *end || errno == ERANGE || v < min || v > max) {
    cli_usage_error(cmd, "--%s wants a whole number from %llu to %llu, not '%s'", opt,
                    (unsigned long long)min, (unsigned long long)max, s);
    return -1;
  }
  *out = v;
  return 0;
}

int cli_parse_versions(const char *cmd, const char *s, int *out) {
  if (!strcmp(s, "collapse")) *out = ND_VERSIONS_COLLAPSE;
  else if (!strcmp(s, "all")) *out = ND_VERSIONS_ALL;
  else return cli_usage_error(cmd, "--versions is 'collapse' or 'all', not '%s'", s), -1;
  return 0;
}

const char *cli_archive(const cli_args *a) {
  if (a->db) return a->db;
  const char *e = getenv("NEWSDEX_DB");
  if (e && *e) return e;
  cli_usage_error(a->cmd, "no archive given: use --db ARCHIVE or set NEWSDEX_DB");
  return NULL;
}

/* ---- dispatch ----------------------------------------------------------- */

/* "newsdex help [COMMAND]". */
static int help_command(int argc, char **argv) {
  if (argc < 2) { print_general_usage(stdout); return EXIT_OK; }
  if (argc > 2) return cli_usage_error("help", "give one command name");
  if (!find_command(argv[1])) return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
  cli_print_usage(stdout, argv[1]);
  return EXIT_OK;
}

/* Make sure results reached stdout; a failed write is an error. */
static int finish_output(int status) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "error: cannot write the output: %s\n", strerror(errno));
    return status == EXIT_OK ? EXIT_ERROR : status;
  }
  return status;
}

int main(int argc, char **argv) {
  const char *db = NULL;
  int i = 1;
  /* Global options before the command. */
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
      print_general_usage(stdout);
      return finish_output(EXIT_OK);
    }
    if (!strcmp(s, "--version")) { printf("newsdex %s\n", ND_VERSION); return finish_output(EXIT_OK); }
    if (!strcmp(s, "--db") && i + 1 < argc) { db = argv[++i]; continue; }
    if (!strncmp(s, "--db=", 5)) { db = s + 5; continue; }
    if (!strcmp(s, "--db")) return cli_usage_error(NULL, "option '--db' needs a value");
    return cli_usage_error(NULL, "unknown option '%s'", s);
  }
  if (db && !*db) return cli_usage_error(NULL, "--db needs a directory name");
  if (i >= argc) {
    print_general_usage(stderr);
    return EXIT_USAGE;
  }
  if (!strcmp(argv[i], "help")) return finish_output(help_command(argc - i, argv + i));
  const command *c = find_command(argv[i]);
  if (!c) return cli_usage_error(NULL, "unknown command '%s'", argv[i]);
  return finish_output(c->fn(db, argc - i, argv + i));
}
