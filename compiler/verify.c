/* verify.c — invariants of the scheduled IR, checked after every compilation: operands come
 * before their users and run at the same or a slower rate, every live delay line has a source.
 * A failure is a bug in agraphc, reported as such. */
#include "agraph.h"

void verify_ir(Ir *ir)
{
    for (int i = 0; i < ir->ins.n; i++) {
        Ins *x = ir->ins.v[i];
        if (!x->live) continue;
        for (int a = 0; a < x->nargs; a++) {
            if (x->a[a] < 0 || x->a[a] >= x->id)
                fatal(no_loc, "internal error: %%%d uses %%%d before it is computed", x->id, x->a[a]);
            Ins *y = ir->ins.v[x->a[a]];
            if (!y->live) fatal(no_loc, "internal error: %%%d uses dead %%%d", x->id, y->id);
            bool resynthesis = x->op == I_ISTFT && y->rate == R_FRAME;
            if (x->rate == R_FRAME && y->rate == R_AUDIO)
                fatal(no_loc, "internal error: frame %%%d uses audio %%%d", x->id, y->id);
            if (y->rate > x->rate && !resynthesis)
                fatal(no_loc, "internal error: %s-rate %%%d uses %s-rate %%%d", rate_name[x->rate],
                      x->id, rate_name[y->rate], y->id);
        }
        if (x->op == I_DREAD) {
            DelayLine *l = ir->lines.v[x->aux];
            if (l->src < 0) fatal(no_loc, "internal error: delay line #%d has no source", x->aux);
            if (l->size < l->max_len + 2 || (l->size & (l->size - 1)))
                fatal(no_loc, "internal error: delay line #%d is sized %d for %d samples", x->aux,
                      l->size, l->max_len);
        }
    }
    for (int i = 0; i < ir->n_out; i++)
        if (!((Ins *)ir->ins.v[ir->out_ids[i]])->live)
            fatal(no_loc, "internal error: output %d is not computed", i);
}
