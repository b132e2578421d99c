/* adapt_faust.c — Faust's generated C (`faust -lang c -cn CLASS`) behind the harness's
 * interface. Compiled once per compile mode with
 *   -DFAUST_GEN='"build/bench/NAME/faust_scal.c"' -DFAUST_CLASS=faustscal -DIMPL=bench_faust_scal
 *   -DKIND='"faust -scal"' */
#include <stdlib.h>
#include <string.h>

#include <faust/gui/CInterface.h>

/* The Faust C backend leaves these to its architecture files (as minimal.c does). */
static inline int max(int a, int b) { return a > b ? a : b; }
static inline int min(int a, int b) { return a < b ? a : b; }

#include FAUST_GEN
#include "bench.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define DSP FAUST_CLASS

static void *create(int sample_rate, int *n_in, int *n_out, size_t *state_bytes)
{
    DSP *d = CAT(new, DSP)();
    if (!d) return NULL;
    CAT(init, DSP)(d, sample_rate);
    *n_in = CAT(getNumInputs, DSP)(d);
    *n_out = CAT(getNumOutputs, DSP)(d);
    *state_bytes = sizeof(DSP);
    return d;
}

static void process(void *d, float **in, float **out, int frames)
{
    CAT(compute, DSP)((DSP *)d, frames, in, out);
}

static void destroy(void *d) { CAT(delete, DSP)((DSP *)d); }

/* Find a slider by its label through the user-interface description Faust generates. */
typedef struct { const char *label; FAUSTFLOAT *zone; } finder;
static void slider(void *ui, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT init, FAUSTFLOAT lo,
                   FAUSTFLOAT hi, FAUSTFLOAT step)
{
    finder *f = ui;
    (void)init, (void)lo, (void)hi, (void)step;
    if (!strcmp(label, f->label)) f->zone = zone;
}
static void button(void *ui, const char *label, FAUSTFLOAT *zone) { slider(ui, label, zone, 0, 0, 1, 1); }
static void bargraph(void *ui, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT lo, FAUSTFLOAT hi)
{
    (void)ui, (void)label, (void)zone, (void)lo, (void)hi;
}
static void box(void *ui, const char *label) { (void)ui, (void)label; }
static void close_box(void *ui) { (void)ui; }
static void declare(void *ui, FAUSTFLOAT *zone, const char *key, const char *value)
{
    (void)ui, (void)zone, (void)key, (void)value;
}
static void soundfile(void *ui, const char *label, const char *url, struct Soundfile **sf)
{
    (void)ui, (void)label, (void)url, (void)sf;
}

static int set(void *d, const char *label, double value)
{
    finder f = { label, NULL };
    UIGlue ui = { .uiInterface = &f, .openTabBox = box, .openHorizontalBox = box,
                  .openVerticalBox = box, .closeBox = close_box, .addButton = button,
                  .addCheckButton = button, .addVerticalSlider = slider,
                  .addHorizontalSlider = slider, .addNumEntry = slider,
                  .addHorizontalBargraph = bargraph, .addVerticalBargraph = bargraph,
                  .addSoundfile = soundfile, .declare = declare };
    CAT(buildUserInterface, DSP)((DSP *)d, &ui);
    if (!f.zone) return -1;
    *f.zone = (FAUSTFLOAT)value;
    return 0;
}

const bench_impl IMPL = { KIND, create, process, destroy, set };
