/* test_lex.c — the lexer: tokens, numbers with units, comments, and the newline rules. */
#include <criterion/criterion.h>

#include "compile_helper.h"

static char *tokens(const char *src)
{
    compiled c = compile_text(src, "tokens");
    return c.dump;
}

Test(lex, numbers_and_units)
{
    char *t = tokens("output o = 2kHz + 350ms + -6dB + 64samples + 0.5 + 1e-3 + 12\n");
    cr_expect(strstr(t, "NUMBER 2kHz\n"), "%s", t);
    cr_expect(strstr(t, "NUMBER 350ms\n"), "%s", t);
    cr_expect(strstr(t, "1:27 MINUS\n1:28 NUMBER 6dB\n"), "%s", t);
    cr_expect(strstr(t, "NUMBER 64samples int\n"), "%s", t);
    cr_expect(strstr(t, "NUMBER 0.5\n"), "%s", t);
    cr_expect(strstr(t, "NUMBER 0.001\n"), "%s", t);
    cr_expect(strstr(t, "NUMBER 12 int\n"), "%s", t);
}

Test(lex, range_dots_are_not_decimals)
{
    char *t = tokens("output o = sum i in 1..5: i\n");
    cr_expect(strstr(t, "NUMBER 1 int\n1:22 DOTDOT\n1:24 NUMBER 5 int\n"), "%s", t);
}

Test(lex, comments_are_skipped)
{
    char *t = tokens("// a line comment\noutput /* inline */ o = 1 // tail\n/* multi\nline */\n");
    cr_expect(strstr(t, "2:1 OUTPUT\n2:21 IDENT o\n"), "%s", t);
    cr_expect(!strstr(t, "comment"), "%s", t);
}

Test(lex, newlines_end_statements_except_inside_brackets_and_after_operators)
{
    char *t = tokens("x = (1 +\n 2)\ny = x *\n 3\noutput o = y\n");
    /* one NL after each complete statement, none inside the parentheses or after '*' */
    cr_expect(strstr(t, "2:3 RPAREN\n2:4 NL\n"), "%s", t);
    cr_expect(strstr(t, "3:7 STAR\n4:2 NUMBER 3 int\n4:3 NL\n"), "%s", t);
}

Test(lex, a_line_starting_with_pipe_continues)
{
    char *t = tokens("import std\nx = 1\n    |> onepole(100)\noutput o = x\n");
    cr_expect(strstr(t, "2:5 NUMBER 1 int\n3:5 PIPE\n"), "%s", t);
}

Test(lex, strings_unescape)
{
    char *t = tokens("param p = 1 [0, 2] \"A \\\"b\\\"\"\noutput o = p\n");
    cr_expect(strstr(t, "STRING A \"b\"\n"), "%s", t);
}

Test(lex, errors_are_positioned)
{
    compiled c = compile_text("output o = 1 $ 2\n", NULL);
    cr_expect_null(c.ir);
    cr_expect(strstr(c.diag, "t.agraph:1:14: error: unexpected character '$'"), "%s", c.diag);
    c = compile_text("output o = 2kHzz\n", NULL);
    cr_expect(strstr(c.diag, "1:13: error: unknown unit 'kHzz'"), "%s", c.diag);
    c = compile_text("output o = 1 /* never closed\n", NULL);
    cr_expect(strstr(c.diag, "1:14: error: unterminated comment"), "%s", c.diag);
    c = compile_text("output o = 99999999999\n", NULL);
    cr_expect(strstr(c.diag, "error: integer literal is too large"), "%s", c.diag);
}
