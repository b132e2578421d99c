/* test_docs.c — every example in the documentation compiles. Each ```agraph block of the Markdown
 * files in docs/ and of README.md must pass `build/agraphc FILE --check`; each ```agraph-error
 * block must fail with status 1 and an `error:` diagnostic, and when a fenced block showing a
 * diagnostic follows it, the compiler must still print the first `error:` message shown there. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define AGRAPHC "./build/agraphc"
#define MIN_LANGUAGE_EXAMPLES 20    /* docs/language.md must keep at least this many */

typedef struct {
    const char *doc;     /* the file it came from */
    int line;            /* line of its opening fence, counting from 1 */
    int expect_error;    /* ```agraph-error */
    char *code;          /* the program (malloc'd) */
    char *shown_error;   /* "error: ..." as the diagnostic shown after it says, or NULL */
} example;

typedef struct {
    example *v;
    int n, cap;
} example_list;

/* The lines of a text, as pointers into a copy with each '\n' (and a '\r' before it) cut. */
static char **split_lines(char *text, int *count)
{
    int cap = 64, n = 0;
    char **lines = malloc(sizeof *lines * (size_t)cap);
    for (char *p = text; *p || n == 0;) {
        if (n == cap) lines = realloc(lines, sizeof *lines * (size_t)(cap *= 2));
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = 0;
        if (nl > p && nl[-1] == '\r') nl[-1] = 0;
        p = nl + 1;
    }
    *count = n;
    return lines;
}

/* The word after an opening fence ("agraph" for "```agraph"), "" for a bare "```", or NULL if
 * the line does not open a fence. Trailing spaces are ignored. */
static const char *fence_tag(const char *line, char *buf, size_t cap)
{
    if (strncmp(line, "```", 3) != 0) return NULL;
    size_t n = strlen(line + 3);
    while (n > 0 && (line[3 + n - 1] == ' ' || line[3 + n - 1] == '\t')) n--;
    if (n >= cap) n = cap - 1;
    memcpy(buf, line + 3, n);
    buf[n] = 0;
    return buf;
}

static int is_closing_fence(const char *line)
{
    char buf[8];
    const char *tag = fence_tag(line, buf, sizeof buf);
    return tag && !*tag;
}

/* In the fenced block opening at lines[i], the message of its first "error: " line. */
static char *first_error_message(char **lines, int n, int i)
{
    for (int k = i + 1; k < n && !is_closing_fence(lines[k]); k++) {
        const char *e = strstr(lines[k], ": error: ");
        if (e) return strdup(e + 2);
    }
    return NULL;
}

static void add_example(example_list *l, example x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = realloc(l->v, sizeof *l->v * (size_t)l->cap);
    }
    l->v[l->n++] = x;
}

/* Collect the ```agraph and ```agraph-error blocks of one Markdown file; returns how many. */
static int scan_doc(const char *path, example_list *out)
{
    char *text = read_file(path, NULL);
    if (!text) return 0;
    int n, found = 0;
    char **lines = split_lines(text, &n);
    char tagbuf[64];
    for (int i = 0; i < n; i++) {
        const char *tag = fence_tag(lines[i], tagbuf, sizeof tagbuf);
        if (!tag) continue;
        int is_ok = strcmp(tag, "agraph") == 0, is_err = strcmp(tag, "agraph-error") == 0;
        int end = i + 1;
        while (end < n && !is_closing_fence(lines[end])) end++;
        cr_assert(end < n, "%s:%d: the ```%s block is never closed", path, i + 1, tag);
        if (is_ok || is_err) {
            size_t len = 1;
            for (int k = i + 1; k < end; k++) len += strlen(lines[k]) + 1;
            char *code = malloc(len);
            code[0] = 0;
            for (int k = i + 1; k < end; k++) {
                strcat(code, lines[k]);
                strcat(code, "\n");
            }
            example x = { strdup(path), i + 1, is_err, code, NULL };
            /* A diagnostic shown right after an error example (blank lines may sit between). */
            int next = end + 1;
            while (next < n && lines[next][0] == 0) next++;
            if (is_err && next < n && fence_tag(lines[next], tagbuf, sizeof tagbuf))
                x.shown_error = first_error_message(lines, n, next);
            add_example(out, x);
            found++;
        }
        i = end;    /* a fence's contents are never fences */
    }
    free(lines);
    free(text);
    return found;
}

/* The Markdown files of docs/, in name order, then README.md. */
static int collect_all(example_list *out)
{
    int total = 0;
    DIR *d = opendir("docs");
    if (d) {
        char *names[256];
        int nn = 0;
        struct dirent *e;
        while ((e = readdir(d)) && nn < 256) {
            size_t len = strlen(e->d_name);
            if (len > 3 && strcmp(e->d_name + len - 3, ".md") == 0) names[nn++] = strdup(e->d_name);
        }
        closedir(d);
        for (int i = 0; i < nn; i++)
            for (int j = i + 1; j < nn; j++)
                if (strcmp(names[j], names[i]) < 0) {
                    char *t = names[i];
                    names[i] = names[j];
                    names[j] = t;
                }
        for (int i = 0; i < nn; i++) {
            char *path = fmt_str("docs/%s", names[i]);
            total += scan_doc(path, out);
            free(path);
            free(names[i]);
        }
    }
    if (file_exists("README.md")) total += scan_doc("README.md", out);
    return total;
}

/* A file name for an example: the doc's name and the line, so diagnostics say where it is from. */
static char *example_path(const char *dir, const example *x)
{
    const char *base = strrchr(x->doc, '/');
    base = base ? base + 1 : x->doc;
    char *stem = strdup(base);
    for (char *p = stem; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    char *path = fmt_str("%s/%s_%d.agraph", dir, stem, x->line);
    free(stem);
    return path;
}

/* Check one example; on failure say why on stderr and return 0. */
static int check_example(const char *dir, const example *x)
{
    char *path = example_path(dir, x);
    cr_assert_eq(write_file(path, x->code), 0, "cannot write %s", path);
    run_result r = run_cmd(60, "%s '%s' --check", AGRAPHC, path);
    int ok;
    const char *why = "";
    if (!x->expect_error) {
        ok = r.status == 0;
        why = "an ```agraph example must compile (exit 0)";
    } else if (r.status != 1 || !strstr(r.err, "error:")) {
        ok = 0;
        why = "an ```agraph-error example must fail with exit status 1 and an error: diagnostic";
    } else if (x->shown_error && !strstr(r.err, x->shown_error)) {
        ok = 0;
        why = fmt_str("the diagnostic shown after the example no longer matches; the doc "
                      "shows\n    %s", x->shown_error);
    } else {
        ok = 1;
    }
    if (!ok) {
        fprintf(stderr,
                "\n%s:%d: %s\n  (written to %s; agraphc exit status %d)\n"
                "--- program ---\n%s--- agraphc stdout ---\n%s--- agraphc stderr ---\n%s---\n",
                x->doc, x->line, why, path, r.status, x->code, r.out, r.err);
    }
    run_free(&r);
    free(path);
    return ok;
}

Test(docs, every_example_compiles_or_fails_as_marked, .timeout = 600)
{
    cr_assert(file_exists(AGRAPHC), "%s is missing: run make first", AGRAPHC);
    example_list ex = { 0 };
    int total = collect_all(&ex);
    cr_assert_gt(total, 0, "no ```agraph examples found in docs/ or README.md");
    const char *dir = scratch_dir("docs");
    cr_assert(dir, "cannot make a scratch folder");
    int failed = 0;
    for (int i = 0; i < ex.n; i++)
        if (!check_example(dir, &ex.v[i])) failed++;
    cr_assert_eq(failed, 0, "%d of %d documentation examples failed (details above)", failed,
                 total);
    for (int i = 0; i < ex.n; i++) {
        free((char *)ex.v[i].doc);
        free(ex.v[i].code);
        free(ex.v[i].shown_error);
    }
    free(ex.v);
}

Test(docs, language_reference_has_enough_examples)
{
    cr_assert(file_exists("docs/language.md"), "docs/language.md is missing");
    example_list ex = { 0 };
    int n = scan_doc("docs/language.md", &ex);
    int errors = 0;
    for (int i = 0; i < ex.n; i++) errors += ex.v[i].expect_error;
    cr_assert_geq(n, MIN_LANGUAGE_EXAMPLES,
                  "docs/language.md has %d ```agraph/```agraph-error examples; it should have "
                  "at least %d", n, MIN_LANGUAGE_EXAMPLES);
    cr_assert_gt(n - errors, 0, "docs/language.md has no ```agraph example that compiles");
}
