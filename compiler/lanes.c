/* lanes.c — copies side by side. `sum k in 1..64: sine(f * k) / k` elaborates to 64 copies of
 * one computation; emitted one after another, each calls sinf on its own. Here the copies are
 * found again in the audio schedule and marked as one Lanes: emit_c runs them as a loop over
 * lanes with their state in arrays, which the C compiler vectorizes (on x86-64 glibc, with
 * libmvec's vector sinf). The result is the same computation on the same values; only the
 * vector maths functions may round differently (within 4 ulp, as glibc documents).
 *
 * Seeds are maths calls (sin, exp, tanh, ...) of the same shape. From them the copies grow one
 * slot at a time: into operands, into users, and from a read of a one-sample delay (a phase)
 * to the value each copy writes to it. The schedule is then reordered so each Lanes' slots sit
 * together; copies that would need another copy's result in the same sample are left alone. */
#include "agraph.h"

#include <stdlib.h>
#include <string.h>

static Ir *IR;
static Ins *I(int id) { return IR->ins.v[id]; }

#define MAX_SLOTS 4096       /* instructions per copy that one Lanes may take */

/* Whether a builtin has a vector version in glibc's libmvec: the seeds of a Lanes. */
static bool lane_math(int b)
{
    switch (b) {
    case B_SIN: case B_COS: case B_TAN: case B_ASIN: case B_ACOS: case B_ATAN: case B_ATAN2:
    case B_SINH: case B_COSH: case B_TANH: case B_EXP: case B_LOG: case B_LOG2: case B_LOG10:
    case B_POW: case B_DB2LIN: case B_LIN2DB:
        return true;
    default:
        return false;
    }
}

/* ---- shapes: equal for instructions that compute the same way from the same kinds of inputs */

static uint64_t *shape;
static Vec *users;           /* per instruction: its audio-rate users (Ins*) */
static int *n_reads;         /* per delay line: live reads */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static bool audio(int id) { return id >= 0 && I(id)->live && I(id)->rate == R_AUDIO; }

/* What aux means for the computation (an operator, a builtin); for the rest it names a slot of
 * state (a delay line, a smoother) that each copy has its own of. */
static int op_aux(Ins *x)
{
    return x->op == I_BINOP || x->op == I_UNOP || x->op == I_CALL ? x->aux : -1;
}

static uint64_t leaf(int o)
{
    return o < 0 ? 1 : audio(o) ? shape[o] : 2 + (uint64_t)I(o)->rate * 8 + I(o)->type;
}

static void compute_shapes(void)
{
    Vec *au = &IR->sched[R_AUDIO];
    for (int i = 0; i < au->n; i++) {
        Ins *x = au->v[i];
        /* a + b and a * b are b + a and b * a (exactly, in IEEE arithmetic): one order for both */
        if (x->op == I_BINOP && (x->aux == OP_ADD || x->aux == OP_MUL) && leaf(x->a[1]) < leaf(x->a[0])) {
            int t = x->a[0];
            x->a[0] = x->a[1];
            x->a[1] = t;
        }
        uint64_t h = mix(mix(mix(x->op, (uint64_t)op_aux(x)), x->type), (uint64_t)x->nargs);
        if (x->op == I_DREAD) h = mix(h, ((DelayLine *)IR->lines.v[x->aux])->scalar);
        for (int a = 0; a < x->nargs; a++) {
            h = mix(h, leaf(x->a[a]));
        }
        shape[x->id] = h;
    }
}

/* ---- growing one Lanes ---- */

static Lanes *L;
static int cap_slots;
static int *slot_of, *lane_of;   /* per instruction, while a Lanes grows: -1 if not in it */
static int *stamp, stamps;       /* per instruction: the last packable() call that saw it */
static bool failed;

/* Instructions a lane may compute: arithmetic, maths, casts, and reads of one-sample delays. */
static bool lane_op(Ins *x)
{
    switch (x->op) {
    case I_BINOP: case I_UNOP: case I_CAST: return true;
    case I_CALL: return x->aux != B_NOISE && x->aux < B_STFT;
    case I_DREAD: {
        DelayLine *l = IR->lines.v[x->aux];
        return l->scalar && n_reads[x->aux] == 1 && l->src >= 0;
    }
    default: return false;
    }
}

static bool alike(Ins *a, Ins *b)
{
    return a->op == b->op && op_aux(a) == op_aux(b) && a->type == b->type && a->nargs == b->nargs &&
           shape[a->id] == shape[b->id];
}

/* Whether ids (one per lane) can become a new slot: alike, distinct, in no Lanes yet. */
static bool packable(const int *ids)
{
    for (int l = 0; l < L->n; l++) {
        if (!audio(ids[l])) return false;
        Ins *x = I(ids[l]);
        if (x->group || slot_of[x->id] >= 0 || !lane_op(x) || !alike(x, I(ids[0]))) return false;
    }
    stamps++;
    for (int l = 0; l < L->n; l++) {
        if (stamp[ids[l]] == stamps) return false;   /* one instruction in two lanes */
        stamp[ids[l]] = stamps;
    }
    return true;
}

static int add_slot(const int *ids)
{
    if (L->m == MAX_SLOTS) { failed = true; return -1; }
    if (L->m == cap_slots) {
        int nc = cap_slots ? cap_slots * 2 : 16;
        int *ni = arena_alloc(sizeof(int) * (size_t)(nc * L->n));
        /* ins is [lane * m + slot]: kept as [slot][lane] while growing, transposed at the end */
        if (L->ins) memcpy(ni, L->ins, sizeof(int) * (size_t)(cap_slots * L->n));
        L->ins = ni;
        cap_slots = nc;
    }
    int j = L->m++;
    for (int l = 0; l < L->n; l++) {
        L->ins[j * L->n + l] = ids[l];
        slot_of[ids[l]] = j;
        lane_of[ids[l]] = l;
    }
    return j;
}

static int at(int slot, int lane) { return L->ins[slot * L->n + lane]; }

/* Grow from every slot: operands, the values owned lines are written with, users. */
static void grow(void)
{
    int *ids = arena_alloc(sizeof(int) * (size_t)L->n);
    for (int j = 0; j < L->m && !failed; j++) {
        Ins *t = I(at(j, 0));
        for (int a = 0; a < t->nargs; a++) {
            bool same = true, any_in = false;
            for (int l = 0; l < L->n; l++) {
                ids[l] = I(at(j, l))->a[a];
                same &= ids[l] == ids[0];
                any_in |= ids[l] >= 0 && slot_of[ids[l]] >= 0;
            }
            if (same || any_in || !packable(ids)) continue;
            add_slot(ids);
        }
        if (t->op == I_DREAD) {
            for (int l = 0; l < L->n; l++) ids[l] = ((DelayLine *)IR->lines.v[I(at(j, l))->aux])->src;
            if (slot_of[ids[0]] < 0) {
                if (!packable(ids)) { failed = true; return; }
                add_slot(ids);
            }
        }
        /* users: lane 0's user u of this slot at operand p, matched in every lane */
        Vec *us = &users[t->id];
        for (int k = 0; k < us->n && !failed; k++) {
            Ins *u = us->v[k];
            if (u->group || slot_of[u->id] >= 0) continue;
            int p = 0;
            while (p < u->nargs && u->a[p] != t->id) p++;
            ids[0] = u->id;
            bool ok = true;
            for (int l = 1; l < L->n && ok; l++) {
                Vec *ul = &users[at(j, l)];
                ids[l] = -1;
                for (int q = 0; q < ul->n; q++) {
                    Ins *v = ul->v[q];
                    if (v->a[p] == at(j, l) && alike(v, u) && !v->group && slot_of[v->id] < 0) { ids[l] = v->id; break; }
                }
                ok = ids[l] >= 0;
            }
            if (ok && packable(ids)) add_slot(ids);
        }
    }
}

/* Classify every operand of every slot; false if the copies are not really side by side. */
static bool classify(void)
{
    L->kind = arena_alloc((size_t)(L->m * 3));
    L->inner = arena_alloc(sizeof(int) * (size_t)(L->m * 3));
    L->out = arena_alloc(sizeof(bool) * (size_t)L->m);
    L->src_slot = arena_alloc(sizeof(int) * (size_t)L->m);
    /* slots in schedule order, so the loop body computes operands first */
    int *order = arena_alloc(sizeof(int) * (size_t)L->m), *t2 = arena_alloc(sizeof(int) * (size_t)(L->m * L->n));
    for (int j = 0; j < L->m; j++) order[j] = j;
    for (int j = 1; j < L->m; j++)
        for (int k = j; k > 0 && I(at(order[k - 1], 0))->order > I(at(order[k], 0))->order; k--) {
            int t = order[k]; order[k] = order[k - 1]; order[k - 1] = t;
        }
    for (int j = 0; j < L->m; j++)
        for (int l = 0; l < L->n; l++) {
            t2[j * L->n + l] = at(order[j], l);
            slot_of[t2[j * L->n + l]] = j;
        }
    L->ins = t2;
    for (int j = 0; j < L->m; j++) {
        Ins *t = I(at(j, 0));
        L->src_slot[j] = -1;
        for (int a = 0; a < t->nargs; a++) {
            int o0 = t->a[a];
            bool same = true;
            for (int l = 1; l < L->n; l++) same &= I(at(j, l))->a[a] == o0;
            if (o0 >= 0 && slot_of[o0] >= 0) {
                int s = slot_of[o0];
                for (int l = 0; l < L->n; l++) {
                    int o = I(at(j, l))->a[a];
                    if (slot_of[o] != s || lane_of[o] != l) return false;
                }
                L->kind[j * 3 + a] = LANE_INNER;
                L->inner[j * 3 + a] = s;
            } else if (same) {
                L->kind[j * 3 + a] = LANE_SAME;
            } else {
                for (int l = 0; l < L->n; l++)
                    if (slot_of[I(at(j, l))->a[a]] >= 0) return false;
                /* a LANE_EACH operand is renamed by its lane-0 id: one meaning per slot */
                for (int b = 0; b < t->nargs; b++)
                    if (b != a && t->a[b] == o0) return false;
                L->kind[j * 3 + a] = LANE_EACH;
            }
        }
        if (t->op == I_DREAD) {
            int s0 = ((DelayLine *)IR->lines.v[t->aux])->src;
            if (slot_of[s0] < 0) return false;
            for (int l = 0; l < L->n; l++) {
                int s = ((DelayLine *)IR->lines.v[I(at(j, l))->aux])->src;
                if (slot_of[s] != slot_of[s0] || lane_of[s] != l) return false;
            }
            L->src_slot[j] = slot_of[s0];
        }
    }
    /* uses outside: other instructions, outputs, probes, analysed values; a line written from a
     * slot must be one the lanes own */
    for (int j = 0; j < L->m; j++) {
        int owned = 0;   /* lines this slot writes, which the lanes own: not a use outside */
        for (int k = 0; k < L->m; k++) owned += L->src_slot[k] == j;
        for (int l = 0; l < L->n; l++) {
            int id = at(j, l);
            Vec *us = &users[id];
            for (int k = 0; k < us->n; k++)
                if (slot_of[((Ins *)us->v[k])->id] < 0) L->out[j] = true;
            if (I(id)->uses > us->n + owned) L->out[j] = true;   /* outputs, probes, frames */
        }
    }
    for (int k = 0; k < IR->lines.n; k++) {
        DelayLine *dl = IR->lines.v[k];
        if (dl->src < 0 || slot_of[dl->src] < 0) continue;
        bool owned = false;
        for (int j = 0; j < L->m && !owned; j++)
            owned = L->src_slot[j] >= 0 && I(at(j, lane_of[dl->src]))->aux == k;
        if (!owned) return false;
    }
    return true;
}

static int by_shape(const void *a, const void *b)
{
    const Ins *x = *(Ins *const *)a, *y = *(Ins *const *)b;
    if (shape[x->id] != shape[y->id]) return shape[x->id] < shape[y->id] ? -1 : 1;
    return x->order - y->order;
}

/* ---- the schedule, with each accepted Lanes as one step ---- */

static int *rep;             /* per audio instruction: its step (its own id, or its Lanes' first) */

/* Order the audio schedule by its dependences with every Lanes contracted to one step, keeping
 * the old order where free (a heap on it). false if that graph has a cycle. */
static bool reorder(bool commit)
{
    Vec *au = &IR->sched[R_AUDIO];
    int n = au->n;
    int *pos = arena_alloc(sizeof(int) * (size_t)IR->ins.n);
    int *indeg = arena_alloc(sizeof(int) * (size_t)IR->ins.n);
    Vec *succ = arena_alloc(sizeof(Vec) * (size_t)IR->ins.n);
    for (int i = 0; i < n; i++) pos[((Ins *)au->v[i])->id] = i;
    for (int gi = 0; gi < IR->groups.n; gi++) {
        Lanes *g = IR->groups.v[gi];
        int first = g->ins[0];
        for (int k = 0; k < g->m * g->n; k++)
            if (pos[g->ins[k]] < pos[first]) first = g->ins[k];
        for (int k = 0; k < g->m * g->n; k++) rep[g->ins[k]] = first;
    }
    for (int i = 0; i < n; i++) {
        Ins *x = au->v[i];
        if (!x->group) rep[x->id] = x->id;
    }
    for (int i = 0; i < n; i++) {
        Ins *x = au->v[i];
        int preds[4], np = 0;
        for (int a = 0; a < x->nargs; a++)
            if (audio(x->a[a])) preds[np++] = x->a[a];
        if (x->op == I_DREAD) {   /* a line written as soon as its value is known, then read */
            DelayLine *dl = IR->lines.v[x->aux];
            if (!dl->scalar && !dl->in_cycle && audio(dl->src)) preds[np++] = dl->src;
        }
        for (int k = 0; k < np; k++) {
            int a = rep[preds[k]], b = rep[x->id];
            if (a == b) continue;
            vec_push(&succ[a], I(b));
            indeg[b]++;
        }
    }
    int *heap = arena_alloc(sizeof(int) * (size_t)(n + 1)), hn = 0;
    Vec out = {0};
#define HPUSH(v) do { int c_ = hn++; heap[c_] = (v); \
        while (c_ && pos[heap[(c_ - 1) / 2]] > pos[heap[c_]]) { int t_ = heap[c_]; heap[c_] = heap[(c_ - 1) / 2]; heap[(c_ - 1) / 2] = t_; c_ = (c_ - 1) / 2; } } while (0)
    for (int i = 0; i < n; i++) {
        int id = ((Ins *)au->v[i])->id;
        if (rep[id] == id && indeg[id] == 0) HPUSH(id);
    }
    while (hn) {
        int v = heap[0];
        heap[0] = heap[--hn];
        for (int c = 0;;) {
            int s = c, lc = 2 * c + 1, rc = lc + 1;
            if (lc < hn && pos[heap[lc]] < pos[heap[s]]) s = lc;
            if (rc < hn && pos[heap[rc]] < pos[heap[s]]) s = rc;
            if (s == c) break;
            int t = heap[c]; heap[c] = heap[s]; heap[s] = t;
            c = s;
        }
        if (I(v)->group) {   /* the whole Lanes, slot by slot, lane by lane */
            Lanes *g = IR->groups.v[I(v)->group - 1];
            for (int k = 0; k < g->m * g->n; k++) vec_push(&out, I(g->ins[k]));
        } else {
            vec_push(&out, I(v));
        }
        Vec *sc = &succ[v];
        for (int k = 0; k < sc->n; k++) {
            int w = ((Ins *)sc->v[k])->id;
            if (--indeg[w] == 0) HPUSH(w);
        }
    }
#undef HPUSH
    if (out.n != n) return false;
    if (commit) {
        for (int i = 0; i < n; i++) {
            au->v[i] = out.v[i];
            ((Ins *)out.v[i])->order = i;
        }
    }
    return true;
}

/* Transpose ins to [lane * m + slot] once the Lanes is complete. */
static void finish(void)
{
    int *t = arena_alloc(sizeof(int) * (size_t)(L->m * L->n));
    for (int j = 0; j < L->m; j++)
        for (int l = 0; l < L->n; l++) t[l * L->m + j] = L->ins[j * L->n + l];
    L->ins = t;
    L->width = L->n < 4 ? 4 : (L->n + 7) / 8 * 8;
}

void find_lanes(Ir *ir)
{
    IR = ir;
    ir->groups.n = 0;
    if (opt.no_lanes) return;
    Vec *au = &ir->sched[R_AUDIO];
    int n_ins = ir->ins.n;
    shape = arena_alloc(sizeof(uint64_t) * (size_t)n_ins);
    users = arena_alloc(sizeof(Vec) * (size_t)n_ins);
    n_reads = arena_alloc(sizeof(int) * (size_t)(ir->lines.n + 1));
    slot_of = arena_alloc(sizeof(int) * (size_t)n_ins);
    lane_of = arena_alloc(sizeof(int) * (size_t)n_ins);
    stamp = arena_alloc(sizeof(int) * (size_t)n_ins);
    stamps = 0;
    rep = arena_alloc(sizeof(int) * (size_t)n_ins);
    for (int i = 0; i < n_ins; i++) slot_of[i] = -1;
    for (int i = 0; i < au->n; i++) {
        Ins *x = au->v[i];
        for (int a = 0; a < x->nargs; a++)
            if (audio(x->a[a])) vec_push(&users[x->a[a]], x);
        if (x->op == I_DREAD) n_reads[x->aux]++;
    }
    compute_shapes();
    /* seeds: maths calls, classed by shape (sorted), each class in schedule order */
    Ins **calls = arena_alloc(sizeof(Ins *) * (size_t)(au->n + 1));
    int n_calls = 0;
    for (int i = 0; i < au->n; i++) {
        Ins *x = au->v[i];
        if (x->op == I_CALL && lane_math(x->aux)) calls[n_calls++] = x;
    }
    qsort(calls, (size_t)n_calls, sizeof *calls, by_shape);
    for (int i = 0, e; i < n_calls; i = e) {
        for (e = i + 1; e < n_calls && shape[calls[e]->id] == shape[calls[i]->id]; e++) {}
        int n = 0;
        int *ids = arena_alloc(sizeof(int) * (size_t)(e - i));
        for (int k = i; k < e; k++)
            if (!calls[k]->group) ids[n++] = calls[k]->id;   /* not taken by an earlier Lanes */
        if (n < 2) continue;
        L = arena_alloc(sizeof *L);
        L->n = n;
        cap_slots = 0;
        failed = false;
        if (packable(ids)) {
            add_slot(ids);
            grow();
        } else {
            failed = true;
        }
        if (!failed && classify()) {
            for (int k = 0; k < L->m * L->n; k++) I(L->ins[k])->group = ir->groups.n + 1;
            finish();
            vec_push(&ir->groups, L);
        }
        for (int k = 0; k < L->m * L->n; k++) slot_of[L->ins[k]] = -1;
    }
    /* Copies that need another copy's result in the same sample make the contracted schedule
     * cyclic: drop the newest Lanes until it is not (the shapes make this all but impossible). */
    while (ir->groups.n && !reorder(false)) {
        Lanes *g = ir->groups.v[--ir->groups.n];
        for (int k = 0; k < g->m * g->n; k++) I(g->ins[k])->group = 0;
    }
    for (int gi = 0; gi < ir->groups.n; gi++) {
        Lanes *g = ir->groups.v[gi];
        for (int j = 0; j < g->m; j++)
            if (g->src_slot[j] >= 0)
                for (int l = 0; l < g->n; l++)
                    ((DelayLine *)ir->lines.v[I(g->ins[l * g->m + j])->aux])->group = gi + 1;
    }
    if (ir->groups.n) reorder(true);
}
