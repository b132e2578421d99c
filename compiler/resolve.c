/* resolve.c — name resolution: build each module's scope (builtins, then imports, then its
 * own items), bind every name and call to a symbol, check calls against what they call, and
 * evaluate parameter declarations (docs/language.md: Names, Parameters). */
#include "agraph.h"

#include <math.h>
#include <string.h>

/* ---- scopes -------------------------------------------------------------------------------- */

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

Scope *scope_new(Scope *parent)
{
    Scope *s = arena_alloc(sizeof *s);
    s->parent = parent;
    s->cap = 16;
    s->tab = arena_alloc(sizeof(Sym *) * (size_t)s->cap);
    return s;
}

Sym *scope_lookup_here(Scope *s, const char *name)
{
    for (Sym *y = s->tab[hash(name) & (unsigned)(s->cap - 1)]; y; y = y->next)
        if (strcmp(y->name, name) == 0) return y;
    return NULL;
}

Sym *scope_lookup(Scope *s, const char *name)
{
    for (; s; s = s->parent) {
        Sym *y = scope_lookup_here(s, name);
        if (y) return y;
        for (int i = 0; i < s->uses.n; i++)
            if ((y = scope_lookup_here(s->uses.v[i], name))) return y;
    }
    return NULL;
}

static void rehash(Scope *s)
{
    int cap = s->cap * 2;
    Sym **tab = arena_alloc(sizeof(Sym *) * (size_t)cap);
    for (int i = 0; i < s->cap; i++)
        for (Sym *y = s->tab[i], *next; y; y = next) {
            next = y->next;
            unsigned h = hash(y->name) & (unsigned)(cap - 1);
            y->next = tab[h];
            tab[h] = y;
        }
    s->tab = tab;
    s->cap = cap;
}

Sym *scope_add(Scope *s, SymKind k, const char *name, Ast *decl)
{
    if (s->n * 2 >= s->cap) rehash(s);
    Sym *y = arena_alloc(sizeof *y);
    y->kind = k;
    y->name = name;
    y->decl = decl;
    unsigned h = hash(name) & (unsigned)(s->cap - 1);
    y->next = s->tab[h];
    s->tab[h] = y;
    s->n++;
    return y;
}

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 32 || lb > 32) return 99;
    int d[33][33];
    for (int i = 0; i <= la; i++) d[i][0] = i;
    for (int j = 0; j <= lb; j++) d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

const char *scope_suggest(Scope *s, const char *name)
{
    const char *best = NULL;
    int bestd = (int)strlen(name) <= 3 ? 1 : 2;
    for (; s; s = s->parent)
        for (int u = -1; u < s->uses.n; u++) {
            Scope *t = u < 0 ? s : s->uses.v[u];
            for (int i = 0; i < t->cap; i++)
                for (Sym *y = t->tab[i]; y; y = y->next) {
                    int d = edit_distance(name, y->name);
                    if (d <= bestd && (!best || d < bestd)) {
                        best = y->name;
                        bestd = d;
                    }
                }
        }
    return best;
}

/* ---- declarations -------------------------------------------------------------------------- */

static Scope *builtins;

const char *const builtin_name[] = {
#define X(id, name, lo, hi) name,
    BUILTINS(X)
#undef X
};
const int builtin_min_args[] = {
#define X(id, name, lo, hi) lo,
    BUILTINS(X)
#undef X
};
const int builtin_max_args[] = {
#define X(id, name, lo, hi) hi,
    BUILTINS(X)
#undef X
};

static Scope *builtin_scope(void)
{
    Scope *s = scope_new(NULL);
    for (int i = 0; i < N_BUILTINS; i++) scope_add(s, SYM_BUILTIN, builtin_name[i], NULL)->index = i;
    scope_add(s, SYM_CONST, "SR", NULL)->index = CONST_SR;
    scope_add(s, SYM_CONST, "pi", NULL)->index = CONST_PI;
    scope_add(s, SYM_CONST, "tau", NULL)->index = CONST_TAU;
    return s;
}

static const char *sym_what(Sym *y)
{
    switch (y->kind) {
    case SYM_INPUT: return "an input";
    case SYM_PARAM: return "a parameter";
    case SYM_BLOCK: return "a block";
    case SYM_DEF: return "a signal";
    case SYM_OUTPUT: return "an output";
    case SYM_PROBE: return "a probe";
    case SYM_BUILTIN: return "a built-in function";
    case SYM_CONST: return "a built-in constant";
    case SYM_FORMAL: return "a block input";
    case SYM_ITER: return "an iteration variable";
    case SYM_TABLE: return "a table";
    }
    return "a name";
}

/* Declare `name` in s; a second declaration in the same scope is an error. */
static Sym *declare(Scope *s, SymKind k, Ast *name_node, Ast *decl)
{
    const char *name = name_node->name;
    Sym *old = scope_lookup_here(s, name);
    if (!old && builtins) old = scope_lookup_here(builtins, name);
    if (old && old->kind == SYM_CONST) {
        error(name_node->loc, "'%s' is a built-in constant and cannot be redefined", name);
        return scope_add(scope_new(NULL), k, name, decl);
    }
    if (old && old->kind != SYM_BUILTIN) {
        error(name_node->loc, "'%s' is already defined", name);
        note(old->loc, "'%s' is first defined here as %s", name, sym_what(old));
        return old;
    }
    Sym *y = scope_add(s, k, name, decl);
    y->loc = name_node->loc;
    return y;
}

/* ---- parameters ---------------------------------------------------------------------------- */

/* A parameter's default and range are numbers in one unit: `2kHz`, `-6dB`, `0.5`, `-1`. */
static bool param_number(Ast *e, double *v, int *unit)
{
    switch (e->kind) {
    case A_NUM:
        *v = e->num;
        *unit = e->unit;
        return true;
    case A_UNOP:
        if (e->op == OP_NEG && param_number(e->a, v, unit)) { *v = -*v; return true; }
        return false;
    case A_NAME:
        if (strcmp(e->name, "pi") == 0) { *v = M_PI; *unit = -1; return true; }
        if (strcmp(e->name, "tau") == 0) { *v = 2 * M_PI; *unit = -1; return true; }
        return false;
    case A_BINOP: {
        double a, b;
        int ua, ub;
        if (!param_number(e->a, &a, &ua) || !param_number(e->b, &b, &ub)) return false;
        if (ua >= 0 || ub >= 0) return false;
        *unit = -1;
        switch (e->op) {
        case OP_ADD: *v = a + b; return true;
        case OP_SUB: *v = a - b; return true;
        case OP_MUL: *v = a * b; return true;
        case OP_DIV: *v = a / b; return isfinite(*v);
        default: return false;
        }
    }
    default:
        return false;
    }
}

static void resolve_param(Program *p, Ast *s, int index)
{
    double v[3] = { 0, 0, 1 };
    int u[3] = { -1, -1, -1 };
    if (s->op != AGRAPH_PARAM_SLIDER) {
        v[0] = 0;
    } else {
        Ast *e[3] = { s->a, s->b, s->c };
        const char *what[3] = { "default", "minimum", "maximum" };
        for (int i = 0; i < 3; i++)
            if (!param_number(e[i], &v[i], &u[i]))
                fatal(e[i]->loc, "a parameter's %s must be a constant number, like 440Hz or -6dB",
                      what[i]);
        /* The unit is the default's; the range converts to it when the dimension agrees. */
        for (int i = 1; i < 3; i++) {
            if (u[i] == u[0]) continue;
            int d0 = u[0] >= 0 ? unit_dim[u[0]] : AGRAPH_DIM_NONE;
            int di = u[i] >= 0 ? unit_dim[u[i]] : AGRAPH_DIM_NONE;
            if (d0 != di || d0 == AGRAPH_DIM_NONE) {
                error(e[i]->loc, "the %s is in %s but the default is in %s", what[i],
                      u[i] >= 0 ? unit_spelling[u[i]] : "no unit",
                      u[0] >= 0 ? unit_spelling[u[0]] : "no unit");
                note(e[0]->loc, "the default is here");
                return;
            }
            v[i] = v[i] * unit_factor[u[i]] / unit_factor[u[0]];
        }
        if (!(v[1] < v[2])) {
            error(loc_span(e[1]->loc, e[2]->loc),
                  "empty range: the minimum %g must be less than the maximum %g", v[1], v[2]);
            return;
        }
        if (v[0] < v[1] || v[0] > v[2]) {
            const char *us = u[0] >= 0 ? unit_spelling[u[0]] : "";
            error(e[0]->loc, "default %g%s is outside the range [%g%s, %g%s]", v[0], us, v[1], us,
                  v[2], us);
            note(loc_span(e[1]->loc, e[2]->loc), "the range is declared here");
            return;
        }
        if (s->scale == AGRAPH_SCALE_LOG && v[1] <= 0) {
            error(e[1]->loc, "a log-scale parameter needs a positive range (the minimum is %g)", v[1]);
            return;
        }
    }
    p->param_def[index] = v[0];
    p->param_min[index] = v[1];
    p->param_max[index] = v[2];
    p->param_unit[index] = u[0];
}

/* ---- expressions --------------------------------------------------------------------------- */

static void resolve_expr(Scope *s, Ast *e);

static void unknown(Scope *s, Ast *at, const char *name, const char *what);

/* The one call that may be soundfile(...): the value of the table statement being resolved. */
static Ast *table_value;

/* conv(x, t): t names a table (not a call of it). */
static void resolve_table_arg(Scope *s, Ast *e)
{
    Sym *y = e->kind == A_NAME ? scope_lookup(s, e->name) : NULL;
    if (e->kind == A_NAME && !y) {
        unknown(s, e, e->name, "name");
        return;
    }
    if (!y || y->kind != SYM_TABLE) {
        error(e->loc, "conv's second argument is a table's name (table h = ...; conv(x, h))");
        if (y && y->loc.src) note(y->loc, "'%s' is %s, defined here", e->name, sym_what(y));
        return;
    }
    e->sym = y;
}

static void unknown(Scope *s, Ast *at, const char *name, const char *what)
{
    const char *sug = scope_suggest(s, name);
    if (sug) error(at->loc, "unknown %s '%s'; did you mean '%s'?", what, name, sug);
    else error(at->loc, "unknown %s '%s'", what, name);
}

static void bind_call(Scope *s, Ast *e)
{
    Sym *y = scope_lookup(s, e->name);
    if (!y) {
        unknown(s, e->b, e->name, "block or function");
        return;
    }
    e->sym = y;
    int npos = 0;
    for (int i = 0; i < e->args.n; i++) {
        Ast *a = VEC_AT(e->args, i, Ast *);
        if (!a->name) {
            if (i > npos) {
                error(a->loc, "a positional argument cannot follow a named one");
                return;
            }
            npos++;
        }
    }
    if (y->kind == SYM_BUILTIN) {
        int lo = builtin_min_args[y->index], hi = builtin_max_args[y->index];
        int b = y->index, positional = 0;
        for (int i = 0; i < e->args.n; i++) {
            Ast *a = VEC_AT(e->args, i, Ast *);
            if (!a->name) { positional++; continue; }
            const char *opts = b == B_STFT ? "hop, window" : b == B_ISTFT ? "window"
                             : b == B_SOUNDFILE ? "max, channel" : b == B_CONV ? "partition" : NULL;
            bool win_ok = (b == B_STFT || b == B_ISTFT) && !strcmp(a->name, "window");
            bool known = win_ok || (b == B_STFT && !strcmp(a->name, "hop")) ||
                         (b == B_SOUNDFILE && (!strcmp(a->name, "max") || !strcmp(a->name, "channel"))) ||
                         (b == B_CONV && !strcmp(a->name, "partition"));
            if (!known) {
                if (opts)
                    error(a->loc, "'%s' has no option '%s' (options: %s)", e->name, a->name, opts);
                else
                    error(a->loc, "built-in function '%s' takes no named arguments", e->name);
                return;
            }
            if (win_ok) {
                bool known = a->a->kind == A_NAME;
                for (int w = 0; known && w < 4; w++)
                    if (!strcmp(a->a->name, window_name[w])) goto window_ok;
                error(a->a->loc, "unknown window (windows: hann, hamming, blackman, rect)");
                return;
            window_ok:
                a->a->sym = NULL;
            }
        }
        if (b == B_SOUNDFILE) {
            if (e != table_value) {
                error(e->loc, "a sound file is loaded into a table: table NAME = soundfile(\"file.wav\", max: 2s)");
                return;
            }
            bool has_max = false;
            for (int i = 0; i < e->args.n; i++) {
                Ast *a = VEC_AT(e->args, i, Ast *);
                has_max |= a->name && !strcmp(a->name, "max");
            }
            if (positional == 1 && VEC_AT(e->args, 0, Ast *)->a->kind != A_STRING) {
                error(VEC_AT(e->args, 0, Ast *)->a->loc, "soundfile takes the file's name in quotes, as in soundfile(\"ir.wav\", max: 2s)");
                return;
            }
            if (positional == 1 && !has_max) {
                error(e->loc, "soundfile needs its longest length, as in soundfile(\"ir.wav\", max: 2s): it sizes the table");
                return;
            }
        }
        if (positional < lo || positional > hi) {
            if (lo == hi)
                error(e->loc, "'%s' takes %d argument%s, but %d %s given", e->name, lo,
                      lo == 1 ? "" : "s", positional, positional == 1 ? "was" : "were");
            else
                error(e->loc, "'%s' takes %d to %d arguments, but %d %s given", e->name, lo, hi,
                      positional, positional == 1 ? "was" : "were");
        }
        return;
    }
    if (y->kind == SYM_TABLE) {
        if (e->args.n != 1 || VEC_AT(e->args, 0, Ast *)->name)
            error(e->loc, "a table is read with one position, as in %s(i)", e->name);
        return;
    }
    if (y->kind != SYM_BLOCK) {
        error(e->b->loc, "'%s' is %s, not a block: it cannot be called", e->name, sym_what(y));
        if (y->loc.src) note(y->loc, "'%s' is defined here", e->name);
        return;
    }
    /* Match arguments to the block's inputs: positional first, then by name, then defaults. */
    Ast *blk = y->decl;
    int nf = blk->args.n;
    e->bound = arena_alloc(sizeof(Ast *) * (size_t)(nf + 1));
    if (npos > nf) {
        error(e->loc, "block '%s' takes %d input%s, but %d %s given", e->name, nf,
              nf == 1 ? "" : "s", npos, npos == 1 ? "was" : "were");
        note(blk->loc, "'%s' is declared here", e->name);
        return;
    }
    for (int i = 0; i < npos; i++) e->bound[i] = VEC_AT(e->args, i, Ast *)->a;
    for (int i = npos; i < e->args.n; i++) {
        Ast *a = VEC_AT(e->args, i, Ast *);
        int k = -1;
        for (int j = 0; j < nf; j++)
            if (strcmp(VEC_AT(blk->args, j, Ast *)->name, a->name) == 0) k = j;
        if (k < 0) {
            error(a->loc, "block '%s' has no input named '%s'", e->name, a->name);
            note(blk->loc, "'%s' is declared here", e->name);
            return;
        }
        if (e->bound[k]) {
            error(a->loc, "input '%s' of '%s' is given twice", a->name, e->name);
            return;
        }
        e->bound[k] = a->a;
    }
    for (int j = 0; j < nf; j++) {
        Ast *f = VEC_AT(blk->args, j, Ast *);
        if (!e->bound[j] && !f->a) {
            error(e->loc, "block '%s' takes %d input%s, but %d %s given (missing '%s')", e->name,
                  nf, nf == 1 ? "" : "s", e->args.n, e->args.n == 1 ? "was" : "were", f->name);
            note(blk->loc, "'%s' is declared here", e->name);
            return;
        }
    }
}

static void resolve_expr(Scope *s, Ast *e)
{
    if (!e) return;
    switch (e->kind) {
    case A_NUM:
        return;
    case A_STRING:
        error(e->loc, "a string can only name a sound file, as in table ir = soundfile(\"ir.wav\", max: 2s)");
        return;
    case A_NAME: {
        Sym *y = scope_lookup(s, e->name);
        if (!y) {
            unknown(s, e, e->name, "name");
            return;
        }
        if (y->kind == SYM_BLOCK || y->kind == SYM_BUILTIN || y->kind == SYM_TABLE) {
            error(e->loc, "'%s' is %s; call it, as in %s(...)", e->name, sym_what(y), e->name);
            return;
        }
        e->sym = y;
        return;
    }
    case A_CALL: {
        Sym *callee = scope_lookup(s, e->name);
        bool builtin = callee && callee->kind == SYM_BUILTIN;
        for (int i = 0; i < e->args.n; i++) {
            Ast *a = VEC_AT(e->args, i, Ast *);
            if (a->name && !strcmp(a->name, "window") && a->a->kind == A_NAME) continue;
            if (builtin && callee->index == B_SOUNDFILE && !a->name && a->a->kind == A_STRING) continue;
            if (builtin && callee->index == B_CONV && i == 1 && !a->name) {
                resolve_table_arg(s, a->a);
                continue;
            }
            resolve_expr(s, a->a);
        }
        bind_call(s, e);
        return;
    }
    case A_ITER: {
        resolve_expr(s, e->a);
        resolve_expr(s, e->b);
        resolve_expr(s, e->d);
        Scope *in = scope_new(s);
        e->syms = arena_alloc(sizeof(Sym *) * 2);
        e->syms[0] = declare(in, SYM_ITER, e->names.v[0], e);
        if (e->name2) {
            e->syms[1] = declare(in, SYM_ITER, e->names.v[1], e);
            e->syms[1]->index = 1;
        }
        resolve_expr(in, e->c);
        return;
    }
    case A_TUPLE:
        for (int i = 0; i < e->args.n; i++) resolve_expr(s, e->args.v[i]);
        return;
    default:
        resolve_expr(s, e->a);
        resolve_expr(s, e->b);
        resolve_expr(s, e->c);
        return;
    }
}

static void declare_def(Scope *s, Ast *st, SymKind k)
{
    st->syms = arena_alloc(sizeof(Sym *) * (size_t)st->names.n);
    for (int i = 0; i < st->names.n; i++) {
        st->syms[i] = declare(s, k, st->names.v[i], st);
        st->syms[i]->index = i;
    }
}

static void resolve_block(Scope *global, Ast *blk)
{
    Scope *s = scope_new(global);
    blk->syms = arena_alloc(sizeof(Sym *) * (size_t)(blk->args.n + 1));
    for (int i = 0; i < blk->args.n; i++) {
        Ast *f = VEC_AT(blk->args, i, Ast *);
        Ast nm = { .kind = A_NAME, .loc = f->loc, .name = f->name };
        nm.loc.len = (int)strlen(f->name);
        Sym *dup = scope_lookup_here(s, f->name);
        if (dup) {               /* already reported by the parser's block builder */
            blk->syms[i] = dup;
            continue;
        }
        blk->syms[i] = declare(s, SYM_FORMAL, &nm, f);
        blk->syms[i]->index = i;
        resolve_expr(global, f->a);    /* defaults see only globals */
    }
    for (int i = 0; i < blk->body.n; i++) {
        Ast *st = VEC_AT(blk->body, i, Ast *);
        if (st->kind == S_DEF) {
            declare_def(s, st, SYM_DEF);
            st->owner = blk;
        }
    }
    for (int i = 0; i < blk->body.n; i++) {
        Ast *st = VEC_AT(blk->body, i, Ast *);
        resolve_expr(s, st->a);
    }
    if (!blk->body.n) resolve_expr(s, blk->a);
}

/* Declare a module's items in scope s, then resolve their bodies. */
static void resolve_module(Program *p, Module *m, Scope *s)
{
    for (int i = 0; i < m->items.n; i++) {
        Ast *st = m->items.v[i];
        if (!m->is_main && (st->kind == S_INPUT || st->kind == S_OUTPUT || st->kind == S_PARAM ||
                            st->kind == S_PROBE)) {
            error(st->loc, "module '%s' declares %s: only the main program has inputs, outputs, "
                  "parameters and probes", m->name,
                  st->kind == S_INPUT ? "an input" : st->kind == S_OUTPUT ? "an output" :
                  st->kind == S_PARAM ? "a parameter" : "a probe");
            /* still declare its names, so their uses raise no second error */
            if (st->kind == S_PROBE) {
                Ast nm = { .kind = A_NAME, .loc = st->b->loc, .name = st->name };
                st->sym = declare(s, SYM_PROBE, &nm, st);
            } else {
                declare_def(s, st, st->kind == S_INPUT ? SYM_INPUT : st->kind == S_PARAM ? SYM_PARAM : SYM_OUTPUT);
            }
            continue;
        }
        switch (st->kind) {
        case S_INPUT:
            declare_def(s, st, SYM_INPUT);
            for (int j = 0; j < st->names.n; j++) {
                st->syms[j]->index = p->inputs.n;
                vec_push(&p->inputs, st->names.v[j]);
            }
            break;
        case S_PARAM:
            declare_def(s, st, SYM_PARAM);
            st->syms[0]->index = p->params.n;
            vec_push(&p->params, st);
            break;
        case S_BLOCK: {
            Ast nm = { .kind = A_NAME, .loc = st->b->loc, .name = st->name };
            st->sym = declare(s, SYM_BLOCK, &nm, st);
            break;
        }
        case S_DEF:
            declare_def(s, st, SYM_DEF);
            break;
        case S_OUTPUT:
            declare_def(s, st, SYM_OUTPUT);
            vec_push(&p->outputs, st);
            break;
        case S_PROBE: {
            Ast nm = { .kind = A_NAME, .loc = st->b->loc, .name = st->name };
            st->sym = declare(s, SYM_PROBE, &nm, st);
            vec_push(&p->probes, st);
            break;
        }
        case S_TABLE: {
            Ast nm = { .kind = A_NAME, .loc = st->b->loc, .name = st->name };
            st->sym = declare(s, SYM_TABLE, &nm, st);
            break;
        }
        default:
            break;
        }
    }
    for (int i = 0; i < m->items.n; i++) {
        Ast *st = m->items.v[i];
        if (st->kind == S_BLOCK) resolve_block(s, st);
        else if (st->kind == S_TABLE) {
            table_value = st->a;
            resolve_expr(s, st->a);
            table_value = NULL;
        } else if (st->kind == S_DEF || st->kind == S_OUTPUT || st->kind == S_PROBE)
            resolve_expr(s, st->a);
    }
}

/* Two imported modules must not both define a name that the importer could mean. */
static void check_import_clash(Scope *importer, Module *im)
{
    for (int u = 0; u < importer->uses.n; u++) {
        Scope *other = importer->uses.v[u];
        for (int i = 0; i < im->scope->cap; i++)
            for (Sym *y = im->scope->tab[i]; y; y = y->next) {
                Sym *old = scope_lookup_here(other, y->name);
                if (old) {
                    error(y->loc, "'%s' is defined by two imported modules", y->name);
                    note(old->loc, "the other definition is here");
                }
            }
    }
}

Program *resolve_program(Module *main)
{
    Program *p = arena_alloc(sizeof *p);
    p->main = main;
    builtins = builtin_scope();
    /* Each module sees builtins, then the items of the modules it imports, then its own.
     * Modules come dependencies first, so an imported module's scope is complete. */
    for (int i = 0; i < all_modules.n; i++) {
        Module *m = all_modules.v[i];
        Scope *own = scope_new(builtins);
        m->scope = own;
        for (int j = 0; j < m->imports.n; j++) {
            Module *im = m->imports.v[j];
            check_import_clash(own, im);
            vec_push(&own->uses, im->scope);
        }
        if (m->is_main) {
            p->globals = own;
            int np = 0;
            for (int k = 0; k < m->items.n; k++) np += ((Ast *)m->items.v[k])->kind == S_PARAM;
            p->param_def = arena_alloc(sizeof(double) * (size_t)(np + 1));
            p->param_min = arena_alloc(sizeof(double) * (size_t)(np + 1));
            p->param_max = arena_alloc(sizeof(double) * (size_t)(np + 1));
            p->param_unit = arena_alloc(sizeof(int) * (size_t)(np + 1));
        }
        resolve_module(p, m, own);
    }
    for (int i = 0; i < p->params.n; i++) resolve_param(p, p->params.v[i], i);
    if (p->outputs.n == 0 && error_count() == 0)
        error(no_loc, "%s: the program has no output (declare one: output out = ...)",
              main->src.path);
    return p;
}
