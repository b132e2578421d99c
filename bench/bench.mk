# bench.mk — builds build/bench/NAME/bench for every benchmark program: agraph's generated code
# (agraphc --emit-c), Faust's (faust -lang c, -scal and -vec -vs 32) and the hand-written C
# reference bench/ref/NAME.c, each behind harness.c, all with one C compiler and one set of flags.
#   make -f bench/bench.mk            (from the repository root; `make bench` runs bench/run)
# Faust's column is left out when faust is not installed.

CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif
BENCH_CFLAGS ?= -O3 -march=native -fno-math-errno -fno-trapping-math
CF = $(BENCH_CFLAGS) -std=c11 -D_GNU_SOURCE
B = build/bench
FAUST ?= faust
HAVE_FAUST := $(shell command -v $(FAUST) 2>/dev/null)

PROGRAMS = lowpass freeverb zita additive bank fx spectral_gate
LIBS_spectral_gate = -lfftw3f
LIBS_bank = -lmvec
LIBS_additive = -lmvec
STDLIB = $(wildcard stdlib/*.agraph)

all: $(foreach p,$(PROGRAMS),$(B)/$(p)/bench)

# The compiler and flags, for bench/run to print.
flags:
	@echo "$(CC) $(CF)"

$(B)/harness.o: bench/harness.c bench/bench.h
	@mkdir -p $(B)
	$(CC) $(CF) -c -o $@ $<

# program(NAME): its objects and executable
define program
$(B)/$(1)/agraph.c: bench/$(1).agraph build/agraphc $(STDLIB)
	@mkdir -p $(B)/$(1)
	build/agraphc bench/$(1).agraph --emit-c $$@

$(B)/$(1)/agraph.o: bench/adapt_agraph.c bench/bench.h $(B)/$(1)/agraph.c
	$(CC) $(CF) -I$(B)/$(1) -DAGRAPH_RUNTIME -DAGRAPH_GEN='"agraph.c"' -c -o $$@ $$<

$(B)/$(1)/faust_scal.c: bench/$(1).dsp bench/agraph.lib
	@mkdir -p $(B)/$(1)
	$(FAUST) -lang c -scal -cn faustscal -I bench bench/$(1).dsp -o $$@

$(B)/$(1)/faust_vec.c: bench/$(1).dsp bench/agraph.lib
	@mkdir -p $(B)/$(1)
	$(FAUST) -lang c -vec -vs 32 -cn faustvec -I bench bench/$(1).dsp -o $$@

$(B)/$(1)/faust_scal.o: bench/adapt_faust.c bench/bench.h $(B)/$(1)/faust_scal.c
	$(CC) $(CF) -I$(B)/$(1) -DFAUST_GEN='"faust_scal.c"' -DFAUST_CLASS=faustscal \
	    -DIMPL=bench_faust_scal -DKIND='"faust -scal"' -c -o $$@ $$<

$(B)/$(1)/faust_vec.o: bench/adapt_faust.c bench/bench.h $(B)/$(1)/faust_vec.c
	$(CC) $(CF) -I$(B)/$(1) -DFAUST_GEN='"faust_vec.c"' -DFAUST_CLASS=faustvec \
	    -DIMPL=bench_faust_vec -DKIND='"faust -vec -vs 32"' -c -o $$@ $$<

$(B)/$(1)/ref.o: bench/ref/$(1).c bench/bench.h bench/ref/vsin.h
	@mkdir -p $(B)/$(1)
	$(CC) $(CF) -c -o $$@ $$<

OBJS_$(1) = $(B)/harness.o $(B)/$(1)/agraph.o \
    $(if $(HAVE_FAUST),$(if $(wildcard bench/$(1).dsp),$(B)/$(1)/faust_scal.o $(B)/$(1)/faust_vec.o)) \
    $(if $(wildcard bench/ref/$(1).c),$(B)/$(1)/ref.o)

$(B)/$(1)/bench: $$(OBJS_$(1))
	$(CC) $(CF) -o $$@ $$^ $(LIBS_$(1)) -lm
endef

$(foreach p,$(PROGRAMS),$(eval $(call program,$(p))))

.PHONY: all flags
.DELETE_ON_ERROR:
