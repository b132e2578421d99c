/* emit_lib.c — the embedding API of `agraphc --emit-lib NAME`: the header NAME.h, and the part of
 * NAME.c that only a library needs (lookups by name, the JSON description, the state's size and
 * an agraph_program descriptor). emit_c.c writes the rest of NAME.c. docs/embedding.md is the
 * reference for what is written here. */
#include "agraph.h"
#include "agraph_json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_name[] = { "slider", "button", "toggle" };
static const char *const scale_name[] = { "linear", "log" };

static const char *upper(const char *s)
{
    char *u = arena_strdup(s);
    for (char *q = u; *q; q++) *q = (char)toupper((unsigned char)*q);
    return u;
}

/* The shortest decimal that reads back as v: JSON and C both accept it. */
static const char *num(double v)
{
    for (int prec = 6; prec <= 17; prec++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return arena_strdup(buf);
    }
    return arena_printf("%.17g", v);
}

/* A rate as a C double constant. */
static const char *rate(double v)
{
    const char *t = num(v);
    return strpbrk(t, ".eEn") ? t : arena_printf("%s.0", t);
}

/* Text safe inside a C comment. */
static const char *in_comment(const char *s)
{
    char *t = arena_strdup(s);
    for (char *q = t; *q; q++)
        if ((unsigned char)*q < 32 || (*q == '*' && (q[1] == '/' || (q > t && q[-1] == '/')))) *q = '_';
    return t;
}

/* s as a JSON string (runtime/agraph_json.h: safe in JavaScript and HTML too). */
static const char *json_str(const char *s)
{
    char *out = arena_alloc(AGRAPH_JSON_ROOM(s));
    agraph_json_quote(out, s);
    return out;
}

const char *output_name(Ir *ir, int c)
{
    Program *p = ir->g->prog;
    Graph *g = ir->g;
    for (int i = 0; i < g->outputs.n; i++) {
        Ast *st = p->outputs.v[i];
        Node *o = g->outputs.v[i];
        int n = st->names.n > 1 || o->width == 1 ? st->names.n : o->width;
        if (c >= n) { c -= n; continue; }
        if (st->names.n > 1 || o->width == 1) return VEC_AT(st->names, c, Ast *)->name;
        return arena_printf("%s.%d", VEC_AT(st->names, 0, Ast *)->name, c);
    }
    return "?";
}

static const char *param_unit(Program *p, int i)
{
    int u = p->param_unit[i];
    return u >= 0 ? unit_spelling[u] : "";
}

const char *lib_json(Ir *ir)
{
    Program *p = ir->g->prog;
    Vec parts = {0};
    vec_push(&parts, arena_printf("{\"name\": %s, \"source\": %s, \"precision\": \"%s\", \"max_sample_rate\": %s,\n",
                                  json_str(p->main->name), json_str(p->main->src.path),
                                  opt.use_double ? "double" : "float", num(opt.max_sr)));
    const char *ins = "";
    for (int i = 0; i < p->inputs.n; i++)
        ins = arena_printf("%s%s%s", ins, i ? ", " : "", json_str(VEC_AT(p->inputs, i, Ast *)->name));
    const char *outs = "";
    for (int c = 0; c < ir->n_out; c++) outs = arena_printf("%s%s%s", outs, c ? ", " : "", json_str(output_name(ir, c)));
    vec_push(&parts, arena_printf(" \"inputs\": [%s],\n \"outputs\": [%s],\n \"params\": [", ins, outs));
    for (int i = 0; i < p->params.n; i++) {
        Ast *st = p->params.v[i];
        vec_push(&parts, arena_printf("%s\n  {\"index\": %d, \"name\": %s, \"label\": %s, \"unit\": %s, \"kind\": \"%s\", "
                                      "\"scale\": \"%s\", \"min\": %s, \"max\": %s, \"default\": %s}",
                                      i ? "," : "", i, json_str(st->name), json_str(st->str ? st->str : st->name),
                                      json_str(param_unit(p, i)), kind_name[st->op], scale_name[st->scale],
                                      num(p->param_min[i]), num(p->param_max[i]), num(p->param_def[i])));
    }
    vec_push(&parts, "],\n \"probes\": [");
    for (int i = 0; i < p->probes.n; i++)
        vec_push(&parts, arena_printf("%s\n  {\"index\": %d, \"name\": %s, \"width\": %d}", i ? "," : "", i,
                                      json_str(((Ast *)p->probes.v[i])->name), ir->probe_width[i]));
    vec_push(&parts, "],\n \"files\": [");
    bool first = true;
    for (int i = 0; i < ir->g->tables.n; i++) {
        Table *t = ir->g->tables.v[i];
        if (!t->path) continue;
        vec_push(&parts, arena_printf("%s\n  {\"index\": %d, \"table\": %s, \"path\": %s, \"channel\": %d, \"frames\": %d}",
                                      first ? "" : ",", t->file, json_str(t->name), json_str(t->path), t->channel, t->size));
        first = false;
    }
    vec_push(&parts, "]}");
    size_t n = 0;
    for (int i = 0; i < parts.n; i++) n += strlen(parts.v[i]);
    char *out = arena_alloc(n + 1), *q = out;
    for (int i = 0; i < parts.n; i++) q = stpcpy(q, parts.v[i]);
    return out;
}

/* Enum constants for parameter and probe indices, unless two names would collide in upper case. */
static void emit_index_enum(FILE *f, const char *up, const char *what, Vec *items)
{
    if (!items->n) return;
    for (int i = 0; i < items->n; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(upper(c_ident(((Ast *)items->v[i])->name)), upper(c_ident(((Ast *)items->v[j])->name)))) {
                fprintf(f, "/* no %s index constants: names collide in upper case */\n", what);
                return;
            }
    fprintf(f, "enum {");
    for (int i = 0; i < items->n; i++)
        fprintf(f, "%s %s_%s_%s = %d", i ? "," : "", up, what, upper(c_ident(((Ast *)items->v[i])->name)), i);
    fprintf(f, " };\n");
}

void emit_lib_header(FILE *f, Ir *ir, const char *prefix)
{
    Program *p = ir->g->prog;
    const char *P = c_ident(prefix), *U = upper(P);
    const char *src = p->main->src.path;
    fprintf(f, "/* %s.h — generated by agraphc --emit-lib from %s. Do not edit.\n", P, in_comment(src));
    fprintf(f, " * The API of the agraph program '%s' (%s samples): docs/embedding.md.\n",
            c_ident(p->main->name), opt.use_double ? "double" : "float");
    fprintf(f, " * Build %s.c with any C99/C11 or C++ compiler and link libm%s; nothing else. */\n", P,
            ir->spectral && !opt.builtin_fft ? (opt.use_double ? " and FFTW (-lfftw3)" : " and FFTW (-lfftw3f)") : "");
    fprintf(f, "#ifndef %s_H\n#define %s_H\n\n", U, U);
    fputs(agraph_prelude, f);
    fprintf(f, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    fprintf(f, "#define %s_N_INPUTS %d       /* audio channels in (process's in[]) */\n", U, p->inputs.n);
    fprintf(f, "#define %s_N_OUTPUTS %d      /* audio channels out (process's out[]) */\n", U, ir->n_out);
    fprintf(f, "#define %s_N_PARAMS %d\n#define %s_N_PROBES %d\n#define %s_N_FILES %d\n", U, p->params.n, U,
            p->probes.n, U, ir->g->n_files);
    fprintf(f, "#define %s_STATE_ALIGN 64    /* the state's alignment in bytes */\n", U);
    fprintf(f, "#define %s_MAX_SAMPLE_RATE %s   /* init refuses a higher rate */\n\n", U, rate(opt.max_sr));
    emit_index_enum(f, U, "PARAM", &p->params);
    emit_index_enum(f, U, "PROBE", &p->probes);
    fprintf(f,
        "\n/* The state: %s_state_size() bytes, aligned to %s_STATE_ALIGN, allocated by the host (e.g.\n"
        " * aligned_alloc). One state is one running instance; instances share nothing. */\n"
        "size_t %s_state_size(void);\n\n"
        "/* Prepare a state for a sample rate, parameters at their defaults: 0, or -1 when the rate is\n"
        " * not in (0, %s_MAX_SAMPLE_RATE]%s. Not real-time safe; call before audio starts. */\n"
        "int %s_init(void *state, double sample_rate);\n\n"
        "/* Clear the signal state (delay lines, filters, smoothers); parameters are kept. */\n"
        "void %s_reset(void *state);\n\n"
        "/* Free what init made outside the state%s; call before freeing the state or calling init\n"
        " * on it again. */\n"
        "void %s_release(void *state);\n\n"
        "/* Compute `frames` samples (any count >= 0): in[c] and out[c] are %s_N_INPUTS and\n"
        " * %s_N_OUTPUTS channel buffers that do not overlap. Real-time safe: no allocation, locks or\n"
        " * system calls; denormals are flushed while it runs. */\n"
        "void %s_process(void *state, const float *const *in, float *const *out, int frames);\n\n",
        P, U, P, U, ir->spectral && !opt.builtin_fft ? ", or FFTW could not plan" : "", P, P,
        ir->spectral && !opt.builtin_fft ? " (FFTW plans)" : ", if anything", P, U, U, P);
    fprintf(f,
        "/* Parameters: %s_params[i] gives name, label, unit, kind, scale, min, max and default, in\n"
        " * the parameter's own unit (a dB parameter is set in dB). set clamps to the range and may be\n"
        " * called from any thread while process runs (one atomic store; the change is smoothed where\n"
        " * it feeds audio). An index out of range is ignored (get returns 0). */\n"
        "extern const agraph_param_info %s_params[];\n"
        "void %s_set_param(void *state, int index, double value);\n"
        "double %s_get_param(const void *state, int index);\n"
        "/* By name: the index, or -1 when there is no such parameter; set and get return 0, or -1 for\n"
        " * an unknown name. */\n"
        "int %s_param_index(const char *name);\n"
        "int %s_set_param_by_name(void *state, const char *name, double value);\n"
        "int %s_get_param_by_name(const void *state, const char *name, double *value);\n\n",
        P, P, P, P, P, P, P);
    fprintf(f,
        "/* Probes: analysis values published once per process call; read from any thread without\n"
        " * blocking the audio one. read_probe copies at most max floats of probe `index` into dst and\n"
        " * returns its width (0 for an unknown index). */\n"
        "extern const agraph_probe_info %s_probes[];\n"
        "int %s_probe_index(const char *name);\n"
        "int %s_read_probe(const void *state, int index, float *dst, int max);\n\n"
        "/* Sound files the program reads (`table ir = soundfile(...)`, %s_N_FILES of them, listed in\n"
        " * %s_program.files and the JSON): after init, the host loads each into its table, one channel\n"
        " * at the running sample rate and at most `frames` long; 0 on success, -1 for a bad index or\n"
        " * length. Not real-time safe. */\n"
        "int %s_load(void *state, int file, const float *data, int frames);\n\n"
        "/* The channels, parameters, probes and files as one JSON object (a static string). */\n"
        "const char *%s_describe(void);\n\n"
        "/* All of the above in the runtime's descriptor form (agraph_program above). */\n"
        "extern const agraph_program %s_program;\n\n",
        P, P, P, U, P, P, P, P);
    fprintf(f, "#ifdef __cplusplus\n}\n#endif\n#endif /* %s_H */\n", U);
}

void emit_lib_api(FILE *f, Ir *ir, const char *prefix)
{
    Program *p = ir->g->prog;
    const char *P = c_ident(prefix);
    fprintf(f, "size_t %s_state_size(void)\n{\n    return sizeof(%s_state);\n}\n\n", P, P);
    fprintf(f, "const agraph_probe_info %s_probes[] = {", P);
    for (int i = 0; i < p->probes.n; i++)
        fprintf(f, " { %s, %d },", c_string(((Ast *)p->probes.v[i])->name), ir->probe_width[i]);
    fprintf(f, " { 0, 0 } };\n\n");

    /* by name: a linear search (a handful of names; call it once and keep the index) */
    fprintf(f, "int %s_param_index(const char *name)\n{\n", P);
    fprintf(f, "    for (int i = 0; i < %d; i++)\n        if (name && !strcmp(name, %s_params[i].name)) return i;\n", p->params.n, P);
    fprintf(f, "    return -1;\n}\n\n");
    fprintf(f, "int %s_set_param_by_name(void *state, const char *name, double value)\n{\n", P);
    fprintf(f, "    int i = %s_param_index(name);\n    if (i < 0) return -1;\n", P);
    fprintf(f, "    %s_set_param(state, i, value);\n    return 0;\n}\n\n", P);
    fprintf(f, "int %s_get_param_by_name(const void *state, const char *name, double *value)\n{\n", P);
    fprintf(f, "    int i = %s_param_index(name);\n    if (i < 0) return -1;\n", P);
    fprintf(f, "    *value = %s_get_param(state, i);\n    return 0;\n}\n\n", P);
    fprintf(f, "int %s_probe_index(const char *name)\n{\n", P);
    fprintf(f, "    for (int i = 0; i < %d; i++)\n        if (name && !strcmp(name, %s_probes[i].name)) return i;\n", p->probes.n, P);
    fprintf(f, "    return -1;\n}\n\n");

    /* the JSON, as a string constant in lines of source */
    const char *j = lib_json(ir);
    if (strlen(j) < 4000) {
        fprintf(f, "const char *%s_describe(void)\n{\n    return\n", P);
        while (*j) {
            const char *e = strchr(j, '\n');
            size_t n = e ? (size_t)(e - j + 1) : strlen(j);
            fprintf(f, "        %s\n", c_string(arena_strndup(j, n)));
            j += n;
        }
        fprintf(f, "        ;\n}\n\n");
    } else {
        /* longer than the 4095 characters C99 promises for a string literal: an array of codes */
        fprintf(f, "static const char %s_json[] = {", P);
        for (size_t k = 0; j[k]; k++) fprintf(f, "%s%d,", k % 24 ? " " : "\n    ", (unsigned char)j[k]);
        fprintf(f, " 0 };\n\nconst char *%s_describe(void)\n{\n    return %s_json;\n}\n\n", P, P);
    }

    emit_conv_files();
    fprintf(f, "static const char *const %s_input_names[] = {", P);
    for (int i = 0; i < p->inputs.n; i++) fprintf(f, " %s,", c_string(VEC_AT(p->inputs, i, Ast *)->name));
    fprintf(f, " 0 };\n");
    fprintf(f, "static const char *const %s_output_names[] = {", P);
    for (int c = 0; c < ir->n_out; c++) fprintf(f, " %s,", c_string(output_name(ir, c)));
    fprintf(f, " 0 };\n");
    fprintf(f, "const agraph_program %s_program = {\n", P);
    fprintf(f, "    %s, %s,\n", c_string(p->main->name), c_string(p->main->src.path));
    fprintf(f, "    %d, %d, %s_input_names, %s_output_names,\n", p->inputs.n, ir->n_out, P, P);
    fprintf(f, "    sizeof(%s_state), %s,\n", P, rate(opt.max_sr));
    fprintf(f, "    %d, %s_params, %d, %s_probes,\n", p->params.n, P, p->probes.n, P);
    fprintf(f, "    %s_init, %s_reset, %s_process, %s_set_param, %s_get_param, %s_read_probe,\n", P, P, P, P, P, P);
    fprintf(f, "    %d, %s_files, %s_load\n};\n", ir->g->n_files, P, P);
}
