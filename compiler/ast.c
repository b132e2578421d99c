/* ast.c — the syntax tree: the builders parse.y calls (each checks what the grammar alone
 * cannot), the syntax-error handler, and the `--dump=ast` printer. */
#include "agraph.h"
#include "build_ast.h"
#include "parse.h"

#include <math.h>
#include <string.h>

#define MAX_DEPTH 100000  /* expression depth; deeper is an error, never a stack overflow */

const char *const op_spelling[] = {
#define X(k, s) s,
    OPERATORS(X)
#undef X
};

static const char *const kind_names[] = {
#define X(k, s) s,
    AST_KINDS(X)
#undef X
};

const char *ast_kind_name(AstKind k) { return kind_names[k]; }

Ast *ast_new(AstKind k, Loc loc)
{
    Ast *a = arena_alloc(sizeof *a);
    a->kind = k;
    a->loc = loc;
    a->unit = -1;
    return a;
}

static Ast *node(Module *m, AstKind k, Loc loc)
{
    Ast *a = ast_new(k, loc);
    a->module = m;
    return a;
}

/* Expression depth, bounded so later passes can recurse safely. */
static void set_depth(Ast *a, int d)
{
    a->depth = d + 1;
    if (a->depth > MAX_DEPTH)
        fatal(a->loc, "expression is too long or nested too deeply (more than %d levels)", MAX_DEPTH);
}

static int maxd(Ast *a, Ast *b)
{
    int x = a ? a->depth : 0, y = b ? b->depth : 0;
    return x > y ? x : y;
}

void module_add(Module *m, Ast *item)
{
    if (item) vec_push(&m->items, item);
}

Ast *mk_list(Module *m) { return node(m, A_TUPLE, no_loc); }

Ast *list_add(Ast *list, Ast *x)
{
    vec_push(&list->args, x);
    if (x && x->depth >= list->depth) list->depth = x->depth;
    return list;
}

/* ---- statements ---------------------------------------------------------------------------- */

Ast *mk_import(Module *m, Token *kw, Token *name)
{
    Ast *a = node(m, S_IMPORT, loc_span(kw->loc, name->loc));
    a->name = name->str;
    a->b = node(m, A_NAME, name->loc);
    return a;
}

Ast *mk_target(Module *m, Token *name)
{
    Ast *t = node(m, A_TUPLE, name->loc);
    Ast *n = node(m, A_NAME, name->loc);
    n->name = name->str;
    vec_push(&t->names, n);
    return t;
}

Ast *target_add(Module *m, Ast *t, Token *name)
{
    Ast *n = node(m, A_NAME, name->loc);
    n->name = name->str;
    vec_push(&t->names, n);
    t->loc = loc_span(t->loc, name->loc);
    return t;
}

Ast *target_close(Ast *t, Token *open, Token *close)
{
    t->loc = loc_span(open->loc, close->loc);
    return t;
}

Ast *mk_input(Module *m, Token *kw, Ast *target)
{
    Ast *a = node(m, S_INPUT, loc_span(kw->loc, target->loc));
    a->names = target->names;
    return a;
}

Ast *mk_def(Module *m, Ast *target, Ast *e)
{
    Ast *a = node(m, S_DEF, loc_span(target->loc, e->loc));
    a->names = target->names;
    a->a = e;
    a->b = target;
    return a;
}

Ast *mk_output(Module *m, Token *kw, Ast *target, Ast *e)
{
    Ast *a = node(m, S_OUTPUT, loc_span(kw->loc, e->loc));
    a->names = target->names;
    a->a = e;
    a->b = target;
    return a;
}

Ast *mk_probe(Module *m, Token *kw, Token *name, Ast *e)
{
    Ast *a = node(m, S_PROBE, loc_span(kw->loc, e->loc));
    a->name = name->str;
    a->b = node(m, A_NAME, name->loc);
    a->a = e;
    return a;
}

Ast *mk_table(Module *m, Token *kw, Token *name, Ast *e)
{
    Ast *a = mk_probe(m, kw, name, e);
    a->kind = S_TABLE;
    return a;
}

Ast *mk_attrs(Module *m)
{
    Ast *a = node(m, S_PARAM, no_loc);
    a->scale = AGRAPH_SCALE_LINEAR;
    return a;
}

Ast *attrs_word(Module *m, Ast *a, Token *word)
{
    if (strcmp(word->str, "log") == 0) a->scale = AGRAPH_SCALE_LOG;
    else if (strcmp(word->str, "linear") == 0) a->scale = AGRAPH_SCALE_LINEAR;
    else
        fatal(word->loc, "unknown parameter attribute '%s' (expected 'log', 'linear' or a \"label\")",
              word->str);
    a->loc = a->loc.src ? loc_span(a->loc, word->loc) : word->loc;
    return a;
}

Ast *attrs_label(Module *m, Ast *a, Token *s)
{
    if (a->str) fatal(s->loc, "a parameter has one label");
    a->str = s->str;
    a->d = node(m, A_STRING, s->loc);
    a->loc = a->loc.src ? loc_span(a->loc, s->loc) : s->loc;
    return a;
}

Ast *mk_param(Module *m, Token *kw, Token *name, Ast *def, Ast *lo, Ast *hi, Ast *attrs)
{
    Ast *a = attrs;
    a->kind = S_PARAM;
    a->op = AGRAPH_PARAM_SLIDER;
    a->loc = loc_span(kw->loc, attrs->loc.src ? attrs->loc : hi->loc);
    a->name = name->str;
    a->name2 = NULL;
    a->a = def;
    a->b = lo;
    a->c = hi;
    a->args.n = 0;
    vec_push(&a->names, node(m, A_NAME, name->loc));
    VEC_AT(a->names, 0, Ast *)->name = name->str;
    return a;
}

Ast *mk_switch(Module *m, Token *kw, Token *name, Ast *attrs, int kind)
{
    Ast *a = attrs;
    if (a->scale == AGRAPH_SCALE_LOG) fatal(a->loc, "a %s has no scale", kind == 1 ? "button" : "toggle");
    a->kind = S_PARAM;
    a->op = kind;
    a->loc = loc_span(kw->loc, attrs->loc.src ? attrs->loc : name->loc);
    a->name = name->str;
    vec_push(&a->names, node(m, A_NAME, name->loc));
    VEC_AT(a->names, 0, Ast *)->name = name->str;
    return a;
}

Ast *mk_formal(Module *m, Token *name, Ast *def)
{
    Ast *a = node(m, A_ARG, def ? loc_span(name->loc, def->loc) : name->loc);
    a->name = name->str;
    a->a = def;
    return a;
}

Ast *mk_return(Module *m, Token *kw, Ast *e)
{
    Ast *a = node(m, S_RETURN, loc_span(kw->loc, e->loc));
    a->a = e;
    return a;
}

Ast *body_add(Ast *body, Ast *item)
{
    vec_push(&body->body, item);
    return body;
}

static Ast *block_common(Module *m, Token *kw, Token *name, Ast *formals)
{
    Ast *a = node(m, S_BLOCK, loc_span(kw->loc, name->loc));
    a->name = name->str;
    a->b = node(m, A_NAME, name->loc);
    a->args = formals->args;
    for (int i = 0; i < a->args.n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(VEC_AT(a->args, i, Ast *)->name, VEC_AT(a->args, j, Ast *)->name) == 0) {
                error(VEC_AT(a->args, i, Ast *)->loc, "block '%s' has two inputs named '%s'",
                      a->name, VEC_AT(a->args, i, Ast *)->name);
                note(VEC_AT(a->args, j, Ast *)->loc, "the first is here");
            }
    /* Inputs with defaults come last, so a positional call stays unambiguous. */
    bool seen_default = false;
    for (int i = 0; i < a->args.n; i++) {
        Ast *f = VEC_AT(a->args, i, Ast *);
        if (f->a) seen_default = true;
        else if (seen_default)
            error(f->loc, "input '%s' needs a default: it follows an input that has one", f->name);
    }
    return a;
}

Ast *mk_block(Module *m, Token *kw, Token *name, Ast *formals, Ast *body, Token *close)
{
    Ast *a = block_common(m, kw, name, formals);
    a->body = body->body;
    Ast *ret = NULL;
    for (int i = 0; i < a->body.n; i++) {
        Ast *s = VEC_AT(a->body, i, Ast *);
        if (s->kind == S_RETURN) {
            if (ret) {
                error(s->loc, "block '%s' returns twice", a->name);
                note(ret->loc, "the first return is here");
            }
            ret = s;
        }
    }
    if (!ret) fatal(close->loc, "block '%s' has no 'return'", a->name);
    a->a = ret->a;
    return a;
}

Ast *mk_block_expr(Module *m, Token *kw, Token *name, Ast *formals, Ast *e)
{
    Ast *a = block_common(m, kw, name, formals);
    a->a = e;
    return a;
}

/* ---- expressions --------------------------------------------------------------------------- */

Ast *mk_num(Module *m, Token *n)
{
    Ast *a = node(m, A_NUM, n->loc);
    a->num = n->num;
    a->unit = n->unit;
    a->is_int = n->is_int;
    set_depth(a, 0);
    return a;
}

Ast *mk_name(Module *m, Token *n)
{
    Ast *a = node(m, A_NAME, n->loc);
    a->name = n->str;
    set_depth(a, 0);
    return a;
}

/* A string is a file name: resolve.c allows it only in soundfile("...") */
Ast *mk_string(Module *m, Token *s)
{
    Ast *a = node(m, A_STRING, s->loc);
    a->str = s->str;
    set_depth(a, 0);
    return a;
}

Ast *mk_arg(Module *m, Token *name, Ast *e)
{
    Ast *a = node(m, A_ARG, name ? loc_span(name->loc, e->loc) : e->loc);
    a->name = name ? name->str : NULL;
    a->a = e;
    a->depth = e->depth;
    return a;
}

Ast *mk_call(Module *m, Token *name, Ast *args, Token *close)
{
    Ast *a = node(m, A_CALL, loc_span(name->loc, close->loc));
    a->name = name->str;
    a->b = node(m, A_NAME, name->loc);
    a->b->name = name->str;
    a->args = args->args;
    set_depth(a, args->depth);
    return a;
}

Ast *mk_paren(Module *m, Token *open, Ast *args, Token *close)
{
    Loc loc = loc_span(open->loc, close->loc);
    if (args->args.n == 0) fatal(loc, "empty parentheses: a tuple needs at least one element");
    for (int i = 0; i < args->args.n; i++) {
        Ast *x = VEC_AT(args->args, i, Ast *);
        if (x->name) fatal(x->loc, "a named argument ('%s:') belongs in a call", x->name);
    }
    if (args->args.n == 1) {
        Ast *e = VEC_AT(args->args, 0, Ast *)->a;
        e->loc = loc;        /* the span includes the parentheses */
        e->str = "()";       /* remembers it was parenthesized */
        return e;
    }
    Ast *a = node(m, A_TUPLE, loc);
    for (int i = 0; i < args->args.n; i++) vec_push(&a->args, VEC_AT(args->args, i, Ast *)->a);
    set_depth(a, args->depth);
    return a;
}

Ast *mk_binop(Module *m, int op, Ast *x, Ast *y)
{
    Ast *a = node(m, A_BINOP, loc_span(x->loc, y->loc));
    a->op = op;
    a->a = x;
    a->b = y;
    set_depth(a, maxd(x, y));
    return a;
}

/* `-6dB` is a gain of -6 decibels, not the negation of a +6 dB gain. */
Ast *mk_neg(Module *m, Token *minus, Ast *x)
{
    if (x->kind == A_NUM && !x->str && !x->op) {
        x->num = -x->num;
        x->op = 1;           /* negated once: --6dB is -(-6dB) */
        x->loc = loc_span(minus->loc, x->loc);
        return x;
    }
    Ast *a = node(m, A_UNOP, loc_span(minus->loc, x->loc));
    a->op = OP_NEG;
    a->a = x;
    set_depth(a, x->depth);
    return a;
}

Ast *mk_not(Module *m, Token *bang, Ast *x)
{
    Ast *a = node(m, A_UNOP, loc_span(bang->loc, x->loc));
    a->op = OP_NOT;
    a->a = x;
    set_depth(a, x->depth);
    return a;
}

/* a |> f(b, c) is f(a, b, c); a |> f is f(a). */
Ast *mk_pipe(Module *m, Ast *x, Ast *f)
{
    Ast *call;
    if (f->kind == A_CALL && !f->str) {
        call = f;
    } else if (f->kind == A_NAME && !f->str) {
        call = node(m, A_CALL, f->loc);
        call->name = f->name;
        call->b = f;
    } else {
        fatal(f->loc, "the right side of '|>' must be a block or function, like f or f(b)");
    }
    Ast *arg = mk_arg(m, NULL, x);
    Vec args = {0};
    vec_push(&args, arg);
    for (int i = 0; i < call->args.n; i++) vec_push(&args, call->args.v[i]);
    Ast *a = node(m, A_CALL, loc_span(x->loc, f->loc));
    a->name = call->name;
    a->b = call->b;
    a->args = args;
    set_depth(a, maxd(x, f));
    return a;
}

Ast *mk_delay_args(Module *m, Token *open, Ast *args, Token *close)
{
    Loc loc = loc_span(open->loc, close->loc);
    Ast *len = NULL, *max = NULL;
    for (int i = 0; i < args->args.n; i++) {
        Ast *x = VEC_AT(args->args, i, Ast *);
        if (!x->name) {
            if (len) fatal(x->loc, "a delay takes one length: x@(length) or x@(length, max: bound)");
            len = x->a;
        } else if (strcmp(x->name, "max") == 0) {
            if (max) fatal(x->loc, "'max' is given twice");
            max = x->a;
        } else {
            fatal(x->loc, "unknown delay option '%s' (the one option is 'max')", x->name);
        }
    }
    if (!len) fatal(loc, "a delay needs a length: x@(length) or x@(length, max: bound)");
    Ast *a = node(m, A_ARG, loc);   /* carries length (a) and bound (b) to mk_delay */
    a->a = len;
    a->b = max;
    a->str = "()";
    a->depth = maxd(len, max);
    return a;
}

Ast *mk_delay(Module *m, Ast *x, Ast *len)
{
    Ast *a = node(m, A_DELAY, loc_span(x->loc, len->loc));
    a->a = x;
    if (len->kind == A_ARG) {
        a->b = len->a;
        a->c = len->b;
    } else {
        a->b = len;
    }
    set_depth(a, maxd(x, len));
    return a;
}

Ast *mk_index(Module *m, Ast *x, Ast *i, Token *close)
{
    Ast *a = node(m, A_INDEX, loc_span(x->loc, close->loc));
    a->a = x;
    a->b = i;
    set_depth(a, maxd(x, i));
    return a;
}

Ast *mk_iter(Module *m, Token *kw, int kind, Token *var, Ast *lo, Ast *hi, Token *acc,
             Ast *start, Ast *body)
{
    Ast *a = node(m, A_ITER, loc_span(kw->loc, body->loc));
    a->op = kind;
    a->name = var->str;
    a->a = lo;
    a->b = hi;
    a->c = body;
    a->d = start;
    a->name2 = acc ? acc->str : NULL;
    a->args.n = 0;
    Ast *vn = node(m, A_NAME, var->loc);
    vn->name = var->str;
    vec_push(&a->names, vn);
    if (acc) {
        Ast *an = node(m, A_NAME, acc->loc);
        an->name = acc->str;
        vec_push(&a->names, an);
    }
    int d = maxd(lo, hi);
    if (body->depth > d) d = body->depth;
    if (start && start->depth > d) d = start->depth;
    set_depth(a, d);
    return a;
}

/* ---- syntax errors ------------------------------------------------------------------------- */

void parse_syntax_error(Module *m, int major, Token *tok)
{
    Loc at = tok->loc;
    char what[96];
    if (major == 0 || at.len == 0) snprintf(what, sizeof what, "end of file");
    else if (major == TK_NL && at.len == 1 && at.src->text[at.off] == '\n')
        snprintf(what, sizeof what, "end of line");
    else snprintf(what, sizeof what, "'%.*s'", at.len > 40 ? 40 : at.len, at.src->text + at.off);

    if (major == TK_IDENT && lex_prev_token() == TK_NUMBER &&
        unit_lookup(tok->str, strlen(tok->str)) >= 0) {
        error(at, "unexpected %s: write a unit right after its number, as in 2%s", what, tok->str);
    } else if (major == TK_LT || major == TK_LE || major == TK_GT || major == TK_GE ||
               major == TK_EQ || major == TK_NE) {
        error(at, "unexpected %s: comparisons do not chain; write a < b && b < c", what);
        diag_abort();
    } else if (major == TK_NL || major == 0) {
        error(at, "unexpected %s: the statement is incomplete", what);
    } else if (tok->str && (major == TK_IN || major == TK_FROM || major == TK_SUM ||
                            major == TK_PROD || major == TK_PAR || major == TK_CHAIN) &&
               lex_prev_token() != TK_IDENT) {
        error(at, "unexpected %s: '%s' is a keyword, not a name", what, tok->str);
    } else {
        error(at, "unexpected %s", what);
    }
    /* Running into a new statement, or the end, with a bracket open: point at the bracket. */
    bool ran_past = major == 0 || major == TK_NL || major == TK_RBRACE || major == TK_IMPORT ||
                    major == TK_INPUT || major == TK_OUTPUT || major == TK_PARAM ||
                    major == TK_BUTTON || major == TK_TOGGLE || major == TK_BLOCK ||
                    major == TK_PROBE || major == TK_RETURN;
    Loc open;
    char ch;
    if (ran_past && lex_open_bracket(&open, &ch)) {
        int line, col;
        loc_linecol(open, &line, &col);
        char close = ch == '(' ? ')' : ch == '[' ? ']' : '}';
        note(open, "expected '%c' to close '%c' at %d:%d?", close, ch, line, col);
    }
    diag_abort();
}

void parse_too_deep(Module *m)
{
    Loc at = lex_current_loc();
    if (!at.src) fatal(no_loc, "%s: the program is nested too deeply to parse", m->src.path);
    fatal(at, "the program is nested too deeply to parse");
}

/* ---- --dump=ast ---------------------------------------------------------------------------- */

static void dump(FILE *f, Ast *a, int ind);

static void dump_list(FILE *f, Vec *v, int ind)
{
    for (int i = 0; i < v->n; i++) dump(f, v->v[i], ind);
}

static void dump(FILE *f, Ast *a, int ind)
{
    if (!a) return;
    int line, col;
    loc_linecol(a->loc, &line, &col);
    fprintf(f, "%*s(%s", ind * 2, "", kind_names[a->kind]);
    switch (a->kind) {
    case A_NUM:
        fprintf(f, " %g%s", a->num, a->unit >= 0 ? unit_spelling[a->unit] : "");
        break;
    case A_BINOP: case A_UNOP:
        fprintf(f, " %s", op_spelling[a->op]);
        break;
    case A_ITER: {
        static const char *const it[] = { "sum", "prod", "par", "chain" };
        fprintf(f, " %s %s", it[a->op], a->name);
        if (a->name2) fprintf(f, " from %s", a->name2);
        break;
    }
    case A_STRING:
        fprintf(f, " \"%s\"", a->str);
        break;
    default:
        if (a->name) fprintf(f, " %s", a->name);
    }
    if (a->kind != S_PARAM && a->kind != A_ITER)
        for (int i = 0; i < a->names.n; i++) fprintf(f, " %s", VEC_AT(a->names, i, Ast *)->name);
    if (a->kind == S_PARAM) {
        fprintf(f, " kind=%d scale=%s", a->op, a->scale == AGRAPH_SCALE_LOG ? "log" : "linear");
        if (a->str) fprintf(f, " label=\"%s\"", a->str);
    }
    fprintf(f, " @%d:%d", line, col);
    if (a->kind == A_STRING || a->kind == A_NAME || a->kind == A_NUM || a->kind == S_IMPORT) {
        fprintf(f, ")\n");
        return;
    }
    fputc('\n', f);
    if (a->kind != S_BLOCK || !a->body.n) {
        dump(f, a->a, ind + 1);
    }
    if (a->kind != S_IMPORT && a->kind != S_PROBE && a->kind != S_TABLE && a->kind != S_DEF && a->kind != S_OUTPUT &&
        a->kind != S_BLOCK && a->kind != A_CALL)
        dump(f, a->b, ind + 1);
    dump(f, a->c, ind + 1);
    if (a->kind != S_PARAM) dump(f, a->d, ind + 1);
    dump_list(f, &a->args, ind + 1);
    dump_list(f, &a->body, ind + 1);
    fprintf(f, "%*s)\n", ind * 2, "");
}

void ast_dump(FILE *f, Vec *items)
{
    dump_list(f, items, 0);
}
