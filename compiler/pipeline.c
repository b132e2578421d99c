/* pipeline.c — the compiler's pipeline, one pass after another:
 *   load -> resolve -> expand -> check -> lower -> schedule -> verify -> lanes
 * with a dump after the passes named by --dump. The driver (main.c) and the tests call it. */
#include "agraph.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

Options opt = { .opt_level = 2, .max_sr = 192000 };

jmp_buf abort_jmp;
bool abort_armed;

void diag_abort(void)
{
    if (abort_armed) longjmp(abort_jmp, 1);
    exit(1);
}

bool dumping(const char *what)
{
    if (!opt.dump) return false;
    size_t n = strlen(what);
    for (const char *p = opt.dump; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, what, n) == 0) return true;
        if (!e) break;
        p = e + 1;
    }
    return false;
}

/* The front and middle of the pipeline, shared with the tests: the file at `path`, or `text`
 * (len bytes, NULs allowed) under that name. */
static Ir *compile(const char *path, const char *text, size_t len)
{
    Ir *volatile ir = NULL;
    diag_reset();
    abort_armed = true;
    if (dumping("tokens")) lex_dump_to = stdout;
    if (setjmp(abort_jmp) == 0) {
        Module *m = text ? load_source_bytes(path, text, len) : load_program(path);
        if (dumping("ast")) ast_dump(stdout, &m->items);
        Program *p = resolve_program(m);
        if (error_count()) goto out;
        Graph *g = expand_program(p);
        if (error_count()) goto out;
        check_graph(g);
        if (dumping("graph")) graph_dump(stdout, g);
        if (error_count()) goto out;
        ir = lower_graph(g);
        schedule_ir(ir);
        verify_ir(ir);
        find_lanes(ir);
        if (dumping("ir")) ir_dump(stdout, ir);
    }
out:
    abort_armed = false;
    lex_dump_to = NULL;
    return error_count() ? NULL : ir;
}

void run_on_big_stack(void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, (size_t)1 << 30);
    pthread_t t;
    if (pthread_create(&t, &attr, fn, arg) != 0) fn(arg);
    else pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
}

Ir *compile_to_ir(const char *path, const char *text)
{
    return compile(path, text, text ? strlen(text) : 0);
}

Ir *compile_bytes_to_ir(const char *path, const char *bytes, size_t len)
{
    return compile(path, bytes, len);
}
