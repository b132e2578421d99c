/* faust_ir.c — run a Faust-generated DSP (`faust -lang c`, included as FAUST_DSP) on impulses and
 * write what it outputs, so an oracle can compare agraph with Faust sample by sample.
 *   cc -O2 -DFAUST_DSP='"gen.c"' faust_ir.c -lm -o faust_ir
 *   faust_ir RATE FRAMES OUT.raw AMP0,AMP1,... [LABEL=VALUE ...]
 * Input channel k is AMPk at sample 0 and silence after; LABEL=VALUE sets the slider of that
 * label before the run. OUT.raw gets FRAMES frames of interleaved native float32, one column per
 * output. Each slider's label and value are printed as they are set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faust/gui/CInterface.h>

/* The Faust C backend leaves these to its architecture files. */
static inline int max(int a, int b) { return a > b ? a : b; }
static inline int min(int a, int b) { return a < b ? a : b; }

#include FAUST_DSP

enum { MAX_ZONES = 64, BLOCK = 256 };

static struct { const char *label; FAUSTFLOAT *zone; } zones[MAX_ZONES];
static int n_zones;

static void add_zone(void *ui, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT init,
                     FAUSTFLOAT lo, FAUSTFLOAT hi, FAUSTFLOAT step)
{
    (void)ui; (void)init; (void)lo; (void)hi; (void)step;
    if (n_zones < MAX_ZONES) {
        zones[n_zones].label = label;
        zones[n_zones].zone = zone;
        n_zones++;
    }
}
static void add_button(void *ui, const char *label, FAUSTFLOAT *zone) { add_zone(ui, label, zone, 0, 0, 1, 1); }
static void add_bargraph(void *ui, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT lo, FAUSTFLOAT hi)
{
    (void)ui; (void)label; (void)zone; (void)lo; (void)hi;
}
static void open_box(void *ui, const char *label) { (void)ui; (void)label; }
static void close_box(void *ui) { (void)ui; }
static void declare(void *ui, FAUSTFLOAT *zone, const char *key, const char *value)
{
    (void)ui; (void)zone; (void)key; (void)value;
}
static void add_soundfile(void *ui, const char *label, const char *url, struct Soundfile **sf)
{
    (void)ui; (void)label; (void)url; (void)sf;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s RATE FRAMES OUT.raw AMP0,AMP1,... [LABEL=VALUE ...]\n", argv[0]);
        return 2;
    }
    int rate = atoi(argv[1]), frames = atoi(argv[2]);
    mydsp *dsp = newmydsp();
    initmydsp(dsp, rate);
    UIGlue ui = {0};
    ui.openTabBox = ui.openHorizontalBox = ui.openVerticalBox = open_box;
    ui.closeBox = close_box;
    ui.addButton = ui.addCheckButton = add_button;
    ui.addVerticalSlider = ui.addHorizontalSlider = ui.addNumEntry = add_zone;
    ui.addHorizontalBargraph = ui.addVerticalBargraph = add_bargraph;
    ui.addSoundfile = add_soundfile;
    ui.declare = declare;
    buildUserInterfacemydsp(dsp, &ui);
    for (int a = 5; a < argc; a++) {
        char *eq = strchr(argv[a], '=');
        int found = 0;
        for (int z = 0; eq && z < n_zones; z++)
            if (strlen(zones[z].label) == (size_t)(eq - argv[a]) && !strncmp(zones[z].label, argv[a], eq - argv[a])) {
                *zones[z].zone = (FAUSTFLOAT)atof(eq + 1);
                printf("%s = %g\n", zones[z].label, (double)*zones[z].zone);
                found = 1;
            }
        if (!found) {
            fprintf(stderr, "%s: no slider '%s'\n", argv[0], argv[a]);
            return 2;
        }
    }
    int nin = getNumInputsmydsp(dsp), nout = getNumOutputsmydsp(dsp);
    float amp[64] = {0};
    char *p = argv[4];
    for (int i = 0; i < nin && i < 64 && *p; i++) {
        amp[i] = strtof(p, &p);
        if (*p == ',') p++;
    }
    FAUSTFLOAT *in[64], *out[64];
    for (int i = 0; i < nin; i++) in[i] = calloc(BLOCK, sizeof(FAUSTFLOAT));
    for (int i = 0; i < nout; i++) out[i] = calloc(BLOCK, sizeof(FAUSTFLOAT));
    float *frame = malloc(sizeof(float) * (size_t)nout * BLOCK);
    FILE *f = fopen(argv[3], "wb");
    if (!f || !frame) {
        perror(argv[3]);
        return 1;
    }
    for (int done = 0; done < frames; done += BLOCK) {
        int n = frames - done < BLOCK ? frames - done : BLOCK;
        for (int i = 0; i < nin; i++) {
            memset(in[i], 0, sizeof(FAUSTFLOAT) * BLOCK);
            if (done == 0) in[i][0] = amp[i];
        }
        computemydsp(dsp, n, in, out);
        for (int k = 0; k < n; k++)
            for (int c = 0; c < nout; c++) frame[k * nout + c] = (float)out[c][k];
        fwrite(frame, sizeof(float), (size_t)n * nout, f);
    }
    fclose(f);
    printf("%d inputs, %d outputs, %d frames at %d Hz\n", nin, nout, frames, rate);
    deletemydsp(dsp);
    return 0;
}
