/*
 * NewsdexLucene.java -- the Apache Lucene 8 adapter of the benchmark: the
 * protocol of bench/bench.h, in Java.
 *
 *   lucene build DBDIR FILE...
 *   lucene search DBDIR --limit K [--count exact|lower-bound] [--timings]
 *                [--warmup N] [--warmup-seconds S] [--warmup-max N] < QUERIES
 *
 * Analysis (index and query alike): StandardTokenizer, EnglishPossessiveFilter,
 * LowerCaseFilter, SnowballFilter with the English (Porter 2) stemmer; no
 * stop words.
 *
 * Indexing: title and body go into ONE text field, "text" (title first, then
 * body, as two values of the field: the analyzer's position increment gap
 * of 100 keeps phrases from spanning them), with positions and norms; the
 * id is a StringField, stored, and a later article with the same id
 * replaces the earlier (updateDocument on the id term); the day (UTC) is a
 * LongPoint "day" (days since 1970-01-01) for date ranges.  Similarity
 * BM25Similarity() (k1 1.2, b 0.75); an IndexWriter with a 256 MB RAM
 * buffer on an MMapDirectory DBDIR/index; forceMerge(1) at the end.
 *
 * Searching: one IndexSearcher (no executor: single-threaded) on an
 * MMapDirectory, with the query cache off (the warm-up passes would
 * otherwise turn the repeated date and prefix filters into cached bit
 * sets).  Queries are built with QueryBuilder and the same analyzer: a word
 * is a TermQuery, a phrase a PhraseQuery, pre* a PrefixQuery (constant
 * score, Lucene's default rewrite), a date range a LongPoint range as a
 * FILTER clause; the items of an AND are MUST clauses, the words of an OR
 * SHOULD clauses.  Top k by TopScoreDocCollector: --count exact counts every
 * hit (totalHitsThreshold Integer.MAX_VALUE); lower-bound uses Lucene's
 * default threshold of 1000, above which it may skip non-competitive
 * documents (block-max WAND) and the total is a lower bound.  The ids of
 * the hits come from the stored field.
 *
 * Timing (--timings): the JIT compiles while it runs, so the query set is
 * read whole and run untimed first: at least --warmup times (default 2)
 * and for at least --warmup-seconds (default 10), at most --warmup-max
 * passes (default 200).  On the news corpus the time of a pass over the
 * 400 queries keeps falling for 15-20 passes (5-8 s: the JIT compiles the
 * hot paths in tiers), so two passes alone would time mostly interpreted
 * and lightly compiled code.  "#warmup PASSES MS,MS,..." (the time of each
 * pass) goes to stderr.
 * Then the timed pass prints "#qt_ns N" per query on stderr, from the start
 * of parsing to the ids of the ranked hits, the span bench.c measures.
 */
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.QueryBuilder;
import org.apache.lucene.util.Version;
import org.tartarus.snowball.ext.EnglishStemmer;

public final class NewsdexLucene {
  static final String NAME = "lucene";
  static final String TEXT = "text", ID = "id", DAY = "day";
  static final int POSITION_GAP = 100;
  static final double RAM_BUFFER_MB = 256;
  static final int LOWER_BOUND_THRESHOLD = 1000; // IndexSearcher's default
  static final Set<String> ID_ONLY = Collections.singleton(ID);

  /** StandardTokenizer, possessives, lower case, Snowball English; no stop words. */
  static final class NewsAnalyzer extends Analyzer {
    @Override
    protected TokenStreamComponents createComponents(String field) {
      StandardTokenizer src = new StandardTokenizer();
      TokenStream ts = new EnglishPossessiveFilter(src);
      ts = new LowerCaseFilter(ts);
      ts = new SnowballFilter(ts, new EnglishStemmer());
      return new TokenStreamComponents(src, ts);
    }

    @Override
    public int getPositionIncrementGap(String field) {
      return POSITION_GAP;
    }
  }

  // ---- build ------------------------------------------------------------------

  /** The day (UTC) of a date as newsdex reads it, days since the epoch, or null. */
  static Long articleDay(String date) {
    if (date == null) return null;
    Long d = BenchQuery.day(date);
    if (d != null) return d;
    try {
      return OffsetDateTime.parse(date).atZoneSameInstant(ZoneOffset.UTC).toLocalDate().toEpochDay();
    } catch (DateTimeParseException e) {
      // not with an offset
    }
    try {
      return LocalDateTime.parse(date).toLocalDate().toEpochDay();
    } catch (DateTimeParseException e) {
      // nor a local date and time
    }
    try {
      return Math.floorDiv(Instant.parse(date).getEpochSecond(), 86400L);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static int build(String dir, List<String> files) {
    Path root = Paths.get(dir), index = root.resolve("index");
    if (Files.exists(index)) {
      System.err.println(NAME + ": error: " + dir + ": " + index + " exists already: build into a new directory");
      return 1;
    }
    JsonLines reader = new JsonLines();
    IndexWriterConfig cfg = new IndexWriterConfig(new NewsAnalyzer());
    cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    cfg.setSimilarity(new BM25Similarity());
    cfg.setRAMBufferSizeMB(RAM_BUFFER_MB);
    try {
      Files.createDirectories(root);
      try (MMapDirectory d = new MMapDirectory(index); IndexWriter w = new IndexWriter(d, cfg)) {
        JsonLines.Sink sink = a -> {
          Document doc = new Document();
          String id = a.id == null ? "" : a.id;
          doc.add(new StringField(ID, id, Field.Store.YES));
          if (a.title != null && !JsonLines.blank(a.title)) doc.add(new TextField(TEXT, a.title, Field.Store.NO));
          doc.add(new TextField(TEXT, a.body, Field.Store.NO));
          Long day = articleDay(a.date);
          if (day != null) doc.add(new LongPoint(DAY, day));
          if (id.isEmpty()) w.addDocument(doc);
          else w.updateDocument(new Term(ID, id), doc);
        };
        for (String f : files) reader.read(f, sink);
        w.forceMerge(1);
        w.commit();
      }
    } catch (IOException | RuntimeException e) {
      System.err.println(NAME + ": error: " + dir + ": " + e);
      return 1;
    }
    System.err.printf("%s: indexed %d articles (%d rejected) from %d files, %d characters%n", NAME, reader.articles,
                      reader.rejected, reader.files, reader.bytes);
    return reader.rejected > 0 ? 3 : 0;
  }

  // ---- search -----------------------------------------------------------------

  static final class Searcher {
    final DirectoryReader reader;
    final IndexSearcher searcher;
    final QueryBuilder builder = new QueryBuilder(new NewsAnalyzer());

    Searcher(Path index) throws IOException {
      reader = DirectoryReader.open(new MMapDirectory(index));
      searcher = new IndexSearcher(reader);
      searcher.setSimilarity(new BM25Similarity());
      searcher.setQueryCache(null);
    }

    /** The analysed word or phrase; a text that analyses to nothing matches nothing. */
    Query analysed(BenchQuery.Item it) {
      Query q = it.kind == BenchQuery.PHRASE ? builder.createPhraseQuery(TEXT, it.text)
                                             : builder.createBooleanQuery(TEXT, it.text);
      return q == null ? new MatchNoDocsQuery() : q;
    }

    Query translate(BenchQuery bq) {
      BooleanQuery.Builder b = new BooleanQuery.Builder();
      BooleanClause.Occur occur = bq.isOr ? BooleanClause.Occur.SHOULD : BooleanClause.Occur.MUST;
      for (BenchQuery.Item it : bq.items) {
        Query q = it.kind == BenchQuery.PREFIX ? new PrefixQuery(new Term(TEXT, it.text)) : analysed(it);
        b.add(q, occur);
      }
      if (bq.hasDate) b.add(LongPoint.newRangeQuery(DAY, bq.dayFrom, bq.dayTo), BooleanClause.Occur.FILTER);
      return b.build();
    }

    /** One query line: "TOTAL\tID,..." (without the newline). */
    String run(String line, int limit, boolean exact) throws BenchQuery.Invalid, IOException {
      Query q = translate(BenchQuery.parse(line));
      TopScoreDocCollector c = TopScoreDocCollector.create(limit, null, exact ? Integer.MAX_VALUE : LOWER_BOUND_THRESHOLD);
      searcher.search(q, c);
      TopDocs td = c.topDocs();
      StringBuilder sb = new StringBuilder(16 + 24 * td.scoreDocs.length);
      sb.append(td.totalHits.value).append('\t');
      for (int i = 0; i < td.scoreDocs.length; i++) {
        ScoreDoc sd = td.scoreDocs[i];
        if (i > 0) sb.append(',');
        sb.append(searcher.doc(sd.doc, ID_ONLY).get(ID));
      }
      return sb.toString();
    }
  }

  static String errorLine(String m) {
    return "error\t" + (m == null ? "failed" : m.replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
  }

  static int search(String dir, int limit, boolean exact, boolean timings, int warmup, long warmupNs,
                    int warmupMax) {
    Searcher s;
    try {
      Path index = Paths.get(dir, "index");
      if (!Files.isDirectory(index)) throw new IOException("no index at " + index);
      s = new Searcher(index);
    } catch (IOException | RuntimeException e) {
      System.err.println(NAME + ": error: " + dir + ": " + e.getMessage());
      return 1;
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String l; (l = in.readLine()) != null;) lines.add(l);
    } catch (IOException e) {
      System.err.println(NAME + ": error: reading the queries: " + e.getMessage());
      return 1;
    }
    PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
    StringBuilder times = new StringBuilder();
    int st = 0;
    if (timings) {
      long start = System.nanoTime(), t;
      int passes = 0;
      StringBuilder ms = new StringBuilder();
      while (passes < warmupMax && (passes < warmup || System.nanoTime() - start < warmupNs)) {
        long t0 = System.nanoTime();
        for (String line : lines) {
          try {
            s.run(line, limit, exact);
          } catch (BenchQuery.Invalid | IOException | RuntimeException e) {
            // reported by the timed pass
          }
        }
        t = System.nanoTime() - t0;
        ms.append(passes++ > 0 ? "," : "").append(t / 1000000);
      }
      times.append("#warmup ").append(passes).append(' ').append(ms).append('\n');
    }
    for (String line : lines) {
      String res = null;
      long t0 = System.nanoTime();
      try {
        res = s.run(line, limit, exact);
      } catch (BenchQuery.Invalid e) {
        out.println(errorLine(e.getMessage()));
        st = 2;
      } catch (IOException | RuntimeException e) {
        out.println(errorLine(e.toString()));
        st = 2;
      }
      long took = System.nanoTime() - t0;
      if (timings) times.append("#qt_ns ").append(took).append('\n');
      if (res != null) out.println(res);
    }
    out.flush();
    System.err.print(times);
    System.err.flush();
    try {
      s.reader.close();
    } catch (IOException e) {
      // nothing left to do
    }
    return out.checkError() ? 1 : st;
  }

  // ---- the command line -----------------------------------------------------------

  static int usage(String why) {
    System.err.println(NAME + ": " + why);
    System.err.println("usage: " + NAME + " build DBDIR FILE...\n       " + NAME
                       + " search DBDIR --limit K [--count exact|lower-bound] [--timings] [--warmup N]\n"
                       + "              [--warmup-seconds S] [--warmup-max N] < QUERIES\n       "
                       + NAME + " version");
    return 2;
  }

  static int main2(String[] argv) {
    if (argv.length == 1 && argv[0].equals("version")) {
      System.out.println("Lucene " + Version.LATEST + " (Java " + System.getProperty("java.version") + ")");
      return 0;
    }
    if (argv.length < 2) return usage("missing mode and DBDIR");
    String mode = argv[0], dir = argv[1];
    if (mode.equals("build")) {
      if (argv.length < 3) return usage("build: no FILE given");
      List<String> files = new ArrayList<>();
      for (int i = 2; i < argv.length; i++) files.add(argv[i]);
      return build(dir, files);
    }
    if (!mode.equals("search")) return usage("unknown mode '" + mode + "'");
    int limit = 0, warmup = 2, warmupSeconds = 10, warmupMax = 200;
    boolean exact = true, timings = false;
    for (int i = 2; i < argv.length; i++) {
      String a = argv[i];
      if (a.equals("--timings")) timings = true;
      else if (a.equals("--limit") && i + 1 < argv.length) {
        String v = argv[++i];
        try {
          limit = Integer.parseInt(v);
        } catch (NumberFormatException e) {
          limit = -1;
        }
        if (limit < 1 || limit > 100000) return usage("--limit wants a whole number from 1 to 100000, not '" + v + "'");
      } else if (a.equals("--warmup") && i + 1 < argv.length) {
        String v = argv[++i];
        try {
          warmup = Integer.parseInt(v);
        } catch (NumberFormatException e) {
          warmup = -1;
        }
        if (warmup < 0 || warmup > 1000) return usage("--warmup wants a whole number from 0 to 1000, not '" + v + "'");
      } else if (a.equals("--warmup-seconds") && i + 1 < argv.length) {
        String v = argv[++i];
        try {
          warmupSeconds = Integer.parseInt(v);
        } catch (NumberFormatException e) {
          warmupSeconds = -1;
        }
        if (warmupSeconds < 0 || warmupSeconds > 3600)
          return usage("--warmup-seconds wants a whole number from 0 to 3600, not '" + v + "'");
      } else if (a.equals("--warmup-max") && i + 1 < argv.length) {
        String v = argv[++i];
        try {
          warmupMax = Integer.parseInt(v);
        } catch (NumberFormatException e) {
          warmupMax = -1;
        }
        if (warmupMax < 0 || warmupMax > 1000)
          return usage("--warmup-max wants a whole number from 0 to 1000, not '" + v + "'");
      } else if (a.equals("--count") && i + 1 < argv.length) {
        String v = argv[++i];
        if (v.equals("exact")) exact = true;
        else if (v.equals("lower-bound")) exact = false;
        else return usage("--count is 'exact' or 'lower-bound', not '" + v + "'");
      } else return usage("unknown or incomplete option '" + a + "'");
    }
    if (limit == 0) return usage("search: --limit K is required");
    if (warmupMax < warmup) warmupMax = warmup;
    return search(dir, limit, exact, timings, warmup, warmupSeconds * 1000000000L, warmupMax);
  }

  public static void main(String[] argv) {
    System.exit(main2(argv));
  }
}
