/* emit_c.c — the C emitter: one file per program with a fixed-size state struct, init, reset,
 * process (control-rate work hoisted before one fused sample loop), a parameter table, a
 * thread-safe set_param and probe read-out. Names and comments echo the source (STYLE.md §10). */
#include "agraph.h"

#include <math.h>
#include <string.h>

static FILE *F;
static Ir *IR;
static const char *P;        /* prefix of every exported name */
static const char *REAL;     /* "float" or "double" */
static bool LIB;             /* --emit-lib: no global mutable state; FFTW plans in the state */
static bool OWN_FFT;         /* spectral blocks on agraph_fft.c (WebAssembly, --fft builtin) */
static char **var;           /* per instruction: its C name */
static char **own_var;       /* per instruction: the name it is declared with */
static const char **lane_arg;   /* while a loop over lanes is written: operands read per lane */
static bool in_lanes;        /* writing a loop over lanes: floor that vectorizes */

static Ins *I(int id) { return IR->ins.v[id]; }

const char *c_ident(const char *s)
{
    size_t n = strlen(s);
    if (n > 48) n = 48;
    char *out = arena_alloc(n + 2);
    size_t k = 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) out[k++] = '_';
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out[k++] = ok ? c : '_';
    }
    out[k] = 0;
    return out;
}

const char *c_string(const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(n * 4 + 3);
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { out[k++] = '\\'; out[k++] = (char)c; }
        else if (c == '?') { out[k++] = '\\'; out[k++] = '?'; }     /* no trigraphs */
        else if (c < 32 || c >= 127) k += (size_t)sprintf(out + k, "\\%03o", c);
        else out[k++] = (char)c;
    }
    out[k++] = '"';
    out[k] = 0;
    return out;
}

/* Text for a comment: printable ASCII, no comment terminators or openers. */
static const char *safe_comment(const char *t, int n)
{
    char *out = arena_alloc((size_t)n + 1);
    for (int i = 0; i < n; i++) {
        char c = t[i];
        if ((unsigned char)c < 32 || (unsigned char)c >= 127) c = ' ';
        if (c == '/' && ((i > 0 && t[i - 1] == '*') || t[i + 1] == '*')) c = '|';
        out[i] = c;
    }
    out[n] = 0;
    return out;
}

/* The source line holding `at`, trimmed, for a comment. */
static const char *comment_text(Loc at)
{
    if (!at.src) return "";
    const char *t = at.src->text;
    int start = at.off, end = at.off;
    while (start > 0 && t[start - 1] != '\n') start--;
    while (t[end] && t[end] != '\n') end++;
    while (start < end && (t[start] == ' ' || t[start] == '\t')) start++;
    if (end - start > 90) end = start + 90;
    return safe_comment(t + start, end - start);
}

static const char *ctype(Type t)
{
    return t == T_FLOAT ? REAL : "int32_t";
}

static const char *literal(double v, Type t)
{
    if (t == T_BOOL) return v != 0 ? "1" : "0";
    if (t == T_INT) {
        int32_t i = (int32_t)v;
        if (i == INT32_MIN) return "(-2147483647 - 1)";
        return arena_printf("%d", i);
    }
    if (isnan(v)) return opt.use_double ? "((double)NAN)" : "NAN";
    if (isinf(v)) return v > 0 ? (opt.use_double ? "((double)INFINITY)" : "INFINITY")
                               : (opt.use_double ? "(-(double)INFINITY)" : "(-INFINITY)");
    char buf[64];
    snprintf(buf, sizeof buf, opt.use_double ? "%.17g" : "%.9g", v);
    if (!strpbrk(buf, ".eEn")) strcat(buf, ".0");
    return arena_printf(v < 0 ? "(%s%s)" : "%s%s", buf, opt.use_double ? "" : "f");
}

/* Where line k is written this sample (lower.c: skew). */
static const char *wpos(int k)
{
    DelayLine *l = IR->lines.v[k];
    return l->skew ? arena_printf("(iota + %uu)", (unsigned)l->skew) : "iota";
}

static const char *val(int id)
{
    if (lane_arg && lane_arg[id]) return lane_arg[id];
    Ins *x = I(id);
    if (x->op == I_CONST) return literal(x->k, x->type);
    return var[id];
}

static const char *fn(const char *base)
{
    return opt.use_double ? base : arena_printf("%sf", base);
}

static const char *call_expr(Ins *x)
{
    const char *a = x->nargs > 0 ? val(x->a[0]) : "";
    const char *b = x->nargs > 1 ? val(x->a[1]) : "";
    const char *c = x->nargs > 2 ? val(x->a[2]) : "";
    bool ints = x->type == T_INT;
    switch (x->aux) {
    case B_SIN: return arena_printf("%s(%s)", fn("sin"), a);
    case B_COS: return arena_printf("%s(%s)", fn("cos"), a);
    case B_TAN: return arena_printf("%s(%s)", fn("tan"), a);
    case B_ASIN: return arena_printf("%s(%s)", fn("asin"), a);
    case B_ACOS: return arena_printf("%s(%s)", fn("acos"), a);
    case B_ATAN: return arena_printf("%s(%s)", fn("atan"), a);
    case B_ATAN2: return arena_printf("%s(%s, %s)", fn("atan2"), a, b);
    case B_SINH: return arena_printf("%s(%s)", fn("sinh"), a);
    case B_COSH: return arena_printf("%s(%s)", fn("cosh"), a);
    case B_TANH: return arena_printf("%s(%s)", fn("tanh"), a);
    case B_EXP: return arena_printf("%s(%s)", fn("exp"), a);
    case B_LOG: return arena_printf("%s(%s)", fn("log"), a);
    case B_LOG2: return arena_printf("%s(%s)", fn("log2"), a);
    case B_LOG10: return arena_printf("%s(%s)", fn("log10"), a);
    case B_SQRT: return arena_printf("%s(%s)", fn("sqrt"), a);
    case B_ABS: return ints ? arena_printf("agraph_iabs(%s)", a) : arena_printf("%s(%s)", fn("fabs"), a);
    case B_FLOOR: return arena_printf("%s(%s)", in_lanes ? fn("agraph_floor") : fn("floor"), a);
    case B_CEIL: return arena_printf("%s(%s)", fn("ceil"), a);
    case B_ROUND: return arena_printf("%s(%s)", fn("round"), a);
    case B_TRUNC: return arena_printf("%s(%s)", fn("trunc"), a);
    case B_FRACT: return arena_printf("(%s - %s(%s))", a, in_lanes ? fn("agraph_floor") : fn("floor"), a);
    case B_POW: return arena_printf("%s(%s, %s)", fn("pow"), a, b);
    case B_MIN: return ints ? arena_printf("(%s < %s ? %s : %s)", a, b, a, b)
                            : arena_printf("%s(%s, %s)", fn("fmin"), a, b);
    case B_MAX: return ints ? arena_printf("(%s > %s ? %s : %s)", a, b, a, b)
                            : arena_printf("%s(%s, %s)", fn("fmax"), a, b);
    case B_CLAMP: return ints ? arena_printf("(%s < %s ? %s : %s > %s ? %s : %s)", a, b, b, a, c, c, a)
                              : arena_printf("%s(%s(%s, %s), %s)", fn("fmin"), fn("fmax"), a, b, c);
    case B_FMOD: return arena_printf("%s(%s, %s)", fn("fmod"), a, b);
    case B_SELECT: return arena_printf("(%s ? %s : %s)", a, b, c);
    case B_INT: return arena_printf("agraph_f2i(%s)", a);
    case B_DB2LIN: return arena_printf("%s(%s * %s)", fn("exp"), a, literal(M_LN10 / 20.0, T_FLOAT));
    case B_LIN2DB: return arena_printf("(%s * %s(%s))", literal(20.0, T_FLOAT), fn("log10"), a);
    }
    fatal(no_loc, "internal error: no C for builtin %d", x->aux);
}

static const char *binop_expr(Ins *x)
{
    const char *a = val(x->a[0]), *b = val(x->a[1]);
    bool ints = I(x->a[0])->type == T_INT;
    switch (x->aux) {
    case OP_ADD: return ints ? arena_printf("(int32_t)((uint32_t)%s + (uint32_t)%s)", a, b) : arena_printf("(%s + %s)", a, b);
    case OP_SUB: return ints ? arena_printf("(int32_t)((uint32_t)%s - (uint32_t)%s)", a, b) : arena_printf("(%s - %s)", a, b);
    case OP_MUL: return ints ? arena_printf("(int32_t)((uint32_t)%s * (uint32_t)%s)", a, b) : arena_printf("(%s * %s)", a, b);
    case OP_DIV: return arena_printf("(%s / %s)", a, b);
    case OP_MOD: return ints ? arena_printf("agraph_imod(%s, %s)", a, b) : arena_printf("%s(%s, %s)", fn("fmod"), a, b);
    case OP_POW: return arena_printf("%s(%s, %s)", fn("pow"), a, b);
    default: return arena_printf("(%s %s %s)", a, op_spelling[x->aux], b);
    }
}

static const char *line_name(int k)
{
    DelayLine *l = IR->lines.v[k];
    return arena_printf("%s%d%s%s", l->scalar ? "z" : "d", k, l->name ? "_" : "", l->name ? c_ident(l->name) : "");
}

static bool steady_loop;

/* A smoother's value: its variable, converted to the program's precision. */
static const char *smoothed(int slot) { return arena_printf("(%s)sm%d", REAL, slot); }

/* The expression for one instruction; statements it needs first go to `pre`. */
static const char *expr(Ins *x, const char *ind)
{
    switch (x->op) {
    case I_SR: return arena_printf("(%s)sample_rate", REAL);
    case I_INPUT: return arena_printf("in%d[i]", x->aux);
    case I_PARAM: return arena_printf("(%s)agraph_load(&s->param[%d])", REAL, x->aux);
    case I_BINOP: return binop_expr(x);
    case I_UNOP:
        if (x->aux == OP_NOT) return arena_printf("(!%s)", val(x->a[0]));
        if (x->type == T_INT) return arena_printf("(int32_t)(0u - (uint32_t)%s)", val(x->a[0]));
        return arena_printf("(-%s)", val(x->a[0]));
    case I_CALL: return call_expr(x);
    case I_CAST: {
        Type from = I(x->a[0])->type;
        if (x->type == T_BOOL) return arena_printf("(%s != 0)", val(x->a[0]));
        if (x->type == T_INT && from == T_FLOAT) return arena_printf("agraph_f2i(%s)", val(x->a[0]));
        return arena_printf("(%s)%s", ctype(x->type), val(x->a[0]));
    }
    case I_NOISE:
        fprintf(F, "%srng%d = rng%d * 1664525u + 1013904223u;\n", ind, x->aux, x->aux);
        return arena_printf("(%s)(int32_t)rng%d * %s", REAL, x->aux, literal(1.0 / 2147483648.0, T_FLOAT));
    case I_TABLE: {
        Table *t = IR->g->tables.v[x->aux];
        Ins *pos = I(x->a[0]);
        if (t->path)
            return arena_printf("(%s)agraph_table(s->file%d, s->file%d_len, %s)", REAL, t->file, t->file, val(pos->id));
        if (pos->type == T_INT)
            return (t->size & (t->size - 1)) == 0
                ? arena_printf("(%s)%s_%s[(uint32_t)%s & %uu]", REAL, P, c_ident(t->name), val(pos->id), (unsigned)t->size - 1)
                : arena_printf("(%s)%s_%s[agraph_imod(agraph_imod(%s, %d) + %d, %d)]", REAL, P, c_ident(t->name),
                               val(pos->id), t->size, t->size, t->size);
        return arena_printf("(%s)agraph_table(%s_%s, %d, %s)", REAL, P, c_ident(t->name), t->size, val(pos->id));
    }
    case I_ISTFT: {
        Spectral *sp = IR->istfts.v[x->aux];
        fprintf(F, "%sconst %s ola%d_out = s->ola%d[fpos%d];\n%ss->ola%d[fpos%d] = 0;\n", ind, REAL, x->aux,
                x->aux, sp->clock, ind, x->aux, sp->clock);
        return arena_printf("(%s)ola%d_out", REAL, x->aux);
    }
    case I_SMOOTH:
        if (!steady_loop) fprintf(F, "%ssm%d += smooth_k * (%s - sm%d);\n", ind, x->aux, val(x->a[0]), x->aux);
        return smoothed(x->aux);
    case I_DREAD: {
        DelayLine *l = IR->lines.v[x->aux];
        const char *ln = line_name(x->aux);
        Ins *len = I(x->a[0]);
        unsigned mask = (unsigned)l->size - 1;
        if (l->scalar) return ln;
        int lo = l->in_cycle ? 1 : 0;
        if (len->op == I_CONST) {
            /* round half away from zero, as SR-dependent lengths do; clamp like a variable one */
            double k = round(len->k);
            if (k < lo) k = lo;
            if (k > l->max_len) k = l->max_len;
            return arena_printf("s->%s[(%s - %uu) & %uu]", ln, wpos(x->aux), (unsigned)k, mask);
        }
        if (x->k == 0) {   /* fixed for the run: rounded and clamped once per block */
            return arena_printf("s->%s[(%s - dl%d) & %uu]", ln, wpos(x->aux), x->id, mask);
        }
        if (len->type == T_INT) {
            fprintf(F, "%sconst uint32_t dl%d = (uint32_t)(%s < %d ? %d : %s > %d ? %d : %s);\n", ind,
                    x->id, val(x->a[0]), lo, lo, val(x->a[0]), l->max_len, l->max_len, val(x->a[0]));
            return arena_printf("s->%s[(%s - dl%d) & %uu]", ln, wpos(x->aux), x->id, mask);
        }
        fprintf(F, "%sconst %s dp%d = %s(%s(%s, %s), %s);\n", ind, REAL, x->id, fn("fmin"), fn("fmax"),
                val(x->a[0]), literal(lo, T_FLOAT), literal(l->max_len, T_FLOAT));
        fprintf(F, "%sconst uint32_t dl%d = (uint32_t)dp%d;\n", ind, x->id, x->id);
        fprintf(F, "%sconst %s df%d = dp%d - (%s)dl%d;\n", ind, REAL, x->id, x->id, REAL, x->id);
        fprintf(F, "%sconst %s da%d = s->%s[(%s - dl%d) & %uu];\n", ind, REAL, x->id, ln, wpos(x->aux),
                x->id, mask);
        return arena_printf("(da%d + df%d * (s->%s[(%s - dl%d - 1u) & %uu] - da%d))", x->id, x->id,
                            ln, wpos(x->aux), x->id, mask, x->id);
    }
    default:
        fatal(no_loc, "internal error: no C for %s", ir_op_name[x->op]);
    }
}

static void comment(Ins *x, const char *ind);

/* ---- spectral frames: per bin, complex values are (re, im) pairs of locals ---- */

static int clock_bins(int c) { return IR->g->clocks[c].size / 2 + 1; }

static const char *vre(int id)
{
    Ins *x = I(id);
    if (x->op == I_CONST) return literal(x->k, T_FLOAT);
    if (x->type != T_COMPLEX) return var[id];
    return arena_printf("%s_re", var[id]);
}

static const char *vim(int id)
{
    Ins *x = I(id);
    if (x->op == I_CONST || x->type != T_COMPLEX) return literal(0, T_FLOAT);
    return arena_printf("%s_im", var[id]);
}

/* A frame instruction of complex type: two statements. */
static void emit_complex(Ins *x, const char *ind)
{
    const char *re = NULL, *im = NULL;
    int a = x->nargs > 0 ? x->a[0] : -1, b = x->nargs > 1 ? x->a[1] : -1;
    switch (x->op) {
    case I_STFT:
        re = arena_printf("s->X%d[2 * k]", x->aux);
        im = arena_printf("s->X%d[2 * k + 1]", x->aux);
        break;
    case I_CAST:
        re = vre(a);
        im = vim(a);
        break;
    case I_UNOP:
        re = arena_printf("(-%s)", vre(a));
        im = arena_printf("(-%s)", vim(a));
        break;
    case I_BINOP:
        switch (x->aux) {
        case OP_ADD: case OP_SUB:
            re = arena_printf("(%s %s %s)", vre(a), op_spelling[x->aux], vre(b));
            im = arena_printf("(%s %s %s)", vim(a), op_spelling[x->aux], vim(b));
            break;
        case OP_MUL:
            re = arena_printf("(%s * %s - %s * %s)", vre(a), vre(b), vim(a), vim(b));
            im = arena_printf("(%s * %s + %s * %s)", vre(a), vim(b), vim(a), vre(b));
            break;
        default: {   /* OP_DIV */
            fprintf(F, "%sconst %s %s_d = %s * %s + %s * %s;\n", ind, REAL, var[x->id], vre(b), vre(b), vim(b), vim(b));
            re = arena_printf("((%s * %s + %s * %s) / %s_d)", vre(a), vre(b), vim(a), vim(b), var[x->id]);
            im = arena_printf("((%s * %s - %s * %s) / %s_d)", vim(a), vre(b), vre(a), vim(b), var[x->id]);
        }
        }
        break;
    case I_CALL:
        if (x->aux == B_SELECT) {
            re = arena_printf("(%s ? %s : %s)", val(a), vre(b), vre(x->a[2]));
            im = arena_printf("(%s ? %s : %s)", val(a), vim(b), vim(x->a[2]));
        } else if (x->aux == B_CONJ) {
            re = vre(a);
            im = arena_printf("(-%s)", vim(a));
        } else if (x->aux == B_POLAR) {
            re = arena_printf("(%s * %s(%s))", val(a), fn("cos"), val(b));
            im = arena_printf("(%s * %s(%s))", val(a), fn("sin"), val(b));
        }
        break;
    default:
        break;
    }
    if (!re) fatal(no_loc, "internal error: no C for complex %s", ir_op_name[x->op]);
    fprintf(F, "%sconst %s %s_re = %s;\n%sconst %s %s_im = %s;\n", ind, REAL, var[x->id], re, ind,
            REAL, var[x->id], im);
}

/* A real-valued frame instruction: magnitude, phase, parts, bin frequency, or ordinary maths. */
static const char *frame_expr(Ins *x, const char *ind)
{
    if (x->op == I_BINHZ)
        return arena_printf("(%s)k * (%s)s->sr / %s", REAL, REAL, literal(IR->g->clocks[x->aux].size, T_FLOAT));
    if (x->op == I_CALL && x->aux == B_MAG)
        return arena_printf("%s(%s * %s + %s * %s)", fn("sqrt"), vre(x->a[0]), vre(x->a[0]), vim(x->a[0]), vim(x->a[0]));
    if (x->op == I_CALL && x->aux == B_PHASE)
        return arena_printf("%s(%s, %s)", fn("atan2"), vim(x->a[0]), vre(x->a[0]));
    if (x->op == I_CALL && x->aux == B_RE) return vre(x->a[0]);
    if (x->op == I_CALL && x->aux == B_IM) return vim(x->a[0]);
    return expr(x, ind);
}

/* The work of one hop of clock c, inside the sample loop: analyse, compute every bin, resynthesize. */
/* Clock c's FFTW plan (dir "r2c" or "c2r"): the state's own in library form, else the program's. */
static const char *plan(const char *dir, int c)
{
    return LIB ? arena_printf("s->%s%d", dir, c) : arena_printf("%s_%s[%d]", P, dir, c);
}

static void emit_frame(int c, const char *ind)
{
    Clock *ck = &IR->g->clocks[c];
    int n = ck->size, bins = clock_bins(c);
    unsigned mask = (unsigned)n - 1;
    char in2[128];
    snprintf(in2, sizeof in2, "%.100s    ", ind);
    for (int j = 0; j < IR->stfts.n; j++) {
        Spectral *sp = IR->stfts.v[j];
        if (sp->clock != c) continue;
        fprintf(F, "%sfor (int p = 0; p < %d; p++) s->work[p] = s->in%d[(fpos%d + 1u + (uint32_t)p) & %uu] * s->win%d[p];\n",
                ind, n, j, c, mask, c);
        if (OWN_FFT)
            fprintf(F, "%sagraph_fft_r2c(s->tw%d, %d, s->work, s->X%d);\n", ind, c, n, j);
        else
            fprintf(F, "%sAGRAPH_FFTW(execute_dft_r2c)(%s, s->work, (AGRAPH_FFTW(complex) *)s->X%d);\n",
                    ind, plan("r2c", c), j);
    }
    fprintf(F, "%sfor (int k = 0; k < %d; k++) {\n", ind, bins);
    Vec *fr = &IR->sched[R_FRAME];
    for (int i = 0; i < fr->n; i++) {
        Ins *x = fr->v[i];
        if (x->clock != c) continue;
        comment(x, in2);
        if (x->type == T_COMPLEX) emit_complex(x, in2);
        else fprintf(F, "%sconst %s %s = %s;\n", in2, ctype(x->type), var[x->id], frame_expr(x, in2));
    }
    for (int j = 0; j < IR->istfts.n; j++) {
        Spectral *sp = IR->istfts.v[j];
        if (sp->clock != c) continue;
        fprintf(F, "%ss->Y%d[2 * k] = %s;\n%ss->Y%d[2 * k + 1] = %s;\n", in2, j, vre(sp->value),
                in2, j, vim(sp->value));
    }
    for (int j = 0; j < IR->n_probe_vals; j++) {
        Ins *x = I(IR->probe_ids[j]);
        if (x->rate == R_FRAME && x->clock == c)
            fprintf(F, "%ss->fprobe[%d + k] = (float)%s;\n", in2, IR->probe_off[j], val(x->id));
    }
    fprintf(F, "%s}\n", ind);
    for (int j = 0; j < IR->istfts.n; j++) {
        Spectral *sp = IR->istfts.v[j];
        if (sp->clock != c) continue;
        if (OWN_FFT)
            fprintf(F, "%sagraph_fft_c2r(s->tw%d, %d, s->Y%d, s->work);\n", ind, c, n, j);
        else
            fprintf(F, "%sAGRAPH_FFTW(execute_dft_c2r)(%s, (AGRAPH_FFTW(complex) *)s->Y%d, s->work);\n",
                    ind, plan("c2r", c), j);
        fprintf(F, "%sfor (int p = 0; p < %d; p++) s->ola%d[(fpos%d + 1u + (uint32_t)p) & %uu] += s->work[p] * s->gain%d[p];\n",
                ind, n, j, c, mask, j);
    }
}

static Loc last_comment;

static void comment(Ins *x, const char *ind)
{
    if (!x->name || !x->from) return;
    Node *n = x->from;
    Loc at = n->def ? n->def->loc : n->loc;
    if (!at.src || (at.src == last_comment.src && at.off == last_comment.off)) return;
    last_comment = at;
    int line, col;
    loc_linecol(at, &line, &col);
    const char *path = strrchr(at.src->path, '/');
    path = path ? path + 1 : at.src->path;
    fprintf(F, "%s/* %s:%d  %s */\n", ind, safe_comment(path, (int)strlen(path)), line,
            comment_text(at));
}

static void name_vars(void)
{
    var = arena_alloc(sizeof(char *) * (size_t)(IR->ins.n + 1));
    for (int i = 0; i < IR->ins.n; i++) {
        Ins *x = I(i);
        const char *base = x->name ? c_ident(x->name) : "t";
        if (x->name && x->from && x->from->inst && x->op != I_PARAM && x->op != I_INPUT)
            base = arena_printf("%s%d_%s", c_ident(x->from->inst->block->name),
                                x->from->inst->number, c_ident(x->name));
        var[i] = arena_printf("%s_%d", base, i);
    }
    own_var = arena_alloc(sizeof(char *) * (size_t)(IR->ins.n + 1));
    memcpy(own_var, var, sizeof(char *) * (size_t)IR->ins.n);
    lane_arg = arena_alloc(sizeof(char *) * (size_t)(IR->ins.n + 1));
}

/* Statements for one instruction, or nothing when it is only ever used inline. */
static void emit_ins(Ins *x, const char *ind)
{
    comment(x, ind);
    if (x->op == I_CONV) {
        emit_conv_tick(x, val(x->a[0]), var[x->id], ind);
        return;
    }
    const char *e = expr(x, ind);
    /* at rest, a smoothed value a loop over lanes reads was gathered before the sample loop */
    fprintf(F, "%s%sconst %s %s = %s;\n", ind, steady_loop && x->op == I_SMOOTH ? "AGRAPH_UNUSED " : "",
            ctype(x->type), var[x->id], e);
}

static void emit_state(void)
{
    fprintf(F, "typedef struct %s_state {\n", P);
    int np = IR->g->prog->params.n;
    fprintf(F, "    float param[%d];      /* written by set_param from any thread (atomic) */\n", np ? np : 1);
    fprintf(F, "    double smooth_k;        /* parameter smoothing: one pole, 10 ms (in double: no stall) */\n");
    fprintf(F, "    int fresh;              /* smoothers start at their targets after init/reset */\n");
    fprintf(F, "    uint32_t iota;          /* sample counter: the write position of every delay line */\n");
    if (IR->n_smooth) fprintf(F, "    double sm[%d];\n", IR->n_smooth);
    if (IR->n_noise) fprintf(F, "    uint32_t rng[%d];\n", IR->n_noise);
    for (int i = 0; i < IR->ins.n; i++) {
        Ins *x = I(i);
        if (x->live && x->stored) fprintf(F, "    %s %s;\n", ctype(x->type), var[i]);
    }
    if (IR->probe_total) {
        fprintf(F, "    uint32_t probe_seq;     /* odd while the audio thread writes the snapshot */\n");
        fprintf(F, "    float probe[%d];\n", IR->probe_total);
    }
    if (IR->spectral) {
        int maxn = 0;
        fprintf(F, "    double sr;\n");
        for (int c = 0; c < IR->g->n_clocks; c++) {
            Clock *ck = &IR->g->clocks[c];
            if (ck->size > maxn) maxn = ck->size;
            fprintf(F, "    uint32_t fpos%d, hop%d;   /* clock %d: %d-sample frames every %d samples */\n", c, c, c,
                    ck->size, ck->hop);
            fprintf(F, "    %s win%d[%d];        /* %s analysis window */\n", REAL, c, ck->size, window_name[ck->window]);
            if (OWN_FFT) fprintf(F, "    %s tw%d[%d];         /* FFT twiddles (agraph_fft.c) */\n", REAL, c, ck->size);
            else if (LIB) fprintf(F, "    AGRAPH_FFTW(plan) r2c%d, c2r%d;   /* made by init, destroyed by release */\n", c, c);
        }
        for (int j = 0; j < IR->stfts.n; j++) {
            Spectral *sp = IR->stfts.v[j];
            int n = IR->g->clocks[sp->clock].size;
            fprintf(F, "    %s in%d[%d];          /* stft %d: the last frame of input */\n", REAL, j, n, j);
            fprintf(F, "    AGRAPH_ALIGNED %s X%d[%d];   /* its spectrum, (re, im) per bin */\n", REAL, j, 2 * (n / 2 + 1));
        }
        for (int j = 0; j < IR->istfts.n; j++) {
            Spectral *sp = IR->istfts.v[j];
            int n = IR->g->clocks[sp->clock].size;
            fprintf(F, "    AGRAPH_ALIGNED %s Y%d[%d];   /* istft %d: the spectrum to resynthesize */\n", REAL, j, 2 * (n / 2 + 1), j);
            fprintf(F, "    %s ola%d[%d];         /* its overlap-add accumulator */\n", REAL, j, n);
            fprintf(F, "    %s gain%d[%d];        /* synthesis window / (N * sum of window products) */\n", REAL, j, n);
        }
        int fp = 0;
        for (int j = 0; j < IR->n_probe_vals; j++)
            if (I(IR->probe_ids[j])->rate == R_FRAME) fp = IR->probe_off[j] + IR->probe_len[j];
        if (fp) fprintf(F, "    float fprobe[%d];       /* frame probes, published with the others */\n", IR->probe_total);
        fprintf(F, "    AGRAPH_ALIGNED %s work[%d];\n", REAL, maxn);
    }
    for (int k = 0; k < IR->lines.n; k++) {
        DelayLine *l = IR->lines.v[k];
        if (l->src < 0 || l->group) continue;
        if (l->scalar) fprintf(F, "    %s %s;\n", ctype(l->type), line_name(k));
    }
    for (int g = 0; g < IR->groups.n; g++) {
        Lanes *ln = IR->groups.v[g];
        for (int j = 0; j < ln->m; j++)
            if (ln->src_slot[j] >= 0)
                fprintf(F, "    %s lanes%d_z%d[%d];   /* one-sample delays, one per lane */\n",
                        ctype(I(ln->ins[j])->type), g, j, ln->width);
    }
    for (int k = 0; k < IR->lines.n; k++) {
        DelayLine *l = IR->lines.v[k];
        if (l->src < 0 || l->scalar) continue;
        fprintf(F, "    %s %s[%d];   /* up to %d samples */\n", ctype(l->type), line_name(k), l->size,
                l->max_len);
    }
    emit_conv_state();
    fprintf(F, "} %s_state;\n\n", P);
}

/* Table data, computed by the compiler: read-only, shared by every state. */
static void emit_tables(void)
{
    for (int i = 0; i < IR->g->tables.n; i++) {
        Table *t = IR->g->tables.v[i];
        bool used = false;
        for (int k = 0; k < IR->ins.n && !used; k++)
            used = I(k)->live && ((I(k)->op == I_TABLE && I(k)->aux == i) ||
                                  (I(k)->op == I_CONV && ((Conv *)IR->convs.v[I(k)->aux])->table == i));
        if (!used || t->path) continue;   /* a sound file's table lives in the state */
        fprintf(F, "static const float %s_%s[%d] = {", P, c_ident(t->name), t->size);
        for (int k = 0; k < t->size; k++)
            fprintf(F, "%s%.9g,", k % 8 ? " " : "\n    ", (double)(float)t->data[k]);
        fprintf(F, "\n};\n\n");
    }
}

static void emit_param_table(void)
{
    Program *p = IR->g->prog;
    fprintf(F, "const agraph_param_info %s_params[%d] = {\n", P, p->params.n ? p->params.n : 1);
    for (int i = 0; i < p->params.n; i++) {
        Ast *st = p->params.v[i];
        int u = p->param_unit[i];
        fprintf(F, "    { %s, %s, %s, %d, %d, %.17g, %.17g, %.17g },\n", c_string(st->name),
                c_string(st->str ? st->str : st->name), c_string(u >= 0 ? unit_spelling[u] : ""),
                st->op, st->scale, p->param_min[i], p->param_max[i], p->param_def[i]);
    }
    if (!p->params.n) fprintf(F, "    { 0, 0, 0, 0, 0, 0, 0, 0 }\n");
    fprintf(F, "};\n\n");
}

/* Windows (periodic, as scipy.signal.get_window makes them), synthesis gains for weighted
 * overlap-add, and FFTW plans: made here, never in process. */
static void emit_spectral_init(void)
{
    static const char *const wexpr[] = {
        "0.5 - 0.5 * cos(2 * 3.14159265358979323846 * p / n)",
        "0.54 - 0.46 * cos(2 * 3.14159265358979323846 * p / n)",
        "0.42 - 0.5 * cos(2 * 3.14159265358979323846 * p / n) + 0.08 * cos(4 * 3.14159265358979323846 * p / n)",
        "1.0" };
    fprintf(F, "    s->sr = sample_rate;\n");
    for (int c = 0; c < IR->g->n_clocks; c++) {
        Clock *ck = &IR->g->clocks[c];
        fprintf(F, "    for (int p = 0, n = %d; p < n; p++) s->win%d[p] = (%s)(%s);\n", ck->size, c, REAL, wexpr[ck->window]);
    }
    for (int j = 0; j < IR->istfts.n; j++) {
        Spectral *sp = IR->istfts.v[j];
        Clock *ck = &IR->g->clocks[sp->clock];
        fprintf(F, "    for (int p = 0, n = %d; p < n; p++) {   /* istft %d: %s synthesis */\n", ck->size, j, window_name[sp->window]);
        fprintf(F, "        double ws = %s, sum = 0;\n", wexpr[sp->window]);
        fprintf(F, "        for (int q = p %% %d; q < n; q += %d) {\n", ck->hop, ck->hop);
        /* (void)p: a rectangular window's expression does not use p (fuzz_gen found it). */
        fprintf(F, "            int p = q; (void)p; double wa = %s, wq = %s;\n", wexpr[ck->window], wexpr[sp->window]);
        fprintf(F, "            sum += wa * wq;\n        }\n");
        fprintf(F, "        s->gain%d[p] = sum > 0 ? (%s)(ws / (n * sum)) : 0;\n    }\n", j, REAL);
    }
    if (OWN_FFT) {
        for (int c = 0; c < IR->g->n_clocks; c++)
            fprintf(F, "    agraph_fft_twiddles(s->tw%d, %d);\n", c, IR->g->clocks[c].size);
        return;
    }
    if (LIB) {
        /* each state owns its plans: no global mutable state in a library */
        for (int c = 0; c < IR->g->n_clocks; c++) {
            Clock *ck = &IR->g->clocks[c];
            const char *buf = IR->stfts.n ? "X0" : "Y0";
            fprintf(F, "    s->r2c%d = AGRAPH_FFTW(plan_dft_r2c_1d)(%d, s->work, (AGRAPH_FFTW(complex) *)s->%s, FFTW_ESTIMATE);\n",
                    c, ck->size, buf);
            fprintf(F, "    s->c2r%d = AGRAPH_FFTW(plan_dft_c2r_1d)(%d, (AGRAPH_FFTW(complex) *)s->%s, s->work, FFTW_ESTIMATE);\n",
                    c, ck->size, buf);
        }
        fprintf(F, "    if (");
        for (int c = 0; c < IR->g->n_clocks; c++) fprintf(F, "%s!s->r2c%d || !s->c2r%d", c ? " || " : "", c, c);
        fprintf(F, ") {\n        %s_release(s);\n        return -1;\n    }\n", P);
        return;
    }
    fprintf(F, "    while (__atomic_test_and_set(&%s_plan_lock, __ATOMIC_ACQUIRE)) {}\n", P);
    for (int c = 0; c < IR->g->n_clocks; c++) {
        Clock *ck = &IR->g->clocks[c];
        fprintf(F, "    if (!%s_r2c[%d]) %s_r2c[%d] = AGRAPH_FFTW(plan_dft_r2c_1d)(%d, s->work, (AGRAPH_FFTW(complex) *)s->%s, FFTW_ESTIMATE);\n",
                P, c, P, c, ck->size, IR->stfts.n ? "X0" : "Y0");
        fprintf(F, "    if (!%s_c2r[%d]) %s_c2r[%d] = AGRAPH_FFTW(plan_dft_c2r_1d)(%d, (AGRAPH_FFTW(complex) *)s->%s, s->work, FFTW_ESTIMATE);\n",
                P, c, P, c, ck->size, IR->stfts.n ? "X0" : "Y0");
    }
    fprintf(F, "    __atomic_clear(&%s_plan_lock, __ATOMIC_RELEASE);\n", P);
    fprintf(F, "    if (");
    for (int c = 0; c < IR->g->n_clocks; c++) fprintf(F, "%s!%s_r2c[%d] || !%s_c2r[%d]", c ? " || " : "", P, c, P, c);
    fprintf(F, ") return -1;\n");
}

static void emit_init_reset(void)
{
    Program *p = IR->g->prog;
    fprintf(F, "void %s_reset(void *state)\n{\n    %s_state *s = (%s_state *)state;\n", P, P, P);
    fprintf(F, "    s->fresh = 1;\n    s->iota = 0;\n");
    for (int k = 0; k < IR->n_noise; k++) {
        /* each noise() has its own seed: its position in the program, or the one given */
        for (int i = 0; i < IR->ins.n; i++) {
            Ins *x = I(i);
            if (x->op == I_NOISE && x->aux == k)
                fprintf(F, "    s->rng[%d] = %uu;\n", k,
                        x->a[1] ? (uint32_t)(int64_t)x->k * 2654435761u + 1u
                                : (uint32_t)(x->k + 1) * 2654435761u);
        }
    }
    for (int k = 0; k < IR->lines.n; k++) {
        DelayLine *l = IR->lines.v[k];
        if (l->src < 0 || l->group) continue;
        if (l->scalar) fprintf(F, "    s->%s = 0;\n", line_name(k));
        else fprintf(F, "    memset(s->%s, 0, sizeof s->%s);\n", line_name(k), line_name(k));
    }
    for (int g = 0; g < IR->groups.n; g++) {
        Lanes *ln = IR->groups.v[g];
        for (int j = 0; j < ln->m; j++)
            if (ln->src_slot[j] >= 0) fprintf(F, "    memset(s->lanes%d_z%d, 0, sizeof s->lanes%d_z%d);\n", g, j, g, j);
    }
    if (IR->probe_total) fprintf(F, "    memset(s->probe, 0, sizeof s->probe);\n");
    if (IR->spectral) {
        for (int c = 0; c < IR->g->n_clocks; c++)
            fprintf(F, "    s->fpos%d = 0;\n    s->hop%d = 0;\n", c, c);
        for (int j = 0; j < IR->stfts.n; j++) fprintf(F, "    memset(s->in%d, 0, sizeof s->in%d);\n", j, j);
        for (int j = 0; j < IR->istfts.n; j++) fprintf(F, "    memset(s->ola%d, 0, sizeof s->ola%d);\n", j, j);
        for (int j = 0; j < IR->n_probe_vals; j++)
            if (I(IR->probe_ids[j])->rate == R_FRAME) { fprintf(F, "    memset(s->fprobe, 0, sizeof s->fprobe);\n"); break; }
    }
    emit_conv_reset();
    fprintf(F, "}\n\n");

    fprintf(F, "int %s_init(void *state, double sample_rate)\n{\n    %s_state *s = (%s_state *)state;\n", P, P, P);
    fprintf(F, "    if (!(sample_rate > 0 && sample_rate <= %.17g)) return -1;\n", opt.max_sr);
    fprintf(F, "    memset(s, 0, sizeof *s);\n");
    fprintf(F, "    s->smooth_k = 1.0 - exp(-1.0 / (0.010 * sample_rate));\n");
    for (int i = 0; i < p->params.n; i++)
        fprintf(F, "    s->param[%d] = (float)%.17g;\n", i, p->param_def[i]);
    if (IR->spectral) emit_spectral_init();
    emit_conv_init();
    Vec *init = &IR->sched[R_INIT];
    for (int i = 0; i < init->n; i++) {
        Ins *x = init->v[i];
        emit_ins(x, "    ");
        if (x->stored) fprintf(F, "    s->%s = %s;\n", var[x->id], var[x->id]);
    }
    fprintf(F, "    %s_reset(s);\n    return 0;\n}\n\n", P);
}

/* Whether a second sample loop for parameters at rest is worth its compile time: the audio
 * instructions that only smoothed values move (constant in that loop, so hoisted out of it) must
 * be a quarter of the loop or more, unless the loop is small. An oscillator bank of 64 sines on
 * one smoothed fundamental saves 64 multiplications beside 64 sines: not worth doubling the C. */
#define SMALL_LOOP 300
static bool settled_loop_pays(void)
{
    Vec *au = &IR->sched[R_AUDIO];
    bool *still = arena_alloc(sizeof(bool) * (size_t)IR->ins.n);
    int moved_by_smoothers = 0;
    for (int i = 0; i < au->n; i++) {
        Ins *x = au->v[i];
        bool s = x->op == I_SMOOTH;
        if (x->op == I_BINOP || x->op == I_UNOP || x->op == I_CALL || x->op == I_CAST) {
            s = true;
            for (int k = 0; k < x->nargs && s; k++)
                s = x->a[k] < 0 || I(x->a[k])->rate < R_AUDIO || still[x->a[k]];
        }
        still[x->id] = s;
        moved_by_smoothers += s;
    }
    return au->n <= SMALL_LOOP || moved_by_smoothers * 4 >= au->n;
}

/* ---- loops over lanes (lanes.c): copies side by side ---- */

static const char *each_name(int g, int j, int a) { return arena_printf("lanes%d_e%d_%d", g, j, a); }

/* Operand a of slot j in lane l; the unused lanes past n take lane 0's. */
static Ins *lane_operand(Lanes *ln, int l, int j, int a)
{
    return I(I(ln->ins[(l < ln->n ? l : 0) * ln->m + j])->a[a]);
}

/* Before the sample loop: the arrays of per-lane operands that do not change within a block, and
 * the arrays that carry each lane's results out of the loop. Unused lanes (the rounding up to a
 * vector's width) repeat lane 0, so they compute nothing lane 0 would not. */
static void emit_lane_arrays(void)
{
    for (int g = 0; g < IR->groups.n; g++) {
        Lanes *ln = IR->groups.v[g];
        for (int j = 0; j < ln->m; j++) {
            Ins *t = I(ln->ins[j]);
            if (ln->out[j]) fprintf(F, "    %s lanes%d_o%d[%d];\n", ctype(t->type), g, j, ln->width);
            for (int a = 0; a < t->nargs; a++) {
                if (ln->kind[j * 3 + a] != LANE_EACH) continue;
                Ins *o = I(t->a[a]);
                if (o->rate == R_AUDIO) {
                    fprintf(F, "    %s %s[%d];\n", ctype(o->type), each_name(g, j, a), ln->width);
                    continue;
                }
                bool consts = true;
                for (int l = 0; l < ln->n; l++) consts &= lane_operand(ln, l, j, a)->op == I_CONST;
                fprintf(F, "    %sconst %s %s[%d] = {", consts ? "static " : "", ctype(o->type), each_name(g, j, a), ln->width);
                for (int l = 0; l < ln->width; l++) fprintf(F, "%s%s", l ? ", " : " ", val(lane_operand(ln, l, j, a)->id));
                fprintf(F, " };\n");
            }
        }
    }
}

/* Whether slot j's operand a is a smoothed value in every lane: constant while parameters rest. */
static bool each_smoothed(Lanes *ln, int j, int a)
{
    for (int l = 0; l < ln->n; l++)
        if (lane_operand(ln, l, j, a)->op != I_SMOOTH) return false;
    return true;
}

/* Per-lane audio operands gathered into their arrays: in the sample loop, or (held) before it. */
static void emit_lane_gather(int g, const char *ind, bool held)
{
    Lanes *ln = IR->groups.v[g];
    for (int j = 0; j < ln->m; j++) {
        Ins *t = I(ln->ins[j]);
        for (int a = 0; a < t->nargs; a++) {
            if (ln->kind[j * 3 + a] != LANE_EACH || I(t->a[a])->rate != R_AUDIO) continue;
            if ((steady_loop && each_smoothed(ln, j, a)) != held) continue;
            for (int l = 0; l < ln->width; l++) {
                Ins *o = lane_operand(ln, l, j, a);
                fprintf(F, "%s%s[%d] = %s;\n", ind, each_name(g, j, a), l,
                        held ? smoothed(o->aux) : val(o->id));
            }
        }
    }
}

/* Lanes g inside the sample loop: per-lane audio operands gathered, the loop over lanes with lane
 * 0's instructions as its body, each lane's one-sample delays written last; afterwards each
 * lane's results are read from the out arrays. */
static void emit_lanes(int g, const char *ind)
{
    Lanes *ln = IR->groups.v[g];
    Ins *first = I(ln->ins[0]);
    char in2[128];
    snprintf(in2, sizeof in2, "%.100s    ", ind);
    const char *what = first->from && first->from->inst ? c_ident(first->from->inst->block->name) : "one computation";
    fprintf(F, "%s/* %d copies of %s side by side: one loop over lanes */\n", ind, ln->n, what);
    emit_lane_gather(g, ind, false);
    for (int j = 0; j < ln->m; j++) var[ln->ins[j]] = own_var[ln->ins[j]];
    fprintf(F, "%s%sfor (int lane = 0; lane < %d; lane++) {\n", ind, ln->width <= 16 ? "AGRAPH_LANES " : "", ln->width);
    in_lanes = true;
    for (int j = 0; j < ln->m; j++) {
        Ins *t = I(ln->ins[j]);
        if (ln->src_slot[j] >= 0) {
            fprintf(F, "%sconst %s %s = s->lanes%d_z%d[lane];\n", in2, ctype(t->type), var[t->id], g, j);
        } else {
            for (int a = 0; a < t->nargs; a++)
                if (ln->kind[j * 3 + a] == LANE_EACH) lane_arg[t->a[a]] = arena_printf("%s[lane]", each_name(g, j, a));
            emit_ins(t, in2);
            for (int a = 0; a < t->nargs; a++) lane_arg[t->a[a]] = NULL;
        }
        if (ln->out[j]) fprintf(F, "%slanes%d_o%d[lane] = %s;\n", in2, g, j, var[t->id]);
    }
    for (int j = 0; j < ln->m; j++)
        if (ln->src_slot[j] >= 0)
            fprintf(F, "%ss->lanes%d_z%d[lane] = %s;\n", in2, g, j, var[ln->ins[ln->src_slot[j]]]);
    in_lanes = false;
    fprintf(F, "%s}\n", ind);
    last_comment = no_loc;
    for (int l = 0; l < ln->n; l++)
        for (int j = 0; j < ln->m; j++)
            if (ln->out[j]) var[ln->ins[l * ln->m + j]] = arena_printf("lanes%d_o%d[%d]", g, j, l);
}

/* The one fused sample loop. `steady`: parameters at rest, smoothers not stepped. */
static void emit_loop(bool steady, const char *outer)
{
    Vec *au = &IR->sched[R_AUDIO];
    char indb[64];
    snprintf(indb, sizeof indb, "%s    ", outer);
    const char *ind = indb;
    steady_loop = steady;
    for (int g = 0; g < IR->groups.n; g++) emit_lane_gather(g, outer, true);
    fprintf(F, "%sfor (int i = 0; i < frames; i++) {\n", outer);
    last_comment = no_loc;
    /* delay lines whose source does not depend on their reads are written as soon as it is known */
    for (int k = 0; k < IR->lines.n; k++) {
        DelayLine *l = IR->lines.v[k];
        if (l->src >= 0 && !l->in_cycle && !l->scalar && I(l->src)->rate < R_AUDIO)
            fprintf(F, "%ss->%s[%s & %uu] = %s;\n", ind, line_name(k), wpos(k), (unsigned)l->size - 1, val(l->src));
    }
    bool *done = arena_alloc(sizeof(bool) * (size_t)(IR->groups.n + 1));
    for (int i = 0; i < au->n; i++) {
        Ins *x = au->v[i];
        if (x->group) {
            if (!done[x->group]) emit_lanes(x->group - 1, ind);
            done[x->group] = true;
            continue;
        }
        emit_ins(x, ind);
        for (int k = 0; k < IR->lines.n; k++) {
            DelayLine *l = IR->lines.v[k];
            if (l->src == x->id && !l->in_cycle && !l->scalar)
                fprintf(F, "%ss->%s[%s & %uu] = %s;\n", ind, line_name(k), wpos(k), (unsigned)l->size - 1, var[x->id]);
        }
    }
    for (int c = 0; c < IR->n_out; c++) {
        Ins *o = I(IR->out_ids[c]);
        fprintf(F, "%sout%d[i] = (float)%s;\n", ind, c, val(o->id));
    }
    for (int i = 0; i < IR->n_probe_vals; i++)
        if (I(IR->probe_ids[i])->rate == R_AUDIO) fprintf(F, "%sprobe%d = (float)%s;\n", ind, i, val(IR->probe_ids[i]));
    for (int k = 0; k < IR->lines.n; k++) {
        DelayLine *l = IR->lines.v[k];
        if (l->src < 0 || !(l->in_cycle || l->scalar) || l->group) continue;
        if (l->scalar) fprintf(F, "%s%s = %s;\n", ind, line_name(k), val(l->src));
        else fprintf(F, "%ss->%s[%s & %uu] = %s;\n", ind, line_name(k), wpos(k), (unsigned)l->size - 1, val(l->src));
    }
    for (int c = 0; IR->spectral && c < IR->g->n_clocks; c++) {
        Clock *ck = &IR->g->clocks[c];
        fprintf(F, "%s/* spectral clock %d: %d-sample frames every %d samples */\n", ind, c, ck->size, ck->hop);
        for (int j = 0; j < IR->stfts.n; j++) {
            Spectral *sp = IR->stfts.v[j];
            if (sp->clock == c) fprintf(F, "%ss->in%d[fpos%d] = %s;\n", ind, j, c, val(sp->value));
        }
        fprintf(F, "%sif (++hop%d == %du) {\n%s    hop%d = 0;\n", ind, c, ck->hop, ind, c);
        char in2[128];
        snprintf(in2, sizeof in2, "%.100s    ", ind);
        emit_frame(c, in2);
        fprintf(F, "%s}\n%sfpos%d = (fpos%d + 1u) & %uu;\n", ind, ind, c, c, (unsigned)ck->size - 1);
    }
    fprintf(F, "%siota++;\n%s}\n", ind, outer);
    steady_loop = false;
}

static void emit_process(void)
{
    Program *p = IR->g->prog;
    fprintf(F, "void %s_process(void *state, const float *const *in, float *const *out, int frames)\n{\n", P);
    fprintf(F, "    %s_state *s = (%s_state *)state;\n", P, P);
    if (!p->inputs.n) fprintf(F, "    (void)in;\n");
    fprintf(F, "    AGRAPH_FTZ_BEGIN\n");
    /* values fixed at init */
    for (int i = 0; i < IR->ins.n; i++) {
        Ins *x = I(i);
        if (x->live && x->stored) fprintf(F, "    const %s %s = s->%s;\n", ctype(x->type), var[i], var[i]);
    }
    fprintf(F, "    /* control rate: once per block */\n");
    Vec *ctl = &IR->sched[R_CONTROL];
    for (int i = 0; i < ctl->n; i++) emit_ins(ctl->v[i], "    ");
    if (IR->n_smooth) {
        fprintf(F, "    const double smooth_k = s->smooth_k;\n");
        fprintf(F, "    if (s->fresh) {\n");
        for (int k = 0; k < IR->smooth_src.n; k++)
            fprintf(F, "        s->sm[%d] = %s;\n", k, val(((Ins *)IR->smooth_src.v[k])->id));
        fprintf(F, "    }\n");
        for (int k = 0; k < IR->n_smooth; k++) fprintf(F, "    double sm%d = s->sm[%d];\n", k, k);
    }
    fprintf(F, "    s->fresh = 0;\n");
    /* delay lengths fixed for the run: rounded once per block */
    Vec *au = &IR->sched[R_AUDIO];
    for (int i = 0; i < au->n; i++) {
        Ins *x = au->v[i];
        if (x->op != I_DREAD || x->k != 0) continue;
        DelayLine *l = IR->lines.v[x->aux];
        Ins *len = I(x->a[0]);
        if (l->scalar || len->op == I_CONST) continue;
        fprintf(F, "    const uint32_t dl%d = (uint32_t)%s(%s(%s(%s), %s), %s);\n", x->id,
                fn("fmin"), fn("fmax"), fn("round"), val(len->id), literal(l->in_cycle ? 1 : 0, T_FLOAT),
                literal(l->max_len, T_FLOAT));
    }
    fprintf(F, "    uint32_t iota = s->iota;\n");
    for (int c = 0; IR->spectral && c < IR->g->n_clocks; c++)
        fprintf(F, "    uint32_t fpos%d = s->fpos%d, hop%d = s->hop%d;\n", c, c, c, c);
    for (int k = 0; k < IR->n_noise; k++) fprintf(F, "    uint32_t rng%d = s->rng[%d];\n", k, k);
    for (int k = 0; k < IR->lines.n; k++) {
        DelayLine *l = IR->lines.v[k];
        if (l->src >= 0 && l->scalar && !l->group) fprintf(F, "    %s %s = s->%s;\n", ctype(l->type), line_name(k), line_name(k));
    }
    for (int i = 0; i < IR->n_probe_vals; i++)
        if (I(IR->probe_ids[i])->rate != R_FRAME)
            fprintf(F, "    float probe%d = s->probe[%d];\n", i, IR->probe_off[i]);
    /* An input the program ignores is still declared: unused, not a warning (fuzz_gen found it). */
    for (int c = 0; c < p->inputs.n; c++)
        fprintf(F, "    AGRAPH_UNUSED const float *AGRAPH_RESTRICT in%d = in[%d];\n", c, c);
    for (int c = 0; c < IR->n_out; c++) fprintf(F, "    float *AGRAPH_RESTRICT out%d = out[%d];\n", c, c);
    emit_lane_arrays();

    if (IR->n_smooth && settled_loop_pays()) {
        /* Once every smoother has reached its target (parameters at rest), the loop runs with the
         * smoothed values constant, so what depends on them is hoisted out of it. */
        fprintf(F, "    int settled = 1;\n");
        for (int k = 0; k < IR->smooth_src.n; k++) {
            const char *t = val(((Ins *)IR->smooth_src.v[k])->id);
            fprintf(F, "    settled &= fabs(%s - sm%d) <= 1e-9 * fabs(%s) + 1e-30;\n", t, k, t);
        }
        fprintf(F, "    if (settled) {\n");
        for (int k = 0; k < IR->smooth_src.n; k++)
            fprintf(F, "        sm%d = %s;\n", k, val(((Ins *)IR->smooth_src.v[k])->id));
        emit_loop(true, "        ");
        fprintf(F, "    } else {\n");
        emit_loop(false, "        ");
        fprintf(F, "    }\n");
    } else {
        emit_loop(false, "    ");
    }
    fprintf(F, "    s->iota = iota;\n");
    for (int c = 0; IR->spectral && c < IR->g->n_clocks; c++)
        fprintf(F, "    s->fpos%d = fpos%d;\n    s->hop%d = hop%d;\n", c, c, c, c);
    for (int k = 0; k < IR->n_noise; k++) fprintf(F, "    s->rng[%d] = rng%d;\n", k, k);
    for (int k = 0; k < IR->n_smooth; k++) fprintf(F, "    s->sm[%d] = sm%d;\n", k, k);
    for (int k = 0; k < IR->lines.n; k++) {
        DelayLine *l = IR->lines.v[k];
        if (l->src >= 0 && l->scalar && !l->group) fprintf(F, "    s->%s = %s;\n", line_name(k), line_name(k));
    }
    if (IR->probe_total) {
        fprintf(F, "    /* publish probe snapshots: readers retry while the sequence is odd */\n");
        for (int i = 0; i < IR->n_probe_vals; i++)
            if (I(IR->probe_ids[i])->rate < R_AUDIO) fprintf(F, "    probe%d = (float)%s;\n", i, val(IR->probe_ids[i]));
        fprintf(F, "    {\n        uint32_t q = s->probe_seq;\n");
        fprintf(F, "        __atomic_store_n(&s->probe_seq, q + 1u, __ATOMIC_RELAXED);\n");
        fprintf(F, "        __atomic_thread_fence(__ATOMIC_RELEASE);\n");
        for (int i = 0; i < IR->n_probe_vals; i++) {
            if (I(IR->probe_ids[i])->rate == R_FRAME)
                fprintf(F, "        for (int k = 0; k < %d; k++) agraph_store(&s->probe[%d + k], s->fprobe[%d + k]);\n",
                        IR->probe_len[i], IR->probe_off[i], IR->probe_off[i]);
            else
                fprintf(F, "        agraph_store(&s->probe[%d], probe%d);\n", IR->probe_off[i], i);
        }
        fprintf(F, "        __atomic_store_n(&s->probe_seq, q + 2u, __ATOMIC_RELEASE);\n    }\n");
    }
    fprintf(F, "    AGRAPH_FTZ_END\n}\n\n");
}

static void emit_api(void)
{
    Program *p = IR->g->prog;
    int np = p->params.n;
    fprintf(F, "void %s_set_param(void *state, int index, double value)\n{\n", P);
    if (!np) {
        fprintf(F, "    (void)state; (void)index; (void)value;   /* no parameters */\n}\n\n");
        fprintf(F, "double %s_get_param(const void *state, int index)\n{\n    (void)state; (void)index;\n    return 0;\n}\n\n", P);
        goto probes;
    }
    fprintf(F, "    %s_state *s = (%s_state *)state;\n", P, P);
    fprintf(F, "    if (index < 0 || index >= %d || value != value) return;\n", np);
    fprintf(F, "    const agraph_param_info *p = &%s_params[index];\n", P);
    fprintf(F, "    if (p->kind != AGRAPH_PARAM_SLIDER) value = value != 0;\n");
    fprintf(F, "    if (value < p->min) value = p->min;\n    if (value > p->max) value = p->max;\n");
    fprintf(F, "    agraph_store(&s->param[index], (float)value);\n}\n\n");
    fprintf(F, "double %s_get_param(const void *state, int index)\n{\n", P);
    fprintf(F, "    const %s_state *s = (const %s_state *)state;\n", P, P);
    fprintf(F, "    if (index < 0 || index >= %d) return 0;\n", np);
    fprintf(F, "    return agraph_load(&s->param[index]);\n}\n\n");

probes:
    fprintf(F, "int %s_read_probe(const void *state, int index, float *dst, int max)\n{\n", P);
    if (!IR->probe_total) {
        fprintf(F, "    (void)state; (void)index; (void)dst; (void)max;\n    return 0;\n}\n\n");
    } else {
        fprintf(F, "    static const int first[] = {");
        for (int i = 0; i < p->probes.n; i++) fprintf(F, " %d,", IR->probe_first[i]);
        fprintf(F, " %d };\n", IR->probe_total);
        fprintf(F, "    const %s_state *s = (const %s_state *)state;\n", P, P);
        fprintf(F, "    if (index < 0 || index >= %d) return 0;\n", p->probes.n);
        fprintf(F, "    int n = first[index + 1] - first[index];\n    if (n > max) n = max;\n");
        fprintf(F, "    uint32_t q1, q2;\n    do {\n");
        fprintf(F, "        q1 = __atomic_load_n(&s->probe_seq, __ATOMIC_ACQUIRE);\n");
        fprintf(F, "        for (int k = 0; k < n; k++) dst[k] = agraph_load(&s->probe[first[index] + k]);\n");
        fprintf(F, "        __atomic_thread_fence(__ATOMIC_ACQUIRE);\n");
        fprintf(F, "        q2 = __atomic_load_n(&s->probe_seq, __ATOMIC_RELAXED);\n");
        fprintf(F, "    } while (q1 != q2 || (q1 & 1u));\n");
        fprintf(F, "    return first[index + 1] - first[index];\n}\n\n");
    }
}

static void emit_descriptor(void)
{
    Program *p = IR->g->prog;
    Graph *g = IR->g;
    fprintf(F, "#ifdef AGRAPH_RUNTIME\n");
    fprintf(F, "static const char *const %s_input_names[] = {", P);
    for (int i = 0; i < p->inputs.n; i++) fprintf(F, " %s,", c_string(VEC_AT(p->inputs, i, Ast *)->name));
    fprintf(F, " 0 };\n");
    fprintf(F, "static const char *const %s_output_names[] = {", P);
    for (int i = 0; i < g->outputs.n; i++) {
        Ast *st = p->outputs.v[i];
        Node *o = g->outputs.v[i];
        if (st->names.n > 1 || o->width == 1)
            for (int k = 0; k < st->names.n; k++) fprintf(F, " %s,", c_string(VEC_AT(st->names, k, Ast *)->name));
        else
            for (int c = 0; c < o->width; c++)
                fprintf(F, " %s,", c_string(arena_printf("%s.%d", VEC_AT(st->names, 0, Ast *)->name, c)));
    }
    fprintf(F, " 0 };\n");
    emit_conv_files();
    fprintf(F, "static const agraph_probe_info %s_probes[] = {", P);
    for (int i = 0; i < p->probes.n; i++)
        fprintf(F, " { %s, %d },", c_string(((Ast *)p->probes.v[i])->name), IR->probe_width[i]);
    fprintf(F, " { 0, 0 } };\n");
    fprintf(F, "const agraph_program agraph_main_program = {\n");
    fprintf(F, "    %s, %s,\n", c_string(p->main->name), c_string(p->main->src.path));
    fprintf(F, "    %d, %d, %s_input_names, %s_output_names,\n", p->inputs.n, IR->n_out, P, P);
    fprintf(F, "    sizeof(%s_state), %.17g,\n", P, opt.max_sr);
    fprintf(F, "    %d, %s_params, %d, %s_probes,\n", p->params.n, P, p->probes.n, P);
    fprintf(F, "    %s_init, %s_reset, %s_process, %s_set_param, %s_get_param, %s_read_probe,\n", P, P, P, P, P, P);
    fprintf(F, "    %d, %s_files, %s_load\n};\n", g->n_files, P, P);
    fprintf(F, "#endif\n");
}

static const char support[] =
    "#include <math.h>\n"
    "#include <stdint.h>\n"
    "#include <string.h>\n\n"
    "/* Denormals are flushed to zero while process runs. */\n"
    "#if defined(__SSE__) || defined(__x86_64__)\n"
    "#include <xmmintrin.h>\n"
    "#define AGRAPH_FTZ_BEGIN unsigned agraph_csr = _mm_getcsr(); _mm_setcsr(agraph_csr | 0x8040u);\n"
    "#define AGRAPH_FTZ_END _mm_setcsr(agraph_csr);\n"
    "#elif defined(__aarch64__)\n"
    "#define AGRAPH_FTZ_BEGIN uint64_t agraph_fpcr; __asm__ __volatile__(\"mrs %0, fpcr\" : \"=r\"(agraph_fpcr)); \\\n"
    "    __asm__ __volatile__(\"msr fpcr, %0\" : : \"r\"(agraph_fpcr | (1u << 24)));\n"
    "#define AGRAPH_FTZ_END __asm__ __volatile__(\"msr fpcr, %0\" : : \"r\"(agraph_fpcr));\n"
    "#else\n"
    "#define AGRAPH_FTZ_BEGIN\n"
    "#define AGRAPH_FTZ_END\n"
    "#endif\n\n"
    "/* Channel buffers never overlap each other or the state. */\n"
    "#if defined(__cplusplus)\n#define AGRAPH_RESTRICT __restrict\n#else\n#define AGRAPH_RESTRICT restrict\n#endif\n\n"
    "#ifndef AGRAPH_HELPERS\n"
    "#define AGRAPH_HELPERS\n"
    "#if defined(__GNUC__)\n#define AGRAPH_UNUSED __attribute__((unused))\n#else\n#define AGRAPH_UNUSED\n#endif\n"
    "AGRAPH_UNUSED static inline float agraph_load(const float *p) { float v; __atomic_load((float *)p, &v, __ATOMIC_RELAXED); return v; }\n"
    "AGRAPH_UNUSED static inline void agraph_store(float *p, float v) { __atomic_store(p, &v, __ATOMIC_RELAXED); }\n"
    "AGRAPH_UNUSED static inline int32_t agraph_f2i(double x) { return x != x ? 0 : x >= 2147483647.0 ? 2147483647 : x <= -2147483648.0 ? (-2147483647 - 1) : (int32_t)x; }\n"
    "AGRAPH_UNUSED static inline int32_t agraph_imod(int32_t a, int32_t b) { return (b == 0 || b == -1) ? 0 : a % b; }\n"
    "AGRAPH_UNUSED static inline int32_t agraph_iabs(int32_t a) { return a < 0 ? (int32_t)(0u - (uint32_t)a) : a; }\n"
    "/* A table read at a fractional position: wrapped to the table, linearly interpolated. */\n"
    "AGRAPH_UNUSED static inline float agraph_table(const float *t, int32_t n, double x)\n"
    "{\n"
    "    if (n <= 0) return 0;   /* a sound file not loaded */\n"
    "    x -= (double)n * floor(x / n);\n"
    "    if (!(x >= 0 && x < n)) x = 0;\n"
    "    int32_t i = (int32_t)x;\n"
    "    float f = (float)(x - i), a = t[i], b = t[i + 1 < n ? i + 1 : 0];\n"
    "    return a + f * (b - a);\n"
    "}\n"
    "/* floor in loops over lanes: floorf's value for every float (NaN and -0 too), in operations a C\n"
    " * compiler vectorizes without -fno-trapping-math: round by adding and taking away 2^23. */\n"
    "#if defined(__FAST_MATH__) || defined(__NO_TRAPPING_MATH__)   /* floorf vectorizes itself */\n"
    "#define agraph_floorf floorf\n#define agraph_floor floor\n"
    "#else\n"
    "AGRAPH_UNUSED static inline float agraph_floorf(float x)\n"
    "{\n"
    "    uint32_t xb, rb, m;\n"
    "    memcpy(&xb, &x, sizeof xb);\n"
    "    uint32_t cb = (xb & 0x80000000u) | 0x4b000000u;   /* 2^23 with x's sign */\n"
    "    float c, one, r;\n"
    "    memcpy(&c, &cb, sizeof c);\n"
    "    const float y = (x + c) - c;                     /* x rounded to a whole number */\n"
    "    m = (0u - (uint32_t)(y > x)) & 0x3f800000u;      /* 1.0f where that rounded up */\n"
    "    memcpy(&one, &m, sizeof one);\n"
    "    r = y - one;\n"
    "    memcpy(&rb, &r, sizeof rb);\n"
    "    rb = (rb & 0x7fffffffu) | (xb & 0x80000000u);    /* floor keeps x's sign (-0.25 -> -1, -0 -> -0) */\n"
    "    m = 0u - (uint32_t)((xb & 0x7fffffffu) < 0x4b000000u);   /* |x| < 2^23: else x is whole, inf or NaN */\n"
    "    rb = (rb & m) | (xb & ~m);\n"
    "    memcpy(&r, &rb, sizeof r);\n"
    "    return r;\n"
    "}\n"
    "AGRAPH_UNUSED static inline double agraph_floor(double x)\n"
    "{\n"
    "    uint64_t xb, rb, m;\n"
    "    memcpy(&xb, &x, sizeof xb);\n"
    "    uint64_t cb = (xb & 0x8000000000000000u) | 0x4330000000000000u;   /* 2^52 with x's sign */\n"
    "    double c, one, r;\n"
    "    memcpy(&c, &cb, sizeof c);\n"
    "    const double y = (x + c) - c;\n"
    "    m = (0u - (uint64_t)(y > x)) & 0x3ff0000000000000u;\n"
    "    memcpy(&one, &m, sizeof one);\n"
    "    r = y - one;\n"
    "    memcpy(&rb, &r, sizeof rb);\n"
    "    rb = (rb & 0x7fffffffffffffffu) | (xb & 0x8000000000000000u);\n"
    "    m = 0u - (uint64_t)((xb & 0x7fffffffffffffffu) < 0x4330000000000000u);\n"
    "    rb = (rb & m) | (xb & ~m);\n"
    "    memcpy(&r, &rb, sizeof r);\n"
    "    return r;\n"
    "}\n"
    "#endif\n"
    "/* A loop over lanes stays a loop (GCC would unroll a short one first), so it is vectorized. */\n"
    "#if defined(__GNUC__) && !defined(__clang__)\n#define AGRAPH_LANES _Pragma(\"GCC unroll 1\")\n#else\n#define AGRAPH_LANES\n#endif\n"
    "/* glibc's vector maths (libmvec, which -lm links): GCC calls sinf on 4 to 16 lanes at once in a\n"
    " * loop over lanes. Define AGRAPH_NO_LIBMVEC to call the scalar functions only. */\n"
    "#if defined(__GNUC__) && !defined(__clang__) && !defined(__cplusplus) && defined(__x86_64__) && \\\n"
    "    defined(__GLIBC__) && !defined(AGRAPH_NO_LIBMVEC)\n"
    "#define AGRAPH_SIMD __attribute__((__simd__(\"notinbranch\")))\n"
    "AGRAPH_SIMD float sinf(float); AGRAPH_SIMD float cosf(float); AGRAPH_SIMD float expf(float);\n"
    "AGRAPH_SIMD float logf(float); AGRAPH_SIMD float powf(float, float);\n"
    "AGRAPH_SIMD double sin(double); AGRAPH_SIMD double cos(double); AGRAPH_SIMD double exp(double);\n"
    "AGRAPH_SIMD double log(double); AGRAPH_SIMD double pow(double, double);\n"
    "#if __GLIBC_PREREQ(2, 35)\n"
    "AGRAPH_SIMD float tanf(float); AGRAPH_SIMD float asinf(float); AGRAPH_SIMD float acosf(float);\n"
    "AGRAPH_SIMD float atanf(float); AGRAPH_SIMD float atan2f(float, float); AGRAPH_SIMD float sinhf(float);\n"
    "AGRAPH_SIMD float coshf(float); AGRAPH_SIMD float tanhf(float); AGRAPH_SIMD float log2f(float);\n"
    "AGRAPH_SIMD float log10f(float);\n"
    "AGRAPH_SIMD double tan(double); AGRAPH_SIMD double asin(double); AGRAPH_SIMD double acos(double);\n"
    "AGRAPH_SIMD double atan(double); AGRAPH_SIMD double atan2(double, double); AGRAPH_SIMD double sinh(double);\n"
    "AGRAPH_SIMD double cosh(double); AGRAPH_SIMD double tanh(double); AGRAPH_SIMD double log2(double);\n"
    "AGRAPH_SIMD double log10(double);\n"
    "#endif\n"
    "#endif\n"
    "#endif\n\n";

static void emit_fftw_prelude(void)
{
    /* _Alignas is C11; a C99 build (--emit-lib promises one) takes the GNU attribute */
    fprintf(F, "#ifndef AGRAPH_ALIGNED\n#if defined(__cplusplus)\n#define AGRAPH_ALIGNED alignas(64)\n"
               "#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n#define AGRAPH_ALIGNED _Alignas(64)\n"
               "#else\n#define AGRAPH_ALIGNED __attribute__((aligned(64)))\n#endif\n#endif\n");
    if (OWN_FFT) {
        fprintf(F, "/* Spectral blocks run on agraph's own FFT (runtime/wasm/agraph_fft.c), pasted here. */\n");
        fprintf(F, "#define AGRAPH_FFT_REAL %s\n", REAL);
        fputs(agraph_fft_text, F);
        fputc('\n', F);
        return;
    }
    if (LIB) {
        fprintf(F, "/* Spectral blocks run on FFTW; each state's plans are made in init. */\n");
        fprintf(F, "#include <fftw3.h>\n");
        fprintf(F, "#define AGRAPH_FFTW(name) %s##name\n\n", opt.use_double ? "fftw_" : "fftwf_");
        return;
    }
    fprintf(F, "/* Spectral blocks run on FFTW; plans are made in init, shared by every state. */\n");
    fprintf(F, "#include <fftw3.h>\n");
    fprintf(F, "#define AGRAPH_FFTW(name) %s##name\n", opt.use_double ? "fftw_" : "fftwf_");
    fprintf(F, "static AGRAPH_FFTW(plan) %s_r2c[%d], %s_c2r[%d];\n", P, IR->g->n_clocks, P, IR->g->n_clocks);
    fprintf(F, "static volatile char %s_plan_lock;\n\n", P);
}

/* release: the only resources a state holds outside itself are its FFTW plans (library form). */
static void emit_release(void)
{
    fprintf(F, "void %s_release(void *state)\n{\n", P);
    if (!IR->spectral || OWN_FFT) {
        fprintf(F, "    (void)state;   /* nothing outside the state */\n}\n\n");
        return;
    }
    fprintf(F, "    %s_state *s = (%s_state *)state;\n", P, P);
    for (int c = 0; c < IR->g->n_clocks; c++)
        fprintf(F, "    if (s->r2c%d) AGRAPH_FFTW(destroy_plan)(s->r2c%d);\n    if (s->c2r%d) AGRAPH_FFTW(destroy_plan)(s->c2r%d);\n"
                   "    s->r2c%d = 0;\n    s->c2r%d = 0;\n", c, c, c, c, c, c);
    fprintf(F, "}\n\n");
}

static void emit_body(FILE *f, Ir *ir, const char *prefix, const char *header);

void emit_c(FILE *f, Ir *ir, const char *prefix)
{
    LIB = false;
    emit_body(f, ir, prefix, NULL);
}

void emit_c_lib(FILE *f, Ir *ir, const char *prefix, const char *header)
{
    LIB = true;
    emit_body(f, ir, prefix, header);
}

static void emit_body(FILE *f, Ir *ir, const char *prefix, const char *header)
{
    F = f;
    IR = ir;
    P = c_ident(prefix);
    REAL = opt.use_double ? "double" : "float";
    OWN_FFT = opt.builtin_fft;
    name_vars();
    Program *p = ir->g->prog;
    fprintf(F, "/* Generated by agraphc from %s (%s samples, max sample rate %g Hz). Do not edit.\n",
            safe_comment(p->main->src.path, (int)strlen(p->main->src.path)), REAL, opt.max_sr);
    fprintf(F, " * options: -O%d%s --max-sr %g; inputs: %d, outputs: %d, parameters: %d, probes: %d.\n",
            opt.opt_level, opt.use_double ? " --double" : "", opt.max_sr, p->inputs.n, ir->n_out,
            p->params.n, p->probes.n);
    fprintf(F, " * process() allocates nothing, takes no locks and makes no system calls. */\n\n");
    if (LIB) {
        fprintf(F, "#include %s   /* the API, documented there and in docs/embedding.md */\n\n", c_string(header));
    } else {
        fputs(agraph_prelude, F);
        fputc('\n', F);
    }
    fputs(support, F);
    emit_conv_support(F, ir, P);
    if (ir->spectral) emit_fftw_prelude();
    emit_tables();
    emit_state();
    emit_conv_functions();
    emit_param_table();
    emit_init_reset();
    emit_process();
    emit_api();
    emit_conv_load();
    if (LIB) {
        emit_release();
        emit_lib_api(F, IR, P);
    } else {
        emit_descriptor();
    }
}
