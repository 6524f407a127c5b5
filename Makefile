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
LIBS    = -lstemmer -lutf8proc -lzstd -ljansson -lxxhash -lroaring -lstreamvbyte -lpthread -lm

LIB_SRC  = $(sort $(wildcard src/util/*.c src/text/*.c src/ingest/*.c src/codec/*.c \
                             src/index/*.c src/query/*.c src/present/*.c src/api/*.c))
CLI_SRC  = $(sort $(wildcard src/cli/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
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

$(BUILD)/newsdex: $(CLI_OBJ) $(BUILD)/libnewsdex.a
	$(CC) -o $@ $(CLI_OBJ) $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(BUILD)/libnewsdex.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS)

$(BUILD)/examples/embed: examples/embed.c $(BUILD)/libnewsdex.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libnewsdex.a $(LDFLAGS) $(LIBS)

tests: $(UNIT_BIN) $(BUILD)/examples/embed all

# The README's test command.  Ends with one line "N passed, N failed".
test: tests
	@SAN="$(SAN)" sh tests/run.sh $(BUILD)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" test

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
	           $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(BUILD)/libnewsdex.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libnewsdex.so $(DESTDIR)$(PREFIX)/lib/libnewsdex.so.0
	ln -sf libnewsdex.so.0 $(DESTDIR)$(PREFIX)/lib/libnewsdex.so
	install -m 644 include/newsdex.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(BUILD)/newsdex $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/newsdex.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' newsdex.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/newsdex.pc

# The side-by-side benchmark against SQLite FTS5 and Xapian (docs/benchmarks.md).
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

bench-tools: $(BUILD)/bench/fts5 $(BUILD)/bench/xapian

# BENCH_SCALES="1 4 16" also measures the corpus repeated 4 and 16 times.
bench: all bench-tools
	BENCH_SCALES="$(BENCH_SCALES)" python3 bench/run.py --build $(BUILD)

clean:
	rm -rf build build-asan

.PHONY: all tests test test-asan install clean bench bench-tools
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
