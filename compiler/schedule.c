/* schedule.c — the schedule: keep only what outputs, probes and delay lines need, and place
 * each instruction at the slowest rate that is correct — init (once per sample rate), control
 * (once per block, before the sample loop) or audio (in the one fused loop). Lowering already
 * produced a valid same-sample order; the schedule keeps it within each section. */
#include "agraph.h"

static Ir *IR;

static void mark(int id, Vec *work)
{
    Ins *x = IR->ins.v[id];
    if (x->live) return;
    x->live = true;
    vec_push(work, x);
}

/* Power-of-two lines all start on the same cache set and, written at the same index every sample,
 * would evict each other: each live one is written 16 elements (64 bytes) further along than the
 * one before. A line alone keeps 0. */
static void skew_lines(Ir *ir)
{
    int arrays = 0, n_arrays = 0;
    for (int i = 0; i < ir->lines.n; i++) {
        DelayLine *l = ir->lines.v[i];
        n_arrays += l->src >= 0 && !l->scalar;
    }
    for (int i = 0; i < ir->lines.n; i++) {
        DelayLine *l = ir->lines.v[i];
        l->skew = 0;
        if (l->src < 0 || l->scalar || n_arrays < 2) continue;
        l->skew = (16 * arrays++) & (l->size - 1);
    }
}

void schedule_ir(Ir *ir)
{
    IR = ir;
    Vec work = {0};
    for (int i = 0; i < ir->n_out; i++) mark(ir->out_ids[i], &work);
    for (int i = 0; i < ir->n_probe_vals; i++) mark(ir->probe_ids[i], &work);
    /* Parameters stay in the table even when unused; their raw values are cheap. */
    bool *line_live = arena_alloc(sizeof(bool) * (size_t)(ir->lines.n + 1));
    while (work.n) {
        Ins *x = work.v[--work.n];
        for (int a = 0; a < x->nargs; a++) mark(x->a[a], &work);
        if (x->op == I_DREAD && !line_live[x->aux]) {
            line_live[x->aux] = true;
            mark(((DelayLine *)ir->lines.v[x->aux])->src, &work);
        }
        if (x->op == I_SMOOTH) mark(x->a[0], &work);
        if (x->op == I_STFT) mark(((Spectral *)ir->stfts.v[x->aux])->value, &work);
    }
    for (int r = 0; r < N_RATES; r++) ir->sched[r].n = 0;
    for (int i = 0; i < ir->ins.n; i++) {
        Ins *x = ir->ins.v[i];
        if (!x->live || x->op == I_CONST) continue;
        x->order = ir->sched[x->rate].n;
        vec_push(&ir->sched[x->rate], x);
        for (int a = 0; a < x->nargs; a++) {
            Ins *y = ir->ins.v[x->a[a]];
            y->uses++;
            if (y->rate == R_INIT && x->rate > R_INIT) y->stored = true;
        }
    }
    for (int i = 0; i < ir->n_out; i++) {
        Ins *y = ir->ins.v[ir->out_ids[i]];
        y->uses++;
        if (y->rate == R_INIT) y->stored = true;
    }
    for (int i = 0; i < ir->n_probe_vals; i++) {
        Ins *y = ir->ins.v[ir->probe_ids[i]];
        y->uses++;
        if (y->rate == R_INIT) y->stored = true;
    }
    for (int i = 0; i < ir->lines.n; i++) {
        DelayLine *l = ir->lines.v[i];
        if (!line_live[i]) { l->src = -1; continue; }
        Ins *y = ir->ins.v[l->src];
        y->uses++;
        if (y->rate == R_INIT) y->stored = true;
    }
    for (int i = 0; i < ir->stfts.n; i++) {
        Spectral *sp = ir->stfts.v[i];
        Ins *y = ir->ins.v[sp->value];
        y->uses++;
        if (y->rate == R_INIT) y->stored = true;
    }
    for (int i = 0; i < ir->smooth_src.n; i++) {
        Ins *y = ir->smooth_src.v[i];
        if (y->rate == R_INIT) y->stored = true;
    }
    skew_lines(ir);
}
