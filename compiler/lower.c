/* lower.c — the scalar IR: every channel of every node becomes scalar instructions in a valid
 * same-sample order, with constants folded and equal values shared (value numbering). Delays
 * become delay lines; smoothers are placed where a parameter-driven control value enters
 * audio-rate code, so moving a parameter never clicks (docs/language.md: Parameters). */
#include "agraph.h"

#include <math.h>
#include <string.h>

const char *const ir_op_name[] = {
#define X(k, s) s,
    IR_OPS(X)
#undef X
};

double eval_binop(int op, double a, double b, bool ints);
double eval_call(int b, const double *v);

static Ir *IR;
static int **memo;          /* per node: value id per channel, -1 until lowered */

/* value numbering */
static int *htab;
static int hcap;

static Ins *I(int id) { return IR->ins.v[id]; }

static unsigned ins_hash(Ins *x)
{
    uint64_t kb;
    memcpy(&kb, &x->k, sizeof kb);
    uint64_t h = (uint64_t)x->op * 1000003u ^ (uint64_t)(x->aux + 7) * 7919u ^ kb * 31u;
    for (int i = 0; i < 3; i++) h = h * 1099511628211u ^ (uint64_t)(x->a[i] + 3);
    h ^= (uint64_t)x->type * 131u;
    return (unsigned)(h ^ (h >> 29));
}

static bool same(Ins *x, Ins *y)
{
    return x->op == y->op && x->aux == y->aux && x->type == y->type && x->nargs == y->nargs &&
           memcmp(&x->k, &y->k, sizeof x->k) == 0 && x->a[0] == y->a[0] && x->a[1] == y->a[1] &&
           x->a[2] == y->a[2];
}

static void rehash(void)
{
    int cap = hcap ? hcap * 2 : 1024;
    int *t = arena_alloc(sizeof(int) * (size_t)cap);
    for (int i = 0; i < cap; i++) t[i] = -1;
    for (int i = 0; i < IR->ins.n; i++) {
        Ins *x = I(i);
        if (x->op == I_NOISE) continue;
        unsigned h = ins_hash(x) & (unsigned)(cap - 1);
        while (t[h] >= 0) h = (h + 1) & (unsigned)(cap - 1);
        t[h] = i;
    }
    htab = t;
    hcap = cap;
}

static Rate rate_of(Ins *x)
{
    switch (x->op) {
    case I_CONST: return R_CONST;
    case I_SR: return R_INIT;
    case I_PARAM: return R_CONTROL;
    case I_INPUT: case I_NOISE: case I_DREAD: case I_SMOOTH: case I_ISTFT: case I_CONV: return R_AUDIO;
    case I_STFT: case I_BINHZ: return R_FRAME;
    case I_TABLE:   /* a sound file's table is filled after init: read once per block at least */
        if (((Table *)IR->g->tables.v[x->aux])->path)
            return x->a[0] >= 0 && I(x->a[0])->rate > R_CONTROL ? I(x->a[0])->rate : R_CONTROL;
        return x->a[0] >= 0 ? I(x->a[0])->rate : R_CONST;
    default: {
        Rate r = R_CONST;
        for (int i = 0; i < x->nargs; i++)
            if (x->a[i] >= 0 && I(x->a[i])->rate > r) r = I(x->a[i])->rate;
        return r;
    }
    }
}

/* Add an instruction, or return the equal one that exists. */
static int emit(Ins proto)
{
    proto.rate = rate_of(&proto);
    if (proto.rate == R_FRAME && proto.op != I_STFT && proto.op != I_BINHZ)
        for (int i = 0; i < proto.nargs; i++)
            if (I(proto.a[i])->rate == R_FRAME) proto.clock = I(proto.a[i])->clock;
    if (proto.op != I_NOISE) {
        if ((IR->ins.n + 1) * 2 > hcap) rehash();
        unsigned h = ins_hash(&proto) & (unsigned)(hcap - 1);
        while (htab[h] >= 0) {
            if (same(I(htab[h]), &proto)) return htab[h];
            h = (h + 1) & (unsigned)(hcap - 1);
        }
    }
    Ins *x = arena_alloc(sizeof *x);
    *x = proto;
    x->id = IR->ins.n;
    vec_push(&IR->ins, x);
    if (proto.op != I_NOISE) {
        if ((IR->ins.n + 1) * 2 > hcap) rehash();
        unsigned h = ins_hash(x) & (unsigned)(hcap - 1);
        while (htab[h] >= 0) h = (h + 1) & (unsigned)(hcap - 1);
        htab[h] = x->id;
    }
    return x->id;
}

static Ins mk(IrOp op, int aux, Type t, Node *from)
{
    Ins x;
    memset(&x, 0, sizeof x);
    x.op = op;
    x.aux = aux;
    x.type = t;
    x.from = from;
    x.a[0] = x.a[1] = x.a[2] = -1;
    x.clock = -1;
    return x;
}

static int konst(double v, Type t)
{
    Ins x = mk(I_CONST, 0, t, NULL);
    if (t == T_INT) v = (double)(int32_t)(int64_t)v;
    if (t == T_BOOL) v = v != 0;
    if (t == T_FLOAT && !opt.use_double) v = (double)(float)v;
    x.k = v;
    return emit(x);
}

static bool is_const(int id, double *v)
{
    if (I(id)->op != I_CONST) return false;
    *v = I(id)->k;
    return true;
}

static int cast(int id, Type t)
{
    Ins *x = I(id);
    if (x->type == t) return id;
    if (x->op == I_CONST) {
        double v = x->k;
        if (t == T_INT) v = eval_call(B_INT, &v);
        return konst(v, t);
    }
    /* A real value is a complex one with no imaginary part, and the complex emitter reads every
     * operand that way. A cast instruction would take its operand's rate: with a parameter, it
     * was hoisted out of the frame loop and emitted as a scalar (fuzz_gen: `istft(F * p)`). */
    if (t == T_COMPLEX) return id;
    Ins c = mk(I_CAST, 0, t, x->from);
    c.a[0] = id;
    c.nargs = 1;
    return emit(c);
}

/* ---- delay lines --------------------------------------------------------------------------- */

typedef struct Pending {
    DelayLine *line;        /* a delay line's source, or */
    Spectral *stft;         /* an analysis's source */
    Node *src;
    int ch;
    struct Pending *next;
} Pending;
static Pending *pending;
static DelayLine **line_of;   /* per node*channel key: the line reading from it */
static int *line_key_base;

static DelayLine *line_for(Node *src, int ch, Node *from)
{
    int key = line_key_base[src->id] + ch;
    if (line_of[key]) return line_of[key];
    DelayLine *l = arena_alloc(sizeof *l);
    l->src = -1;
    l->type = src->type;
    l->name = src->name;
    l->from = from;
    l->scalar = true;
    l->index = IR->lines.n;
    vec_push(&IR->lines, l);
    line_of[key] = l;
    Pending *p = arena_alloc(sizeof *p);
    p->line = l;
    p->src = src;
    p->ch = ch;
    p->next = pending;
    pending = p;
    return l;
}

static int lower(Node *n, int ch);

static int arg(Node *n, int i, int ch)
{
    Node *a = n->args[i];
    return lower(a, a->width == 1 ? 0 : ch);
}

static Vec smooth_list;     /* smoother instruction ids, by slot */

/* a op b for float values, without the multiplications by 1 and additions of 0. */
static int arith(int op, int a, int b, Node *from)
{
    double y;
    if ((op == OP_MUL || op == OP_DIV) && is_const(b, &y) && y == 1) return a;
    if ((op == OP_ADD || op == OP_SUB) && is_const(b, &y) && y == 0) return a;
    if (op == OP_MUL && is_const(a, &y) && y == 1) return b;
    if (op == OP_ADD && is_const(a, &y) && y == 0) return b;
    if ((op == OP_MUL || op == OP_DIV) && is_const(a, &y) && y == 0) return a;   /* 0 c, 0 / c */
    double u, v;
    if (is_const(a, &u) && is_const(b, &v)) return konst(eval_binop(op, u, v, false), T_FLOAT);
    Ins i = mk(I_BINOP, op, T_FLOAT, from);
    i.a[0] = a;
    i.a[1] = b;
    i.nargs = 2;
    if ((op == OP_ADD || op == OP_MUL) && i.a[0] > i.a[1]) { int t = i.a[0]; i.a[0] = i.a[1]; i.a[1] = t; }
    return emit(i);
}

/* A control-rate float value as m core + d, with m and d fixed for the run (constants or
 * init-rate values) and core the control-rate value they scale: k f / SR is (k / SR) f + 0. With
 * m and d NULL, only the core is found (count_smoothed, before lowering); otherwise m and d are
 * lowered, composed from the inside out. */
#define LINEAR_DEPTH 1000
static Node *linear(Node *n, int *m, int *d, int depth)
{
    while (n->op == N_DEF && n->nargs == 1 && n->args[0] && n->args[0]->width == n->width) n = n->args[0];
    if (depth > LINEAR_DEPTH || n->op != N_BINOP || n->type != T_FLOAT || n->width != 1) return n;
    Node *a = n->args[0], *b = n->args[1];
    bool fixed_a = a->rate <= R_INIT, fixed_b = b->rate <= R_INIT;
    int op = n->index;
    if (fixed_a == fixed_b || !(op == OP_MUL || op == OP_ADD || op == OP_SUB || (op == OP_DIV && fixed_b)))
        return n;
    Node *core = linear(fixed_a ? b : a, m, d, depth + 1);
    if (!m) return core;
    int c = cast(lower(fixed_a ? a : b, 0), T_FLOAT);
    switch (op) {
    case OP_MUL:             /* c v */
        *m = arith(OP_MUL, *m, c, n);
        *d = arith(OP_MUL, *d, c, n);
        break;
    case OP_DIV:             /* v / c (c / v is not linear in v) */
        *m = arith(OP_DIV, *m, c, n);
        *d = arith(OP_DIV, *d, c, n);
        break;
    case OP_ADD:             /* v + c */
        *d = arith(OP_ADD, *d, c, n);
        break;
    default:                 /* v - c, or c - v */
        if (fixed_b) {
            *d = arith(OP_SUB, *d, c, n);
        } else {
            *m = arith(OP_SUB, konst(0, T_FLOAT), *m, n);
            *d = arith(OP_SUB, c, *d, n);
        }
    }
    return core;
}

/* How many smoothed values (distinct control-rate nodes entering audio code) share each core:
 * a core shared by two or more gets the one smoother. A value alone keeps its own, smoothing
 * exactly the value the program computes (x@(t) with t = 250 ms stays a whole number of samples). */
static int *core_users;

static void count_smoothed(Graph *g)
{
    core_users = arena_alloc(sizeof(int) * (size_t)(g->nodes.n + 1));
    bool *seen = arena_alloc(sizeof(bool) * (size_t)(g->nodes.n + 1));
    for (int i = 0; i < g->nodes.n; i++) {
        Node *n = g->nodes.v[i];
        for (int k = 0; k < n->nargs; k++) {
            Node *a = n->args[k];
            if (!a || n->rate != R_AUDIO || a->rate != R_CONTROL || !a->smooth || a->type != T_FLOAT)
                continue;
            if (seen[a->id]) continue;
            seen[a->id] = true;
            core_users[linear(a, NULL, NULL, 0)->id]++;
        }
    }
}

/* A smoother of the float value target (one per value). */
static int smooth_value(int target, Node *from)
{
    for (int k = 0; k < IR->smooth_src.n; k++)
        if (((Ins *)IR->smooth_src.v[k])->id == target) return (int)(intptr_t)smooth_list.v[k];
    Ins s = mk(I_SMOOTH, IR->n_smooth, T_FLOAT, from);
    s.a[0] = target;
    s.nargs = 1;
    int sid = emit(s);
    IR->n_smooth++;
    vec_push(&IR->smooth_src, I(target));
    vec_push(&smooth_list, (void *)(intptr_t)sid);
    return sid;
}

/* The smoothed version of a control-rate value. A one-pole smoother is linear and starts at its
 * target, so smoothing m x + d (m and d fixed for the run) is m times x smoothed, plus d: the 64
 * harmonics k f / SR of an oscillator bank share f's one smoother. */
static int smooth(int id, Node *from)
{
    int target = cast(id, T_FLOAT);
    if (!from || from->width != 1 || core_users[linear(from, NULL, NULL, 0)->id] < 2)
        return smooth_value(target, from);
    int m = konst(1, T_FLOAT), d = konst(0, T_FLOAT);
    int core = cast(lower(linear(from, &m, &d, 0), 0), T_FLOAT);
    if (core == target) return smooth_value(target, from);
    return arith(OP_ADD, arith(OP_MUL, smooth_value(core, from), m, from), d, from);
}

/* A control value that follows a parameter enters audio code through a smoother. */
static int audio_operand(Node *n, int i, int ch)
{
    int id = arg(n, i, ch);
    /* whole numbers and conditions are discrete: never smoothed */
    if (n->rate == R_AUDIO && n->args[i]->rate == R_CONTROL && n->args[i]->smooth &&
        n->args[i]->type == T_FLOAT)
        return smooth(id, n->args[i]);
    return id;
}

static int lower_delay(Node *n, int ch)
{
    Node *src = n->args[0];
    int sch = src->width == 1 ? 0 : ch;
    int len = cast(audio_operand(n, 1, ch), n->args[1]->type == T_INT ? T_INT : T_FLOAT);
    double k;
    bool variable = n->nargs == 3;
    if (!variable && is_const(len, &k) && round(k) == 0) return lower(src, sch);   /* x@0 is x */
    DelayLine *l = line_for(src, sch, n);
    int maxlen = (int)n->cval;
    if (maxlen > l->max_len) l->max_len = maxlen;
    if (variable || !is_const(len, &k) || round(k) != 1) l->scalar = false;
    l->variable |= variable;
    l->in_cycle |= n->in_cycle;
    if (!n->in_cycle) {
        /* The source does not depend on this read: compute (and write) it first, so a
         * length of 0 reads the current sample. */
        int sid = lower(src, sch);
        if (l->src < 0) l->src = sid;
    }
    Ins r = mk(I_DREAD, l->index, src->type, n);
    r.a[0] = len;
    r.nargs = 1;
    r.k = variable ? 1 : 0;      /* variable: clamp and interpolate each sample */
    return emit(r);
}

/* Spectral analysis and resynthesis (docs/language.md: Spectral processing). */
static int lower_stft(Node *n, int ch)
{
    Spectral *sp = arena_alloc(sizeof *sp);
    sp->clock = n->clock;
    sp->window = IR->g->clocks[n->clock].window;
    sp->value = -1;
    vec_push(&IR->stfts, sp);
    IR->spectral = true;
    Pending *p = arena_alloc(sizeof *p);
    p->stft = sp;
    p->src = n->args[0];
    p->ch = n->args[0]->width == 1 ? 0 : ch;
    p->next = pending;
    pending = p;
    Ins x = mk(I_STFT, IR->stfts.n - 1, T_COMPLEX, n);
    x.clock = n->clock;
    return emit(x);
}

static int lower_istft(Node *n, int ch)
{
    int spec = cast(arg(n, 0, ch), T_COMPLEX);
    Spectral *sp = arena_alloc(sizeof *sp);
    sp->clock = n->clock;
    sp->window = n->fwin >= 0 ? n->fwin : IR->g->clocks[n->clock].window;
    sp->value = spec;
    vec_push(&IR->istfts, sp);
    IR->spectral = true;
    Ins x = mk(I_ISTFT, IR->istfts.n - 1, T_FLOAT, n);
    x.a[0] = spec;
    x.nargs = 1;
    x.clock = n->clock;
    return emit(x);
}

static int lower_uncached(Node *n, int ch)
{
    switch (n->op) {
    case N_CONST:
        return konst(n->cval, n->type);
    case N_SR:
        return emit(mk(I_SR, 0, T_FLOAT, n));
    case N_INPUT: {
        Ins x = mk(I_INPUT, n->index, T_FLOAT, n);
        x.name = n->name;
        return emit(x);
    }
    case N_PARAM: {
        Ins x = mk(I_PARAM, n->index, T_FLOAT, n);
        x.name = n->name;
        return emit(x);
    }
    case N_NOISE: {
        Ins x = mk(I_NOISE, IR->n_noise++, T_FLOAT, n);
        x.k = n->is_int ? n->cval : (double)n->index;
        x.nargs = 0;
        x.a[1] = n->is_int;       /* seeded explicitly */
        return emit(x);
    }
    case N_DEF: {
        int id = lower(n->args[0], n->args[0]->width == 1 ? 0 : ch);
        Ins *x = I(id);
        if (!x->name && n->name && x->op != I_CONST && x->op != I_SR) {
            x->name = n->name;
            if (x->from != n && n->def) x->from = n;
        }
        return id;
    }
    case N_TUPLE: {
        int c = ch;
        for (int i = 0; i < n->nargs; i++) {
            int w = n->args[i]->width;
            if (c < w) return lower(n->args[i], c);
            c -= w;
        }
        fatal(n->loc, "internal error: tuple channel %d out of range", ch);
    }
    case N_PICK:
        return lower(n->args[0], n->index);
    case N_BINOP: {
        int op = n->index;
        Type at = T_FLOAT;
        if (op == OP_AND || op == OP_OR) at = T_BOOL;
        else if (n->type == T_COMPLEX) at = T_COMPLEX;
        else if (n->args[0]->type == T_INT && n->args[1]->type == T_INT && op != OP_DIV && op != OP_POW)
            at = T_INT;
        int a = cast(audio_operand(n, 0, ch), at), b = cast(audio_operand(n, 1, ch), at);
        double x, y;
        if (is_const(a, &x) && is_const(b, &y) && at != T_COMPLEX)
            return konst(eval_binop(op, x, y, at == T_INT), n->type);
        /* identities that cannot change a result: x*1, x/1, x+0, x-0 */
        if ((op == OP_MUL && is_const(a, &x) && x == 1) || (op == OP_ADD && is_const(a, &x) && x == 0 && at == T_INT))
            return b;
        if (((op == OP_MUL || op == OP_DIV) && is_const(b, &y) && y == 1) ||
            ((op == OP_ADD || op == OP_SUB) && is_const(b, &y) && y == 0))
            return a;
        Ins i = mk(I_BINOP, op, n->type, n);
        i.a[0] = a;
        i.a[1] = b;
        i.nargs = 2;
        if (op == OP_ADD || op == OP_MUL || op == OP_EQ || op == OP_NE || op == OP_AND || op == OP_OR)
            if (i.a[0] > i.a[1]) { int t = i.a[0]; i.a[0] = i.a[1]; i.a[1] = t; }
        return emit(i);
    }
    case N_UNOP: {
        Type at = n->index == OP_NOT ? T_BOOL : n->type;
        int a = cast(audio_operand(n, 0, ch), at);
        double x;
        if (is_const(a, &x)) return konst(n->index == OP_NEG ? -x : (x == 0), n->type);
        Ins i = mk(I_UNOP, n->index, n->type, n);
        i.a[0] = a;
        i.nargs = 1;
        return emit(i);
    }
    case N_CALL: {
        int b = n->index;
        if (b == B_BINHZ) {
            Ins z = mk(I_BINHZ, n->clock, T_FLOAT, n);
            z.clock = n->clock;
            return emit(z);
        }
        if (b == B_SELECT) {   /* a constant condition: only the chosen branch (and its state) */
            double c;
            int cond = cast(audio_operand(n, 0, ch), T_BOOL);
            if (is_const(cond, &c)) return cast(audio_operand(n, c != 0 ? 1 : 2, ch), n->type);
        }
        Ins i = mk(I_CALL, b, n->type, n);
        i.nargs = n->nargs;
        bool all_const = true;
        double v[3];
        for (int k = 0; k < n->nargs; k++) {
            Type at = n->type;
            if (b == B_SELECT) at = k == 0 ? T_BOOL : n->type;
            else if (b == B_MAG || b == B_PHASE || b == B_RE || b == B_IM || b == B_CONJ) at = T_COMPLEX;
            else if (b == B_POLAR) at = T_FLOAT;
            else if (b == B_INT || b == B_FLOAT) at = n->args[k]->type == T_BOOL ? T_BOOL :
                                                      n->args[k]->type == T_INT && b == B_FLOAT ? T_INT : T_FLOAT;
            i.a[k] = cast(audio_operand(n, k, ch), at);
            all_const &= is_const(i.a[k], &v[k]);
        }
        if (all_const && n->type != T_COMPLEX && b != B_MAG && b != B_PHASE && b != B_RE && b != B_IM)
            return konst(eval_call(b, v), n->type);
        if (b == B_FLOAT || (b == B_INT && I(i.a[0])->type != T_FLOAT)) return cast(i.a[0], n->type);
        return emit(i);
    }
    case N_DELAY:
        return lower_delay(n, ch);
    case N_TABLE: {
        Ins x = mk(I_TABLE, n->index, T_FLOAT, n);
        int pos = arg(n, 0, ch);
        x.a[0] = cast(pos, I(pos)->type == T_INT ? T_INT : T_FLOAT);
        double p;
        Table *t = IR->g->tables.v[n->index];
        if (!t->path && is_const(x.a[0], &p)) {   /* a constant position: read the table now */
            p -= t->size * floor(p / t->size);
            if (!(p >= 0 && p < t->size)) p = 0;
            int i = (int)p;
            double f = I(x.a[0])->type == T_INT ? 0 : p - i;
            return konst(t->data[i] + f * (t->data[(i + 1) % t->size] - t->data[i]), T_FLOAT);
        }
        x.nargs = 1;
        return emit(x);
    }
    case N_CONV: {   /* each channel has its own history */
        Conv *c = arena_alloc(sizeof *c);
        c->table = n->index;
        c->block = n->fsize;
        vec_push(&IR->convs, c);
        Ins x = mk(I_CONV, IR->convs.n - 1, T_FLOAT, n);
        x.a[0] = cast(arg(n, 0, ch), T_FLOAT);
        x.nargs = 1;
        return emit(x);
    }
    case N_STFT:
        return lower_stft(n, ch);
    case N_ISTFT:
        return lower_istft(n, ch);
    }
    fatal(n->loc, "internal error: cannot lower '%s'", node_op_name[n->op]);
}

static int lower(Node *n, int ch)
{
    if (!memo[n->id]) {
        memo[n->id] = arena_alloc(sizeof(int) * (size_t)n->width);
        for (int c = 0; c < n->width; c++) memo[n->id][c] = -1;
    }
    if (memo[n->id][ch] >= 0) return memo[n->id][ch];
    if (memo[n->id][ch] == -2) fatal(n->loc, "internal error: cycle while lowering");
    memo[n->id][ch] = -2;
    int id = lower_uncached(n, ch);
    memo[n->id][ch] = id;
    return id;
}

Ir *lower_graph(Graph *g)
{
    IR = arena_alloc(sizeof *IR);
    IR->g = g;
    htab = NULL;
    hcap = 0;
    pending = NULL;
    smooth_list = (Vec){ 0 };   /* its storage was in a previous compilation's arena */
    memo = arena_alloc(sizeof(int *) * (size_t)(g->nodes.n + 1));
    line_key_base = arena_alloc(sizeof(int) * (size_t)(g->nodes.n + 1));
    int total = 0;
    for (int i = 0; i < g->nodes.n; i++) {
        line_key_base[i] = total;
        total += ((Node *)g->nodes.v[i])->width;
    }
    line_of = arena_alloc(sizeof(DelayLine *) * (size_t)(total + 1));

    count_smoothed(g);
    /* Parameters first, so each has its raw value in the IR even if unused. */
    for (int i = 0; i < g->param_nodes.n; i++) lower(g->param_nodes.v[i], 0);

    int nout = 0;
    for (int i = 0; i < g->outputs.n; i++) nout += ((Node *)g->outputs.v[i])->width;
    IR->n_out = nout;
    IR->out_ids = arena_alloc(sizeof(int) * (size_t)(nout + 1));
    int k = 0;
    for (int i = 0; i < g->outputs.n; i++) {
        Node *o = g->outputs.v[i];
        for (int c = 0; c < o->width; c++) {
            int id = cast(lower(o, c), T_FLOAT);
            if (o->rate == R_CONTROL && o->smooth) id = smooth(id, o);   /* an output is audio */
            IR->out_ids[k++] = id;
        }
    }
    int np = g->probes.n, nv = 0;
    for (int i = 0; i < np; i++) nv += ((Node *)g->probes.v[i])->width;
    IR->probe_width = arena_alloc(sizeof(int) * (size_t)(np + 1));
    IR->probe_first = arena_alloc(sizeof(int) * (size_t)(np + 1));
    IR->probe_ids = arena_alloc(sizeof(int) * (size_t)(nv + 1));
    IR->probe_off = arena_alloc(sizeof(int) * (size_t)(nv + 1));
    IR->probe_len = arena_alloc(sizeof(int) * (size_t)(nv + 1));
    int off = 0;
    for (int i = 0; i < np; i++) {
        Node *p = g->probes.v[i];
        int len = p->rate == R_FRAME ? g->clocks[p->clock].size / 2 + 1 : 1;   /* a frame: its bins */
        IR->probe_first[i] = off;
        IR->probe_width[i] = p->width * len;
        for (int c = 0; c < p->width; c++) {
            int j = IR->n_probe_vals++;
            IR->probe_ids[j] = cast(lower(p, c), T_FLOAT);
            IR->probe_off[j] = off;
            IR->probe_len[j] = len;
            off += len;
        }
    }
    IR->probe_total = off;

    /* What delay lines write: lowered last, since a feedback source reads its own past. */
    while (pending) {
        Pending *p = pending;
        pending = p->next;
        int sid = lower(p->src, p->ch);
        if (p->line && p->line->src < 0) p->line->src = sid;
        if (p->stft) p->stft->value = cast(sid, T_FLOAT);
    }
    /* One line per delayed value: reads of the same value through different nodes (a signal
     * passed to several blocks) share it. */
    /* The first line of each source value is the one the others merge into (found through a
     * table by source, not by a search: a 100,000-stage chain has 100,000 lines). */
    int *merged = arena_alloc(sizeof(int) * (size_t)(IR->lines.n + 1));
    int *first_of = arena_alloc(sizeof(int) * (size_t)(IR->ins.n + 1));
    for (int i = 0; i < IR->ins.n; i++) first_of[i] = -1;
    for (int i = 0; i < IR->lines.n; i++) {
        DelayLine *l = IR->lines.v[i];
        int j = first_of[l->src];
        merged[i] = i;
        if (j < 0) {
            first_of[l->src] = i;
            continue;
        }
        DelayLine *m = IR->lines.v[j];
        merged[i] = j;
        if (l->max_len > m->max_len) m->max_len = l->max_len;
        m->scalar &= l->scalar;
        m->variable |= l->variable;
        m->in_cycle |= l->in_cycle;
    }
    for (int i = 0; i < IR->ins.n; i++)
        if (I(i)->op == I_DREAD) I(i)->aux = merged[I(i)->aux];
    for (int i = 0; i < IR->lines.n; i++) {
        DelayLine *l = IR->lines.v[i];
        l->type = I(l->src)->type;
        int need = l->max_len + 2;
        l->size = 1;
        while (l->size < need) l->size <<= 1;
    }
    return IR;
}

/* ---- --dump=ir ----------------------------------------------------------------------------- */

void ir_dump(FILE *f, Ir *ir)
{
    static const char *const section[] = { "constants", "init (once per sample rate)",
                                           "control (once per block)", "audio (once per sample)",
                                           "frame (once per hop, for every bin)" };
    for (int r = R_INIT; r <= R_FRAME; r++) {
        Vec *v = &ir->sched[r];
        fprintf(f, "%s:\n", section[r]);
        for (int i = 0; i < v->n; i++) {
            Ins *x = v->v[i];
            fprintf(f, "  %%%-4d = %-6s", x->id, ir_op_name[x->op]);
            if (x->op == I_BINOP || x->op == I_UNOP) fprintf(f, " %s", op_spelling[x->aux]);
            else if (x->op == I_CALL) fprintf(f, " %s", builtin_name[x->aux]);
            else if (x->op == I_DREAD || x->op == I_SMOOTH || x->op == I_NOISE ||
                     x->op == I_INPUT || x->op == I_PARAM || x->op == I_STFT || x->op == I_ISTFT)
                fprintf(f, " #%d", x->aux);
            for (int a = 0; a < x->nargs; a++) {
                Ins *y = ir->ins.v[x->a[a]];
                if (y->op == I_CONST) fprintf(f, " %g", y->k);
                else fprintf(f, " %%%d", y->id);
            }
            fprintf(f, "   ; %s", type_name[x->type]);
            if (x->name) fprintf(f, " %s", x->name);
            fputc('\n', f);
        }
    }
    for (int i = 0; i < ir->lines.n; i++) {
        DelayLine *l = ir->lines.v[i];
        fprintf(f, "line #%d: writes %%%d, up to %d samples, %s%s%s\n", i, l->src, l->max_len,
                l->scalar ? "one register" : "ring buffer",
                l->variable ? ", variable" : "", l->in_cycle ? ", written at the end of the sample" : "");
    }
    fprintf(f, "outputs:");
    for (int i = 0; i < ir->n_out; i++) fprintf(f, " %%%d", ir->out_ids[i]);
    fputc('\n', f);
}
