# agraph — build the compiler, the runtime library and the test suite.
#   make            build build/agraphc and build/libagraph.{a,so}
#   make setup      install missing Debian packages, build, render examples/sine.agraph to sine.wav
#   make test       run the whole suite (one Criterion binary)
#   make bench      agraph against Faust: generated-code speed, state size, compile latency
#   make install PREFIX=/usr/local

PREFIX   ?= /usr/local
CC       ?= cc
ifeq ($(origin CC),default)
CC       := cc
endif
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wno-unused-parameter
ALL_CFLAGS = $(CFLAGS) $(WARN) -std=c11 -D_GNU_SOURCE -fPIC
B         = build

# Libraries every generated executable links after libagraph.a.
RT_LIBS   = -lportaudio -ljack -lasound -lsndfile -lm -lpthread

# ---- compiler -------------------------------------------------------------------------------
COMPILER_OBJS = $(B)/compiler/arena.o $(B)/compiler/diag.o $(B)/compiler/lex.o \
    $(B)/compiler/parse.o $(B)/compiler/ast.o $(B)/compiler/load.o $(B)/compiler/resolve.o \
    $(B)/compiler/expand.o $(B)/compiler/fold.o $(B)/compiler/check.o $(B)/compiler/lower.o \
    $(B)/compiler/schedule.o $(B)/compiler/verify.o $(B)/compiler/emit_c.o \
    $(B)/compiler/prelude.o $(B)/compiler/build.o $(B)/compiler/pipeline.o
COMPILER_MAIN = $(B)/compiler/main.o

# ---- runtime --------------------------------------------------------------------------------
RT_OBJS = $(B)/runtime/main.o $(B)/runtime/cli.o $(B)/runtime/offline.o \
    $(B)/runtime/params.o $(B)/runtime/outfile.o $(B)/runtime/probefile.o \
    $(B)/runtime/live.o $(B)/runtime/control.o $(B)/runtime/commands.o
RT_HEADERS = runtime/agraph_program.h runtime/agraph_units.h runtime/agraph_runtime.h \
    runtime/agraph_control.h

all: $(B)/agraphc $(B)/libagraph.a $(B)/libagraph.so

$(B)/agraphc: $(COMPILER_OBJS) $(COMPILER_MAIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lm -lpthread

$(B)/compiler/%.o: compiler/%.c compiler/agraph.h $(B)/compiler/parse.h | $(B)/compiler
	$(CC) $(ALL_CFLAGS) -Icompiler -I$(B)/compiler -Iruntime -c -o $@ $<

$(B)/compiler/lex.o: $(B)/compiler/lex.c compiler/agraph.h $(B)/compiler/parse.h | $(B)/compiler
	$(CC) $(ALL_CFLAGS) -Wno-unused -Icompiler -I$(B)/compiler -Iruntime -c -o $@ $<

$(B)/compiler/lex.c: compiler/lex.re | $(B)/compiler
	re2c -W --no-generation-date -o $@ $<

LEMPAR = /usr/share/lemon/lempar.c
$(B)/compiler/parse.c $(B)/compiler/parse.h: compiler/parse.y | $(B)/compiler
	lemon -q -T$(LEMPAR) -d$(B)/compiler compiler/parse.y
	touch $(B)/compiler/parse.c $(B)/compiler/parse.h

$(B)/compiler/parse.o: $(B)/compiler/parse.c compiler/agraph.h compiler/build_ast.h | $(B)/compiler
	$(CC) $(ALL_CFLAGS) -Wno-unused -Icompiler -I$(B)/compiler -Iruntime -c -o $@ $<

# The driver finds the runtime and stdlib beside itself; it links programs with RT_LIBS.
$(B)/compiler/build.o: compiler/build.c compiler/agraph.h Makefile | $(B)/compiler
	$(CC) $(ALL_CFLAGS) -Icompiler -I$(B)/compiler -Iruntime -DAGRAPH_RT_LIBS='"$(RT_LIBS)"' -c -o $@ $<

# The ABI header's text is embedded in every generated program.
$(B)/compiler/prelude.c: runtime/agraph_program.h | $(B)/compiler
	{ echo '/* generated from runtime/agraph_program.h */'; \
	  echo 'const char agraph_prelude[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@
$(B)/compiler/prelude.o: $(B)/compiler/prelude.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# ---- runtime library ------------------------------------------------------------------------
$(B)/runtime/%.o: runtime/%.c $(RT_HEADERS) | $(B)/runtime
	$(CC) $(ALL_CFLAGS) -Iruntime -c -o $@ $<

$(B)/libagraph.a: $(RT_OBJS)
	rm -f $@; ar rcs $@ $^

$(B)/libagraph.so: $(RT_OBJS)
	$(CC) -shared -o $@ $^ $(RT_LIBS)

$(B)/compiler $(B)/runtime $(B)/tests:
	mkdir -p $@

# ---- set-up: the README's first command -----------------------------------------------------
setup:
	sh .ci/install-deps
	$(MAKE) all
	$(B)/agraphc examples/sine.agraph -o $(B)/sine
	$(B)/sine -o sine.wav --duration 2s
	@echo "agraph is built: build/agraphc. Rendered examples/sine.agraph to sine.wav."

# ---- tests ----------------------------------------------------------------------------------
TEST_SRCS = $(wildcard tests/unit/*.c) $(wildcard tests/e2e/*.c)
TEST_OBJS = $(patsubst tests/%.c,$(B)/tests/%.o,$(TEST_SRCS))

$(B)/tests/%.o: tests/%.c tests/testutil.h compiler/agraph.h $(B)/compiler/parse.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icompiler -I$(B)/compiler -Iruntime -Itests -c -o $@ $<

$(B)/tests/testutil.o: tests/testutil.c tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -c -o $@ $<

# The runtime's live tests share a header-only harness.
$(filter $(B)/tests/e2e/test_runtime_%,$(TEST_OBJS)): tests/runtime/harness.h

$(B)/run-tests: $(TEST_OBJS) $(B)/tests/testutil.o $(COMPILER_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lcriterion -lsndfile -lm -lpthread -ldl

test: all $(B)/run-tests
	$(B)/run-tests --jobs 2

check: test

# ---- benchmarks against Faust: bench/run builds them with bench/bench.mk and prints the table -
bench: all
	sh bench/run

.PHONY: bench

# ---- install --------------------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/agraph \
	    $(DESTDIR)$(PREFIX)/share/agraph/stdlib $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(B)/agraphc $(DESTDIR)$(PREFIX)/bin/agraphc
	install -m 644 $(B)/libagraph.a $(DESTDIR)$(PREFIX)/lib/libagraph.a
	install -m 755 $(B)/libagraph.so $(DESTDIR)$(PREFIX)/lib/libagraph.so
	install -m 644 $(RT_HEADERS) $(DESTDIR)$(PREFIX)/include/agraph/
	install -m 644 stdlib/*.agraph $(DESTDIR)$(PREFIX)/share/agraph/stdlib/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBS@|$(RT_LIBS)|' runtime/agraph.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/agraph.pc

clean:
	rm -rf $(B) sine.wav

.PHONY: all setup test check install clean
