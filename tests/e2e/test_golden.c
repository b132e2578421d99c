/* test_golden.c — golden diagnostic tests (STYLE.md §8): every tests/golden/NAME.agraph that has
 * a NAME.err beside it is checked with `./build/agraphc tests/golden/NAME.agraph --check`, run
 * from the repository root; standard error must equal NAME.err byte for byte, and the exit
 * status must be 1. An empty NAME.err means the program is valid: exit status 0, nothing
 * printed (it guards against a diagnostic that should not be there).
 *
 * Files without a .err (helper_*.agraph) are modules the cases import. Before comparing, the
 * absolute path of the repository root is removed from what agraphc printed, so a note that
 * points into stdlib/ reads the same in every checkout. To regenerate one case after a
 * deliberate change of wording, run from the repository root
 *     ./build/agraphc tests/golden/NAME.agraph --check 2> tests/golden/NAME.err
 * and read the result before keeping it: the caret must sit under the right span. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define GOLDEN_DIR "tests/golden"
#define MIN_CASES 45
#define CASE_TIMEOUT_S 20.0
/* agraphc reserves a 1 GiB stack; 3 GiB of address space leaves it room to work, and turns a
 * runaway (say, an import cycle loaded forever) into a quick failure instead of swapping. */
#define MEMORY_LIMIT_KB 3145728

/* `make check-asan` sets AGRAPH_TEST_ASAN: AddressSanitizer reserves terabytes of address space
 * for its shadow, so there the limit is ASan's hard_rss_limit_mb (set by the Makefile) instead. */
static const char *memory_limit(void)
{
    static char kb[32];
    if (getenv("AGRAPH_TEST_ASAN")) return "unlimited";
    snprintf(kb, sizeof kb, "%d", MEMORY_LIMIT_KB);
    return kb;
}

typedef struct {
    char *name;            /* NAME, without folder or extension (cr_malloc'd) */
} golden_case;

static char *cr_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cr_malloc(n);
    memcpy(p, s, n);
    return p;
}

static void free_cases(struct criterion_test_params *crp)
{
    golden_case *cases = crp->params;
    for (size_t i = 0; i < crp->length; i++) cr_free(cases[i].name);
    cr_free(crp->params);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of every case: NAME.agraph with a NAME.err beside it, sorted (malloc'd). */
static char **scan_cases(size_t *count)
{
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof *names);
    DIR *d = opendir(GOLDEN_DIR);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 7 || strcmp(e->d_name + len - 7, ".agraph") != 0) continue;
        char *stem = strndup(e->d_name, len - 7);
        char *err = fmt_str(GOLDEN_DIR "/%s.err", stem);
        int has_err = file_exists(err);
        free(err);
        if (!has_err) { free(stem); continue; }
        if (n == cap) names = realloc(names, (cap *= 2) * sizeof *names);
        names[n++] = stem;
    }
    if (d) closedir(d);
    qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names;
}

ParameterizedTestParameters(golden, diagnostics)
{
    size_t n;
    char **names = scan_cases(&n);
    golden_case *cases = cr_malloc((n ? n : 1) * sizeof *cases);
    for (size_t i = 0; i < n; i++) {
        cases[i].name = cr_strdup(names[i]);
        free(names[i]);
    }
    free(names);
    return cr_make_param_array(golden_case, cases, n, free_cases);
}

/* `text` with every occurrence of `prefix` removed (malloc'd). */
static char *strip_all(const char *text, const char *prefix)
{
    size_t plen = strlen(prefix);
    char *out = malloc(strlen(text) + 1), *o = out;
    for (const char *p = text; *p;) {
        if (plen && strncmp(p, prefix, plen) == 0) { p += plen; continue; }
        *o++ = *p++;
    }
    *o = 0;
    return out;
}

ParameterizedTest(golden_case *c, golden, diagnostics, .timeout = 60)
{
    unsetenv("AGRAPH_STDLIB");      /* the stdlib beside build/agraphc, as in a fresh checkout */
    char *expected_path = fmt_str(GOLDEN_DIR "/%s.err", c->name);
    size_t expected_len = 0;
    char *expected = read_file(expected_path, &expected_len);
    cr_assert(expected, "cannot read %s", expected_path);
    cr_assert_eq(strlen(expected), expected_len, "%s holds a NUL byte", expected_path);

    run_result r = run_cmd(CASE_TIMEOUT_S, "ulimit -v %s; exec ./build/agraphc " GOLDEN_DIR
                           "/%s.agraph --check", memory_limit(), c->name);
    char cwd[PATH_MAX];
    cr_assert(getcwd(cwd, sizeof cwd));
    char *root = fmt_str("%s/", cwd);
    char *actual = strip_all(r.err, root);

    int want_status = expected_len == 0 ? 0 : 1;
    cr_expect_eq(r.status, want_status,
                 "%s: agraphc exited with status %d, expected %d%s\n--- stderr:\n%s",
                 c->name, r.status, want_status,
                 r.status == 137 ? " (killed: time limit)" : r.status > 128 ? " (killed by a signal)" : "",
                 actual);
    cr_expect_str_eq(actual, expected,
                     "%s: the diagnostics differ from %s\n"
                     "--- expected:\n%s--- actual:\n%s--- end",
                     c->name, expected_path, expected, actual);
    free(root);
    free(actual);
    free(expected);
    free(expected_path);
    run_free(&r);
}

Test(golden, enough_cases)
{
    size_t n;
    char **names = scan_cases(&n);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    cr_expect_geq(n, MIN_CASES, "tests/golden holds %zu cases with a .err; at least %d are expected",
                  n, MIN_CASES);
    /* the cases that the language reference and reviewers look for by name */
    static const char *const required[] = {
        "delay_free_cycle", "width_mismatch", "unknown_name", "wrong_arity",
        "default_outside_range", "unbounded_variable_delay",
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        char *p = fmt_str(GOLDEN_DIR "/%s.err", required[i]);
        cr_expect(file_exists(p), "missing golden case %s", p);
        free(p);
    }
}
