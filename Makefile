# agraph — build the compiler, the runtime library and the test suite.
#   make            build build/agraphc and build/libagraph.{a,so}
#   make setup      install missing Debian packages, build, render examples/sine.agraph to sine.wav
#   make test       run the whole suite (one Criterion binary)
#   make bench      agraph against Faust: generated-code speed, state size, compile latency
#   make check-asan the whole suite with the compiler and tests under ASan and UBSan (3-6 min)
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (60) s; make stress: 60 s live per example
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
    $(B)/compiler/expand.o $(B)/compiler/fold.o $(B)/compiler/range.o $(B)/compiler/check.o $(B)/compiler/lower.o \
    $(B)/compiler/schedule.o $(B)/compiler/verify.o $(B)/compiler/lanes.o $(B)/compiler/emit_c.o $(B)/compiler/emit_conv.o \
    $(B)/compiler/emit_lib.o $(B)/compiler/wasm.o $(B)/compiler/prelude.o $(B)/compiler/build.o $(B)/compiler/pipeline.o
COMPILER_MAIN = $(B)/compiler/main.o

# ---- runtime --------------------------------------------------------------------------------
RT_OBJS = $(B)/runtime/main.o $(B)/runtime/cli.o $(B)/runtime/offline.o \
    $(B)/runtime/params.o $(B)/runtime/outfile.o $(B)/runtime/probefile.o \
    $(B)/runtime/live.o $(B)/runtime/control.o $(B)/runtime/commands.o $(B)/runtime/soundfiles.o
RT_HEADERS = runtime/agraph_program.h runtime/agraph_units.h runtime/agraph_json.h runtime/agraph_runtime.h \
    runtime/agraph_control.h

all: $(B)/agraphc $(B)/libagraph.a $(B)/libagraph.so examples/room.wav

# The impulse response examples/conv_reverb.agraph loads, made by an agraph program (no data downloaded).
examples/room.wav: examples/room.agraph $(B)/agraphc $(B)/libagraph.a
	$(B)/agraphc examples/room.agraph -o $(B)/room
	$(B)/room -o $@ --duration 0.6s --quiet

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

# The JSON strings' rules are shared with the runtime.
$(B)/compiler/emit_lib.o $(B)/compiler/lex.o: runtime/agraph_json.h

$(B)/compiler/parse.o: $(B)/compiler/parse.c compiler/agraph.h compiler/build_ast.h | $(B)/compiler
	$(CC) $(ALL_CFLAGS) -Wno-unused -Icompiler -I$(B)/compiler -Iruntime -c -o $@ $<

# The driver finds the runtime and stdlib beside itself; it links programs with RT_LIBS.
$(B)/compiler/build.o: compiler/build.c compiler/agraph.h Makefile | $(B)/compiler
	$(CC) $(ALL_CFLAGS) -Icompiler -I$(B)/compiler -Iruntime -DAGRAPH_RT_LIBS='"$(RT_LIBS)"' -c -o $@ $<

# The ABI header's text is embedded in every generated program; the built-in FFT, the wasm glue
# and the AudioWorklet wrapper are carried by agraphc for --fft builtin and --emit-wasm.
EMBED_TEXTS = runtime/wasm/agraph_fft.c runtime/wasm/agraph_wasm.c runtime/wasm/agraph_worklet.js
$(B)/compiler/prelude.c: runtime/agraph_program.h $(EMBED_TEXTS) | $(B)/compiler
	{ echo '/* generated from runtime/agraph_program.h */'; \
	  echo 'const char agraph_prelude[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; \
	  for v in agraph_fft_text:agraph_fft.c agraph_wasm_glue_text:agraph_wasm.c agraph_worklet_text:agraph_worklet.js; do \
	    echo "const char $${v%%:*}[] ="; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' runtime/wasm/$${v#*:}; \
	    echo ';'; done; } > $@
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
$(filter $(B)/tests/e2e/test_runtime_% $(B)/tests/e2e/test_notebook.o,$(TEST_OBJS)): tests/runtime/harness.h

$(B)/run-tests: $(TEST_OBJS) $(B)/tests/testutil.o $(COMPILER_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lcriterion -lsndfile -lm -lpthread -ldl

test: all $(B)/run-tests
	$(B)/run-tests --jobs 2

check: test

# ---- hardening: fuzzers, the suite under sanitizers, live stress (tests/fuzz, tests/stress) ----
# `make fuzz` builds the libFuzzer targets with clang (ASan + UBSan) and runs each FUZZ_SECONDS
# seconds from seed corpora made of examples/, stdlib/ and tests/golden/ (tests/fuzz/run).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FZ            = $(B)/fuzz
FUZZ_CFLAGS   = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
    -fno-sanitize-recover=undefined $(WARN) -std=c11 -D_GNU_SOURCE
FUZZ_OBJS     = $(patsubst $(B)/compiler/%,$(FZ)/compiler/%,$(COMPILER_OBJS))
FUZZ_TARGETS  = $(FZ)/fuzz_compile $(FZ)/fuzz_gen

$(FZ)/compiler/%.o: compiler/%.c compiler/agraph.h $(B)/compiler/parse.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -DAGRAPH_RT_LIBS='"$(RT_LIBS)"' \
	    -Icompiler -I$(B)/compiler -Iruntime -c -o $@ $<
$(FZ)/compiler/lex.o $(FZ)/compiler/parse.o $(FZ)/compiler/prelude.o: $(FZ)/compiler/%.o: $(B)/compiler/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-unused -fsanitize=fuzzer-no-link -Icompiler -I$(B)/compiler \
	    -Iruntime -c -o $@ $<
$(FZ)/%: tests/fuzz/%.c $(FUZZ_OBJS) tests/fuzz/gen.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Icompiler -I$(B)/compiler -Iruntime -Itests/fuzz \
	    -o $@ $< $(FUZZ_OBJS) -lm -lpthread

.SECONDARY: $(FUZZ_OBJS)

fuzz: all $(FUZZ_TARGETS)
	sh tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

.PHONY: fuzz

# `make check-asan`: the whole suite with the compiler and the test binary built with ASan and
# UBSan (LeakSanitizer on), in a mirror of the tree (build/asan: links to the sources, its own
# build/), so the tests' ./build/agraphc is the sanitized one. The mirror's Makefile is this one
# with the sanitizers in CFLAGS except for the runtime library (a test that runs `make install`
# there rebuilds the same); the programs the tests compile stay unsanitized. Any report stops the
# process that made it, which fails its test. Leaks in the test binary's own per-test processes
# (helpers' strings the tests never free) are suppressed by tests/fuzz/lsan.supp; agraphc and
# every program the tests run are checked with no suppression. 3 minutes on 2 cores once built;
# ASAN_TESTS='--filter golden/*' runs a part.
ASAN_B      = $(B)/asan
ASAN_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_ENV    = AGRAPH_TEST_ASAN=1 \
    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:hard_rss_limit_mb=6144:exitcode=99 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99 \
    LSAN_OPTIONS=exitcode=99:suppressions=$(CURDIR)/tests/fuzz/lsan.supp

check-asan:
	@mkdir -p $(ASAN_B)/build
	@for f in $(filter-out build stdlib Makefile,$(wildcard *)) .ci; do ln -sfn ../../$$f $(ASAN_B)/$$f; done
	@rm -rf $(ASAN_B)/stdlib && cp -r stdlib $(ASAN_B)/stdlib   # a copy: diagnostics name it by path
	@rm -f $(ASAN_B)/Makefile && ln -sfn ../../Makefile $(ASAN_B)/Makefile.tree
	@printf '%s\n' '# made by make check-asan: the tree'"'"'s Makefile, sanitizers on but in the runtime' \
	    "CFLAGS = $(ASAN_CFLAGS)" 'include Makefile.tree' \
	    'build/runtime/%.o: CFLAGS = -O2 -g' > $(ASAN_B)/Makefile
	$(MAKE) -C $(ASAN_B) all build/run-tests
	cd $(ASAN_B) && $(ASAN_ENV) ./build/run-tests --jobs 2 $(ASAN_TESTS)

.PHONY: check-asan

# `make stress`: every example 60 s live on a realtime JACK dummy server at 64 frames with both
# cores loaded; prints underruns, callback times and the machine's stalls (tests/stress/run).
STRESS_SECONDS ?= 60
stress: all
	sh tests/stress/run $(STRESS_SECONDS)

.PHONY: stress

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
