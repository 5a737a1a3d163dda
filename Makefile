# paydesk — plain Makefile, pkg-config for every library.
#   make            build ./paydesk (installs missing Debian packages first)
#   make test       build and run every test (unit, fake Stripe, end-to-end)
#   make asan       the same suite under AddressSanitizer + UBSan
#   make tsan       the threaded unit programs under ThreadSanitizer
#   make demo       training mode against the local fake Stripe
#   make install PREFIX=/usr/local DESTDIR=   |  make uninstall
#   make format | lint | clean               V=1 shows full commands

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
BUILDDIR  ?= build
BIN       ?= paydesk

PKGS      := ncursesw libcurl jansson sqlite3 libsodium libqrencode zlib
CC        ?= cc
CFLAGS    ?= -O2 -g
WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
# Lazily expanded: the libraries may only exist once `make deps` has run.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# libcurl: headers only; src/stripe/curl_api.c loads it when first needed.
PKG_LIBS   = $(shell pkg-config --libs $(filter-out libcurl,$(PKGS))) -ldl
ALL_CFLAGS = -std=c11 $(WARNINGS) $(CFLAGS) $(SANITIZE) -Iinclude \
             -D_GNU_SOURCE -D_XOPEN_SOURCE_EXTENDED -DPAYDESK_VERSION='"$(VERSION)"' \
             -DPAYDESK_DATADIR='"$(DATADIR)/paydesk"' $(PKG_CFLAGS) -MMD -MP
ALL_LDLIBS = $(PKG_LIBS) -lpthread -lm

SRCS      := $(shell find src -name '*.c' ! -path src/main.c | sort)
OBJS      := $(SRCS:%.c=$(BUILDDIR)/obj/%.o) $(BUILDDIR)/obj/gen/theme_default.o
LIB       := $(BUILDDIR)/libpaydesk.a
MAIN_OBJ  := $(BUILDDIR)/obj/src/main.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILDDIR)/tests/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILDDIR)/tools/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

.SECONDARY:
.PHONY: all build deps deps-ok test check asan tsan tsan-check demo bench bench-db install uninstall clean format lint \
	fuzz stress

all: deps-ok
	$(Q)$(MAKE) --no-print-directory build

build: $(BIN) $(UNIT_BINS) $(TOOL_BINS)

deps:
	$(Q)scripts/deps.sh

# Quiet when everything is there; installs (or says how to) otherwise.
deps-ok:
	$(Q)scripts/deps.sh --check || scripts/deps.sh

$(BIN): $(MAIN_OBJ) $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(LIB): $(OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# The default theme is compiled in from themes/default.theme, so the two never drift.
$(BUILDDIR)/gen/theme_default.c: themes/default.theme
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q){ echo '#include "paydesk/theme.h"'; echo 'const char theme_default_text[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@

$(BUILDDIR)/obj/gen/%.o: $(BUILDDIR)/gen/%.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILDDIR)/obj/%.o: %.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILDDIR)/tests/%: $(BUILDDIR)/obj/tests/unit/%.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDLIBS) $(shell pkg-config --libs cmocka)

# Test-only programs (drivers that integration tests run against the fake Stripe).
$(BUILDDIR)/tools/%: $(BUILDDIR)/obj/tests/tools/%.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDLIBS)

test: deps-ok
	$(Q)$(MAKE) --no-print-directory check

# The whole suite against an already-built tree; prints one closing total line.
check: build
	$(Q)python3 tests/run_tests.py --bin ./$(BIN) --unit-dir $(BUILDDIR)/tests \
		--tools-dir $(BUILDDIR)/tools

asan: deps-ok
	$(Q)PAYDESK_SANITIZED=1 $(MAKE) --no-print-directory check BUILDDIR=build/asan BIN=build/asan/paydesk \
		CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all"

# The job pool, the UI loop's draining and the shared progress records under
# ThreadSanitizer, which fails a program on any data race: the unit programs
# that run threads (TSAN_TESTS), built in build/tsan.
TSAN_TESTS := test_jobs test_jobs_threads test_recover_job
tsan: deps-ok
	$(Q)$(MAKE) --no-print-directory tsan-check BUILDDIR=build/tsan \
		CFLAGS="-O1 -g -fno-omit-frame-pointer" SANITIZE="-fsanitize=thread"

tsan-check: $(TSAN_TESTS:%=$(BUILDDIR)/tests/%)
	$(Q)TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $(TSAN_OPTIONS)" \
		python3 tests/run_tests.py --unit-dir $(BUILDDIR)/tests --log-dir $(BUILDDIR)/test-logs \
		$(addprefix --program ,$(TSAN_TESTS))

demo: all
	$(Q)python3 tests/demo.py --bin ./$(BIN)

# 100k and 1M records; BIG=1 adds 10M (a ~7 GB database, built once)
BENCH_SIZES = 100000,1000000$(if $(BIG),$(comma)10000000)
comma := ,
bench: all
	$(Q)python3 tests/bench/run_bench.py --bin ./$(BIN) --gen $(BUILDDIR)/tools/history_gen \
		--sizes $(BENCH_SIZES) $(BENCH_ARGS)

# A paydesk database of ROWS synthetic history records (deterministic for SEED),
# for `paydesk --db PATH --screen history`:  make bench-db BENCH_DB=path ROWS=n
ROWS ?= 1000000
SEED ?= 1
bench-db: $(BUILDDIR)/tools/history_gen
	$(Q)test -n "$(BENCH_DB)" || { echo "usage: make bench-db BENCH_DB=path [ROWS=n] [SEED=s]" >&2; exit 2; }
	$(Q)rm -f "$(BENCH_DB)" "$(BENCH_DB)-wal" "$(BENCH_DB)-shm"
	$(Q)$(BUILDDIR)/tools/history_gen --db "$(BENCH_DB)" --rows $(ROWS) --seed $(SEED)

# Fuzzing (developer only; clang + libFuzzer, installed or named by the script):
# every tests/fuzz/fuzz_*.c for FUZZ_SECONDS each, built in build/fuzz.
FUZZ_SECONDS ?= 30
fuzz:
	$(Q)python3 tests/fuzz/run_fuzz.py --seconds $(FUZZ_SECONDS) $(FUZZ_SRCS)

$(BUILDDIR)/fuzzers/%: $(BUILDDIR)/obj/tests/fuzz/%.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(ALL_LDLIBS)

# SIGKILL at random points of payment flows, then recovery: STRESS_RUNS seeded runs.
STRESS_RUNS ?= 50
stress: build
	$(Q)python3 tests/integration/stress_kill.py --runs $(STRESS_RUNS) --bin ./$(BIN) \
		--tools-dir $(BUILDDIR)/tools

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/paydesk/themes $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/paydesk
	install -m 0644 themes/*.theme $(DESTDIR)$(DATADIR)/paydesk/themes/
	install -m 0644 man/paydesk.1 $(DESTDIR)$(MANDIR)/man1/paydesk.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/paydesk $(DESTDIR)$(MANDIR)/man1/paydesk.1
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/paydesk/themes/,$(notdir $(wildcard themes/*.theme)))
	-rmdir $(DESTDIR)$(DATADIR)/paydesk/themes $(DESTDIR)$(DATADIR)/paydesk 2>/dev/null

clean:
	rm -rf build $(BIN)

format:
	clang-format -i $(SRCS) src/main.c $(wildcard include/paydesk/*.h) $(UNIT_SRCS)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -Iinclude \
		-D_GNU_SOURCE -DPAYDESK_VERSION='"$(VERSION)"' src

-include $(shell find $(BUILDDIR)/obj -name '*.d' 2>/dev/null)
