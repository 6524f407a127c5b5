# newsdex -- plain Makefile.  `make` builds the library and the command,
# `make test` runs every test, `make install PREFIX=...` installs.
CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
OPT     ?= -O2 -g
CWARNS  = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wpointer-arith -Wformat=2 -Wno-unused-parameter
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(CWARNS) -fPIC -Iinclude -MMD -MP $(SAN)
LDFLAGS += $(SAN)
SERVE_LIBS = -ldl # libmicrohttpd is loaded by `serve` (src/server/mhd.h)
LIBS    = -lstemmer -lutf8proc -lzstd -ljansson -lxxhash -lroaring -lstreamvbyte -lz -lpthread -lm

LIB_SRC  = $(sort $(wildcard src/util/*.c src/text/*.c src/ingest/*.c src/codec/*.c src/link/*.c \
                             src/index/*.c src/query/*.c src/present/*.c src/api/*.c))
ES_SRC   = $(sort $(wildcard src/es/*.c))
CLI_SRC  = $(sort $(wildcard src/cli/*.c src/server/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
ES_OBJ   = $(ES_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/libnewsdex.a $(BUILD)/libnewsdex.so $(BUILD)/newsdex

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libnewsdex.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libnewsdex.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libnewsdex.so.0 -o $@ $^ $(LDFLAGS) $(LIBS)

# The Elasticsearch-compatible layer (src/es/): part of the program, not of
# the library; its own archive so that unit tests can link it.
$(BUILD)/libndes.a: $(ES_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/newsdex: $(CLI_OBJ) $(BUILD)/libndes.a $(BUILD)/libnewsdex.a
	$(CC) -o $@ $(CLI_OBJ) $(BUILD)/libndes.a $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS) $(SERVE_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h tests/unit/testdata.h $(BUILD)/libndes.a $(BUILD)/libnewsdex.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libndes.a $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS)

$(BUILD)/examples/embed: examples/embed.c $(BUILD)/libnewsdex.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS)

# Invented corpora for the tests (tests/fixtures/gen_news.py: no third-party
# text, the same articles on every machine): news.jsonl has the mixed shapes of
# several sources, wire.jsonl.zst is long wire copy, zstd-compressed.
FIXTURES = $(BUILD)/fixtures/news.jsonl $(BUILD)/fixtures/wire.jsonl.zst
$(BUILD)/fixtures/news.jsonl: tests/fixtures/gen_news.py
	@mkdir -p $(dir $@)
	python3 $< --seed 2004 --count 1500 --prefix fx: $@
$(BUILD)/fixtures/wire.jsonl.zst: tests/fixtures/gen_news.py
	@mkdir -p $(dir $@)
	python3 $< --seed 1987 --count 6000 --style wire --prefix fxw: $@

tests: $(UNIT_BIN) $(BUILD)/examples/embed all $(FIXTURES)

# The README's test command.  Ends with one line "N passed, N failed".
test: tests
	@SAN="$(SAN)" sh tests/run.sh $(BUILD)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" test

# Reliability: the crash and full-disk tests (tests/crash/, run by
# tests/e2e/reliability.sh; long form: $(BUILD)/tests/crash_test --kills 200).
$(BUILD)/tests/%: tests/crash/%.c tests/unit/testdata.h $(BUILD)/libnewsdex.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS)

tests: $(BUILD)/tests/crash_test $(BUILD)/tests/nospace_test

# ThreadSanitizer on the threaded test (TSAN_BUILD: its build directory).
TSAN_BUILD ?= build-tsan
test-tsan:
	@$(MAKE) --no-print-directory BUILD=$(TSAN_BUILD) OPT="-O1 -g" SAN="-fsanitize=thread" $(TSAN_BUILD)/tests/test_concurrent $(TSAN_BUILD)/tests/test_parallel_add
	@TSAN_OPTIONS=halt_on_error=1 $(TSAN_BUILD)/tests/test_concurrent
	@TSAN_OPTIONS=halt_on_error=1 $(TSAN_BUILD)/tests/test_parallel_add

# libFuzzer targets (tests/fuzz/, built with clang in FUZZ_BUILD).  `make fuzz`
# builds them; `make fuzz-run FUZZ_SECONDS=30` runs each that long, keeping
# what it learns in $(FUZZ_BUILD)/corpus/TARGET (docs/reliability.md).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_TARGETS = query jsonl text tokenize segment stats
fuzz:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT="-O1 -g" \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" fuzz-bins

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libnewsdex.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -fsanitize=fuzzer -o $@ $< $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS)

fuzz-run: fuzz
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t || exit 1; \
	  echo "== fuzz_$$t, $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/fuzz_$$t- $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t 2>&1 | \
	    grep -E "stat::number_of_executed_units|ERROR|SUMMARY|Test unit written" ; \
	  [ -z "$$(ls $(FUZZ_BUILD)/fuzz_$$t-* 2>/dev/null)" ] || { echo "fuzz_$$t found a failing input"; exit 1; }; \
	done

# The Python package (python/, docs/python.md), linked with this build's
# static library: built into $(BUILD)/python, installed for $(PYTHON)
# under $(DESTDIR)$(PREFIX) (e.g. lib/python3.11/dist-packages on Debian).
PYTHON  ?= /usr/bin/python3
PY_SETUP = mkdir -p $(abspath $(BUILD))/python-tmp && cd python && NEWSDEX_BUILD=$(abspath $(BUILD)) $(PYTHON) setup.py -q \
           egg_info --egg-base $(abspath $(BUILD))/python-tmp \
           build --build-base $(abspath $(BUILD))/python-tmp --build-lib $(abspath $(BUILD))/python

python: $(BUILD)/libnewsdex.a
	$(PY_SETUP)

python-install: python
	$(PY_SETUP) install --skip-build --root=$(if $(DESTDIR),$(abspath $(DESTDIR)),/) --prefix=$(PREFIX)

install: all python-install
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
	           $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(BUILD)/libnewsdex.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libnewsdex.so $(DESTDIR)$(PREFIX)/lib/libnewsdex.so.0
	ln -sf libnewsdex.so.0 $(DESTDIR)$(PREFIX)/lib/libnewsdex.so
	install -m 644 include/newsdex.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(BUILD)/newsdex $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/newsdex.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/newsdex/web
	install -m 644 web/* $(DESTDIR)$(PREFIX)/share/newsdex/web/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' newsdex.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/newsdex.pc

# The side-by-side benchmark against SQLite FTS5, Xapian and Lucene (docs/benchmarks.md).
CXX       ?= c++
BENCH_DEP = bench/bench.c bench/bench.h $(BUILD)/libnewsdex.a
BENCH_INC = -Iinclude -Isrc -Ibench

$(BUILD)/bench/bench.o: $(BENCH_DEP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BENCH_INC) -c bench/bench.c -o $@

$(BUILD)/bench/fts5: bench/fts5.c $(BUILD)/bench/bench.o
	$(CC) $(CFLAGS) $(BENCH_INC) -o $@ bench/fts5.c $(BUILD)/bench/bench.o $(BUILD)/libnewsdex.a $(LDFLAGS) -lsqlite3 $(LIBS)

$(BUILD)/bench/xapian: bench/xapian.cc $(BUILD)/bench/bench.o
	$(CXX) -std=c++17 $(OPT) -Wall -Wextra $(SAN) $(BENCH_INC) -o $@ bench/xapian.cc $(BUILD)/bench/bench.o \
	    $(BUILD)/libnewsdex.a $(LDFLAGS) -lxapian $(LIBS)

# Lucene 8 (bench/lucene/*.java): compiled with javac against Debian's
# liblucene8-java into $(BUILD)/bench/lucene/, run through the script
# $(BUILD)/bench/lucene/lucene (LUCENE_JAVA_OPTS replaces its JVM options).
# Without a JDK or the jars it is skipped, and bench/run.py leaves Lucene out.
JAVAC           ?= javac
LUCENE_JARS     ?= /usr/share/java
LUCENE_CORE     = $(firstword $(wildcard $(LUCENE_JARS)/lucene-core-8*.jar))
LUCENE_ANALYSIS = $(firstword $(wildcard $(LUCENE_JARS)/lucene-analyzers-common-8*.jar))
LUCENE_CP       = $(LUCENE_CORE):$(LUCENE_ANALYSIS)
LUCENE_JFLAGS   = -encoding UTF-8 -Xlint:all -Werror

$(BUILD)/bench/lucene/lucene: $(wildcard bench/lucene/*.java)
	@if ! command -v $(JAVAC) >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1 || \
	    [ -z "$(LUCENE_CORE)" ] || [ -z "$(LUCENE_ANALYSIS)" ]; then \
	  echo "SKIP lucene adapter: needs a JDK and liblucene8-java (sh scripts/install-deps.sh)"; exit 0; fi; \
	mkdir -p $(dir $@) && \
	echo "$(JAVAC) $(LUCENE_JFLAGS) -d $(dir $@) -cp $(LUCENE_CP) bench/lucene/*.java" && \
	$(JAVAC) $(LUCENE_JFLAGS) -d $(dir $@) -cp $(LUCENE_CP) bench/lucene/*.java && \
	printf '#!/bin/sh\n# The Lucene adapter of the benchmark (bench/lucene/): LUCENE_JAVA_OPTS replaces the JVM options.\nexec java $${LUCENE_JAVA_OPTS:--Xmx1g} -cp "$$(dirname "$$0"):$(LUCENE_CP)" NewsdexLucene "$$@"\n' > $@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@

bench-tools: $(BUILD)/bench/fts5 $(BUILD)/bench/xapian $(BUILD)/bench/lucene/lucene

# Wire copies and threads against brute force on the news corpus
# (docs/stories.md): the archive is built again from DUPS_DATA, then
# bench/dups reads it back.  tests/unit/shingles.h, the ground truth, is
# shared with test_stories.
NEWSDEX_TEST_DATA ?= ../shared/data
DUPS_DATA ?= $(NEWSDEX_TEST_DATA)/news
DUPS_DB   ?= $(BUILD)/bench/dups.ndx
$(BUILD)/bench/dups: bench/dups.c tests/unit/shingles.h $(BUILD)/libnewsdex.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BENCH_INC) -o $@ bench/dups.c $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS)

$(BUILD)/tests/test_stories: tests/unit/shingles.h

bench-dups: all $(BUILD)/bench/dups
	@ls $(DUPS_DATA)/*.jsonl.zst >/dev/null 2>&1 || { echo "SKIP bench-dups: no $(DUPS_DATA)/*.jsonl.zst (third-party data; set NEWSDEX_TEST_DATA or DUPS_DATA)"; exit 0; }; \
	rm -rf $(DUPS_DB) && \
	$(BUILD)/newsdex add --db $(DUPS_DB) --quiet $(DUPS_DATA)/*.jsonl.zst && \
	$(BUILD)/bench/dups $(DUPS_DB)

.PHONY: bench-dups

# newsdex in PostgreSQL against GIN and RUM, and over shards
# (bench/pg_bench.sh, docs/benchmarks.md "PostgreSQL"): throw-away clusters,
# the extension built and installed against $(BUILD); PG_BENCH_N=5000 for a
# quick run.  bench/pg_query times SQL statements through libpq.
PG_CONFIG ?= pg_config
$(BUILD)/bench/pg_query: bench/pg_query.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(shell $(PG_CONFIG) --includedir) -o $@ bench/pg_query.c $(LDFLAGS) -lpq

bench-pg: all $(BUILD)/bench/pg_query
	BUILD=$(BUILD) sh bench/pg_bench.sh

# BENCH_SCALES="1 4 16" also measures the corpus repeated 4 and 16 times.
bench: all bench-tools
	BENCH_SCALES="$(BENCH_SCALES)" python3 bench/run.py --build $(BUILD)

clean:
	rm -rf build build-asan

.PHONY: all tests test test-asan test-tsan fuzz fuzz-bins fuzz-run install python python-install clean bench bench-tools bench-pg
-include $(LIB_OBJ:.o=.d) $(ES_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
