/* fold.c — constant evaluation of graph nodes: iteration bounds, tuple indices, and delay
 * lengths that depend on the sample rate (evaluated at a given SR to size delay lines). */
#include "agraph.h"

#include <math.h>

double eval_binop(int op, double a, double b, bool ints);
double eval_call(int b, const double *v);

double eval_binop(int op, double a, double b, bool ints)
{
    switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_MOD:
        if (ints) return (b == 0 || b == -1) ? 0 : fmod(a, b);
        return fmod(a, b);
    case OP_POW: return pow(a, b);
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_AND: return a != 0 && b != 0;
    case OP_OR: return a != 0 || b != 0;
    }
    return NAN;
}

double eval_call(int b, const double *v)
{
    switch (b) {
    case B_SIN: return sin(v[0]);
    case B_COS: return cos(v[0]);
    case B_TAN: return tan(v[0]);
    case B_ASIN: return asin(v[0]);
    case B_ACOS: return acos(v[0]);
    case B_ATAN: return atan(v[0]);
    case B_ATAN2: return atan2(v[0], v[1]);
    case B_SINH: return sinh(v[0]);
    case B_COSH: return cosh(v[0]);
    case B_TANH: return tanh(v[0]);
    case B_EXP: return exp(v[0]);
    case B_LOG: return log(v[0]);
    case B_LOG2: return log2(v[0]);
    case B_LOG10: return log10(v[0]);
    case B_SQRT: return sqrt(v[0]);
    case B_ABS: return fabs(v[0]);
    case B_FLOOR: return floor(v[0]);
    case B_CEIL: return ceil(v[0]);
    case B_ROUND: return round(v[0]);
    case B_TRUNC: return trunc(v[0]);
    case B_FRACT: return v[0] - floor(v[0]);
    case B_POW: return pow(v[0], v[1]);
    case B_MIN: return v[0] < v[1] ? v[0] : v[1];
    case B_MAX: return v[0] > v[1] ? v[0] : v[1];
    case B_CLAMP: return v[0] < v[1] ? v[1] : v[0] > v[2] ? v[2] : v[0];
    case B_FMOD: return fmod(v[0], v[1]);
    case B_SELECT: return v[0] != 0 ? v[1] : v[2];
    case B_INT: return isfinite(v[0]) ? trunc(fmax(fmin(v[0], 2147483647.0), -2147483648.0)) : 0;
    case B_FLOAT: return v[0];
    case B_DB2LIN: return pow(10.0, v[0] / 20.0);
    case B_LIN2DB: return 20.0 * log10(v[0]);
    }
    return NAN;
}

static bool fold(Node *n, double sr, double *out, int depth)
{
    if (depth > 100000 || n->mark == -7) return false;   /* a cycle: not a constant */
    double v[3];
    bool ok = true;
    int saved = n->mark;
    n->mark = -7;
    switch (n->op) {
    case N_CONST: *out = n->cval; break;
    case N_SR: ok = sr > 0; *out = sr; break;
    case N_DEF: ok = n->nargs == 1 && n->args[0] && fold(n->args[0], sr, out, depth + 1); break;
    case N_PICK:
        ok = fold_channel(n->args[0], n->index, sr, out);
        break;
    case N_BINOP:
        ok = fold(n->args[0], sr, &v[0], depth + 1) && fold(n->args[1], sr, &v[1], depth + 1);
        if (ok) *out = eval_binop(n->index, v[0], v[1], n->args[0]->is_int && n->args[1]->is_int);
        break;
    case N_UNOP:
        ok = fold(n->args[0], sr, &v[0], depth + 1);
        if (ok) *out = n->index == OP_NEG ? -v[0] : (v[0] == 0);
        break;
    case N_CALL:
        for (int i = 0; i < n->nargs && ok; i++) ok = fold(n->args[i], sr, &v[i], depth + 1);
        if (ok) *out = eval_call(n->index, v);
        break;
    default:
        ok = false;
    }
    n->mark = saved;
    return ok;
}

bool fold_node(Node *n, double sr, double *out) { return fold(n, sr, out, 0); }

/* Channels of a node, before or after check.c has inferred them. */
static int width_of(Node *n, int depth)
{
    if (n->width) return n->width;
    if (depth > 1000) return 1;
    int w = 1;
    switch (n->op) {
    case N_DEF: return n->nargs == 1 && n->args[0] ? width_of(n->args[0], depth + 1) : 1;
    case N_TUPLE:
        w = 0;
        for (int i = 0; i < n->nargs; i++) w += width_of(n->args[i], depth + 1);
        return w;
    case N_BINOP: case N_UNOP: case N_CALL:
        for (int i = 0; i < n->nargs; i++) {
            int a = width_of(n->args[i], depth + 1);
            if (a > w) w = a;
        }
        return w;
    default:
        return 1;
    }
}

/* Channel ch of a constant multichannel value: tuples, picks and defs are looked through,
 * everything else must be one channel (broadcast) and foldable. */
bool fold_channel(Node *n, int ch, double sr, double *out)
{
    for (int depth = 0; depth < 100000; depth++) {
        if (n->op == N_DEF && n->nargs == 1) {
            if (!n->args[0]) return false;
            n = n->args[0];
            continue;
        }
        if (n->op == N_TUPLE) {
            int c = ch;
            bool found = false;
            for (int i = 0; i < n->nargs; i++) {
                int w = width_of(n->args[i], 0);
                if (c < w) { n = n->args[i]; ch = c; found = true; break; }
                c -= w;
            }
            if (!found) return false;
            continue;
        }
        if (n->op == N_PICK) { ch = n->index; n = n->args[0]; continue; }
        int w = width_of(n, 0);
        if (w > 1 && n->op != N_BINOP && n->op != N_UNOP && n->op != N_CALL) return false;
        if (w > 1) {
            double v[3];
            for (int i = 0; i < n->nargs; i++)
                if (!fold_channel(n->args[i], width_of(n->args[i], 0) > 1 ? ch : 0, sr, &v[i])) return false;
            if (n->op == N_BINOP)
                *out = eval_binop(n->index, v[0], v[1], n->args[0]->is_int && n->args[1]->is_int);
            else if (n->op == N_UNOP) *out = n->index == OP_NEG ? -v[0] : (v[0] == 0);
            else *out = eval_call(n->index, v);
            return true;
        }
        return fold_node(n, sr, out);
    }
    return false;
}
