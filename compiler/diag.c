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

#define SHOW_COLS 100      /* a longer source line is shown clipped around the caret */
#define MSG_MAX 400        /* a longer message (a huge name in it) is clipped */

/* Print the line holding `at` with a caret and tildes under the span (clipped to the line). */
static void show_line(FILE *f, Loc at, int line, int col)
{
    const char *t = at.src->text;
    int start = at.off;
    while (start > 0 && t[start - 1] != '\n') start--;
    int end = at.off;
    while (t[end] && t[end] != '\n') end++;
    int from = start, to = end;
    if (to - from > SHOW_COLS) {
        from = at.off - SHOW_COLS / 3 > start ? at.off - SHOW_COLS / 3 : start;
        to = from + SHOW_COLS < end ? from + SHOW_COLS : end;
    }
    fprintf(f, "%5d | %s", line, from > start ? "..." : "");
    for (int i = from; i < to; i++) fputc(t[i] == '\t' ? ' ' : t[i], f);
    fprintf(f, "%s\n      | %s", to < end ? "..." : "", from > start ? "   " : "");
    for (int i = from; i < at.off; i++) fputc(' ', f);
    int n = at.len < 1 ? 1 : at.len;
    if (at.off + n > to) n = to - at.off > 0 ? to - at.off : 1;
    fputc('^', f);
    for (int i = 1; i < n; i++) fputc('~', f);
    fputc('\n', f);
    (void)col;
}

/* One diagnostic, assembled in memory and written at once (stderr is unbuffered). */
static void vreport(const char *kind, Loc at, const char *fmt, va_list ap)
{
    char msg[MSG_MAX + 8];
    int n = vsnprintf(msg, MSG_MAX + 1, fmt, ap);
    if (n > MSG_MAX) strcpy(msg + MSG_MAX - 3, "...");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return;
    int line = 0, col = 0;
    if (at.src) {
        loc_linecol(at, &line, &col);
        fprintf(f, "%s:%d:%d: %s: %s\n", at.src->path, line, col, kind, msg);
        show_line(f, at, line, col);
    } else {
        fprintf(f, "agraphc: %s: %s\n", kind, msg);
    }
    fclose(f);
    FILE *o = out ? out : stderr;
    fwrite(buf, 1, len, o);
    fflush(o);
    free(buf);
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
