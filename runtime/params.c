/* params.c — numbers with units on the command line (`2kHz`, `500ms`, `-6dB`), parameter
 * assignments checked against the program's table, and that table printed as JSON. */
#define _POSIX_C_SOURCE 200809L   /* strcasecmp under -std=c11 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agraph_json.h"
#include "agraph_runtime.h"

#define UNIT_SPELLING(id, spelling, dim, factor) spelling,
#define UNIT_DIM(id, spelling, dim, factor) dim,
#define UNIT_FACTOR(id, spelling, dim, factor) factor,
static const char *const unit_spelling[] = { AGRAPH_UNITS(UNIT_SPELLING) };
static const int unit_dim[] = { AGRAPH_UNITS(UNIT_DIM) };
static const double unit_factor[] = { AGRAPH_UNITS(UNIT_FACTOR) };
enum { N_UNITS = sizeof unit_spelling / sizeof unit_spelling[0] };

/* How messages name a dimension: "'0.5s' is a time". */
static const char *const dim_name[] = {
    [AGRAPH_DIM_NONE] = "a plain number",
    [AGRAPH_DIM_FREQ] = "a frequency",
    [AGRAPH_DIM_TIME] = "a time",
    [AGRAPH_DIM_GAIN] = "a gain",
    [AGRAPH_DIM_SAMPLES] = "a number of samples",
};

static const char *const kind_name[] = { "slider", "button", "toggle" };
static const char *const scale_name[] = { "linear", "log" };

/* Lengths beyond these are surely typing mistakes (and would overflow a frame count). */
#define MAX_LENGTH_SECONDS 1e9
#define MAX_LENGTH_SAMPLES 1e15

int agraph_unit_dim(int unit) { return unit < 0 ? AGRAPH_DIM_NONE : unit_dim[unit]; }
double agraph_unit_factor(int unit) { return unit < 0 ? 1.0 : unit_factor[unit]; }

/* A unit by its spelling, ignoring case ("khz" is kHz): no two units differ only in case. */
static int find_unit(const char *s)
{
    for (int u = 0; u < N_UNITS; u++)
        if (strcasecmp(s, unit_spelling[u]) == 0) return u;
    return -1;
}

static void list_units(char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int u = 0; u < N_UNITS && len < size; u++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", u ? ", " : "", unit_spelling[u]);
}

/* The end of a decimal number [+-]digits[.digits][e[+-]digits] at s, or s if there is none.
 * strtod alone would also take "inf", "nan" and hexadecimal. */
static const char *scan_number(const char *s)
{
    const char *p = s;
    int digits = 0;
    if (*p == '+' || *p == '-') p++;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (!digits) return s;
    if (*p == 'e' || *p == 'E') {
        const char *e = p + 1;
        if (*e == '+' || *e == '-') e++;
        if (*e >= '0' && *e <= '9') {
            while (*e >= '0' && *e <= '9') e++;
            p = e;
        }
    }
    return p;
}

int agraph_parse_quantity(const char *what, const char *text, double *value, int *unit)
{
    const char *end = scan_number(text);
    char num[64];
    size_t len = (size_t)(end - text);
    if (len == 0 || len >= sizeof num) {
        agraph_error("%s: '%s' is not a number", what, text);
        return -1;
    }
    memcpy(num, text, len);
    num[len] = 0;
    *value = strtod(num, NULL);
    if (!isfinite(*value)) {
        agraph_error("%s: '%s' is too large", what, text);
        return -1;
    }
    while (*end == ' ') end++;
    *unit = -1;
    if (*end) {
        *unit = find_unit(end);
        if (*unit < 0) {
            char units[128];
            list_units(units, sizeof units);
            agraph_error("%s: unknown unit '%s' in '%s' (units: %s)", what, end, text, units);
            return -1;
        }
    }
    return 0;
}

int agraph_parse_length(const char *what, const char *text, agraph_length *len)
{
    double v;
    int unit;
    if (agraph_parse_quantity(what, text, &v, &unit) < 0) return -1;
    int dim = agraph_unit_dim(unit);
    if (dim != AGRAPH_DIM_TIME && dim != AGRAPH_DIM_NONE && dim != AGRAPH_DIM_SAMPLES) {
        agraph_error("%s: '%s' is %s, not a length (give a time such as 2s or 500ms, "
                     "or a number of samples)", what, text, dim_name[dim]);
        return -1;
    }
    if (v < 0) {
        agraph_error("%s: '%s' is negative", what, text);
        return -1;
    }
    len->given = 1;
    len->in_seconds = dim == AGRAPH_DIM_TIME;
    len->value = v * agraph_unit_factor(unit);
    if (!len->in_seconds && v != floor(v)) {
        agraph_error("%s: '%s' is not a whole number of samples (give a time with a unit, "
                     "such as 2.5s)", what, text);
        return -1;
    }
    if (len->value > (len->in_seconds ? MAX_LENGTH_SECONDS : MAX_LENGTH_SAMPLES)) {
        agraph_error("%s: '%s' is too long", what, text);
        return -1;
    }
    return 0;
}

long long agraph_length_frames(agraph_length len, double sample_rate)
{
    return len.in_seconds ? llround(len.value * sample_rate) : (long long)len.value;
}

void agraph_format_number(char *buf, size_t size, double v)
{
    if (v == floor(v) && fabs(v) < 1e15) {     /* whole numbers in full: 20000, not 2e+04 */
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) return;
    }
}

void agraph_format_float(char *buf, size_t size, float f)
{
    if (!isfinite(f)) {
        snprintf(buf, size, "%s", isnan(f) ? "nan" : f > 0 ? "inf" : "-inf");
        return;
    }
    if (f == floorf(f) && fabsf(f) < 1e15f) {
        snprintf(buf, size, "%.0f", (double)f);
        return;
    }
    for (int digits = 1; digits <= 9; digits++) {
        snprintf(buf, size, "%.*g", digits, (double)f);
        if (strtof(buf, NULL) == f) return;
    }
}

/* "440 Hz", "0.3" */
static void format_value(char *buf, size_t size, double v, const char *unit)
{
    char num[32];
    agraph_format_number(num, sizeof num, v);
    snprintf(buf, size, "%s%s%s", num, unit[0] ? " " : "", unit);
}

static int find_param(const agraph_program *prog, const char *name, size_t len)
{
    for (int i = 0; i < prog->n_params; i++)
        if (strlen(prog->params[i].name) == len && memcmp(prog->params[i].name, name, len) == 0)
            return i;
    return -1;
}

static void unknown_param(const agraph_program *prog, const char *name, size_t len)
{
    char known[512] = "";
    size_t n = 0;
    for (int i = 0; i < prog->n_params && n < sizeof known; i++)
        n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", i ? ", " : "",
                              prog->params[i].name);
    if (prog->n_params == 0)
        agraph_error("unknown parameter '%.*s' (the program has no parameters)", (int)len, name);
    else
        agraph_error("unknown parameter '%.*s' (parameters: %s)", (int)len, name, known);
}

int agraph_param_index(const agraph_program *prog, const char *name)
{
    int i = find_param(prog, name, strlen(name));
    if (i < 0) unknown_param(prog, name, strlen(name));
    return i;
}

/* A toggle or button also takes on/off, true/false. */
static int parse_switch(const char *text, double *value)
{
    static const char *const words[][2] = { { "off", "on" }, { "false", "true" } };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        for (int v = 0; v < 2; v++)
            if (strcasecmp(text, words[i][v]) == 0) {
                *value = v;
                return 1;
            }
    return 0;
}

int agraph_parse_param(const agraph_program *prog, const char *assignment, agraph_param_value *out)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        agraph_error("--param needs NAME=VALUE, got '%s'", assignment);
        return -1;
    }
    int index = find_param(prog, assignment, (size_t)(eq - assignment));
    if (index < 0) {
        unknown_param(prog, assignment, (size_t)(eq - assignment));
        return -1;
    }
    const agraph_param_info *p = &prog->params[index];
    const char *text = eq + 1;
    char what[128];
    snprintf(what, sizeof what, "parameter '%s'", p->name);

    double v;
    int unit = -1;
    int is_switch = p->kind == AGRAPH_PARAM_TOGGLE || p->kind == AGRAPH_PARAM_BUTTON;
    if (!(is_switch && parse_switch(text, &v)) && agraph_parse_quantity(what, text, &v, &unit) < 0)
        return -1;

    /* A value in another unit of the parameter's dimension is converted: 2kHz -> 2000 Hz. */
    int own = find_unit(p->unit);
    if (unit >= 0 && own != unit) {
        if (p->unit[0] == 0) {
            agraph_error("%s is a plain number, without a unit; '%s' is %s", what, text,
                         dim_name[unit_dim[unit]]);
            return -1;
        }
        if (own < 0 || unit_dim[own] != unit_dim[unit]) {
            agraph_error("%s is %s in %s; '%s' is %s", what,
                         dim_name[own < 0 ? AGRAPH_DIM_NONE : unit_dim[own]], p->unit, text,
                         dim_name[unit_dim[unit]]);
            return -1;
        }
        v = v * unit_factor[unit] / unit_factor[own];
    }

    /* Out of range is refused, not clamped: a typo should not quietly become the maximum. The
     * tolerance forgives rounding in the conversion (0.02s is 20.000000000000004 ms). */
    double tol = 1e-9 * fmax(1.0, fmax(fabs(p->min), fabs(p->max)));
    if (!(v >= p->min - tol && v <= p->max + tol)) {
        char got[64], lo[48], hi[48];
        format_value(got, sizeof got, v, p->unit);
        format_value(lo, sizeof lo, p->min, p->unit);
        format_value(hi, sizeof hi, p->max, p->unit);
        if (unit >= 0 && unit != own)
            agraph_error("%s: %s (%s) is out of its range [%s, %s]", what, text, got, lo, hi);
        else
            agraph_error("%s: %s is out of its range [%s, %s]", what, got, lo, hi);
        return -1;
    }
    out->index = index;
    out->value = fmin(fmax(v, p->min), p->max);
    return 0;
}

void *agraph_start_state(const agraph_program *prog, double sample_rate, const agraph_options *opt,
                         const char *rate_hint)
{
    size_t bytes = (prog->state_size + AGRAPH_STATE_ALIGN) / AGRAPH_STATE_ALIGN * AGRAPH_STATE_ALIGN;
    void *state = aligned_alloc(AGRAPH_STATE_ALIGN, bytes);
    if (!state) {
        agraph_error("out of memory (state of %zu bytes)", prog->state_size);
        return NULL;
    }
    memset(state, 0, bytes);
    if (prog->init(state, sample_rate) != 0) {
        char rate[32], max[32];
        agraph_format_number(rate, sizeof rate, sample_rate);
        agraph_format_number(max, sizeof max, prog->max_sample_rate);
        agraph_error("sample rate %s is above the program's maximum %s%s", rate, max, rate_hint);
        free(state);
        return NULL;
    }
    for (int i = 0; i < opt->n_params; i++)
        prog->set_param(state, opt->params[i].index, opt->params[i].value);
    if (agraph_load_files(prog, state, sample_rate, opt) < 0) {
        free(state);
        return NULL;
    }
    return state;
}

/* s as a JSON string (agraph_json.h: safe in JavaScript and HTML too). */
static void json_string(FILE *f, const char *s)
{
    s = s ? s : "";
    char small[256], *buf = AGRAPH_JSON_ROOM(s) <= sizeof small ? small : malloc(AGRAPH_JSON_ROOM(s));
    if (!buf) {
        fputs("\"\"", f);
        return;
    }
    agraph_json_quote(buf, s);
    fputs(buf, f);
    if (buf != small) free(buf);
}

static void json_number(FILE *f, double v)
{
    char buf[32];
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    agraph_format_number(buf, sizeof buf, v);
    fputs(buf, f);
}

void agraph_print_params_json(const agraph_program *prog, FILE *f)
{
    fputc('[', f);
    for (int i = 0; i < prog->n_params; i++) {
        const agraph_param_info *p = &prog->params[i];
        int kind = p->kind >= 0 && p->kind <= AGRAPH_PARAM_TOGGLE ? p->kind : AGRAPH_PARAM_SLIDER;
        int scale = p->scale == AGRAPH_SCALE_LOG ? AGRAPH_SCALE_LOG : AGRAPH_SCALE_LINEAR;
        fputs(i ? ",\n  {" : "\n  {", f);
        fputs("\"name\": ", f);     json_string(f, p->name);
        fputs(", \"label\": ", f);  json_string(f, p->label ? p->label : p->name);
        fputs(", \"unit\": ", f);   json_string(f, p->unit);
        fputs(", \"kind\": ", f);   json_string(f, kind_name[kind]);
        fputs(", \"scale\": ", f);  json_string(f, scale_name[scale]);
        fputs(", \"min\": ", f);    json_number(f, p->min);
        fputs(", \"max\": ", f);    json_number(f, p->max);
        fputs(", \"default\": ", f); json_number(f, p->def);
        fputc('}', f);
    }
    fputs(prog->n_params ? "\n]\n" : "]\n", f);
}

/* --info: everything a host (the notebook) needs to know before it runs the program, as one JSON
 * object: its name, its input and output channels, the parameter table of --list-params, and the
 * probes with their widths (--probe-out needs a program with probes; this says which it has). */
void agraph_print_info_json(const agraph_program *prog, FILE *f)
{
    fputs("{\"name\": ", f);
    json_string(f, prog->name ? prog->name : "");
    fputs(",\n\"inputs\": [", f);
    for (int i = 0; i < prog->n_inputs; i++) {
        if (i) fputs(", ", f);
        json_string(f, prog->input_names ? prog->input_names[i] : "");
    }
    fputs("],\n\"outputs\": [", f);
    for (int i = 0; i < prog->n_outputs; i++) {
        if (i) fputs(", ", f);
        json_string(f, prog->output_names ? prog->output_names[i] : "");
    }
    fputs("],\n\"probes\": [", f);
    for (int i = 0; i < prog->n_probes; i++) {
        fputs(i ? ", {\"name\": " : "{\"name\": ", f);
        json_string(f, prog->probes[i].name);
        fprintf(f, ", \"width\": %d}", prog->probes[i].width);
    }
    fputs("],\n\"params\": ", f);
    agraph_print_params_json(prog, f);
    fputs("}\n", f);
}
