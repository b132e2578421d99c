/* test_parse.c — the grammar and the AST builders: precedence, pipes, delays, iteration,
 * parameters, blocks, and syntax errors with their notes. */
#include <criterion/criterion.h>

#include "compile_helper.h"

static char *ast(const char *src)
{
    compiled c = compile_text(src, "ast");
    cr_assert(c.diag && !strstr(c.diag, "error"), "%s", c.diag);
    return c.dump;
}

Test(parse, precedence)
{
    char *t = ast("output o = 1 + 2 * 3 ^ 2\n");
    /* + at the top, * under it, ^ under * */
    cr_expect(strstr(t, "(binop + @1:12\n    (num 1 @1:12)\n    (binop * @1:16\n      (num 2 @1:16)\n"
                        "      (binop ^ @1:20\n"), "%s", t);
}

Test(parse, pipe_is_a_call_with_the_left_side_first)
{
    char *t = ast("import std\noutput o = 1 |> onepole(100)\n");
    cr_expect(strstr(t, "(call onepole @2:12\n    (arg @2:12\n      (num 1 @2:12)\n"), "%s", t);
}

Test(parse, negative_decibels_are_one_literal)
{
    char *t = ast("output o = -6dB\n");
    cr_expect(strstr(t, "(num -6dB @1:12)"), "%s", t);
}

Test(parse, delay_forms)
{
    char *t = ast("input x\nparam d = 10 [1, 100]\noutput o = x@3 + x@(d, max: 100)\n");
    cr_expect(strstr(t, "(delay"), "%s", t);
    cr_expect(strstr(t, "(num 100 @3:29)"), "%s", t);
}

Test(parse, iteration_forms)
{
    char *t = ast("output o = sum i in 1..3: i * 2\n");
    cr_expect(strstr(t, "(iter sum i @1:12"), "%s", t);
    t = ast("input x\noutput o = chain k in 1..4 from v = x: v * 0.5\n");
    cr_expect(strstr(t, "(iter chain k from v"), "%s", t);
}

Test(parse, params_and_blocks)
{
    char *t = ast("param f = 2kHz [200Hz, 8kHz] log \"Tone\"\nbutton b\n"
                  "block g(x, k = 2) {\n  y = x * k\n  return y\n}\noutput o = g(f) + b\n");
    cr_expect(strstr(t, "(param f kind=0 scale=log label=\"Tone\""), "%s", t);
    cr_expect(strstr(t, "(param b kind=1"), "%s", t);
    cr_expect(strstr(t, "(block g"), "%s", t);
}

Test(parse, syntax_errors_point_at_the_token_and_the_open_bracket)
{
    compiled c = compile_text("x = (1 + 2\noutput o = x\n", NULL);
    cr_expect_null(c.ir);
    cr_expect(strstr(c.diag, "t.agraph:2:1: error: unexpected 'output'"), "%s", c.diag);
    cr_expect(strstr(c.diag, "t.agraph:1:5: note: expected ')' to close '(' at 1:5?"), "%s", c.diag);
    c = compile_text("output o = (1 + 2]\n", NULL);
    cr_expect(strstr(c.diag, "1:18: error: ']' does not match '(' (to close '(' at 1:12)"), "%s", c.diag);
    c = compile_text("output o = 1 +\n", NULL);
    cr_expect(strstr(c.diag, "error: unexpected end of file"), "%s", c.diag);
}

Test(parse, carets_underline_the_whole_span)
{
    compiled c = compile_text("output o = gain * 2\n", NULL);
    cr_expect(strstr(c.diag, "    1 | output o = gain * 2\n      |            ^~~~\n"), "%s", c.diag);
}
