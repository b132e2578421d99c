/* diag.c — diagnostics: `file:line:col: error: message`, the source line, and a caret under
 * the whole span (STYLE.md §3). One error() for the whole compiler. */
#include "agraph.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

Loc no_loc;
int diag_max_errors = 20;
static int n_errors;
static FILE *out;

void diag_set_output(FILE *f) { out = f; }
int error_count(void) { return n_errors; }
void diag_reset(void) { n_errors = 0; }

void loc_linecol(Loc at, int *line, int *col)
{
    int l = 1, c = 1;
    if (at.src)
        for (int i = 0; i < at.off && at.src->text[i]; i++) {
            if (at.src->text[i] == '\n') { l++; c = 1; }
            else c++;
        }
    *line = l;
    *col = c;
}

Loc loc_span(Loc a, Loc b)
{
    if (!a.src) return b;
    if (!b.src || a.src != b.src) return a;
    int start = a.off < b.off ? a.off : b.off;
    int end = a.off + a.len > b.off + b.len ? a.off + a.len : b.off + b.len;
    Loc r = { a.src, start, end - start };
    return r;
}

/* Print the line holding `at` with a caret and tildes under the span (clipped to the line). */
static void show_line(Loc at, int line, int col)
{
    const char *t = at.src->text;
    int start = at.off;
    while (start > 0 && t[start - 1] != '\n') start--;
    int end = at.off;
    while (t[end] && t[end] != '\n') end++;
    FILE *f = out ? out : stderr;
    fprintf(f, "%5d | ", line);
    for (int i = start; i < end; i++) fputc(t[i] == '\t' ? ' ' : t[i], f);
    fprintf(f, "\n      | ");
    for (int i = 1; i < col; i++) fputc(' ', f);
    int n = at.len < 1 ? 1 : at.len;
    if (at.off + n > end) n = end - at.off > 0 ? end - at.off : 1;
    fputc('^', f);
    for (int i = 1; i < n; i++) fputc('~', f);
    fputc('\n', f);
}

static void vreport(const char *kind, Loc at, const char *fmt, va_list ap)
{
    FILE *f = out ? out : stderr;
    int line = 0, col = 0;
    if (at.src) {
        loc_linecol(at, &line, &col);
        fprintf(f, "%s:%d:%d: %s: ", at.src->path, line, col, kind);
    } else {
        fprintf(f, "agraphc: %s: ", kind);
    }
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    if (at.src) show_line(at, line, col);
}

void error(Loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("error", at, fmt, ap);
    va_end(ap);
    if (++n_errors >= diag_max_errors) {
        FILE *f = out ? out : stderr;
        fprintf(f, "agraphc: too many errors; stopping\n");
        diag_abort();
    }
}

void note(Loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("note", at, fmt, ap);
    va_end(ap);
}

void warning(Loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning", at, fmt, ap);
    va_end(ap);
}

void fatal(Loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("error", at, fmt, ap);
    va_end(ap);
    n_errors++;
    diag_abort();
}
