/* test_check.c — the semantic passes: names, block expansion, iteration, types, rates, widths,
 * delays and cycles, and what lowering hoists. */
#include <criterion/criterion.h>

#include "compile_helper.h"

static void expect_error(const char *src, const char *msg)
{
    compiled c = compile_text(src, NULL);
    cr_expect_null(c.ir, "compiled: %s", src);
    cr_expect(strstr(c.diag, msg), "expected '%s' in:\n%s", msg, c.diag);
}

static Ir *ok(const char *src)
{
    compiled c = compile_text(src, NULL);
    cr_assert_not_null(c.ir, "%s\n%s", src, c.diag);
    return c.ir;
}

static Ins *out_ins(Ir *ir, int ch) { return ir->ins.v[ir->out_ids[ch]]; }

Test(check, unknown_names_suggest)
{
    expect_error("input guitar\noutput o = gitar\n", "unknown name 'gitar'; did you mean 'guitar'?");
    expect_error("output o = sine(1)\n", "unknown block or function 'sine'");
}

Test(check, constants_fold)
{
    Ir *ir = ok("output o = 2 * 3 + 1\n");
    cr_expect_eq(out_ins(ir, 0)->op, I_CONST);
    cr_expect_float_eq(out_ins(ir, 0)->k, 7.0, 1e-12);
    ir = ok("output o = -6dB\n");
    cr_expect_float_eq(out_ins(ir, 0)->k, pow(10, -6 / 20.0), 1e-6);
}

Test(check, rates_are_inferred_and_hoisted)
{
    Ir *ir = ok("input x\nparam f = 1kHz [10Hz, 10kHz]\na = exp(-tau * f / SR)\noutput o = a * x\n");
    /* exp(...) depends on a parameter: computed once per block, not per sample */
    int calls_in_control = 0, calls_in_audio = 0;
    for (int i = 0; i < ir->sched[R_CONTROL].n; i++)
        calls_in_control += ((Ins *)ir->sched[R_CONTROL].v[i])->op == I_CALL;
    for (int i = 0; i < ir->sched[R_AUDIO].n; i++)
        calls_in_audio += ((Ins *)ir->sched[R_AUDIO].v[i])->op == I_CALL;
    cr_expect_eq(calls_in_control, 1);
    cr_expect_eq(calls_in_audio, 0);
    cr_expect_eq(ir->n_smooth, 1, "the coefficient is smoothed where it enters audio");
    ir = ok("output o = 10ms\n");     /* depends on SR only: init rate */
    cr_expect_eq(out_ins(ir, 0)->rate, R_INIT);
}

Test(check, each_block_use_has_its_own_state)
{
    Ir *ir = ok("import std\ninput x\noutput o = onepole(x, 100) + onepole(x, 200) + onepole(x, 100)\n");
    /* three uses, three one-sample registers (the equal first and third do share nothing) */
    cr_expect_eq(ir->lines.n, 3);
}

Test(check, iteration_unrolls)
{
    Ir *ir = ok("output o = sum i in 1..4: i\n");
    cr_expect_float_eq(out_ins(ir, 0)->k, 10.0, 1e-12);
    ir = ok("output o = par i in 0..2: i * 10\n");
    cr_expect_eq(ir->n_out, 3);
    cr_expect_float_eq(out_ins(ir, 2)->k, 20.0, 1e-12);
    ir = ok("input x\noutput o = chain k in 1..3 from v = x: v * 2\n");
    cr_expect_eq(out_ins(ir, 0)->op, I_BINOP);
    expect_error("input x\noutput o = sum i in 1..x: i\n", "the end of an iteration range must be a constant");
    expect_error("output o = sum i in 1..2.5: i\n", "must be a whole number");
}

Test(check, types)
{
    expect_error("input x\noutput o = (x > 0) * 2\n", "'*' needs numbers; this is a condition (bool)");
    expect_error("input x\noutput o = select(x, 1, 2)\n", "select's condition must be a comparison");
    expect_error("input x\noutput o = x > 0\n", "an output must be a number");
    Ir *ir = ok("output o = 7 / 2\n");
    cr_expect_float_eq(out_ins(ir, 0)->k, 3.5, 1e-12);
    ir = ok("output o = 7 % 2\n");
    cr_expect_eq(out_ins(ir, 0)->type, T_FLOAT);    /* outputs are cast to float */
}

Test(check, widths_broadcast_and_mismatch)
{
    Ir *ir = ok("input (l, r)\noutput o = (l, r) * 0.5\n");
    cr_expect_eq(ir->n_out, 2);
    expect_error("input (l, r)\noutput o = (l, r) + (l, r, l)\n", "channel mismatch: 2 channels and 3 channels");
    expect_error("input x\n(a, b) = (x, x, x)\noutput o = a\n", "2 names are given but the value has 3 channels");
    expect_error("input x\noutput o = (x, x)[2]\n", "channel 2 does not exist");
}

Test(check, delays_and_cycles)
{
    expect_error("input x\ny = x + 0.5 * y\noutput o = y\n", "delay-free cycle: y");
    expect_error("input x\na = b + x\nb = a * 0.5\noutput o = a\n", "delay-free cycle: a -> b");
    ok("input x\ny = x + 0.5 * y@1\noutput o = y\n");
    expect_error("input x\nparam d = 10 [1, 100]\noutput o = x@d\n", "give it a bound");
    ok("input x\nparam d = 10 [1, 100]\noutput o = x@(d, max: 100)\n");
    expect_error("input x\noutput o = x@(-3)\n", "a delay cannot be negative");
    expect_error("input x\noutput o = x@(1000s)\n", "is too long");
}

Test(check, delay_lines_are_shared_and_sized)
{
    Ir *ir = ok("input x\noutput o = x@1 + x@100 + x@1000\n");
    cr_expect_eq(ir->lines.n, 1, "one line serves every read of x");
    DelayLine *l = ir->lines.v[0];
    cr_expect_eq(l->max_len, 1000);
    cr_expect_eq(l->size, 1024);
    ir = ok("input x\noutput o = x@10ms\n");
    l = ir->lines.v[0];
    cr_expect_eq(l->max_len, 1920, "10 ms at the highest rate, 192 kHz");
}

Test(check, parameters)
{
    expect_error("param g = 50 [0, 10]\noutput o = g\n", "default 50 is outside the range [0, 10]");
    expect_error("param g = 5 [10, 0]\noutput o = g\n", "empty range");
    expect_error("param g = 1kHz [0dB, 10dB]\noutput o = g\n", "the minimum is in dB but the default is in kHz");
    expect_error("param g = 1 [0, 10] log\noutput o = g\n", "a log-scale parameter needs a positive range");
    Ir *ir = ok("param t = 2kHz [200Hz, 8kHz]\noutput o = t\n");
    Program *p = ir->g->prog;
    cr_expect_float_eq(p->param_min[0], 0.2, 1e-12, "the range converts to the default's unit (kHz)");
}

Test(check, blocks)
{
    expect_error("block f(x) = f(x)\noutput o = f(1)\n", "block 'f' uses itself");
    expect_error("block f(x, y) = x + y\noutput o = f(1)\n", "block 'f' takes 2 inputs, but 1 was given (missing 'y')");
    expect_error("block f(x) = x\noutput o = f(1, 2)\n", "block 'f' takes 1 input, but 2 were given");
    Ir *ir = ok("block f(x, k = 3) = x * k\noutput o = f(2) + f(1, k: 10)\n");
    cr_expect_float_eq(out_ins(ir, 0)->k, 16.0, 1e-12);
}
