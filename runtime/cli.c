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
/*      id                short long           value           description */                      \
    OPT(OPT_INPUT,        'i', "input",        "FILE",         "read audio from FILE (any format libsndfile reads); its channels feed the " \
                                                               "program's inputs. Repeat -i to feed them from several files, in order, " \
                                                               "e.g. two mono files for a stereo program") \
    OPT(OPT_OUTPUT,       'o', "output",       "FILE",         "write audio to FILE; the extension picks the format: wav, aiff, caf, " \
                                                               "w64, rf64, au, flac, ogg, opus, mp3") \
    OPT(OPT_DURATION,     0,   "duration",     "LEN",          "the length: a time (2s, 2.5s, 500ms) or a number of samples (96000). " \
                                                               "Required for a generator; with -i it cuts the input short or extends " \
                                                               "it with silence") \
    OPT(OPT_TAIL,         0,   "tail",         "LEN",          "then run LEN more with silence in, to let echoes ring out") \
    OPT(OPT_SR,           0,   "sr",           "RATE",         "sample rate of a generator's output (default 48000; 44100, 44.1kHz); " \
                                                               "with -i the input's rate is kept") \
    OPT(OPT_BITS,         0,   "bits",         "16|24|32|32f", "sample format of wav, aiff, caf, w64, rf64, au (default 32f: 32-bit " \
                                                               "float) and flac (default 24) output") \
    OPT(OPT_BLOCK,        0,   "block",        "N",            "frames per processing block (default 512)") \
    OPT(OPT_PARAM,        'p', "param",        "NAME=VALUE",   "set a parameter (repeatable; see Parameters above)") \
    OPT(OPT_LIST_PARAMS,  0,   "list-params",  NULL,           "print the parameters as JSON and exit") \
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
    int n_inputs, n_params;
    int help, list_params;
    agraph_options opt;
    agraph_param_value *param_values;
} cli;

static const char *progname = "agraph";

static void verror(const char *fmt, va_list ap)
{
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
        case OPT_HELP: c->help = 1; break;
        case OPT_LIST_PARAMS: c->list_params = 1; break;
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

/* Check the values and the program's needs, filling c->opt; an exit status. */
static int check_options(cli *c)
{
    const agraph_program *prog = c->prog;
    agraph_options *opt = &c->opt;

    opt->inputs = c->inputs;
    opt->n_inputs = c->n_inputs;
    opt->output = c->text[OPT_OUTPUT];
    opt->sample_rate = AGRAPH_DEFAULT_SAMPLE_RATE;
    opt->block = AGRAPH_DEFAULT_BLOCK;
    opt->bits = AGRAPH_BITS_DEFAULT;

    if (prog->n_outputs < 1) {
        agraph_error("the program has no outputs: there is no audio to write");
        return AGRAPH_EXIT_FAIL;
    }
    if (!opt->output) return usage_error("no output file: give one with -o FILE");
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

    long block;
    if ((c->text[OPT_DURATION] && agraph_parse_length("--duration", c->text[OPT_DURATION], &opt->duration) < 0)
        || (c->text[OPT_TAIL] && agraph_parse_length("--tail", c->text[OPT_TAIL], &opt->tail) < 0)
        || (c->text[OPT_SR] && parse_sample_rate(c->text[OPT_SR], &opt->sample_rate) < 0))
        return usage_hint();
    if (c->text[OPT_BLOCK]) {
        if (parse_count("--block", c->text[OPT_BLOCK], 1, AGRAPH_MAX_BLOCK, &block) < 0)
            return usage_hint();
        opt->block = (int)block;
    }
    if (c->text[OPT_BITS]) {
        for (int b = AGRAPH_BITS_16; b <= AGRAPH_BITS_FLOAT; b++)
            if (strcmp(c->text[OPT_BITS], agraph_bits_names[b]) == 0) opt->bits = b;
        if (opt->bits == AGRAPH_BITS_DEFAULT)
            return usage_error("--bits: '%s' is not one of 16, 24, 32 (integer) or 32f (float)",
                               c->text[OPT_BITS]);
    }
    for (int i = 0; i < c->n_params; i++)
        if (agraph_parse_param(prog, c->params[i], &c->param_values[i]) < 0) return usage_hint();
    opt->params = c->param_values;
    opt->n_params = c->n_params;
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
    if (!c.inputs || !c.params || !c.param_values) {
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
    } else if (status == AGRAPH_EXIT_OK) {
        status = check_options(&c);
        if (status == AGRAPH_EXIT_OK) status = agraph_render_offline(prog, &c.opt);
    }
    free(c.inputs);
    free(c.params);
    free(c.param_values);
    return status;
}
