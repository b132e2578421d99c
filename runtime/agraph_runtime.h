/* agraph_runtime.h — the runtime library that agraph executables link: the entry point, and the
 * interfaces between its files, one section per file (command line, parameter values, offline
 * rendering, output file). */
#ifndef AGRAPH_RUNTIME_H
#define AGRAPH_RUNTIME_H

#include <stdio.h>

#include "agraph_program.h"
#include "agraph_units.h"   /* AGRAPH_DIM_*, the unit table */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- main.c: the executable ------------------------------------------------------------------ */

/* Defined by the program's C file (agraphc emits it inside #ifdef AGRAPH_RUNTIME). */
extern const agraph_program agraph_main_program;

/* ---- cli.c: the command line ----------------------------------------------------------------- */

enum { AGRAPH_EXIT_OK = 0, AGRAPH_EXIT_FAIL = 1, AGRAPH_EXIT_USAGE = 2 };

#define AGRAPH_DEFAULT_SAMPLE_RATE 48000
#define AGRAPH_DEFAULT_BLOCK 512
#define AGRAPH_MAX_BLOCK 1048576

/* Run `prog` as a command-line tool: parse argv, render, and return the exit status (0 success,
 * 1 an error with a file or while rendering, 2 a command-line error). */
int agraph_run(const agraph_program *prog, int argc, char **argv);

/* Print "NAME: error: MESSAGE" on stderr, NAME being the executable's. */
void agraph_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Channel names joined for messages, "l, r" (an index where a name is missing). */
void agraph_join_names(char *buf, size_t size, const char *const *names, int n);

/* --bits: the sample format of uncompressed output. */
enum { AGRAPH_BITS_DEFAULT, AGRAPH_BITS_16, AGRAPH_BITS_24, AGRAPH_BITS_32, AGRAPH_BITS_FLOAT };
extern const char *const agraph_bits_names[];  /* as written after --bits: "16" ... "32f" */

/* A length on the command line: a time (`2s`, `500ms`) or a number of samples (`96000`). */
typedef struct agraph_length {
    int given;
    int in_seconds;       /* value is seconds when set, else samples */
    double value;
} agraph_length;

typedef struct agraph_param_value {
    int index;            /* row of prog->params */
    double value;         /* in the parameter's own unit, within its range */
} agraph_param_value;

/* A checked command line, as the renderer takes it. */
typedef struct agraph_options {
    const char **inputs;  /* -i files; their channels feed the program's inputs in order */
    int n_inputs;
    const char *output;   /* -o */
    agraph_length duration;   /* generators: the length; with inputs: overrides the input's length */
    agraph_length tail;       /* frames run with silence in after that */
    double sample_rate;       /* of a generator's output (ignored with inputs) */
    int bits;                 /* AGRAPH_BITS_* */
    int block;                /* frames per process() call, 1..AGRAPH_MAX_BLOCK */
    const agraph_param_value *params;  /* --param, in the order given */
    int n_params;
} agraph_options;

/* ---- params.c: values with units, parameter assignments --------------------------------------- */

/* Parse "<number>[unit]" (`2.5kHz`, `-6dB`, `96000`). *unit is a row of the unit table in
 * agraph_units.h, or -1 for a plain number. On error prints a message that starts with `what`
 * and returns -1. */
int agraph_parse_quantity(const char *what, const char *text, double *value, int *unit);
int agraph_unit_dim(int unit);            /* AGRAPH_DIM_*; AGRAPH_DIM_NONE for -1 */
double agraph_unit_factor(int unit);      /* to the dimension's base unit; 1 for -1 */

/* Parse a length (`2s`, `500ms`, `96000`, `96000samples`); -1 after printing an error. */
int agraph_parse_length(const char *what, const char *text, agraph_length *len);
long long agraph_length_frames(agraph_length len, double sample_rate);

/* Parse "name=value" against prog's parameter table, converting a unit of the same dimension to
 * the parameter's own and refusing values outside its range; -1 after printing an error. */
int agraph_parse_param(const agraph_program *prog, const char *assignment, agraph_param_value *out);

/* The shortest decimal text that reads back as v ("440", "0.1", "1e-05"). */
void agraph_format_number(char *buf, size_t size, double v);

/* The parameter table as a JSON array of objects (--list-params). */
void agraph_print_params_json(const agraph_program *prog, FILE *f);

/* ---- offline.c: rendering to a sound file --------------------------------------------------- */

/* Render with libsndfile as the options say; returns an exit status (messages already printed).
 * If SIGINT, SIGTERM or SIGHUP arrives, removes the partial output and dies of that signal. */
int agraph_render_offline(const agraph_program *prog, const agraph_options *opt);

/* ---- outfile.c: the output file, written beside its target and renamed when complete ---------- */

typedef struct agraph_outfile {
    const char *name;     /* as the user gave it, for messages */
    char *path;           /* the file to replace (symbolic links resolved) */
    char *tmp;            /* the temporary file beside it; NULL once renamed or removed */
    int fd;               /* open on tmp, or -1 */
} agraph_outfile;

/* Create the temporary file for `name`; -1 after printing an error. */
int agraph_outfile_open(agraph_outfile *f, const char *name);
/* Close the temporary file and rename it to the target; -1 after printing an error. */
int agraph_outfile_commit(agraph_outfile *f);
/* Remove the temporary file if it is still there, and free f's strings. Safe to call twice. */
void agraph_outfile_discard(agraph_outfile *f);

/* From now on SIGINT, SIGTERM and SIGHUP only set a flag, read by agraph_stop_signal() between
 * blocks; agraph_die_of_signal() then ends the process by that signal once the output is gone. */
void agraph_catch_signals(void);
int agraph_stop_signal(void);             /* the signal caught, 0 if none */
void agraph_die_of_signal(int sig);

#ifdef __cplusplus
}
#endif
#endif /* AGRAPH_RUNTIME_H */
