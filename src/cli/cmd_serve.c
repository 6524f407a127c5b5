/*
** cmd_serve.c -- `newsdex serve`: option parsing for the HTTP server
** (src/server/).
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../server/server.h"
#include "cli.h"

int cmd_serve(const char *db, int argc, char **argv) {
  cli_args a;
  cli_args_init(&a, "serve", db, argc, argv);
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  srv_config c = {.bind = "127.0.0.1", .port = 8080, .threads = ncpu > 1 ? (unsigned)(ncpu < 16 ? ncpu : 16) * 2 : 2,
                  .max_body = 8u << 20, .max_conn = 512, .timeout = 15};
  for (; a.i < argc; a.i++) {
    int r = cli_common_opt(&a);
    if (r == OPT_HELP) return EXIT_OK;
    if (r == OPT_BAD) return EXIT_USAGE;
    if (r == OPT_YES) continue;
    const char *v;
    uint64_t n;
    if ((r = cli_opt(&a, "bind", &v)) == OPT_YES) { c.bind = v; continue; }
    if (r == OPT_NO && (r = cli_opt(&a, "web", &v)) == OPT_YES) { c.web = v; continue; }
    if (r == OPT_NO && (r = cli_opt(&a, "root", &v)) == OPT_YES) { c.root = v; continue; }
    if (r == OPT_NO && (r = cli_opt(&a, "write-token", &v)) == OPT_YES) { c.token_file = v; continue; }
    if (r == OPT_NO && (r = cli_opt(&a, "port", &v)) == OPT_YES) {
      if (cli_parse_count("serve", "port", v, 0, 65535, &n)) return EXIT_USAGE;
      c.port = (unsigned)n;
      continue;
    }
    if (r == OPT_NO && (r = cli_opt(&a, "threads", &v)) == OPT_YES) {
      if (cli_parse_count("serve", "threads", v, 1, 256, &n)) return EXIT_USAGE;
      c.threads = (unsigned)n;
      continue;
    }
    if (r == OPT_NO && (r = cli_opt(&a, "max-body-mb", &v)) == OPT_YES) {
      if (cli_parse_count("serve", "max-body-mb", v, 1, 1024, &n)) return EXIT_USAGE;
      c.max_body = (size_t)n << 20;
      continue;
    }
    if (r == OPT_NO && (r = cli_opt(&a, "max-connections", &v)) == OPT_YES) {
      if (cli_parse_count("serve", "max-connections", v, 1, 100000, &n)) return EXIT_USAGE;
      c.max_conn = (unsigned)n;
      continue;
    }
    if (r == OPT_NO && (r = cli_opt(&a, "timeout", &v)) == OPT_YES) {
      if (cli_parse_count("serve", "timeout", v, 1, 3600, &n)) return EXIT_USAGE;
      c.timeout = (unsigned)n;
      continue;
    }
    if (r == OPT_BAD) return EXIT_USAGE;
    if (cli_is_option(&a, 0) == OPT_YES) return cli_unknown_opt(&a);
    return cli_usage_error("serve", "unexpected argument '%s'", argv[a.i]);
  }
  if (c.root && a.db) return cli_usage_error("serve", "give --db ARCHIVE (one archive) or --root DIR (a folder of them), not both");
  if (!c.root && !(c.db = cli_archive(&a))) return EXIT_USAGE;
  return srv_run(&c);
}
