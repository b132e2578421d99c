/* range.c — interval analysis of graph nodes: the least and greatest value an expression can take
 * while the program runs, its parameters anywhere in their ranges (set_param clamps them there,
 * and a smoother moves between values in the range) and the sample rate anywhere up to the
 * highest supported. check.c sizes a moving delay line by it when it is tighter than the bound
 * the source gives (freeverb's `max: 2000 / 44100 * SR` holds a length that never passes 7240
 * samples at 192 kHz). Every answer encloses every value; what it cannot bound it refuses. */
#include "agraph.h"

#include <math.h>

typedef struct { double lo, hi; } Iv;

static long *budget;              /* node visits left: a wide graph is refused, not walked */
static const Program *prog;      /* whose parameter ranges */

static bool ok_iv(Iv a) { return !isnan(a.lo) && !isnan(a.hi) && a.lo <= a.hi; }

static Iv iv(double lo, double hi) { return (Iv){ lo, hi }; }

static Iv hull4(double a, double b, double c, double d)
{
    return iv(fmin(fmin(a, b), fmin(c, d)), fmax(fmax(a, b), fmax(c, d)));
}

/* Monotonic non-decreasing f applied to an interval. */
static Iv up(double (*f)(double), Iv a) { return iv(f(a.lo), f(a.hi)); }

static double to_int(double v)
{
    return isfinite(v) ? trunc(fmax(fmin(v, 2147483647.0), -2147483648.0)) : v > 0 ? 2147483647.0 : -2147483648.0;
}

static bool range(Node *n, int ch, double max_sr, Iv *out, int depth);

static bool arg_range(Node *n, int i, int ch, double max_sr, Iv *out, int depth)
{
    Node *a = n->args[i];
    return range(a, a->width > 1 ? ch : 0, max_sr, out, depth + 1);
}

static bool binop_range(int op, Iv a, Iv b, Iv *out)
{
    switch (op) {
    case OP_ADD: *out = iv(a.lo + b.lo, a.hi + b.hi); return true;
    case OP_SUB: *out = iv(a.lo - b.hi, a.hi - b.lo); return true;
    case OP_MUL: *out = hull4(a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi); return true;
    case OP_DIV:             /* always in floats, as fold.c and the generated code divide */
        if (b.lo <= 0 && b.hi >= 0) return false;
        *out = hull4(a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi);
        return true;
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE: case OP_AND: case OP_OR:
        *out = iv(0, 1);
        return true;
    default:
        return false;             /* %, ^: not needed for delay lengths */
    }
}

static bool call_range(Node *n, int ch, double max_sr, Iv *out, int depth)
{
    Iv v[3];
    for (int i = 0; i < n->nargs && i < 3; i++)
        if (!arg_range(n, i, ch, max_sr, &v[i], depth)) return false;
    switch (n->index) {
    case B_INT: *out = iv(to_int(v[0].lo), to_int(v[0].hi)); return true;
    case B_FLOAT: *out = v[0]; return true;
    case B_FLOOR: *out = up(floor, v[0]); return true;
    case B_CEIL: *out = up(ceil, v[0]); return true;
    case B_ROUND: *out = up(round, v[0]); return true;
    case B_TRUNC: *out = up(trunc, v[0]); return true;
    case B_EXP: *out = up(exp, v[0]); return true;
    case B_SQRT:
        if (v[0].lo < 0) return false;
        *out = up(sqrt, v[0]);
        return true;
    case B_ABS:
        if (v[0].lo >= 0) *out = v[0];
        else if (v[0].hi <= 0) *out = iv(-v[0].hi, -v[0].lo);
        else *out = iv(0, fmax(-v[0].lo, v[0].hi));
        return true;
    case B_MIN: *out = iv(fmin(v[0].lo, v[1].lo), fmin(v[0].hi, v[1].hi)); return true;
    case B_MAX: *out = iv(fmax(v[0].lo, v[1].lo), fmax(v[0].hi, v[1].hi)); return true;
    case B_CLAMP:             /* v < lo ? lo : v > hi ? hi : v: each branch's value bounded */
        *out = iv(fmin(v[1].lo, v[2].lo), fmax(v[1].hi, fmin(v[0].hi, v[2].hi)));
        return true;
    case B_SELECT: *out = iv(fmin(v[1].lo, v[2].lo), fmax(v[1].hi, v[2].hi)); return true;
    case B_DB2LIN: *out = iv(pow(10.0, v[0].lo / 20.0), pow(10.0, v[0].hi / 20.0)); return true;
    default:
        return false;
    }
}

static bool range(Node *n, int ch, double max_sr, Iv *out, int depth)
{
    if (--*budget < 0 || depth > 10000 || n->mark == -8) return false;   /* -8: a cycle */
    int saved = n->mark;
    bool ok = true;
    n->mark = -8;
    switch (n->op) {
    case N_CONST: *out = iv(n->cval, n->cval); break;
    case N_SR: *out = iv(0, max_sr); break;
    case N_PARAM: {
        *out = iv(prog->param_min[n->index], prog->param_max[n->index]);
        break;
    }
    case N_DEF: ok = n->nargs == 1 && n->args[0] && range(n->args[0], ch, max_sr, out, depth + 1); break;
    case N_PICK: ok = range(n->args[0], n->index, max_sr, out, depth + 1); break;
    case N_TUPLE: {
        ok = false;
        for (int i = 0, c = ch; i < n->nargs; i++) {
            int w = n->args[i]->width > 0 ? n->args[i]->width : 1;
            if (c < w) { ok = range(n->args[i], c, max_sr, out, depth + 1); break; }
            c -= w;
        }
        break;
    }
    case N_BINOP: {
        Iv a, b;
        ok = arg_range(n, 0, ch, max_sr, &a, depth) && arg_range(n, 1, ch, max_sr, &b, depth)
             && binop_range(n->index, a, b, out);
        break;
    }
    case N_UNOP: {
        Iv a;
        ok = arg_range(n, 0, ch, max_sr, &a, depth);
        if (ok) *out = n->index == OP_NEG ? iv(-a.hi, -a.lo) : iv(0, 1);
        break;
    }
    case N_CALL: ok = call_range(n, ch, max_sr, out, depth); break;
    default: ok = false;          /* inputs, delays (feedback), noise, tables, spectra */
    }
    n->mark = saved;
    return ok && ok_iv(*out);
}

bool range_channel(Node *n, int ch, const Program *p, double max_sr, long *visits, double *lo, double *hi)
{
    Iv r;
    budget = visits;
    prog = p;
    if (!range(n, ch, max_sr, &r, 0)) return false;
    *lo = r.lo;
    *hi = r.hi;
    return true;
}
