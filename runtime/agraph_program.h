/* agraph_program.h — the contract between a program that agraphc generated and the runtime
 * (or any other host). agraphc copies this header's text into every generated .c file, so a
 * generated file needs nothing beyond libm; the runtime includes the same file. */
#ifndef AGRAPH_PROGRAM_H
#define AGRAPH_PROGRAM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a parameter is shown and stepped: a slider (linear or log), a momentary button, a toggle. */
enum { AGRAPH_PARAM_SLIDER = 0, AGRAPH_PARAM_BUTTON = 1, AGRAPH_PARAM_TOGGLE = 2 };
enum { AGRAPH_SCALE_LINEAR = 0, AGRAPH_SCALE_LOG = 1 };

/* One row of the parameter table. Values are in the parameter's own unit: a parameter declared
 * `param drive = 12dB [0dB, 40dB]` has unit "dB", min 0, max 40, default 12; the program itself
 * sees the linear gain. unit is "" for plain numbers. */
typedef struct agraph_param_info {
    const char *name;     /* identifier in the source */
    const char *label;    /* display label ("Tone"); the name when none was given */
    const char *unit;     /* "", "Hz", "kHz", "ms", "s", "dB" */
    int kind;             /* AGRAPH_PARAM_* */
    int scale;            /* AGRAPH_SCALE_* */
    double min, max, def;
} agraph_param_info;

/* A sound file a table is loaded from. */
typedef struct agraph_file_info {
    const char *table;    /* the table's name in the source (the --table NAME=FILE override) */
    const char *path;     /* the file, as resolved when the program was compiled */
    int channel;          /* which channel of the file (0 = first) */
    int frames;           /* the most samples the table holds */
} agraph_file_info;

/* A probe: an analysis value the program publishes once per processed block. */
typedef struct agraph_probe_info {
    const char *name;
    int width;            /* number of floats in one snapshot */
} agraph_probe_info;

/* Everything a host needs to run one program. The state is an opaque block of state_size bytes
 * that the host allocates aligned to 64 bytes (aligned_alloc(64, ...)) and never touches. */
typedef struct agraph_program {
    const char *name;             /* the program's name (source file stem) */
    const char *source;           /* the source file as given to agraphc */
    int n_inputs, n_outputs;      /* audio channels */
    const char *const *input_names;   /* n_inputs entries */
    const char *const *output_names;  /* n_outputs entries */
    size_t state_size;
    double max_sample_rate;       /* delay lines were sized for rates up to this */
    int n_params;
    const agraph_param_info *params;
    int n_probes;
    const agraph_probe_info *probes;

    /* Prepare state for a sample rate: 0 on success, -1 if the rate is out of (0, max]. Sets every
     * parameter to its default. Not real-time safe in general; call before audio starts. */
    int (*init)(void *state, double sample_rate);
    /* Clear all signal state (delay lines, filters, smoothers) but keep parameter values. */
    void (*reset)(void *state);
    /* Compute `frames` samples (any count >= 0). in[c] and out[c] are channel buffers; in and out
     * may not overlap. Real-time safe: no allocation, locks or system calls. */
    void (*process)(void *state, const float *const *in, float *const *out, int frames);
    /* Set a parameter in its own unit, clamped to its range. Safe to call from any thread while
     * process runs (one atomic store); the change is smoothed where it feeds audio. */
    void (*set_param)(void *state, int index, double value);
    double (*get_param)(const void *state, int index);
    /* Copy the latest snapshot of probe `index` into dst (at most max floats); returns its width. */
    int (*read_probe)(const void *state, int index, float *dst, int max);
    /* Sound files the program reads (`table ir = soundfile("ir.wav", max: 2s)`): after init, the
     * host loads each into its table with load(state, file, samples, frames) — one channel,
     * at the running sample rate, at most `frames` long; 0 on success. Not real-time safe. */
    int n_files;
    const struct agraph_file_info *files;
    int (*load)(void *state, int file, const float *data, int frames);
} agraph_program;

#ifdef __cplusplus
}
#endif
#endif /* AGRAPH_PROGRAM_H */
