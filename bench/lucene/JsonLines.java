/*
 * JsonLines.java -- the articles of the benchmark's input, read by the
 * Lucene adapter itself with the record rules of newsdex's reader
 * (docs/ingest.md), so that it indexes the same title and body text as
 * the other engines:
 *
 *   - a folder is walked recursively (names starting with '.' skipped) and
 *     its .jsonl, .jsonl.zst and .jsonl.gz files are read in byte order of
 *     their paths; a file named directly is read as JSON Lines, through a
 *     `zstd -dcq` child process (the file as its standard input) when it
 *     ends in .zst, through gzip when it ends in .gz;
 *   - one JSON object per line; blank lines are skipped; a line that is
 *     not a JSON object is reported and skipped (counted as rejected);
 *   - id: a string or an integer (its decimal text), "" or null for none;
 *     title and date: a string or null ("" counts as null); body: a string,
 *     absent or null giving ""; any other type rejects the record, and so
 *     does a record without a title or body that is more than whitespace
 *     ("empty article").  Other fields are ignored.
 *
 * The JSON parser is a small one of our own: strings (every escape,
 * surrogate pairs), numbers, literals, and nested values, which are checked
 * and skipped.
 */
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

final class JsonLines {
  /** One article. */
  static final class Doc {
    String id;    // null when none
    String title; // null when none
    String date;  // null when none, as written
    String body;  // never null
  }

  interface Sink {
    void article(Doc d) throws IOException;
  }

  long files, articles, rejected, bytes;

  /** Reports a bad record or input on stderr and counts it. */
  private void reject(String file, long line, String why) {
    rejected++;
    if (line > 0) System.err.println(file + ":" + line + ": " + why);
    else System.err.println(file + ": " + why);
  }

  private static boolean taken(String name) {
    return name.endsWith(".jsonl") || name.endsWith(".jsonl.zst") || name.endsWith(".jsonl.gz");
  }

  private static void walk(File dir, List<String> out) {
    String[] names = dir.list();
    if (names == null) return;
    for (String n : names) {
      if (n.startsWith(".")) continue;
      File f = new File(dir, n);
      if (f.isDirectory()) {
        if (!java.nio.file.Files.isSymbolicLink(f.toPath())) walk(f, out);
      } else if (taken(n)) out.add(f.getPath());
    }
  }

  /** Byte order of the UTF-8 paths, as the C reader sorts them. */
  private static int byteOrder(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** Read every article of path (a file or a folder) into sink. */
  void read(String path, Sink sink) throws IOException {
    File f = new File(path);
    if (f.isDirectory()) {
      List<String> list = new ArrayList<>();
      walk(f, list);
      list.sort(JsonLines::byteOrder);
      for (String p : list) readFile(p, sink);
    } else {
      readFile(path, sink);
    }
  }

  private void readFile(String path, Sink sink) throws IOException {
    File f = new File(path);
    if (!f.isFile() || !f.canRead()) {
      reject(path, 0, f.exists() ? "cannot read it" : "No such file or directory");
      return;
    }
    files++;
    Process child = null;
    InputStream in;
    if (path.endsWith(".zst")) {
      // The file is the child's standard input: zstd skips symbolic links it is named.
      child = new ProcessBuilder("zstd", "-dcq").redirectInput(f).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      in = child.getInputStream();
    } else if (path.endsWith(".gz")) {
      in = new GZIPInputStream(new FileInputStream(f), 1 << 16);
    } else {
      in = new FileInputStream(f);
    }
    long lineno = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 20)) {
      String line;
      while ((line = r.readLine()) != null) {
        lineno++;
        bytes += line.length() + 1; // characters, about the bytes of ASCII text
        if (blank(line)) continue;
        Doc d = new Doc();
        String why = record(line, d);
        if (why != null) {
          reject(path, lineno, why);
          continue;
        }
        articles++;
        sink.article(d);
      }
    } catch (IOException e) {
      reject(path, lineno + 1, "read error: " + e.getMessage());
    }
    if (child != null) {
      try {
        int rc = child.waitFor();
        if (rc != 0) reject(path, lineno, "zstd failed (exit " + rc + "): corrupt or truncated");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
  }

  static boolean blank(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x0b) return false;
    }
    return true;
  }

  // ---- one record ------------------------------------------------------------

  /** Markers for the values that are not strings. */
  private static final Object NULL = new Object(), BOOL = new Object(), REAL = new Object(),
                              OBJECT = new Object(), ARRAY = new Object();

  /** An integer, kept as its decimal text. */
  private static final class Int {
    final String text;

    Int(String text) {
      this.text = text;
    }
  }

  private static String typeName(Object v) {
    if (v instanceof String) return "a string";
    if (v instanceof Int) return "an integer";
    if (v == REAL) return "a number";
    if (v == BOOL) return "a boolean";
    if (v == OBJECT) return "an object";
    if (v == ARRAY) return "an array";
    return "null";
  }

  /** Fill d from one line; returns null, or why it is rejected. */
  static String record(String line, Doc d) {
    Parser p = new Parser(line);
    Map<String, Object> o;
    try {
      p.ws();
      if (p.peek() != '{') {
        Object v = p.value();
        p.end();
        return "not a JSON object (found " + typeName(v) + ")";
      }
      o = p.object(true);
      p.end();
    } catch (Bad e) {
      return "invalid JSON: " + e.getMessage() + " (column " + (p.i + 1) + ")";
    }
    Object id = o.get("id");
    if (id instanceof Int) d.id = ((Int) id).text;
    else if (id != null && id != NULL && !(id instanceof String))
      return "field \"id\" must be a string or an integer, not " + typeName(id);
    else d.id = optString(id);
    for (String k : new String[] {"title", "date", "source", "url"}) {
      Object v = o.get(k);
      if (v != null && v != NULL && !(v instanceof String))
        return "field \"" + k + "\" must be a string or null, not " + typeName(v);
    }
    d.title = optString(o.get("title"));
    d.date = optString(o.get("date"));
    Object b = o.get("body");
    if (b != null && b != NULL && !(b instanceof String)) return "body is not a string";
    d.body = b instanceof String ? (String) b : "";
    if ((d.title == null || blank(d.title)) && blank(d.body)) return "empty article";
    return null;
  }

  private static String optString(Object v) {
    return v instanceof String && !((String) v).isEmpty() ? (String) v : null;
  }

  private static final class Bad extends Exception {
    private static final long serialVersionUID = 1L;

    Bad(String m) {
      super(m, null, false, false);
    }
  }

  /** A recursive-descent JSON parser over one line. */
  private static final class Parser {
    final String s;
    int i;
    final StringBuilder sb = new StringBuilder();

    Parser(String s) {
      this.s = s;
    }

    char peek() {
      return i < s.length() ? s.charAt(i) : 0;
    }

    void ws() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        i++;
      }
    }

    void end() throws Bad {
      ws();
      if (i < s.length()) throw new Bad("end of file expected");
    }

    void expect(char c) throws Bad {
      if (peek() != c) throw new Bad(i >= s.length() ? "unexpected end of input" : "'" + c + "' expected");
      i++;
    }

    Object value() throws Bad {
      ws();
      char c = peek();
      switch (c) {
      case '"': return string();
      case '{': object(false); return OBJECT;
      case '[': array(); return ARRAY;
      case 't': literal("true"); return BOOL;
      case 'f': literal("false"); return BOOL;
      case 'n': literal("null"); return NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw new Bad(i >= s.length() ? "unexpected end of input" : "invalid token");
      }
    }

    void literal(String w) throws Bad {
      if (!s.startsWith(w, i)) throw new Bad("invalid token");
      i += w.length();
    }

    /** The members of an object; kept (the last of a repeated key wins) when keep. */
    Map<String, Object> object(boolean keep) throws Bad {
      Map<String, Object> o = keep ? new HashMap<>() : null;
      expect('{');
      ws();
      if (peek() == '}') {
        i++;
        return o;
      }
      while (true) {
        ws();
        if (peek() != '"') throw new Bad("string or '}' expected");
        String k = string();
        ws();
        expect(':');
        Object v = value();
        if (keep) o.put(k, v);
        ws();
        if (peek() == ',') {
          i++;
          continue;
        }
        expect('}');
        return o;
      }
    }

    void array() throws Bad {
      expect('[');
      ws();
      if (peek() == ']') {
        i++;
        return;
      }
      while (true) {
        value();
        ws();
        if (peek() == ',') {
          i++;
          continue;
        }
        expect(']');
        return;
      }
    }

    Object number() throws Bad {
      int start = i;
      boolean real = false;
      if (peek() == '-') i++;
      if (peek() == '0') i++;
      else if (peek() >= '1' && peek() <= '9') while (peek() >= '0' && peek() <= '9') i++;
      else throw new Bad("invalid token");
      if (peek() == '.') {
        real = true;
        i++;
        if (!(peek() >= '0' && peek() <= '9')) throw new Bad("invalid token");
        while (peek() >= '0' && peek() <= '9') i++;
      }
      if (peek() == 'e' || peek() == 'E') {
        real = true;
        i++;
        if (peek() == '+' || peek() == '-') i++;
        if (!(peek() >= '0' && peek() <= '9')) throw new Bad("invalid token");
        while (peek() >= '0' && peek() <= '9') i++;
      }
      if (real) return REAL;
      try {
        return new Int(Long.toString(Long.parseLong(s.substring(start, i))));
      } catch (NumberFormatException e) {
        throw new Bad("too big integer");
      }
    }

    private int hex4() throws Bad {
      if (i + 4 > s.length()) throw new Bad("invalid escape");
      int v = 0;
      for (int k = 0; k < 4; k++) {
        int d = Character.digit(s.charAt(i + k), 16);
        if (d < 0) throw new Bad("invalid escape");
        v = v * 16 + d;
      }
      i += 4;
      return v;
    }

    String string() throws Bad {
      expect('"');
      int start = i;
      // Fast path: no escape before the closing quote.
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '"') return s.substring(start, i++);
        if (c == '\\') break;
        if (c < 0x20) throw new Bad("control character in string");
        i++;
      }
      sb.setLength(0);
      sb.append(s, start, i);
      while (true) {
        if (i >= s.length()) throw new Bad("premature end of input");
        char c = s.charAt(i++);
        if (c == '"') return sb.toString();
        if (c < 0x20) throw new Bad("control character in string");
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (i >= s.length()) throw new Bad("premature end of input");
        char e = s.charAt(i++);
        switch (e) {
        case '"': case '\\': case '/': sb.append(e); break;
        case 'b': sb.append('\b'); break;
        case 'f': sb.append('\f'); break;
        case 'n': sb.append('\n'); break;
        case 'r': sb.append('\r'); break;
        case 't': sb.append('\t'); break;
        case 'u': {
          int u = hex4();
          if (u == 0) throw new Bad("\\u0000 is not allowed");
          if (u >= 0xD800 && u <= 0xDBFF) {
            if (!s.startsWith("\\u", i)) throw new Bad("invalid Unicode '\\u" + Integer.toHexString(u) + "'");
            i += 2;
            int lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) throw new Bad("invalid Unicode surrogate pair");
            sb.append((char) u).append((char) lo);
          } else if (u >= 0xDC00 && u <= 0xDFFF) {
            throw new Bad("invalid Unicode '\\u" + Integer.toHexString(u) + "'");
          } else {
            sb.append((char) u);
          }
          break;
        }
        default: throw new Bad("invalid escape");
        }
      }
    }
  }
}
