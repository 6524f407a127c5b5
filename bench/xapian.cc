/*
** xapian.cc -- the Xapian adapter of the benchmark (see bench.h).
**
** Indexing: a TermGenerator with the English (Snowball) stemmer and
** STEM_ALL (every term stored stemmed, as newsdex does), positions on.
** The title is indexed twice, with the prefix "S" (for title: searches) and
** unprefixed with a wdf increment of 2 (the nearest whole number to
** newsdex's title weight 2.5), then the term position is advanced so that
** no phrase spans title and body, then the body unprefixed.  The document
** data is the id; the boolean term "Q" + id makes a later article with the
** same id replace the earlier (replace_document); value slot 0 holds the
** day YYYY-MM-DD.  DBDIR/build is written (one commit at the end; Xapian
** itself flushes every 10000 documents by default), then compacted into
** DBDIR/db and removed.
**
** Queries go through a QueryParser as a user would write them: the subset
** is written the same way in both syntaxes ("a b", a OR b, "a b", pre*,
** date:A..B with a RangeProcessor on slot 0), with STEM_ALL, default
** operator AND, wildcards on, ranked by BM25Weight with newsdex's
** parameters (k1 1.2, b 0.75).  --count exact asks get_mset() to check every
** document (checkatleast = doccount) and prints get_matches_estimated(),
** then exact; lower-bound checks none and prints get_matches_lower_bound().
*/
#include <xapian.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "bench.h"

namespace {

const char *const ID_PREFIX = "Q";
const char *const TITLE_PREFIX = "S";
const Xapian::valueno DATE_SLOT = 0;

template <typename... A>
void say(char *why, size_t whylen, const char *fmt, A... a) {
  std::snprintf(why, whylen, fmt, a...);
}

struct builder {
  std::string dir, tmp;
  Xapian::WritableDatabase db;
  Xapian::TermGenerator tg;
};

struct searcher {
  Xapian::Database db;
  Xapian::QueryParser qp;
  Xapian::RangeProcessor dates{DATE_SLOT, "date:"};
  std::string text;
};

struct context {
  builder *b = nullptr;
  searcher *s = nullptr;
};

int x_build_open(const char *dir, void **ctx, char *why, size_t whylen) {
  namespace fs = std::filesystem;
  try {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (fs::exists(fs::path(dir) / "db") || fs::exists(fs::path(dir) / "build")) {
      say(why, whylen, "%s/db exists already: build into a new directory", dir);
      return -1;
    }
    auto *c = new context;
    c->b = new builder;
    c->b->dir = dir;
    c->b->tmp = (fs::path(dir) / "build").string();
    c->b->db = Xapian::WritableDatabase(c->b->tmp, Xapian::DB_CREATE);
    c->b->tg.set_stemmer(Xapian::Stem("english"));
    c->b->tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    *ctx = c;
    return 0;
  } catch (const Xapian::Error &e) {
    say(why, whylen, "%s", e.get_description().c_str());
  } catch (const std::exception &e) {
    say(why, whylen, "%s", e.what());
  }
  return -1;
}

int x_build_add(void *ctx, const nd_doc *d, char *why, size_t whylen) {
  builder *b = static_cast<context *>(ctx)->b;
  try {
    Xapian::Document doc;
    b->tg.set_document(doc);
    if (d->title && *d->title) {
      b->tg.index_text(d->title, 1, TITLE_PREFIX);
      b->tg.index_text(d->title, 2);
      b->tg.increase_termpos();
    }
    b->tg.index_text(d->body);
    std::string id = d->id ? d->id : "";
    doc.set_data(id);
    char day[11];
    bench_day(d, day);
    if (day[0]) doc.add_value(DATE_SLOT, day);
    if (id.empty()) {
      b->db.add_document(doc);
    } else {
      std::string idterm = ID_PREFIX + id;
      doc.add_boolean_term(idterm);
      b->db.replace_document(idterm, doc);
    }
    return 0;
  } catch (const Xapian::Error &e) {
    say(why, whylen, "%s", e.get_description().c_str());
    return -1;
  }
}

void x_close(void *ctx) {
  auto *c = static_cast<context *>(ctx);
  if (!c) return;
  delete c->b;
  delete c->s;
  delete c;
}

int x_build_finish(void *ctx, char *why, size_t whylen) {
  builder *b = static_cast<context *>(ctx)->b;
  int rc = 0;
  try {
    b->db.commit();
    b->db.close();
    Xapian::Database src(b->tmp);
    src.compact((std::filesystem::path(b->dir) / "db").string());
    src.close();
    std::filesystem::remove_all(b->tmp);
  } catch (const Xapian::Error &e) {
    say(why, whylen, "%s", e.get_description().c_str());
    rc = -1;
  } catch (const std::exception &e) {
    say(why, whylen, "%s", e.what());
    rc = -1;
  }
  x_close(ctx);
  return rc;
}

int x_search_open(const char *dir, void **ctx, char *why, size_t whylen) {
  auto *c = new context;
  try {
    c->s = new searcher;
    searcher *s = c->s;
    s->db = Xapian::Database((std::filesystem::path(dir) / "db").string());
    s->qp.set_database(s->db);
    s->qp.set_stemmer(Xapian::Stem("english"));
    s->qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    s->qp.set_default_op(Xapian::Query::OP_AND);
    s->qp.add_prefix("title", TITLE_PREFIX);
    s->qp.add_rangeprocessor(&s->dates);
    *ctx = c;
    return 0;
  } catch (const Xapian::Error &e) {
    say(why, whylen, "%s", e.get_description().c_str());
  }
  x_close(c);
  return -1;
}

/* The QueryParser text of q: the subset reads the same in both syntaxes. */
const std::string &to_text(searcher *s, const bq *q) {
  std::string &t = s->text;
  t.clear();
  for (size_t i = 0; i < q->n; i++) {
    const bq_item &it = q->items[i];
    if (i) t += q->is_or ? " OR " : " ";
    if (it.kind == BQ_PHRASE) t += '"';
    t += it.text;
    if (it.kind == BQ_PHRASE) t += '"';
    if (it.kind == BQ_PREFIX) t += '*';
  }
  if (q->has_date) {
    t += " date:";
    t += q->date_from;
    t += "..";
    t += q->date_to;
  }
  return t;
}

int x_search(void *ctx, const bq *q, size_t limit, int exact, bench_result *r, char *why, size_t whylen) {
  searcher *s = static_cast<context *>(ctx)->s;
  try {
    unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD;
    Xapian::Query query = s->qp.parse_query(to_text(s, q), flags);
    Xapian::Enquire enq(s->db);
    enq.set_query(query);
    enq.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
    Xapian::MSet m = enq.get_mset(0, (Xapian::doccount)limit, exact ? s->db.get_doccount() : 0);
    for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it) {
      std::string id = it.get_document().get_data();
      bench_add_id(r, id.data(), id.size());
    }
    r->total = exact ? m.get_matches_estimated() : m.get_matches_lower_bound();
    return 0;
  } catch (const Xapian::Error &e) {
    say(why, whylen, "%s", e.get_description().c_str());
    return -1;
  }
}

const bench_ops XAPIAN = {"xapian", x_build_open, x_build_add, x_build_finish,
                          x_search_open, x_search, x_close};

} // namespace

int main(int argc, char **argv) { return bench_main(&XAPIAN, argc, argv); }
