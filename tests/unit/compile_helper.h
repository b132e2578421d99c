/* compile_helper.h — compile source text in-process for unit tests and capture diagnostics. */
#ifndef AGRAPH_COMPILE_HELPER_H
#define AGRAPH_COMPILE_HELPER_H
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agraph.h"

typedef struct { Ir *ir; char *diag; char *dump; } compiled;

/* Compile `text` as t.agraph; `dump` names stages to capture (or NULL). */
static inline compiled compile_text(const char *text, const char *dump)
{
    compiled c = { 0, 0, 0 };
    size_t n1 = 0, n2 = 0;
    FILE *d = open_memstream(&c.diag, &n1);
    FILE *o = open_memstream(&c.dump, &n2);
    opt.self_dir = "build";
    opt.max_sr = 192000;
    opt.dump = dump;
    diag_set_output(d);
    if (dump && strstr(dump, "tokens")) lex_dump_to = o;
    FILE *saved = stdout;
    stdout = o;
    c.ir = compile_to_ir("t.agraph", text);
    stdout = saved;
    lex_dump_to = NULL;
    diag_set_output(NULL);
    opt.dump = NULL;
    fclose(d);
    fclose(o);
    return c;
}
#endif
