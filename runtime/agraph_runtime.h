/* agraph_runtime.h — the runtime library that agraph executables link: the entry point, and the
 * interfaces between its files, one section per file (command line, parameter values, offline
 * rendering, probe files, output file, live audio, the control plane, the stdin commands). */
#ifndef AGRAPH_RUNTIME_H
#define AGRAPH_RUNTIME_H

#include <stdint.h>
#include <stdio.h>

#include "agraph_control.h" /* the shared-memory control block's layout */
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
/* "NAME: warning: MESSAGE" on stderr. */
void agraph_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* From now on, this thread's agraph_error messages (without the "NAME: error: " prefix) go into
 * buf, the last one kept, instead of to stderr; NULL sends them to stderr again. The stdin
 * commands use it to answer with the very messages the command line prints. */
void agraph_error_to(char *buf, size_t size);
/* The executable's name, as messages and the JACK client name use it. */
const char *agraph_progname(void);

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

/* --stats: how a live run reports at its end. */
enum { AGRAPH_STATS_TEXT, AGRAPH_STATS_JSON, AGRAPH_STATS_NONE };

/* A checked command line, as the renderer takes it. */
typedef struct agraph_options {
    const char **inputs;  /* -i files; their channels feed the program's inputs in order */
    int n_inputs;
    const char *output;   /* -o; NULL when only --probe-out is written */
    agraph_length duration;   /* generators: the length; with inputs: overrides the input's length;
                                 live: stop after it */
    agraph_length tail;       /* frames run with silence in after that */
    double sample_rate;       /* of a generator's output (ignored with inputs) */
    int sample_rate_given;    /* --sr was given (live: else the device's rate) */
    int bits;                 /* AGRAPH_BITS_* */
    const char *format;       /* --format, a name from the output format table; NULL: by extension */
    int block;                /* frames per process() call, 1..AGRAPH_MAX_BLOCK */
    int block_given;          /* --block was given (live: else the host's choice) */
    const agraph_param_value *params;  /* --param, in the order given */
    int n_params;
    const char **tables;          /* --table NAME=FILE, checked */
    int n_tables;
    const char *probe_out;        /* --probe-out FILE (.csv or .npy) */
    agraph_length probe_interval; /* --probe-interval; not given: a row per block */
    int quiet;                    /* --quiet: no progress bar, no start line, no live summary */
    int nan_guard;                /* --nan-guard: silence and reset on NaN/Inf instead of failing */
    /* --live */
    int live;
    const char *input_device, *output_device;  /* a name or an index; NULL: the default */
    const char *client_name;      /* --client-name (JACK); NULL: the executable's name */
    const char *control;          /* --control FILE */
    int stats;                    /* AGRAPH_STATS_* */
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

/* The row of prog's parameter table named `name`; -1 after printing "unknown parameter ...". */
int agraph_param_index(const agraph_program *prog, const char *name);

/* The shortest decimal text that reads back as v ("440", "0.1", "1e-05"). */
void agraph_format_number(char *buf, size_t size, double v);

#define AGRAPH_STATE_ALIGN 64   /* agraph_program.h: states are aligned to 64 bytes */

/* A new state for prog at sample_rate, aligned as the ABI asks: initialised, the --param values
 * set, the sound files loaded. NULL after printing an error; a rate init refuses is named, with
 * rate_hint after it (" (choose another with --sr)"). free() it. */
void *agraph_start_state(const agraph_program *prog, double sample_rate, const agraph_options *opt,
                         const char *rate_hint);

/* The parameter table as a JSON array of objects (--list-params). */
void agraph_print_params_json(const agraph_program *prog, FILE *f);
void agraph_print_info_json(const agraph_program *prog, FILE *f);   /* --info */

/* The shortest text that reads back as the float f ("0.3", not "0.30000001192092896"). */
void agraph_format_float(char *buf, size_t size, float f);

/* ---- soundfiles.c: the sound files a program's tables are loaded from ------------------------- */

/* Check "NAME=FILE" names one of prog's sound-file tables; -1 after printing an error. */
int agraph_check_table_option(const agraph_program *prog, const char *assignment);
/* After init: read every sound file the program names (or --table gives) and load it into the
 * state; -1 after printing an error that names the file and the table. */
int agraph_load_files(const agraph_program *prog, void *state, double sample_rate,
                      const agraph_options *opt);

/* ---- offline.c: rendering to a sound file --------------------------------------------------- */

/* Render with libsndfile as the options say; returns an exit status (messages already printed).
 * If SIGINT, SIGTERM or SIGHUP arrives, removes the partial output and dies of that signal. */
int agraph_render_offline(const agraph_program *prog, const agraph_options *opt);

/* libsndfile reads what there is of a WAV or AIFF file cut short; refuse one whose header promises
 * more audio than it holds: -1 after an error naming the file. */
struct sf_private_tag;
int agraph_check_complete(struct sf_private_tag *sf, const char *name);

/* The output formats' names as --format takes them ("wav, aiff, ..."); 1 if name is one. */
void agraph_list_formats(char *buf, size_t size);
int agraph_is_format(const char *name);

/* ---- probefile.c: probe values over time, offline (--probe-out) ----------------------------- */

typedef struct agraph_probefile agraph_probefile;

/* Check that `name` ends in .csv or .npy and that the program has probes; -1 after an error. */
int agraph_probefile_check(const agraph_program *prog, const char *name);
/* Create the temporary file and write the header; NULL after printing an error. */
agraph_probefile *agraph_probefile_open(const agraph_program *prog, const char *name, double sample_rate);
/* Append a row: every probe's current snapshot, read from `state`, after `frame` frames. */
int agraph_probefile_row(agraph_probefile *p, const void *state, long long frame);
/* Finish the file and rename it into place; -1 after printing an error. */
int agraph_probefile_commit(agraph_probefile *p);
/* Remove the temporary file if it is still there and free p. NULL is fine. */
void agraph_probefile_discard(agraph_probefile *p);

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
const char *agraph_signal_name(int sig);  /* "SIGINT", "SIGTERM", "SIGHUP" */

/* ---- control.c: parameters and probes while a program runs ------------------------------------
 * Parameter changes reach the audio thread two ways: from the stdin commands through a queue (one
 * producer, one consumer, no locks), and from another process through the shared-memory block.
 * The audio thread takes both at the start of each block and applies them with set_param, so the
 * program's state is only ever written by the audio thread; after the block it copies the probes
 * out into the shared block. Nothing on the audio thread waits, allocates or calls the system. */

#define AGRAPH_QUEUE_SIZE 256     /* parameter changes waiting for the audio thread */

typedef struct agraph_change { int index; double value; } agraph_change;

typedef struct agraph_control {
    const agraph_program *prog;
    void *state;
    /* the queue: head is written by the producer only, tail by the audio thread only */
    agraph_change queue[AGRAPH_QUEUE_SIZE];
    unsigned queue_head, queue_tail;
    /* the shared block (--control), or NULL */
    unsigned char *shm;
    size_t shm_size;
    agraph_control_header *hdr;
    agraph_control_param *params;
    agraph_control_probe *probes;
    uint32_t *seen;               /* per parameter: the request_seq applied last (audio thread) */
    char *path;                   /* of the control file, once it is in place */
    /* counters, written by the audio thread (atomically), read by anyone */
    uint64_t blocks, frames, underruns, overruns, callback_max_ns, callback_total_ns;
    uint32_t max_frames;          /* the largest block seen */
    int quit;                     /* set by the `quit` command (atomic) */
} agraph_control;

/* Set up for prog and its state (allocates; not on the audio thread); -1 after an error. */
int agraph_control_init(agraph_control *c, const agraph_program *prog, void *state);
/* Create the control file at path (written beside it and renamed into place, status STARTING);
 * -1 after printing an error. */
int agraph_control_create(agraph_control *c, const char *path, double sample_rate, int block);
void agraph_control_set_status(agraph_control *c, uint32_t status);
/* Unmap the control file (removing it when remove_file), free what init allocated. */
void agraph_control_close(agraph_control *c, int remove_file);

/* Producer side (one thread): queue a change; its ticket goes to *ticket. -1 when the queue is
 * full. agraph_control_taken says whether the audio thread has applied it. */
int agraph_control_push(agraph_control *c, int index, double value, unsigned *ticket);
int agraph_control_taken(const agraph_control *c, unsigned ticket);

/* Audio thread, at the start of a block: apply queued and shared-memory changes. */
void agraph_control_apply(agraph_control *c);
/* Audio thread, after a block: count it (flags: 1 underrun, 2 overrun), publish the probes and
 * the counters. */
void agraph_control_block_done(agraph_control *c, uint32_t frames, uint64_t elapsed_ns, int flags);

/* ---- commands.c: the line protocol on standard input while running live ------------------------
 * `set NAME VALUE`, `get [NAME]`, `probe NAME`, `stats`, `help`, `quit`; one answer line on
 * standard output for each: `ok ...` or `error: MESSAGE`. Read on a thread of its own. */

typedef struct agraph_commands agraph_commands;

/* Start reading commands from fd `in`, answering on `out`; NULL after printing an error. */
agraph_commands *agraph_commands_start(agraph_control *c, int in, FILE *out);
/* Stop reading (within 0.1 s) and join the thread; a command under way finishes first. */
void agraph_commands_stop(agraph_commands *k);
/* Run one command line and write its answer (none for a blank line or a # comment); for tests
 * and the thread above. Returns 1 after `quit`, else 0. */
int agraph_command(agraph_control *c, const char *line, FILE *out);

/* ---- live.c: live audio with PortAudio -------------------------------------------------------- */

/* Run prog on the audio devices until SIGINT/SIGTERM/SIGHUP, `quit` or --duration; an exit status. */
int agraph_run_live(const agraph_program *prog, const agraph_options *opt);
/* Print the audio devices PortAudio sees (--list-devices); an exit status. */
int agraph_list_devices(void);

#ifdef __cplusplus
}
#endif
#endif /* AGRAPH_RUNTIME_H */
