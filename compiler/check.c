/* check.c — the checked graph: delay-free cycles are rejected with the cycle named, then element
 * type, rate and channel width are inferred for every node and checked (docs/language.md:
 * Types, Rates, Channels, Delays). */
#include "agraph.h"

#include <math.h>
#include <string.h>

#define MAX_DELAY_SAMPLES (1 << 24)

static Graph *G;

/* The edges that must be computed before a node in the same sample: all arguments except the
 * signal a delay reads from (that one was written in earlier samples). */
static int first_arg(Node *n)
{
    /* istft's output now comes from frames analysed in earlier samples: like a delay */
    return (n->op == N_DELAY && !n->no_delay) || n->op == N_ISTFT ? 1 : 0;
}

/* Each stft's (size, hop, window) is a spectral clock; frames of one clock combine. */
static void assign_clocks(void)
{
    for (int i = 0; i < G->nodes.n; i++) {
        Node *n = G->nodes.v[i];
        if (n->op != N_STFT) continue;
        int k = 0;
        while (k < G->n_clocks && !(G->clocks[k].size == n->fsize && G->clocks[k].hop == n->fhop &&
                                     G->clocks[k].window == n->fwin))
            k++;
        if (k == G->n_clocks) {
            if (k == 16) {
                error(n->loc, "more than 16 different frame sizes, hops or windows in one program");
                diag_abort();
            }
            G->clocks[k] = (Clock){ n->fsize, n->fhop, n->fwin };
            G->n_clocks++;
        }
        n->clock = k;
    }
}

static const char *clock_text(int k)
{
    Clock *c = &G->clocks[k];
    return arena_printf("%d-sample frames every %d samples (%s)", c->size, c->hop, window_name[c->window]);
}

/* x@0 is no delay at all: its edge counts as a same-sample one. */
static void mark_zero_delays(void)
{
    for (int i = 0; i < G->nodes.n; i++) {
        Node *n = G->nodes.v[i];
        double v;
        if (n->op == N_DELAY && n->nargs == 2 && fold_node(n->args[1], 48000, &v) && fabs(v) < 0.5)
            n->no_delay = true;
    }
}

static void describe(Node *n, char *buf, size_t cap)
{
    if (n->name && n->inst) snprintf(buf, cap, "%s.%s", n->inst->block->name, n->name);
    else if (n->name) snprintf(buf, cap, "%s", n->name);
    else snprintf(buf, cap, "(%s)", node_op_name[n->op]);
}

/* ---- delay-free cycles --------------------------------------------------------------------- */

/* Iterative DFS over same-sample edges; marks: 0 new, 1 on the stack, 2 done. */
static void find_cycles(void)
{
    int n = G->nodes.n;
    Node **stack = arena_alloc(sizeof(Node *) * (size_t)(n + 1));
    int *next = arena_alloc(sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) ((Node *)G->nodes.v[i])->mark = 0;
    for (int r = 0; r < n; r++) {
        Node *root = G->nodes.v[r];
        if (root->mark) continue;
        int sp = 0;
        stack[sp] = root;
        next[sp] = first_arg(root);
        root->mark = 1;
        while (sp >= 0) {
            Node *x = stack[sp];
            if (next[sp] >= x->nargs) {
                x->mark = 2;
                sp--;
                continue;
            }
            Node *y = x->args[next[sp]++];
            if (!y) continue;
            if (y->mark == 0) {
                y->mark = 1;
                stack[++sp] = y;
                next[sp] = first_arg(y);
            } else if (y->mark == 1) {
                /* The cycle is y ... x on the stack; name its definitions. */
                int from = sp;
                while (stack[from] != y) from--;
                char path[1024] = "";
                size_t len = 0;
                Node *first_named = NULL;
                for (int i = from; i <= sp + 1; i++) {
                    Node *c = i <= sp ? stack[i] : y;
                    if (c->op != N_DEF || !c->name) continue;
                    if (!first_named) first_named = c;
                    char nm[128];
                    describe(c, nm, sizeof nm);
                    if (len < sizeof path - 140)
                        len += (size_t)snprintf(path + len, sizeof path - len, "%s%s",
                                                len ? " -> " : "", nm);
                }
                Node *at = first_named ? first_named : y;
                error(at->loc, "delay-free cycle: %s", len ? path : "a signal depends on itself");
                int shown = 0;
                for (int i = from; i <= sp && shown < 8; i++) {
                    Node *c = stack[i];
                    if (c == at || (c->op != N_DEF && c->op != N_CALL && c->op != N_BINOP)) continue;
                    if (c->op == N_DEF && c->def) {
                        note(c->def->a ? c->def->a->loc : c->loc, "the cycle passes here");
                        shown++;
                    }
                }
                for (int i = from; i <= sp; i++)
                    if (stack[i]->op == N_DELAY && stack[i]->no_delay)
                        note(stack[i]->loc, "this delay is 0 samples long, so it does not break the cycle");
                note(at->loc, "a feedback loop needs a delay, as in %s@1", at->name ? at->name : "x");
                note_instances(at->inst);
                diag_abort();
            }
        }
    }
}

/* Does `from` reach `to` through any edges, delayed ones included? (Is a delay part of a
 * feedback loop? If not, its source can be computed, and written, before it is read.) */
static bool reaches(Node *from, Node *to, int stamp)
{
    Node **stack = arena_alloc(sizeof(Node *) * (size_t)(G->nodes.n + 1));
    int sp = 0;
    stack[sp++] = from;
    from->mark = stamp;
    while (sp) {
        Node *x = stack[--sp];
        if (x == to) return true;
        for (int i = 0; i < x->nargs; i++) {
            Node *y = x->args[i];
            if (y && y->mark != stamp) {
                y->mark = stamp;
                stack[sp++] = y;
            }
        }
    }
    return false;
}

/* ---- inference ----------------------------------------------------------------------------- */

static Node **order;      /* same-sample topological order (arguments first) */
static int n_order;

static void topo(void)
{
    int n = G->nodes.n;
    order = arena_alloc(sizeof(Node *) * (size_t)(n + 1));
    Node **stack = arena_alloc(sizeof(Node *) * (size_t)(n + 1));
    int *next = arena_alloc(sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) ((Node *)G->nodes.v[i])->mark = 0;
    n_order = 0;
    for (int r = 0; r < n; r++) {
        Node *root = G->nodes.v[r];
        if (root->mark) continue;
        int sp = 0;
        stack[0] = root;
        next[0] = first_arg(root);
        root->mark = 1;
        while (sp >= 0) {
            Node *x = stack[sp];
            if (next[sp] >= x->nargs) {
                order[n_order++] = x;
                sp--;
                continue;
            }
            Node *y = x->args[next[sp]++];
            if (y && !y->mark) {
                y->mark = 1;
                stack[++sp] = y;
                next[sp] = first_arg(y);
            }
        }
    }
}

static bool numeric(Type t) { return t == T_INT || t == T_FLOAT || t == T_UNKNOWN; }

/* One inference step for n; `report` turns problems into errors (the last pass only). */
static bool infer(Node *n, bool report)
{
    if (report)
        for (int i = 0; i < n->nargs; i++)
            if (n->args[i] && n->args[i]->bad) {
                n->bad = true;        /* one mistake, one message */
                report = false;
            }
    int errors_before = error_count();
    int w = 1;
    Type t = T_FLOAT;
    Rate r = R_CONST;
    bool smooth = false;
    for (int i = first_arg(n); i < n->nargs; i++) {
        if (!n->args[i]) continue;
        if (n->args[i]->rate > r) r = n->args[i]->rate;
        smooth |= n->args[i]->smooth;
    }
    Node **a = n->args;
    /* the spectral domain: frames of one clock; audio never mixes in */
    int clock = -1, audio_arg = -1, frame_arg = -1;
    if (n->op != N_STFT && n->op != N_ISTFT && n->op != N_DELAY)
        for (int i = 0; i < n->nargs; i++) {
            if (!a[i]) continue;
            if (a[i]->rate == R_AUDIO && audio_arg < 0) audio_arg = i;
            if (a[i]->rate == R_FRAME) {
                if (frame_arg < 0) frame_arg = i;
                if (clock < 0) clock = a[i]->clock;
                else if (a[i]->clock >= 0 && a[i]->clock != clock && report) {
                    error(n->loc, "spectral frames of different clocks are combined");
                    note(ARG_LOC(n, frame_arg), "%s", clock_text(clock));
                    note(ARG_LOC(n, i), "%s", clock_text(a[i]->clock));
                    note_instances(n->inst);
                }
            }
        }
    if (frame_arg >= 0 && audio_arg >= 0 && report) {
        error(n->loc, "an audio signal cannot enter a spectral expression; analyse it with stft");
        note(ARG_LOC(n, audio_arg), "this is audio");
        note(ARG_LOC(n, frame_arg), "this is a spectral frame");
        note_instances(n->inst);
    }
    if (n->op != N_STFT) n->clock = clock;
    switch (n->op) {
    case N_CONST: t = n->is_int ? T_INT : T_FLOAT; break;
    case N_STFT:
        r = R_FRAME;
        t = T_COMPLEX;
        w = a[0]->width ? a[0]->width : 1;
        if (report && a[0]->rate == R_FRAME) {
            error(ARG_LOC(n, 0), "stft analyses a signal, but this is already a spectral frame");
            note_instances(n->inst);
        }
        if (report && (a[0]->type == T_BOOL)) {
            error(ARG_LOC(n, 0), "stft needs a number; this is a condition (bool)");
            note_instances(n->inst);
        }
        break;
    case N_ISTFT:
        r = R_AUDIO;
        t = T_FLOAT;
        w = a[0]->width ? a[0]->width : 1;
        n->clock = a[0]->clock;
        if (report && a[0]->rate != R_FRAME) {
            error(ARG_LOC(n, 0), "istft resynthesizes a spectral frame, like stft(x, 1024); this is %s",
                  a[0]->rate == R_AUDIO ? "an audio signal" : "not a frame");
            note_instances(n->inst);
        } else if (report && a[0]->type != T_COMPLEX && a[0]->type != T_UNKNOWN) {
            error(ARG_LOC(n, 0), "istft needs a complex spectrum; build one with polar(magnitude, phase)");
            note_instances(n->inst);
        }
        break;
    case N_SR: r = R_INIT; break;
    case N_INPUT: r = R_AUDIO; break;
    case N_NOISE: r = R_AUDIO; break;
    case N_PARAM:
        r = R_CONTROL;
        smooth = VEC_AT(G->prog->params, n->index, Ast *)->op == AGRAPH_PARAM_SLIDER;
        break;
    case N_DEF:
        w = a[0]->width;
        t = a[0]->type;
        if (report && n->index > 0 && w && w != n->index) {
            error(n->def->a->loc, "%d names are given but the value has %d channel%s", n->index,
                  w, w == 1 ? "" : "s");
            note(n->loc, "the names are here");
            note_instances(n->inst);
        }
        break;
    case N_TUPLE:
        w = 0;
        for (int i = 0; i < n->nargs; i++) w += a[i]->width ? a[i]->width : 1;
        t = T_UNKNOWN;
        for (int i = 0; i < n->nargs; i++) {
            Type ti = a[i]->type;
            if (t == T_UNKNOWN) t = ti;
            else if (ti != T_UNKNOWN && ti != t) {
                if (ti == T_BOOL || t == T_BOOL) {
                    if (report) {
                        error(ARG_LOC(n, i), "a tuple mixes conditions (bool) and numbers");
                        note_instances(n->inst);
                    }
                } else t = T_FLOAT;
            }
        }
        break;
    case N_PICK:
        t = a[0]->type;
        if (report && a[0]->width && n->index >= a[0]->width) {
            error(n->loc, "channel %d does not exist: the value has %d channel%s (0 to %d)",
                  n->index, a[0]->width, a[0]->width == 1 ? "" : "s", a[0]->width - 1);
            note_instances(n->inst);
        }
        break;
    case N_BINOP: {
        int op = n->index;
        Type ta = a[0]->type, tb = a[1]->type;
        if (op == OP_AND || op == OP_OR) {
            t = T_BOOL;
            for (int i = 0; i < 2; i++)
                if (report && a[i]->type != T_BOOL && a[i]->type != T_UNKNOWN) {
                    error(ARG_LOC(n, i), "'%s' needs conditions on both sides; this is a number (%s)",
                          op_spelling[op], type_name[a[i]->type]);
                    note_instances(n->inst);
                }
        } else {
            for (int i = 0; i < 2; i++)
                if (report && a[i]->type == T_BOOL) {
                    error(ARG_LOC(n, i), "'%s' needs numbers; this is a condition (bool): use "
                          "select(c, 1, 0) or float(c)", op_spelling[op]);
                    note_instances(n->inst);
                }
            bool cx = ta == T_COMPLEX || tb == T_COMPLEX;
            if (cx && report && !(op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV)) {
                error(n->loc, "'%s' is not defined on complex spectra; compare or transform mag(X) instead",
                      op_spelling[op]);
                note_instances(n->inst);
            }
            if (cx) t = T_COMPLEX;
            else if (op >= OP_LT && op <= OP_NE) t = T_BOOL;
            else if (op == OP_DIV || op == OP_POW) t = T_FLOAT;
            /* unknown (a feedback value not yet inferred) is taken as int until shown otherwise */
            else t = (ta == T_UNKNOWN && tb == T_UNKNOWN) ? T_UNKNOWN :
                     ((ta == T_INT || ta == T_UNKNOWN) && (tb == T_INT || tb == T_UNKNOWN)) ? T_INT : T_FLOAT;
            if (t == T_UNKNOWN) t = T_FLOAT;
        }
        goto broadcast;
    }
    case N_UNOP:
        if (n->index == OP_NOT) {
            t = T_BOOL;
            if (report && a[0]->type != T_BOOL && a[0]->type != T_UNKNOWN) {
                error(ARG_LOC(n, 0), "'!' needs a condition; this is a number (%s)", type_name[a[0]->type]);
                note_instances(n->inst);
            }
        } else {
            t = a[0]->type == T_INT ? T_INT : a[0]->type == T_COMPLEX ? T_COMPLEX : T_FLOAT;
            if (report && a[0]->type == T_BOOL) {
                error(ARG_LOC(n, 0), "'-' needs a number; this is a condition (bool)");
                note_instances(n->inst);
            }
        }
        goto broadcast;
    case N_CALL: {
        int b = n->index;
        if (b == B_SELECT) {
            if (report && a[0]->type != T_BOOL && a[0]->type != T_UNKNOWN) {
                error(ARG_LOC(n, 0), "select's condition must be a comparison (bool), like x > 0");
                note_instances(n->inst);
            }
            Type x = a[1]->type, y = a[2]->type;
            if (x == T_COMPLEX || y == T_COMPLEX) t = T_COMPLEX;
            else if (x == T_BOOL && y == T_BOOL) t = T_BOOL;
            else if (x == T_BOOL || y == T_BOOL) {
                t = T_FLOAT;
                if (report) {
                    error(n->loc, "select's two choices must both be numbers or both be conditions");
                    note_instances(n->inst);
                }
            } else t = (x == T_INT && y == T_INT) ? T_INT : T_FLOAT;
        } else if (b == B_MAG || b == B_PHASE || b == B_RE || b == B_IM || b == B_CONJ || b == B_BINHZ) {
            t = b == B_CONJ ? T_COMPLEX : T_FLOAT;
            if (report && a[0]->rate != R_FRAME) {
                error(ARG_LOC(n, 0), "'%s' takes a spectral frame, like stft(x, 1024)", builtin_name[b]);
                note_instances(n->inst);
            } else if (report && b != B_BINHZ && a[0]->type != T_COMPLEX) {
                error(ARG_LOC(n, 0), "'%s' takes a complex spectrum; this is %s", builtin_name[b],
                      type_name[a[0]->type]);
                note_instances(n->inst);
            }
            if (b == B_BINHZ) r = R_FRAME;
        } else if (b == B_POLAR) {
            t = T_COMPLEX;
            for (int i = 0; i < 2; i++)
                if (report && (a[i]->type == T_BOOL || a[i]->type == T_COMPLEX)) {
                    error(ARG_LOC(n, i), "polar takes a magnitude and a phase (real numbers)");
                    note_instances(n->inst);
                }
        } else {
            for (int i = 0; i < n->nargs; i++)
                if (report && a[i]->type == T_COMPLEX) {
                    error(ARG_LOC(n, i), "'%s' is not defined on complex spectra; use mag(X), phase(X), re(X) or im(X)",
                          builtin_name[b]);
                    note_instances(n->inst);
                }
            for (int i = 0; i < n->nargs; i++)
                if (report && a[i]->type == T_BOOL && b != B_FLOAT) {
                    error(ARG_LOC(n, i), "'%s' needs a number; this is a condition (bool)", builtin_name[b]);
                    note_instances(n->inst);
                }
            bool all_int = true;
            for (int i = 0; i < n->nargs; i++) all_int &= a[i]->type == T_INT;
            if (b == B_INT) t = T_INT;
            else if ((b == B_MIN || b == B_MAX || b == B_ABS || b == B_CLAMP) && all_int) t = T_INT;
            else t = T_FLOAT;
        }
        goto broadcast;
    }
    case N_TABLE:
        t = T_FLOAT;
        w = a[0]->width ? a[0]->width : 1;
        r = a[0]->rate;
        /* a sound file arrives after init: read it once per block at the earliest */
        if (((Table *)G->tables.v[n->index])->path && r < R_CONTROL) r = R_CONTROL;
        if (report && (a[0]->type == T_BOOL || a[0]->type == T_COMPLEX)) {
            error(ARG_LOC(n, 0), "a table position must be a number");
            note_instances(n->inst);
        }
        break;
    case N_CONV:
        t = T_FLOAT;
        w = a[0]->width ? a[0]->width : 1;
        r = R_AUDIO;
        if (a[0]->rate == R_FRAME) {   /* still a frame, so that nothing downstream complains */
            if (report) {
                error(ARG_LOC(n, 0), "conv filters a signal, but this is a spectral frame");
                note_instances(n->inst);
            }
            r = R_FRAME;
            t = a[0]->type;
            n->clock = a[0]->clock;
        } else if (report && (a[0]->type == T_BOOL || a[0]->type == T_COMPLEX)) {
            error(ARG_LOC(n, 0), "conv needs a number; this is a condition (bool)");
            note_instances(n->inst);
        }
        break;
    case N_DELAY: {
        r = R_AUDIO;
        t = a[0]->type;
        if (a[0]->rate == R_FRAME) {   /* still a frame, so that nothing downstream complains */
            if (report) {
                error(ARG_LOC(n, 0), "a spectral frame cannot be delayed; delay the signal before stft");
                note_instances(n->inst);
            }
            r = R_FRAME;
            n->clock = a[0]->clock;
            break;
        }
        w = a[0]->width ? a[0]->width : 1;
        if (a[1]->width > 1 && w > 1 && a[1]->width != w && report) {
            error(ARG_LOC(n, 1), "the delay length has %d channels but the signal has %d", a[1]->width, w);
            note_instances(n->inst);
        }
        if (a[1]->width > w) w = a[1]->width;    /* one channel broadcasts */
        if (report && !numeric(a[1]->type)) {
            error(ARG_LOC(n, 1), "a delay length must be a number of samples, not a condition");
            note_instances(n->inst);
        }
        if (report && n->nargs == 3 && a[2]->width > 1) {
            error(ARG_LOC(n, 2), "a delay bound must be one number");
            note_instances(n->inst);
        }
        smooth = false;
        break;
    }
    }
    goto done;
broadcast:
    w = 1;
    for (int i = 0; i < n->nargs; i++) {
        int wi = a[i]->width;
        if (wi <= 1) continue;
        if (w == 1) w = wi;
        else if (wi != w) {
            if (report) {
                error(n->loc, "channel mismatch: %d channels and %d channels", w, wi);
                for (int k = 0; k < n->nargs; k++)
                    if (a[k]->width > 1)
                        note(ARG_LOC(n, k), "this has %d channel%s", a[k]->width, a[k]->width == 1 ? "" : "s");
                note_instances(n->inst);
            }
            break;
        }
    }
done:
    if (error_count() > errors_before) n->bad = true;
    bool changed = n->width != w || n->type != t || n->rate != r || n->smooth != smooth;
    n->width = w;
    n->type = t;
    n->rate = r;
    n->smooth = smooth;
    return changed;
}

/* Delay lengths: constant (or fixed at init) lengths need no bound; varying ones need one. */
static void check_delays(void)
{
    static const double rates[] = { 8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400 };
    int stamp = 1000;
    long work = 0, range_visits = 20000000L;   /* for all the delays: then their bounds size them */
    for (int i = 0; i < G->nodes.n; i++) {
        Node *n = G->nodes.v[i];
        if (n->op != N_DELAY) continue;
        Node *len = n->args[1], *max = n->nargs == 3 ? n->args[2] : NULL;
        Node *bound = max ? max : len;
        if (!max && len->rate > R_INIT) {
            error(ARG_LOC(n, 1), "the delay length changes while the program runs (it is %s-rate); "
                  "give it a bound, as in x@(length, max: 1s)", rate_name[len->rate]);
            note_instances(n->inst);
            continue;
        }
        if (max && max->rate > R_INIT) {
            error(ARG_LOC(n, 2), "a delay bound must be a constant, not a %s-rate value", rate_name[max->rate]);
            note_instances(n->inst);
            continue;
        }
        double worst = -1;
        for (int k = 0; k <= (int)(sizeof rates / sizeof rates[0]); k++) {
            double sr = k < (int)(sizeof rates / sizeof rates[0]) ? rates[k] : opt.max_sr;
            if (sr > opt.max_sr) continue;
            double v = -1, bad = 0;
            bool ok = true;
            for (int ch = 0; ch < bound->width && ok; ch++) {
                double vc;
                ok = fold_channel(bound, ch, sr, &vc);
                if (ok && !isfinite(vc)) { bad = vc; ok = false; }
                if (ok && (ch == 0 || vc > v)) v = vc;
                if (ok && vc < 0) v = vc;
            }
            if (!ok && (bad > 0 || bad < 0)) {   /* an infinity: 1/0, 1e308s */
                if (bad > 0)
                    error(max ? ARG_LOC(n, 2) : ARG_LOC(n, 1), "the delay %s is infinite (the limit is "
                          "%d samples)", max ? "bound" : "length", MAX_DELAY_SAMPLES);
                else
                    error(max ? ARG_LOC(n, 2) : ARG_LOC(n, 1), "a delay cannot be negative (it is minus infinity)");
                note_instances(n->inst);
                worst = -2;
                break;
            }
            if (!ok && bad != bad) {   /* NaN: 0/0, log(-1) ... */
                error(max ? ARG_LOC(n, 2) : ARG_LOC(n, 1), "the delay %s is not a number (NaN)%s",
                      max ? "bound" : "length", bound->rate == R_CONST ? "" : " at some sample rate");
                note_instances(n->inst);
                worst = -2;
                break;
            }
            if (!ok) {
                error(max ? ARG_LOC(n, 2) : ARG_LOC(n, 1), "the delay %s cannot be computed before audio starts",
                      max ? "bound" : "length");
                note_instances(n->inst);
                worst = -2;
                break;
            }
            if (v > worst) worst = v;
            if (v < 0) {
                if (bound->rate == R_CONST)
                    error(max ? ARG_LOC(n, 2) : ARG_LOC(n, 1), "a delay cannot be negative (it is %g samples)", v);
                else
                    error(max ? ARG_LOC(n, 2) : ARG_LOC(n, 1), "a delay cannot be negative (it is %g samples at %g Hz)", v, sr);
                note_instances(n->inst);
                worst = -2;
                break;
            }
        }
        if (worst == -2) continue;
        if (worst > MAX_DELAY_SAMPLES) {
            error(max ? ARG_LOC(n, 2) : ARG_LOC(n, 1), "a delay of %.10g samples is too long (the limit is %d samples, "
                  "%.1f s at %g Hz)", worst, MAX_DELAY_SAMPLES, MAX_DELAY_SAMPLES / opt.max_sr,
                  opt.max_sr);
            note_instances(n->inst);
            continue;
        }
        /* A moving length whose range is known and shorter than its bound sizes the line (with
         * a sample to spare for float rounding at run time); the bound would never be reached. */
        if (max) {
            double most = -1;
            for (int ch = 0; ch < len->width; ch++) {
                double lo, hi;
                if (!range_channel(len, ch, G->prog, opt.max_sr, &range_visits, &lo, &hi)) { most = -1; break; }
                if (hi > most) most = hi;
            }
            if (most >= 0 && most + 1 < worst) worst = floor(most) + 1;
        }
        n->cval = ceil(worst);    /* longest length, in samples, at any supported rate */
        /* Feedback: the source is computed from this read in the same sample. Past a budget
         * of graph walks, assume so (the line is then written at the end of the sample). */
        n->in_cycle = work > 50000000L || reaches(n->args[0], n, ++stamp);
        work += G->nodes.n;
    }
}

/* A sound file's table holds up to `max` samples at the highest sample rate. */
#define MAX_FILE_SAMPLES (1 << 23)
static void check_sound_table(Table *t)
{
    Ast *max = NULL;
    for (int i = 0; i < t->decl->a->args.n; i++) {
        Ast *a = VEC_AT(t->decl->a->args, i, Ast *);
        if (a->name && !strcmp(a->name, "max")) max = a->a;
    }
    double len;
    if (t->max->rate > R_INIT || !fold_node(t->max, opt.max_sr, &len)) {
        error(max->loc, "a sound file's longest length must be a constant, like 2s or 96000");
        return;
    }
    len = ceil(len);
    if (!(len >= 1 && len <= MAX_FILE_SAMPLES)) {
        error(max->loc, "a sound file's table holds 1 to %d samples (%.1f s at %g Hz); this is %.0f",
              MAX_FILE_SAMPLES, MAX_FILE_SAMPLES / opt.max_sr, opt.max_sr, len);
        return;
    }
    t->size = (int)len;
}

/* Tables hold constants, folded here into the data the generated code carries. */
static void check_tables(void)
{
    for (int i = 0; i < G->tables.n; i++) {
        Table *t = G->tables.v[i];
        Node *v = t->value;
        if (t->path) {
            check_sound_table(t);
            continue;
        }
        if (v->width > (1 << 20)) {
            error(t->decl->a->loc, "a table of %d values is too large (the limit is %d)", v->width, 1 << 20);
            continue;
        }
        t->size = v->width;
        t->data = arena_alloc(sizeof(double) * (size_t)t->size);
        for (int k = 0; k < t->size; k++)
            if (v->type == T_BOOL || v->type == T_COMPLEX || !fold_channel(v, k, 0, &t->data[k]) ||
                !isfinite(t->data[k])) {
                error(t->decl->a->loc, "a table's values must be constant numbers (value %d is not)", k);
                break;
            }
    }
}

void check_graph(Graph *g)
{
    G = g;
    assign_clocks();
    mark_zero_delays();
    find_cycles();
    topo();
    for (int i = 0; i < g->nodes.n; i++) {
        Node *n = g->nodes.v[i];
        n->width = 0;
        n->type = T_UNKNOWN;
        n->rate = R_CONST;
    }
    /* Delays carry information around feedback loops: iterate to a fixed point. */
    for (int pass = 0; pass < 64; pass++) {
        bool changed = false;
        for (int i = 0; i < n_order; i++) changed |= infer(order[i], false);
        if (!changed) break;
    }
    for (int i = 0; i < n_order; i++) {
        if (order[i]->width == 0) order[i]->width = 1;
        if (order[i]->type == T_UNKNOWN) order[i]->type = T_FLOAT;
    }
    for (int i = 0; i < n_order; i++) infer(order[i], true);
    if (error_count()) return;
    check_delays();
    check_tables();

    Program *p = g->prog;
    for (int i = 0; i < g->outputs.n; i++) {
        Node *o = g->outputs.v[i];
        Ast *st = p->outputs.v[i];
        if (o->rate == R_FRAME && !o->bad)
            error(st->a->loc, "an output must be audio, but this is a spectral frame: resynthesize "
                  "it with istft");
        else if (o->type == T_BOOL)
            error(st->a->loc, "an output must be a number, but this is a condition (bool): use "
                  "select(c, 1, 0) or float(c)");
    }
    for (int i = 0; i < g->probes.n; i++) {
        Node *o = g->probes.v[i];
        if (o->type == T_BOOL)
            error(((Ast *)p->probes.v[i])->a->loc, "a probe must be a number, but this is a "
                  "condition (bool): use float(c)");
        else if (o->type == T_COMPLEX)
            error(((Ast *)p->probes.v[i])->a->loc, "a probe must be real: probe mag(X) or phase(X)");
    }
}
