/*
 * BenchQuery.java -- the benchmark's query subset (bench/bench.h), parsed
 * the way bench.c's bq_parse() parses it, with the same error messages:
 *
 *   query := item ( " " item )*            every item must match (AND)
 *          | word ( " OR " word )+         any word may match (ranked OR)
 *   item  := word | '"' word ( " " word )+ '"' | word "*"
 *          | "date:" YYYY-MM-DD ".." YYYY-MM-DD
 *   word  := [a-z0-9]+
 *
 * with at least one item that is not a date.
 */
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

final class BenchQuery {
  static final int WORD = 0, PHRASE = 1, PREFIX = 2;
  static final int MAX_ITEMS = 64;

  static final class Item {
    final int kind;
    final String text; // word, prefix (without '*') or phrase words separated by one space

    Item(int kind, String text) {
      this.kind = kind;
      this.text = text;
    }
  }

  /** A line outside the subset; the message is the query's error line. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  boolean isOr;
  final List<Item> items = new ArrayList<>();
  boolean hasDate;
  long dayFrom, dayTo; // days since 1970-01-01, inclusive

  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static int wordLen(String s, int at) {
    int n = 0;
    while (at + n < s.length() && isWordChar(s.charAt(at + n))) n++;
    return n;
  }

  private static char at(String s, int i) {
    return i < s.length() ? s.charAt(i) : 0;
  }

  /** The day YYYY-MM-DD as days since the epoch, or null when it is not one that exists. */
  static Long day(String s) {
    if (s.length() != 10 || s.charAt(4) != '-' || s.charAt(7) != '-') return null;
    for (int i = 0; i < 10; i++)
      if (i != 4 && i != 7 && (s.charAt(i) < '0' || s.charAt(i) > '9')) return null;
    try {
      return LocalDate.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(5, 7)),
                          Integer.parseInt(s.substring(8, 10))).toEpochDay();
    } catch (DateTimeException e) {
      return null;
    }
  }

  private void parseDate(String s, int at) throws Invalid {
    int dots = s.indexOf('.');
    if (hasDate) throw new Invalid("second date range at " + at);
    Long from = dots < 0 ? null : day(s.substring(0, dots));
    Long to = dots < 0 || dots + 1 >= s.length() || s.charAt(dots + 1) != '.' ? null : day(s.substring(dots + 2));
    if (from == null || to == null)
      throw new Invalid("date at " + at + " is not date:YYYY-MM-DD..YYYY-MM-DD");
    if (from > to) throw new Invalid("empty date range at " + at + ": the start is after the end");
    dayFrom = from;
    dayTo = to;
    hasDate = true;
  }

  static BenchQuery parse(String line) throws Invalid {
    BenchQuery q = new BenchQuery();
    boolean joinsOr = false, joinsAnd = false, needItem = true;
    int s = 0, len = line.length();
    while (s < len) {
      int at = s;
      char c = line.charAt(s);
      if (c == ' ') {
        s++;
        continue;
      }
      if (!needItem) {
        if (line.startsWith("OR ", s)) {
          joinsOr = true;
          needItem = true;
          s += 3;
          continue;
        }
        joinsAnd = true;
      }
      if (q.items.size() == MAX_ITEMS) throw new Invalid("more than " + MAX_ITEMS + " items");
      if (c == '"') {
        int end = line.indexOf('"', s + 1);
        if (end < 0) throw new Invalid("unbalanced '\"' at " + at);
        StringBuilder words = new StringBuilder();
        int nwords = 0;
        for (int p = s + 1; p < end;) {
          int n = wordLen(line, p);
          if (n == 0 || (p + n < end && line.charAt(p + n) != ' ') || p + n + 1 == end)
            throw new Invalid("phrase at " + at + " is not words of a-z0-9 separated by one space");
          if (nwords++ > 0) words.append(' ');
          words.append(line, p, p + n);
          p += n + (p + n < end ? 1 : 0);
        }
        if (nwords < 2) throw new Invalid("phrase at " + at + " has fewer than two words");
        q.items.add(new Item(PHRASE, words.toString()));
        s = end + 1;
      } else if (line.startsWith("date:", s)) {
        int n = line.indexOf(' ', s);
        if (n < 0) n = len;
        q.parseDate(line.substring(s + 5, n), at);
        s = n;
      } else {
        int n = wordLen(line, s);
        if (n == 0) throw new Invalid("unexpected '" + c + "' at " + at + " (outside the benchmark subset)");
        boolean prefix = at(line, s + n) == '*';
        q.items.add(new Item(prefix ? PREFIX : WORD, line.substring(s, s + n)));
        s += n + (prefix ? 1 : 0);
        if (s < len && line.charAt(s) != ' ')
          throw new Invalid("unexpected '" + line.charAt(s) + "' at " + s + " (outside the benchmark subset)");
      }
      needItem = false;
    }
    if (needItem && joinsOr) throw new Invalid("missing word after OR");
    if (q.items.isEmpty()) throw new Invalid("empty query");
    if (joinsOr) {
      if (joinsAnd || q.hasDate) throw new Invalid("OR mixed with AND or a date (outside the benchmark subset)");
      for (Item it : q.items)
        if (it.kind != WORD) throw new Invalid("OR joins plain words only in the benchmark subset");
      q.isOr = true;
    }
    return q;
  }
}
