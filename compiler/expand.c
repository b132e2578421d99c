/* expand.c — elaboration: the resolved program becomes a graph. Each use of a block is
 * instantiated with its own nodes (so its own state), compile-time iteration is unrolled,
 * literals with units become arithmetic on SR, and parameters become the value the program
 * sees (docs/language.md: Blocks, Iteration, Units). */
#include "agraph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const node_op_name[] = {
#define X(k, s) s,
    NODE_OPS(X)
#undef X
};
const char *const type_name[] = { "?", "bool", "int", "float", "complex" };
const char *const rate_name[] = { "const", "init", "control", "audio", "frame" };
const char *const window_name[] = { "hann", "hamming", "blackman", "rect" };

int max_nodes = 2000000;
int max_iterations = 100000;

static Graph *G;
static Inst *cur_inst;
static Node *sr_node;
static int inst_counter;

static Loc iter_range;       /* the innermost iteration being unrolled, if any */

static Node *new_node(NodeOp op, Loc loc, int nargs)
{
    if (G->nodes.n >= max_nodes) {
        if (iter_range.src)
            fatal(iter_range, "the program expands to more than %d nodes; is this iteration "
                  "count too large?", max_nodes);
        error(loc, "the program expands to more than %d nodes: each use of a block copies it, "
              "so blocks that use blocks multiply", max_nodes);
        note_instances(cur_inst);
        diag_abort();
    }
    Node *n = arena_alloc(sizeof *n);
    n->op = op;
    n->id = G->nodes.n;
    n->loc = loc;
    n->inst = cur_inst;
    n->nargs = nargs;
    n->clock = -1;
    n->args = nargs ? arena_alloc(sizeof(Node *) * (size_t)nargs) : NULL;
    n->arg_loc = nargs ? arena_alloc(sizeof(Loc) * (size_t)nargs) : NULL;
    vec_push(&G->nodes, n);
    return n;
}

static Node *constant(double v, bool is_int, Loc loc)
{
    Node *n = new_node(N_CONST, loc, 0);
    n->cval = v;
    n->is_int = is_int;
    return n;
}

static Node *binop(int op, Node *a, Node *b, Loc loc)
{
    Node *n = new_node(N_BINOP, loc, 2);
    n->index = op;
    n->args[0] = a;
    n->args[1] = b;
    return n;
}

static Node *call1(int builtin, Node *a, Loc loc)
{
    Node *n = new_node(N_CALL, loc, 1);
    n->index = builtin;
    n->args[0] = a;
    return n;
}

void note_instances(Inst *in)
{
    for (; in; in = in->parent)
        note(in->call, "in block '%s', used here", in->block->name);
}

/* A literal in its unit, as the program sees it: Hz, samples, or a linear gain. */
static Node *literal(double v, int unit, bool is_int, Loc loc)
{
    if (unit < 0) return constant(v, is_int, loc);
    switch (unit_dim[unit]) {
    case AGRAPH_DIM_FREQ: return constant(v * unit_factor[unit], false, loc);
    case AGRAPH_DIM_TIME: return binop(OP_MUL, constant(v * unit_factor[unit], false, loc), sr_node, loc);
    case AGRAPH_DIM_GAIN: return constant(pow(10.0, v / 20.0), false, loc);
    default: return constant(v, true, loc);
    }
}

static Node *expand(Ast *e);

static int const_int(Ast *e, Node *n, const char *what);
static int table_of(Ast *st);

/* table t = soundfile("ir.wav", max: 2s, channel: 0): the host loads the file after init. A
 * relative name is relative to the program's folder (made absolute, so the executable finds it
 * from anywhere). */
static void sound_file(Table *t, Ast *call)
{
    t->file = G->n_files++;
    for (int i = 0; i < call->args.n; i++) {
        Ast *a = VEC_AT(call->args, i, Ast *);
        if (!a->name) {
            const char *name = a->a->str;
            if (name[0] == '/') {
                t->path = name;
                continue;
            }
            const char *src = call->loc.src->path, *slash = strrchr(src, '/');
            const char *dir = slash ? arena_strndup(src, (size_t)(slash - src + (slash == src))) : ".";
            char *real = realpath(dir, NULL);
            t->path = arena_printf("%s/%s", real ? real : dir, name);
            free(real);
        } else if (!strcmp(a->name, "max")) {
            t->max = expand(a->a);
        } else {
            t->channel = const_int(a->a, expand(a->a), "a sound file's channel");
            if (t->channel < 0 || t->channel > 255) {
                error(a->a->loc, "a sound file's channel is from 0 to 255 (it is %d)", t->channel);
                diag_abort();
            }
        }
    }
}

/* conv(x, h, partition: B): x convolved with the table h, partitioned in blocks of B. */
static Node *convolution(Ast *e)
{
    Node *n = new_node(N_CONV, e->loc, 1);
    n->fsize = 128;
    for (int i = 0; i < e->args.n; i++) {
        Ast *a = VEC_AT(e->args, i, Ast *);
        if (a->name) {
            n->fsize = const_int(a->a, expand(a->a), "a partition size");
            if (n->fsize < 16 || n->fsize > 8192 || (n->fsize & (n->fsize - 1))) {
                error(a->a->loc, "a partition size must be a power of two from 16 to 8192 (it is %d)", n->fsize);
                diag_abort();
            }
        } else if (i == 0) {
            n->args[0] = expand(a->a);
            n->arg_loc[0] = a->a->loc;
        } else {
            n->index = table_of(a->a->sym->decl);
        }
    }
    return n;
}

/* A table's values are expanded once, at global scope, when first read. */
static int table_of(Ast *st)
{
    for (int i = 0; i < G->tables.n; i++)
        if (((Table *)G->tables.v[i])->decl == st) return i;
    Table *t = arena_alloc(sizeof *t);
    t->name = st->name;
    t->decl = st;
    vec_push(&G->tables, t);
    Inst *saved = cur_inst;
    cur_inst = NULL;
    if (st->a->kind == A_CALL && st->a->sym->kind == SYM_BUILTIN && st->a->sym->index == B_SOUNDFILE)
        sound_file(t, st->a);
    else
        t->value = expand(st->a);
    cur_inst = saved;
    return G->tables.n - 1;
}

static int const_int(Ast *e, Node *n, const char *what)
{
    double v;
    if (!fold_node(n, 0, &v)) {
        error(e->loc, "%s must be a constant", what);
        diag_abort();
    }
    if (v != floor(v)) {
        error(e->loc, "%s must be a whole number (it is %g)", what, v);
        diag_abort();
    }
    if (fabs(v) > 1e9) {   /* 2^30 is whole, but no size or count that large makes sense */
        error(e->loc, "%s is too large (it is %.17g; the limit is 1000000000)", what, v);
        diag_abort();
    }
    return (int)v;
}

/* A def statement: one N_DEF per name; `(l, r) = e` picks channels of a hidden whole. */
static void make_defs(Ast *st)
{
    if (st->names.n == 1) {
        Node *d = new_node(N_DEF, VEC_AT(st->names, 0, Ast *)->loc, 1);
        d->name = VEC_AT(st->names, 0, Ast *)->name;
        d->def = st;
        d->whole = d;
        st->syms[0]->bound = d;
        return;
    }
    Node *whole = new_node(N_DEF, st->b->loc, 1);
    whole->name = NULL;
    whole->def = st;
    whole->index = st->names.n;    /* check.c: the value must have this many channels */
    for (int i = 0; i < st->names.n; i++) {
        Ast *nm = st->names.v[i];
        Node *d = new_node(N_DEF, nm->loc, 1);
        d->name = nm->name;
        d->def = st;
        d->whole = whole;
        Node *pick = new_node(N_PICK, nm->loc, 1);
        pick->index = i;
        pick->args[0] = whole;
        d->args[0] = pick;
        st->syms[i]->bound = d;
    }
}

static void fill_value(Ast *st, Node *whole);

static Node *whole_of(Ast *st)
{
    return st->syms[0]->bound->whole;
}

/* Expand a definition's value into its placeholder. Definitions are filled in order, or on
 * demand when a constant is needed earlier (an iteration bound defined further down). */
static void fill_def(Ast *st)
{
    Node *whole = whole_of(st);
    if (whole->args[0] || whole->mark == 1) return;     /* done, or being filled (feedback) */
    Inst *saved = cur_inst;
    if (!st->owner) cur_inst = NULL;                    /* a global, wherever it is first needed */
    whole->mark = 1;
    fill_value(st, whole);
    whole->mark = 0;
    cur_inst = saved;
}

static void fill_value(Ast *st, Node *whole)
{
    if (st->names.n > 1 && st->a->kind == A_TUPLE && st->a->args.n == st->names.n) {
        /* (a, b) = (e1, e2): each name is its own element, so e2 may use a */
        Node *t = new_node(N_TUPLE, st->a->loc, st->names.n);
        for (int i = 0; i < st->names.n; i++) {
            Node *d = st->syms[i]->bound;
            d->args[0] = expand(st->a->args.v[i]);
            t->args[i] = d;
            t->arg_loc[i] = ((Ast *)st->a->args.v[i])->loc;
        }
        whole->args[0] = t;
        return;
    }
    whole->args[0] = expand(st->a);
}

/* A block use: bind its inputs to the arguments, give it fresh nodes, expand its body. */
static Node *instantiate(Ast *e)
{
    Sym *bs = e->sym;
    Ast *blk = bs->decl;
    if (bs->active) {
        error(e->loc, "block '%s' uses itself: blocks cannot be recursive", blk->name);
        note(blk->b->loc, "'%s' is declared here", blk->name);
        note_instances(cur_inst);
        diag_abort();
    }
    int nf = blk->args.n;
    Node **argv = arena_alloc(sizeof(Node *) * (size_t)(nf + 1));
    for (int j = 0; j < nf; j++) {
        Ast *a = e->bound[j] ? e->bound[j] : VEC_AT(blk->args, j, Ast *)->a;
        argv[j] = expand(a);
    }
    Inst *in = arena_alloc(sizeof *in);
    in->block = blk;
    in->call = e->loc;
    in->parent = cur_inst;
    in->number = ++inst_counter;

    /* Save the bindings this instance overrides, to restore them after. */
    int nsave = nf;
    for (int i = 0; i < blk->body.n; i++) {
        Ast *st = blk->body.v[i];
        if (st->kind == S_DEF) nsave += st->names.n;
    }
    Node **saved = arena_alloc(sizeof(Node *) * (size_t)(nsave + 1));
    int k = 0;
    for (int j = 0; j < nf; j++) saved[k++] = blk->syms[j]->bound;
    for (int i = 0; i < blk->body.n; i++) {
        Ast *st = blk->body.v[i];
        if (st->kind == S_DEF)
            for (int j = 0; j < st->names.n; j++) saved[k++] = st->syms[j]->bound;
    }

    Inst *outer = cur_inst;
    cur_inst = in;
    bs->active = 1;
    for (int j = 0; j < nf; j++) {
        /* the input, named for generated code */
        Node *d = new_node(N_DEF, VEC_AT(blk->args, j, Ast *)->loc, 1);
        d->name = VEC_AT(blk->args, j, Ast *)->name;
        d->args[0] = argv[j];
        blk->syms[j]->bound = d;
    }
    for (int i = 0; i < blk->body.n; i++) {
        Ast *st = blk->body.v[i];
        if (st->kind == S_DEF) make_defs(st);
    }
    for (int i = 0; i < blk->body.n; i++) {
        Ast *st = blk->body.v[i];
        if (st->kind == S_DEF) fill_def(st);
    }
    Node *result = expand(blk->a);
    bs->active = 0;
    cur_inst = outer;

    k = 0;
    for (int j = 0; j < nf; j++) blk->syms[j]->bound = saved[k++];
    for (int i = 0; i < blk->body.n; i++) {
        Ast *st = blk->body.v[i];
        if (st->kind == S_DEF)
            for (int j = 0; j < st->names.n; j++) st->syms[j]->bound = saved[k++];
    }
    return result;
}

/* stft(x, size, hop: h, window: w), fft(x, size), istft(X, window: w), ifft(X)
 * (docs/language.md: Spectral processing) */
static Node *spectral(Ast *e, int which)
{
    bool analysis = which == B_STFT || which == B_FFT;
    Node *n = new_node(analysis ? N_STFT : N_ISTFT, e->loc, 1);
    Ast *sig = NULL, *size = NULL, *hop = NULL;
    n->fwin = which == B_FFT || which == B_IFFT ? WIN_RECT : -1;
    for (int i = 0; i < e->args.n; i++) {
        Ast *a = e->args.v[i];
        if (!a->name) {
            if (!sig) sig = a->a;
            else size = a->a;
        } else if (!strcmp(a->name, "hop")) {
            hop = a->a;
        } else {   /* window: checked by resolve.c */
            for (int w = 0; w < 4; w++)
                if (!strcmp(a->a->name, window_name[w])) n->fwin = w;
        }
    }
    n->args[0] = expand(sig);
    n->arg_loc[0] = sig->loc;
    if (analysis) {
        n->fsize = const_int(size, expand(size), "a frame size");
        if (n->fsize < 4 || n->fsize > 65536 || (n->fsize & (n->fsize - 1))) {
            error(size->loc, "a frame size must be a power of two from 4 to 65536 (it is %d)", n->fsize);
            diag_abort();
        }
        n->fhop = which == B_FFT ? n->fsize : hop ? const_int(hop, expand(hop), "a hop") : n->fsize / 4;
        if (n->fhop < 1 || n->fhop > n->fsize) {
            error(hop->loc, "a hop must be from 1 to the frame size %d (it is %d)", n->fsize, n->fhop);
            diag_abort();
        }
        if (n->fwin < 0) n->fwin = WIN_HANN;
    }
    return n;
}

/* sum/prod as a balanced tree, so a long sum is a shallow graph. */
static Node *reduce(int op, Node **v, int lo, int hi, Loc loc)
{
    if (hi - lo == 1) return v[lo];
    int mid = lo + (hi - lo) / 2;
    return binop(op, reduce(op, v, lo, mid, loc), reduce(op, v, mid, hi, loc), loc);
}

/* sum/prod/par/chain i in lo..hi: body (docs/language.md: Iteration) */
static Node *iterate(Ast *e)
{
    int lo = const_int(e->a, expand(e->a), "the start of an iteration range");
    int hi = const_int(e->b, expand(e->b), "the end of an iteration range");
    long count = (long)hi - lo + 1;
    if (count > max_iterations) {
        error(loc_span(e->a->loc, e->b->loc), "the iteration runs %ld times; the limit is %d",
              count, max_iterations);
        diag_abort();
    }
    if (count < 0) count = 0;
    Sym *var = e->syms[0], *acc = e->name2 ? e->syms[1] : NULL;
    Loc saved_range = iter_range;
    iter_range = loc_span(e->a->loc, e->b->loc);
    Node *saved_var = var->bound, *saved_acc = acc ? acc->bound : NULL;
    Node **parts = arena_alloc(sizeof(Node *) * (size_t)(count + 1));
    if (acc) acc->bound = expand(e->d);
    for (long i = 0; i < count; i++) {
        var->bound = constant((double)(lo + i), true, e->loc);
        parts[i] = expand(e->c);
        if (acc) {
            Node *d = new_node(N_DEF, e->loc, 1);
            d->name = e->name2;
            d->args[0] = parts[i];
            acc->bound = d;
        }
    }
    Node *r;
    switch (e->op) {
    case IT_SUM:
        r = count ? reduce(OP_ADD, parts, 0, (int)count, e->loc) : constant(0, true, e->loc);
        break;
    case IT_PROD:
        r = count ? reduce(OP_MUL, parts, 0, (int)count, e->loc) : constant(1, true, e->loc);
        break;
    case IT_PAR:
        if (!count) {
            error(loc_span(e->a->loc, e->b->loc), "'par' over an empty range has no channels");
            diag_abort();
        }
        r = new_node(N_TUPLE, e->loc, (int)count);
        for (long i = 0; i < count; i++) r->args[i] = parts[i];
        break;
    default:   /* IT_CHAIN */
        r = acc->bound;
        break;
    }
    var->bound = saved_var;
    if (acc) acc->bound = saved_acc;
    iter_range = saved_range;
    return r;
}

static Node *expand(Ast *e)
{
    Node *n;
    switch (e->kind) {
    case A_NUM:
        return literal(e->num, e->unit, e->is_int, e->loc);
    case A_NAME: {
        Sym *y = e->sym;
        switch (y->kind) {
        case SYM_CONST:
            if (y->index == CONST_SR) return sr_node;
            return constant(y->index == CONST_PI ? M_PI : 2 * M_PI, false, e->loc);
        default:
            if (!y->bound) fatal(e->loc, "internal error: '%s' is not bound", e->name);
            if (y->kind == SYM_DEF || y->kind == SYM_OUTPUT) fill_def(y->decl);
            return y->bound;
        }
    }
    case A_CALL: {
        Sym *y = e->sym;
        if (y->kind == SYM_BLOCK) return instantiate(e);
        if (y->kind == SYM_TABLE) {
            n = new_node(N_TABLE, e->loc, 1);
            n->index = table_of(y->decl);
            n->args[0] = expand(VEC_AT(e->args, 0, Ast *)->a);
            n->arg_loc[0] = VEC_AT(e->args, 0, Ast *)->a->loc;
            return n;
        }
        if (y->index == B_NOISE) {
            n = new_node(N_NOISE, e->loc, 0);
            n->index = G->n_noise++;
            if (e->args.n) {
                Ast *s = VEC_AT(e->args, 0, Ast *)->a;
                n->cval = const_int(s, expand(s), "a noise seed");
                n->is_int = true;    /* seeded explicitly */
            }
            return n;
        }
        if (y->index == B_STFT || y->index == B_FFT || y->index == B_ISTFT || y->index == B_IFFT)
            return spectral(e, y->index);
        if (y->index == B_CONV) return convolution(e);
        n = new_node(N_CALL, e->loc, e->args.n);
        n->index = y->index;
        for (int i = 0; i < e->args.n; i++) {
            n->args[i] = expand(VEC_AT(e->args, i, Ast *)->a);
            n->arg_loc[i] = VEC_AT(e->args, i, Ast *)->a->loc;
        }
        return n;
    }
    case A_BINOP:
        n = binop(e->op, expand(e->a), expand(e->b), e->loc);
        n->arg_loc[0] = e->a->loc;
        n->arg_loc[1] = e->b->loc;
        return n;
    case A_UNOP:
        n = new_node(N_UNOP, e->loc, 1);
        n->index = e->op;
        n->args[0] = expand(e->a);
        n->arg_loc[0] = e->a->loc;
        return n;
    case A_DELAY:
        n = new_node(N_DELAY, e->loc, e->c ? 3 : 2);
        n->args[0] = expand(e->a);
        n->args[1] = expand(e->b);
        n->arg_loc[0] = e->a->loc;
        n->arg_loc[1] = e->b->loc;
        if (e->c) {
            n->args[2] = expand(e->c);
            n->arg_loc[2] = e->c->loc;
        }
        return n;
    case A_TUPLE:
        n = new_node(N_TUPLE, e->loc, e->args.n);
        for (int i = 0; i < e->args.n; i++) {
            n->args[i] = expand(e->args.v[i]);
            n->arg_loc[i] = ((Ast *)e->args.v[i])->loc;
        }
        return n;
    case A_INDEX: {
        Node *x = expand(e->a);
        int k = const_int(e->b, expand(e->b), "a channel index");
        if (k < 0) {
            error(e->b->loc, "a channel index cannot be negative (it is %d)", k);
            diag_abort();
        }
        n = new_node(N_PICK, e->loc, 1);
        n->index = k;
        n->args[0] = x;
        return n;
    }
    case A_ITER:
        return iterate(e);
    default:
        fatal(e->loc, "internal error: cannot expand a '%s'", ast_kind_name(e->kind));
    }
}

/* The value a parameter's name stands for: its raw value in its unit, converted. */
static Node *param_view(Program *p, Ast *st, int index)
{
    Node *raw = new_node(N_PARAM, VEC_AT(st->names, 0, Ast *)->loc, 0);
    raw->index = index;
    raw->name = st->name;
    vec_push(&G->param_nodes, raw);
    int u = p->param_unit[index];
    if (u < 0) return raw;
    switch (unit_dim[u]) {
    case AGRAPH_DIM_FREQ:
        return unit_factor[u] == 1 ? raw : binop(OP_MUL, raw, constant(unit_factor[u], false, raw->loc), raw->loc);
    case AGRAPH_DIM_TIME:
        return binop(OP_MUL, binop(OP_MUL, raw, constant(unit_factor[u], false, raw->loc), raw->loc),
                     sr_node, raw->loc);
    case AGRAPH_DIM_GAIN:
        return call1(B_DB2LIN, raw, raw->loc);
    default:
        return raw;
    }
}

Graph *expand_program(Program *p)
{
    G = arena_alloc(sizeof *G);
    G->prog = p;
    cur_inst = NULL;
    inst_counter = 0;
    iter_range = no_loc;
    sr_node = new_node(N_SR, no_loc, 0);

    /* Bind globals of every module: inputs, parameters, then placeholders for every def so
     * definitions may refer to each other in any order (they are equations). */
    for (int m = 0; m < all_modules.n; m++) {
        Module *mod = all_modules.v[m];
        for (int i = 0; i < mod->items.n; i++) {
            Ast *st = mod->items.v[i];
            if (st->kind == S_INPUT && mod->is_main)
                for (int j = 0; j < st->names.n; j++) {
                    Ast *nm = st->names.v[j];
                    Node *in = new_node(N_INPUT, nm->loc, 0);
                    in->index = st->syms[j]->index;      /* its channel */
                    in->name = nm->name;
                    st->syms[j]->bound = in;
                }
            else if (st->kind == S_PARAM && mod->is_main)
                st->syms[0]->bound = param_view(p, st, st->syms[0]->index);
            else if ((st->kind == S_DEF || st->kind == S_OUTPUT) && (mod->is_main || st->kind == S_DEF))
                make_defs(st);
            else if (st->kind == S_PROBE && mod->is_main) {
                Node *d = new_node(N_DEF, st->b->loc, 1);
                d->name = st->name;
                d->def = st;
                st->sym->bound = d;
            }
        }
    }
    for (int m = 0; m < all_modules.n; m++) {
        Module *mod = all_modules.v[m];
        for (int i = 0; i < mod->items.n; i++) {
            Ast *st = mod->items.v[i];
            if (st->kind == S_DEF || (mod->is_main && st->kind == S_OUTPUT)) fill_def(st);
            else if (st->kind == S_PROBE && mod->is_main) st->sym->bound->args[0] = expand(st->a);
        }
    }
    for (int i = 0; i < p->outputs.n; i++) vec_push(&G->outputs, whole_of(p->outputs.v[i]));
    for (int i = 0; i < p->probes.n; i++) vec_push(&G->probes, ((Ast *)p->probes.v[i])->sym->bound);
    return G;
}

/* ---- --dump=graph -------------------------------------------------------------------------- */

void graph_dump(FILE *f, Graph *g)
{
    for (int i = 0; i < g->nodes.n; i++) {
        Node *n = g->nodes.v[i];
        int line, col;
        loc_linecol(n->loc, &line, &col);
        fprintf(f, "n%-4d %-6s", n->id, node_op_name[n->op]);
        if (n->op == N_CONST) fprintf(f, " %g", n->cval);
        else if (n->op == N_BINOP || n->op == N_UNOP) fprintf(f, " %s", op_spelling[n->index]);
        else if (n->op == N_CALL) fprintf(f, " %s", builtin_name[n->index]);
        else if (n->op == N_PICK || n->op == N_INPUT || n->op == N_PARAM) fprintf(f, " #%d", n->index);
        if (n->name) fprintf(f, " '%s'", n->name);
        for (int a = 0; a < n->nargs; a++) fprintf(f, " n%d", n->args[a] ? n->args[a]->id : -1);
        fprintf(f, "   : w=%d %s %s", n->width, type_name[n->type], rate_name[n->rate]);
        if (n->smooth) fprintf(f, " smooth");
        if (n->op == N_DELAY && n->in_cycle) fprintf(f, " feedback");
        if (n->inst) fprintf(f, " in %s#%d", n->inst->block->name, n->inst->number);
        if (n->loc.src) fprintf(f, "  @%s:%d:%d", n->loc.src->path, line, col);
        fputc('\n', f);
    }
}
