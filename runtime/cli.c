/* cli.c — the executable's command line: the options (one table drives parsing and --help),
 * --help and --list-params, and error messages; a checked agraph_options goes to the renderer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agraph_runtime.h"

#define HELP_WIDTH 80       /* --help wraps its text at this column */
#define HELP_INDENT 28      /* where an option's description starts */

#define OPTIONS(OPT)                                                                              \
/*      id                short long             value           description */                    \
    OPT(OPT_INPUT,        'i', "input",        "FILE",         "read audio from FILE (any format libsndfile reads); its channels feed the " \
                                                               "program's inputs. Repeat -i to feed them from several files, in order, " \
                                                               "e.g. two mono files for a stereo program") \
    OPT(OPT_OUTPUT,       'o', "output",       "FILE",         "write audio to FILE; the extension picks the format: wav, aiff, caf, " \
                                                               "w64, rf64, au, flac, ogg, opus, mp3") \
    OPT(OPT_FORMAT,       0,   "format",       "FMT",          "write FMT (one of the extensions above) whatever the output file is called") \
    OPT(OPT_DURATION,     0,   "duration",     "LEN",          "the length: a time (2s, 2.5s, 500ms) or a number of samples (96000). " \
                                                               "Required for a generator; with -i it cuts the input short or extends " \
                                                               "it with silence; with --live it stops the run after LEN") \
    OPT(OPT_TAIL,         0,   "tail",         "LEN",          "then run LEN more with silence in, to let echoes ring out") \
    OPT(OPT_SR,           0,   "sr",           "RATE",         "sample rate of a generator's output (default 48000; 44100, 44.1kHz); " \
                                                               "with -i the input's rate is kept; with --live the device's rate is the " \
                                                               "default") \
    OPT(OPT_BITS,         0,   "bits",         "16|24|32|32f", "sample format of wav, aiff, caf, w64, rf64, au (default 32f: 32-bit " \
                                                               "float) and flac (default 24) output") \
    OPT(OPT_BLOCK,        0,   "block",        "N",            "frames per processing block (default 512; with --live, the audio " \
                                                               "host's choice)") \
    OPT(OPT_PARAM,        'p', "param",        "NAME=VALUE",   "set a parameter (repeatable; see Parameters above)") \
    OPT(OPT_TABLE,        0,   "table",        "NAME=FILE",    "load the sound file table NAME from FILE instead of the file the " \
                                                               "program names (repeatable)") \
    OPT(OPT_LIST_PARAMS,  0,   "list-params",  NULL,           "print the parameters as JSON and exit") \
    OPT(OPT_INFO,         0,   "info",         NULL,           "print the inputs, outputs, parameters and probes as JSON and exit") \
    OPT(OPT_PROBE_OUT,    0,   "probe-out",    "FILE",         "write the probes' values over time to FILE, .csv or .npy: a row per " \
                                                               "block, or per --probe-interval, with the frame count and the time. " \
                                                               "With it, -o may be left out") \
    OPT(OPT_PROBE_INTERVAL, 0, "probe-interval", "LEN",        "a --probe-out row every LEN (a time, or a number of samples)") \
    OPT(OPT_LIVE,         0,   "live",         NULL,           "run on the audio devices (PortAudio) instead of writing a file, until " \
                                                               "Ctrl-C, 'quit' on standard input, or --duration; see Live below") \
    OPT(OPT_LIST_DEVICES, 0,   "list-devices", NULL,           "print the audio devices and exit") \
    OPT(OPT_DEVICE,       'd', "device",       "NAME|N",       "play (and record) on this device: its number in --list-devices, or " \
                                                               "its name or a unique part of it") \
    OPT(OPT_INPUT_DEVICE, 0,   "input-device", "NAME|N",       "record the program's inputs from this device") \
    OPT(OPT_OUTPUT_DEVICE, 0,  "output-device", "NAME|N",      "play the program's outputs on this device") \
    OPT(OPT_CLIENT_NAME,  0,   "client-name",  "NAME",         "the client's name on a JACK server (default: this executable's), so " \
                                                               "its ports are NAME:out_0, NAME:in_0 ...") \
    OPT(OPT_CONTROL,      0,   "control",      "FILE",         "with --live, create FILE as a shared-memory control block for another " \
                                                               "process to set parameters and read probes (docs/runtime.md); put it " \
                                                               "in /dev/shm") \
    OPT(OPT_STATS,        0,   "stats",        "text|json|none", "how a live run reports at its end: a line on stderr (text, the " \
                                                               "default), a JSON object on stdout, or nothing") \
    OPT(OPT_NAN_GUARD,    0,   "nan-guard",    NULL,           "when the program computes NaN or infinity (an unstable filter), " \
                                                               "write silence instead, reset its state and go on; without it the " \
                                                               "run stops with an error and writes nothing") \
    OPT(OPT_QUIET,        'q', "quiet",        NULL,           "no progress bar, and with --live no start line or summary") \
    OPT(OPT_HELP,         'h', "help",         NULL,           "print this help and exit")

#define AS_ID(id, s, l, v, d) id,
enum { OPTIONS(AS_ID) N_OPTIONS };

typedef struct option {
    char short_name;      /* 0 for none */
    const char *name;
    const char *value;    /* what the value is called; NULL for a flag */
    const char *help;
} option;
#define AS_OPTION(id, s, l, v, d) { s, l, v, d },
static const option options[] = { OPTIONS(AS_OPTION) };

const char *const agraph_bits_names[] = {
    [AGRAPH_BITS_16] = "16", [AGRAPH_BITS_24] = "24", [AGRAPH_BITS_32] = "32",
    [AGRAPH_BITS_FLOAT] = "32f",
};

/* The command line as given, before its values are checked. */
typedef struct cli {
    const agraph_program *prog;
    const char *text[N_OPTIONS];  /* the value of each single-valued option given */
    const char **inputs;          /* every -i */
    const char **params;          /* every --param */
    const char **tables;          /* every --table */
    int n_inputs, n_params, n_tables;
    int help, list_params, info, list_devices, live, quiet, nan_guard;
    agraph_options opt;
    agraph_param_value *param_values;
} cli;

static const char *progname = "agraph";

/* Where this thread's error messages go instead of stderr (agraph_error_to). */
static _Thread_local char *error_buf;
static _Thread_local size_t error_size;

const char *agraph_progname(void) { return progname; }

void agraph_error_to(char *buf, size_t size)
{
    error_buf = size ? buf : NULL;
    error_size = buf ? size : 0;
    if (error_buf) error_buf[0] = 0;
}

static void verror(const char *fmt, va_list ap)
{
    if (error_buf) {
        vsnprintf(error_buf, error_size, fmt, ap);
        return;
    }
    fprintf(stderr, "%s: error: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void agraph_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
}

void agraph_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: warning: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void agraph_join_names(char *buf, size_t size, const char *const *names, int n)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < n && len < size; i++) {
        if (names && names[i]) len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
        else len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? ", " : "", i);
    }
}

static int usage_hint(void)
{
    fprintf(stderr, "Try '%s --help' for the options.\n", progname);
    return AGRAPH_EXIT_USAGE;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
    return usage_hint();
}

/* ---- parsing -------------------------------------------------------------------------------- */

static int find_option(const char *arg)
{
    if (arg[1] == '-') {
        size_t len = strcspn(arg + 2, "=");
        for (int i = 0; i < N_OPTIONS; i++)
            if (strlen(options[i].name) == len && strncmp(arg + 2, options[i].name, len) == 0)
                return i;
    } else {
        for (int i = 0; i < N_OPTIONS; i++)
            if (options[i].short_name && options[i].short_name == arg[1]) return i;
    }
    return -1;
}

/* Options as `--name VALUE`, `--name=VALUE`, `-x VALUE` or `-xVALUE`. */
static int parse_args(cli *c, int argc, char **argv)
{
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        if (arg[0] != '-' || arg[1] == 0 || strcmp(arg, "--") == 0)
            return usage_error("unexpected argument '%s'", arg);
        int id = find_option(arg);
        int is_long = arg[1] == '-';
        if (id < 0)
            return usage_error("unknown option '%.*s'", (int)(is_long ? strcspn(arg, "=") : 2), arg);
        const option *o = &options[id];
        const char *value = NULL;
        if (is_long && arg[2 + strlen(o->name)] == '=') value = arg + 3 + strlen(o->name);
        else if (!is_long && arg[2]) value = arg + 2;
        if (!o->value && value) {
            if (is_long) return usage_error("option '--%s' takes no value", o->name);
            return usage_error("unknown option '%s'", arg);
        }
        if (o->value && !value) {
            if (k + 1 >= argc)
                return usage_error("option '%s' needs a value (%s)", arg, o->value);
            value = argv[++k];
        }
        switch (id) {
        case OPT_INPUT: c->inputs[c->n_inputs++] = value; break;
        case OPT_PARAM: c->params[c->n_params++] = value; break;
        case OPT_TABLE: c->tables[c->n_tables++] = value; break;
        case OPT_HELP: c->help = 1; break;
        case OPT_LIST_PARAMS: c->list_params = 1; break;
        case OPT_INFO: c->info = 1; break;
        case OPT_LIST_DEVICES: c->list_devices = 1; break;
        case OPT_LIVE: c->live = 1; break;
        case OPT_QUIET: c->quiet = 1; break;
        case OPT_NAN_GUARD: c->nan_guard = 1; break;
        default:
            if (c->text[id]) return usage_error("option '--%s' is given twice", o->name);
            c->text[id] = value;
        }
    }
    return AGRAPH_EXIT_OK;
}

/* A whole number in [lo, hi] for `what`; -1 after printing an error. */
static int parse_count(const char *what, const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno || v < lo || v > hi) {
        agraph_error("%s: '%s' is not a whole number from %ld to %ld", what, text, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_sample_rate(const char *text, double *rate)
{
    double v;
    int unit;
    if (agraph_parse_quantity("--sr", text, &v, &unit) < 0) return -1;
    int dim = agraph_unit_dim(unit);
    v *= agraph_unit_factor(unit);
    if (dim != AGRAPH_DIM_NONE && dim != AGRAPH_DIM_FREQ) {
        agraph_error("--sr: '%s' is not a frequency", text);
        return -1;
    }
    if (v < 1 || v > 2147483647.0 || v != (double)(long)v) {
        agraph_error("--sr: '%s' is not a whole, positive number of Hz", text);
        return -1;
    }
    *rate = v;
    return 0;
}

/* Options that belong to one way of running only: a usage error if any of `ids` was given. */
static int refuse_options(const cli *c, const int *ids, int n, const char *why)
{
    for (int i = 0; i < n; i++)
        if (c->text[ids[i]] || (ids[i] == OPT_INPUT && c->n_inputs > 0))
            return usage_error("--%s %s", options[ids[i]].name, why);
    return AGRAPH_EXIT_OK;
}

/* What both ways of running take: --duration, --sr, --block, --param. */
static int check_common(cli *c)
{
    agraph_options *opt = &c->opt;
    long block;
    if ((c->text[OPT_DURATION] && agraph_parse_length("--duration", c->text[OPT_DURATION], &opt->duration) < 0)
        || (c->text[OPT_SR] && parse_sample_rate(c->text[OPT_SR], &opt->sample_rate) < 0))
        return usage_hint();
    opt->sample_rate_given = c->text[OPT_SR] != NULL;
    if (c->text[OPT_BLOCK]) {
        if (parse_count("--block", c->text[OPT_BLOCK], 1, AGRAPH_MAX_BLOCK, &block) < 0)
            return usage_hint();
        opt->block = (int)block;
        opt->block_given = 1;
    }
    for (int i = 0; i < c->n_params; i++)
        if (agraph_parse_param(c->prog, c->params[i], &c->param_values[i]) < 0) return usage_hint();
    opt->params = c->param_values;
    opt->n_params = c->n_params;
    for (int i = 0; i < c->n_tables; i++)
        if (agraph_check_table_option(c->prog, c->tables[i]) < 0) return usage_hint();
    opt->tables = c->tables;
    opt->n_tables = c->n_tables;
    return AGRAPH_EXIT_OK;
}

static int check_live_options(cli *c)
{
    static const int offline_only[] = { OPT_INPUT, OPT_OUTPUT, OPT_FORMAT, OPT_TAIL, OPT_BITS,
                                        OPT_PROBE_OUT, OPT_PROBE_INTERVAL };
    const agraph_program *prog = c->prog;
    agraph_options *opt = &c->opt;
    int status = refuse_options(c, offline_only, sizeof offline_only / sizeof offline_only[0],
                                "is for rendering to files, not for --live");
    if (status != AGRAPH_EXIT_OK) return status;
    if (prog->n_inputs == 0 && prog->n_outputs == 0) {
        agraph_error("the program has neither inputs nor outputs: there is nothing to play");
        return AGRAPH_EXIT_FAIL;
    }
    opt->live = 1;
    opt->input_device = c->text[OPT_INPUT_DEVICE] ? c->text[OPT_INPUT_DEVICE] : c->text[OPT_DEVICE];
    opt->output_device = c->text[OPT_OUTPUT_DEVICE] ? c->text[OPT_OUTPUT_DEVICE] : c->text[OPT_DEVICE];
    if (prog->n_inputs == 0 && c->text[OPT_INPUT_DEVICE])
        return usage_error("--input-device: the program has no inputs to record");
    if (prog->n_outputs == 0 && c->text[OPT_OUTPUT_DEVICE])
        return usage_error("--output-device: the program has no outputs to play");
    opt->client_name = c->text[OPT_CLIENT_NAME];
    if (opt->client_name && !opt->client_name[0])
        return usage_error("--client-name: the name is empty");
    opt->control = c->text[OPT_CONTROL];
    if (c->text[OPT_STATS]) {
        static const char *const names[] = { [AGRAPH_STATS_TEXT] = "text", [AGRAPH_STATS_JSON] = "json",
                                             [AGRAPH_STATS_NONE] = "none" };
        opt->stats = -1;
        for (int k = 0; k < 3; k++)
            if (strcmp(c->text[OPT_STATS], names[k]) == 0) opt->stats = k;
        if (opt->stats < 0)
            return usage_error("--stats: '%s' is not one of text, json, none", c->text[OPT_STATS]);
    }
    return check_common(c);
}

/* Check the values and the program's needs, filling c->opt; an exit status. */
static int check_options(cli *c)
{
    static const int live_only[] = { OPT_DEVICE, OPT_INPUT_DEVICE, OPT_OUTPUT_DEVICE,
                                     OPT_CLIENT_NAME, OPT_CONTROL, OPT_STATS };
    const agraph_program *prog = c->prog;
    agraph_options *opt = &c->opt;

    opt->inputs = c->inputs;
    opt->n_inputs = c->n_inputs;
    opt->output = c->text[OPT_OUTPUT];
    opt->sample_rate = AGRAPH_DEFAULT_SAMPLE_RATE;
    opt->block = AGRAPH_DEFAULT_BLOCK;
    opt->bits = AGRAPH_BITS_DEFAULT;
    opt->quiet = c->quiet;
    opt->nan_guard = c->nan_guard;
    opt->probe_out = c->text[OPT_PROBE_OUT];
    if (c->live) return check_live_options(c);

    int status = refuse_options(c, live_only, sizeof live_only / sizeof live_only[0],
                                "is for --live runs");
    if (status != AGRAPH_EXIT_OK) return status;
    if (prog->n_outputs < 1 && !opt->probe_out) {
        agraph_error("the program has no outputs: there is no audio to write%s",
                     prog->n_probes > 0 ? " (write its probes with --probe-out FILE)" : "");
        return AGRAPH_EXIT_FAIL;
    }
    if (prog->n_outputs < 1 && opt->output)
        return usage_error("the program has no outputs: -o has no audio to write (--probe-out "
                           "writes its probes)");
    if (!opt->output && !opt->probe_out) return usage_error("no output file: give one with -o FILE");
    if (prog->n_inputs == 0 && opt->n_inputs > 0)
        return usage_error("the program is a generator (it has no inputs): -i is not accepted");
    if (prog->n_inputs > 0 && opt->n_inputs == 0)
        return usage_error("the program processes audio: give its input with -i FILE (%d channel%s)",
                           prog->n_inputs, prog->n_inputs == 1 ? "" : "s");
    if (prog->n_inputs == 0 && !c->text[OPT_DURATION])
        return usage_error("the program is a generator: give the length with --duration "
                           "(e.g. --duration 2s)");
    if (opt->n_inputs > 0 && c->text[OPT_SR])
        return usage_error("--sr is for generators; with -i the output keeps the input's sample rate");
    if (c->text[OPT_PROBE_INTERVAL] && !opt->probe_out)
        return usage_error("--probe-interval: there is no --probe-out file to write rows to");
    if (c->text[OPT_FORMAT] && !opt->output)
        return usage_error("--format: there is no -o file to write");

    status = check_common(c);
    if (status != AGRAPH_EXIT_OK) return status;
    if (c->text[OPT_TAIL] && agraph_parse_length("--tail", c->text[OPT_TAIL], &opt->tail) < 0)
        return usage_hint();
    if (c->text[OPT_PROBE_INTERVAL]) {
        if (agraph_parse_length("--probe-interval", c->text[OPT_PROBE_INTERVAL], &opt->probe_interval) < 0)
            return usage_hint();
        if (opt->probe_interval.value <= 0)
            return usage_error("--probe-interval: '%s' is not longer than 0", c->text[OPT_PROBE_INTERVAL]);
    }
    if (c->text[OPT_BITS]) {
        for (int b = AGRAPH_BITS_16; b <= AGRAPH_BITS_FLOAT; b++)
            if (strcmp(c->text[OPT_BITS], agraph_bits_names[b]) == 0) opt->bits = b;
        if (opt->bits == AGRAPH_BITS_DEFAULT)
            return usage_error("--bits: '%s' is not one of 16, 24, 32 (integer) or 32f (float)",
                               c->text[OPT_BITS]);
    }
    if (c->text[OPT_FORMAT]) {
        if (!agraph_is_format(c->text[OPT_FORMAT])) {
            char known[256];
            agraph_list_formats(known, sizeof known);
            return usage_error("--format: '%s' is not a format (formats: %s)", c->text[OPT_FORMAT], known);
        }
        opt->format = c->text[OPT_FORMAT];
    }
    if (opt->probe_out && agraph_probefile_check(prog, opt->probe_out) < 0) return usage_hint();
    return AGRAPH_EXIT_OK;
}

/* ---- --help --------------------------------------------------------------------------------- */

/* Print text wrapped at HELP_WIDTH, continuation lines indented by `indent`; `col` is where the
 * cursor already is. */
static void print_wrapped(const char *text, int indent, int col)
{
    while (*text) {
        int word = (int)strcspn(text, " ");
        if (col > indent && col + 1 + word > HELP_WIDTH) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            putchar(' ');
            col++;
        }
        printf("%.*s", word, text);
        col += word;
        text += word;
        while (*text == ' ') text++;
    }
    putchar('\n');
}

/* A label padded to `width`, a control character (a newline in a label) shown as a space. */
static void print_label(const char *label, int width)
{
    int n = 0;
    for (; label[n]; n++) putchar((unsigned char)label[n] < 0x20 ? ' ' : label[n]);
    printf("%*s", width > n ? width - n : 0, "");
}

static void print_params(const agraph_program *prog)
{
    int name_w = 4, label_w = 5;
    if (prog->n_params == 0) {
        printf("\nParameters: none.\n");
        return;
    }
    for (int i = 0; i < prog->n_params; i++) {
        const agraph_param_info *p = &prog->params[i];
        int n = (int)strlen(p->name), l = (int)strlen(p->label ? p->label : p->name);
        if (n > name_w) name_w = n;
        if (l > label_w) label_w = l;
    }
    printf("\nParameters (--param NAME=VALUE):\n");
    for (int i = 0; i < prog->n_params; i++) {
        const agraph_param_info *p = &prog->params[i];
        const char *sp = p->unit[0] ? " " : "";
        char def[32], lo[32], hi[32];
        agraph_format_number(def, sizeof def, p->def);
        agraph_format_number(lo, sizeof lo, p->min);
        agraph_format_number(hi, sizeof hi, p->max);
        printf("  %-*s  ", name_w, p->name);
        print_label(p->label ? p->label : p->name, label_w);
        printf("  %s%s%s%s in [%s%s%s, %s%s%s]%s\n",
               p->kind == AGRAPH_PARAM_TOGGLE ? "toggle, " : p->kind == AGRAPH_PARAM_BUTTON ? "button, " : "",
               def, sp, p->unit, lo, sp, p->unit, hi, sp, p->unit,
               p->scale == AGRAPH_SCALE_LOG ? ", log" : "");
    }
    print_wrapped("A value is in the parameter's unit, or in another unit of the same kind, "
                  "which is converted (a Hz parameter takes 2kHz, an ms one 0.5s). "
                  "A value outside the range is refused with an error, not clamped.", 0, 0);
    for (int i = 0; i < prog->n_params; i++)
        if (prog->params[i].kind != AGRAPH_PARAM_SLIDER) {
            printf("A toggle or a button also takes on/off or true/false.\n");
            break;
        }
}

static void print_help(const agraph_program *prog)
{
    int n_in = prog->n_inputs, n_out = prog->n_outputs;
    if (n_in == 0) printf("usage: %s -o OUT --duration LEN [options]\n", progname);
    else printf("usage: %s -i IN [-i IN2 ...] -o OUT [options]\n", progname);
    printf("       %s --live [--device NAME|N] [options]\n", progname);
    printf("\n%s: the agraph program '%s'", progname, prog->name ? prog->name : progname);
    if (prog->source) printf(", compiled from %s", prog->source);
    printf(".\n");

    char names[512], line[1024];
    agraph_join_names(names, sizeof names, prog->input_names, n_in);
    if (n_in == 0)
        snprintf(line, sizeof line, "none (a generator: --duration sets the length).");
    else if (n_in == 1)
        snprintf(line, sizeof line, "1 channel (%s), from a mono file.", names);
    else
        snprintf(line, sizeof line, "%d channels (%s), from one %d-channel file or from files "
                 "whose channels add up to %d.", n_in, names, n_in, n_in);
    printf("Inputs:  ");
    print_wrapped(line, 9, 9);
    agraph_join_names(names, sizeof names, prog->output_names, n_out);
    snprintf(line, sizeof line, "%d channel%s (%s).", n_out, n_out == 1 ? "" : "s", names);
    printf("Outputs: ");
    print_wrapped(line, 9, 9);
    print_params(prog);

    printf("\nOptions:\n");
    for (int i = 0; i < N_OPTIONS; i++) {
        const option *o = &options[i];
        int col = 0;
        if (o->short_name) col += printf("  -%c, ", o->short_name);
        else col += printf("      ");
        col += printf("--%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
        if (col + 2 > HELP_INDENT) {
            printf("\n%*s", HELP_INDENT, "");
        } else {
            printf("%*s", HELP_INDENT - col, "");
        }
        print_wrapped(o->help, HELP_INDENT, HELP_INDENT);
    }
    printf("\nLive:\n");
    print_wrapped("With --live the program runs on the audio devices (ALSA or JACK through PortAudio) "
                  "and reads commands on standard input, one a line, answering each with one line on "
                  "standard output, 'ok ...' or 'error: ...':", 0, 0);
    printf("  set NAME VALUE            set a parameter, in units as for --param; a value\n"
           "                            outside its range is refused, as with --param\n"
           "  get [NAME]                the value of a parameter, or of all of them\n"
           "  probe NAME                the latest value(s) of a probe\n"
           "  stats                     blocks, frames, underruns, overruns, callback times\n"
           "  help                      the commands, parameters and probes\n"
           "  quit                      stop, as Ctrl-C does\n");
    print_wrapped("--control FILE shares the same with another process through memory "
                  "(docs/runtime.md); a value it asks for is clamped to the range.", 0, 0);
    print_wrapped("At the end a live run reports its underruns and overruns (--stats). Exit status 0 "
                  "when it was stopped by Ctrl-C, SIGTERM, 'quit' or --duration.", 0, 0);
    putchar('\n');
    print_wrapped("The output is written to a temporary file beside OUT and renamed when complete: "
                  "a failed or interrupted run leaves no partial file, and an input file is never "
                  "overwritten.", 0, 0);
    print_wrapped("Exit status: 0 on success, 1 for an error with a file or while rendering, "
                  "2 for an error in the command line.", 0, 0);
}

/* Help and JSON go to standard output: a failed write there (a full disk, a closed pipe) is an
 * error too. */
static int finish_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        agraph_error("cannot write to standard output: %s", strerror(errno));
        return AGRAPH_EXIT_FAIL;
    }
    return AGRAPH_EXIT_OK;
}

int agraph_run(const agraph_program *prog, int argc, char **argv)
{
    cli c = { .prog = prog };
    if (argc > 0 && argv[0] && argv[0][0]) {
        const char *slash = strrchr(argv[0], '/');
        progname = slash ? slash + 1 : argv[0];
    } else if (prog->name) {
        progname = prog->name;
    }
    size_t n = argc > 0 ? (size_t)argc : 1;
    c.inputs = calloc(n, sizeof *c.inputs);
    c.params = calloc(n, sizeof *c.params);
    c.param_values = calloc(n, sizeof *c.param_values);
    c.tables = calloc(n, sizeof *c.tables);
    if (!c.inputs || !c.params || !c.param_values || !c.tables) {
        agraph_error("out of memory");
        return AGRAPH_EXIT_FAIL;
    }

    int status = parse_args(&c, argc, argv);
    if (status == AGRAPH_EXIT_OK && c.help) {
        print_help(prog);
        status = finish_stdout();
    } else if (status == AGRAPH_EXIT_OK && c.list_params) {
        agraph_print_params_json(prog, stdout);
        status = finish_stdout();
    } else if (status == AGRAPH_EXIT_OK && c.info) {
        agraph_print_info_json(prog, stdout);
        status = finish_stdout();
    } else if (status == AGRAPH_EXIT_OK && c.list_devices) {
        status = agraph_list_devices();
        if (status == AGRAPH_EXIT_OK) status = finish_stdout();
    } else if (status == AGRAPH_EXIT_OK) {
        status = check_options(&c);
        if (status == AGRAPH_EXIT_OK && c.opt.live) status = agraph_run_live(prog, &c.opt);
        else if (status == AGRAPH_EXIT_OK) status = agraph_render_offline(prog, &c.opt);
    }
    free(c.inputs);
    free(c.params);
    free(c.param_values);
    free(c.tables);
    return status;
}
