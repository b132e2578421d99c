/* test_fuzz_smoke.c — agraphc never crashes, hangs or blows up on bad input. Every .agraph under
 * examples/, stdlib/ and tests/golden/ seeds a fixed-seed mutation run (byte ranges deleted,
 * inserted, duplicated and swapped; tokens, random bytes, NUL and non-ASCII bytes inserted;
 * truncation), and hand-made pathological programs (deep nesting, huge sums, a 10 MB line, huge
 * iteration counts and delays, self-use, empty and NUL-only files) probe the limits. Each run of
 * `agraphc FILE --check` must end by itself within 10 s with status 0, or 1 and an `error:` on
 * standard error; never a signal, a time-out or an internal error.
 *
 * A failing mutant is kept in a build/tmp/fuzz-XXXXXX folder and named in the failure message; copy it to
 * tests/golden/crash_NAME.agraph (with the .err it should give) when reporting it. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define TOTAL_MUTANTS 1500
#define N_SHARDS 4                 /* shards run in parallel under `run-tests --jobs N` */
#define RUN_TIMEOUT_S 10.0
#define MAX_SEED_BYTES (256 * 1024)
#define MAX_DIAG_BYTES (64 * 1024) /* a diagnostic is for a person to read */
/* agraphc reserves a 1 GiB stack and may use up to 4 GiB of arena: a little more than that is a
 * runaway, which this limit turns into a failure instead of swapping the machine. */
#define MEMORY_LIMIT_KB (6 * 1024 * 1024)

/* `make check-asan` sets AGRAPH_TEST_ASAN: AddressSanitizer reserves terabytes of address space
 * for its shadow, so there the limit is ASan's hard_rss_limit_mb (set by the Makefile) instead. */
static const char *memory_limit(void)
{
    static char kb[32];
    if (getenv("AGRAPH_TEST_ASAN")) return "unlimited";
    snprintf(kb, sizeof kb, "%d", MEMORY_LIMIT_KB);
    return kb;
}

/* ---- a small deterministic PRNG (xorshift64*) ------------------------------------------------ */

static uint64_t rng_state;

static void rng_seed(uint64_t s) { rng_state = s * 0x9E3779B97F4A7C15ull + 1; }

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static size_t rng_below(size_t n) { return n ? (size_t)(rng_next() % n) : 0; }

/* ---- byte buffers ----------------------------------------------------------------------------- */

typedef struct { char *p; size_t n, cap; } buf;

static void buf_reserve(buf *b, size_t n)
{
    if (n + 1 <= b->cap) return;
    b->cap = (n + 1) * 2;
    b->p = realloc(b->p, b->cap);
}

static void buf_insert(buf *b, size_t at, const char *s, size_t n)
{
    buf_reserve(b, b->n + n);
    memmove(b->p + at + n, b->p + at, b->n - at);
    memcpy(b->p + at, s, n);
    b->n += n;
}

static void buf_delete(buf *b, size_t at, size_t n)
{
    memmove(b->p + at, b->p + at + n, b->n - at - n);
    b->n -= n;
}

static int write_bytes(const char *path, const char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(p, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* ---- seeds ------------------------------------------------------------------------------------ */

typedef struct { char *path; char *text; size_t len; } seed;

static seed *seeds;
static size_t n_seeds, cap_seeds;
static size_t n_valid;      /* seeds[0 .. n_valid) are examples and stdlib: programs that compile */

static int by_path(const void *a, const void *b)
{
    return strcmp(((const seed *)a)->path, ((const seed *)b)->path);
}

static void collect(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *path = fmt_str("%s/%s", dir, e->d_name);
        struct stat st;
        size_t len = strlen(e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            collect(path);
        } else if (len > 7 && strcmp(e->d_name + len - 7, ".agraph") == 0 &&
                   st.st_size <= MAX_SEED_BYTES) {
            size_t n;
            char *text = read_file(path, &n);
            if (text) {
                if (n_seeds == cap_seeds) {
                    cap_seeds = cap_seeds ? cap_seeds * 2 : 64;
                    seeds = realloc(seeds, cap_seeds * sizeof *seeds);
                }
                seeds[n_seeds++] = (seed){ path, text, n };
                continue;
            }
        }
        free(path);
    }
    closedir(d);
}

static void load_seeds(void)
{
    if (seeds) return;
    collect("examples");
    collect("stdlib");
    n_valid = n_seeds;
    collect("tests/golden");
    /* readdir order is not stable */
    qsort(seeds, n_valid, sizeof *seeds, by_path);
    qsort(seeds + n_valid, n_seeds - n_valid, sizeof *seeds, by_path);
}

/* ---- mutations -------------------------------------------------------------------------------- */

static const char *const tokens[] = {
    "(", ")", "[", "]", "{", "}", "@", "|>", "..", ",", ":", "=", "+", "-", "*", "/", "^", "%",
    "<", ">=", "==", "!", "&&", "||", ";", "\n", " ", "\"", "/*", "*/", "//",
    "sum", "prod", "par", "chain", "from", "in", "block", "return", "param", "input", "output",
    "probe", "import", "button", "toggle", "log", "max:", "SR", "pi", "x", "y", "std",
    "1e309", "99999999999", "2147483647", "-1", "0", "0.5", "1e-300", "48kHz", "350ms", "-6dB",
    "2.5samples", "@(", "@(1, max: 1s)", "[0, 1]", "sum i in 1..99999: ", "par i in 1..0: ",
    "select(", "noise(", "sine(", "onepole(", "echo(", "x@x", "y@1", "y = y", "\xc3\x97", "\t",
};

static const char *const numbers[] = {
    "0", "1", "-1", "2", "0.5", "-0.5", "3", "1000", "99999", "100000", "2147483647", "1e9",
    "1e-9", "0.0", "1e308", "20Hz", "0Hz", "-6dB", "0dB", "0ms", "-1ms", "10s", "100s", "1samples",
    "0samples", "48000samples",
};

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool digit(char c) { return c >= '0' && c <= '9'; }

/* The start of the line holding byte `at`, and the end just after its newline. */
static void line_at(const buf *b, size_t at, size_t *start, size_t *end)
{
    size_t s = at, e = at;
    while (s > 0 && b->p[s - 1] != '\n') s--;
    while (e < b->n && b->p[e] != '\n') e++;
    if (e < b->n) e++;
    *start = s;
    *end = e;
}

/* Token-aware mutations keep the program parseable more often, so they reach name resolution,
 * expansion and the checker: whole lines deleted or duplicated, a number or a name replaced. */
static void mutate_tokens(buf *b)
{
    size_t n = b->n, s, e;
    if (!n) return;
    switch (rng_below(4)) {
    case 0:                             /* delete a line */
        line_at(b, rng_below(n), &s, &e);
        buf_delete(b, s, e - s);
        break;
    case 1: {                           /* copy a line to another line's start */
        line_at(b, rng_below(n), &s, &e);
        char *copy = malloc(e - s + 1);
        memcpy(copy, b->p + s, e - s);
        size_t s2, e2;
        line_at(b, rng_below(n), &s2, &e2);
        buf_insert(b, s2, copy, e - s);
        free(copy);
        break;
    }
    case 2: {                           /* replace a number with another */
        size_t at = rng_below(n);
        while (at < n && !(digit(b->p[at]) && (at == 0 || !ident_char(b->p[at - 1])))) at++;
        if (at == n) break;
        size_t end = at;
        while (end < n && (ident_char(b->p[end]) || b->p[end] == '.')) end++;
        const char *num = numbers[rng_below(sizeof numbers / sizeof numbers[0])];
        buf_delete(b, at, end - at);
        buf_insert(b, at, num, strlen(num));
        break;
    }
    default: {                          /* replace a name with another name of the program */
        size_t at = rng_below(n), other = rng_below(n);
        while (at < n && !(!digit(b->p[at]) && ident_char(b->p[at]) &&
                           (at == 0 || !ident_char(b->p[at - 1])))) at++;
        while (other < n && !(!digit(b->p[other]) && ident_char(b->p[other]) &&
                              (other == 0 || !ident_char(b->p[other - 1])))) other++;
        if (at == n || other == n) break;
        size_t end = at, oend = other;
        while (end < n && ident_char(b->p[end])) end++;
        while (oend < n && ident_char(b->p[oend])) oend++;
        char *name = strndup(b->p + other, oend - other);
        buf_delete(b, at, end - at);
        buf_insert(b, at, name, strlen(name));
        free(name);
        break;
    }
    }
}

static void mutate_once(buf *b)
{
    size_t n = b->n;
    size_t at = rng_below(n + 1);
    size_t len = 1 + rng_below(rng_below(4) == 0 ? 64 : 8);
    if (at + len > n) len = n - at;
    if (rng_below(2)) {
        mutate_tokens(b);
        return;
    }
    switch (rng_below(8)) {
    case 0:                             /* delete a range */
        buf_delete(b, at, len);
        break;
    case 1:                             /* insert a token */
    case 2: {
        const char *t = tokens[rng_below(sizeof tokens / sizeof tokens[0])];
        buf_insert(b, at, t, strlen(t));
        break;
    }
    case 3: {                           /* duplicate a range */
        char *copy = malloc(len + 1);
        memcpy(copy, b->p + at, len);
        buf_insert(b, rng_below(b->n + 1), copy, len);
        free(copy);
        break;
    }
    case 4: {                           /* swap two ranges of equal length */
        size_t at2 = rng_below(n + 1);
        if (at2 + len > n || (at < at2 ? at2 - at : at - at2) < len) break;   /* overlap */
        for (size_t i = 0; i < len; i++) {
            char c = b->p[at + i];
            b->p[at + i] = b->p[at2 + i];
            b->p[at2 + i] = c;
        }
        break;
    }
    case 5: {                           /* random bytes, NUL and non-ASCII included */
        char r[8];
        size_t k = 1 + rng_below(sizeof r);
        for (size_t i = 0; i < k; i++) {
            switch (rng_below(4)) {
            case 0: r[i] = 0; break;
            case 1: r[i] = (char)(0x80 + rng_below(0x80)); break;
            default: r[i] = (char)rng_below(256); break;
            }
        }
        buf_insert(b, at, r, k);
        break;
    }
    case 6:                             /* overwrite a byte with a printable one */
        if (at < n) b->p[at] = (char)(32 + rng_below(95));
        break;
    default:                            /* truncate */
        if (rng_below(3) == 0) b->n = at;
        break;
    }
}

/* ---- running agraphc -------------------------------------------------------------------------- */

typedef struct { int status; char *err; size_t err_len; double secs; } outcome;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static outcome check_file(const char *path)
{
    double t0 = now_s();
    run_result r = run_cmd(RUN_TIMEOUT_S, "ulimit -v %s; exec ./build/agraphc '%s' --check",
                           memory_limit(), path);
    outcome o = { r.status, r.err, strlen(r.err), now_s() - t0 };
    free(r.out);
    return o;
}

/* Why an outcome is a failure, or NULL if it is fine. */
static const char *judge(const outcome *o)
{
    if (o->status == 128 + 9 && o->secs >= RUN_TIMEOUT_S) return "timed out";
    if (o->status > 128) return "killed by a signal";
    if (o->status == -1 || o->status == 126 || o->status == 127)
        return "could not run ./build/agraphc (is it built, and not being rebuilt?)";
    if (o->status != 0 && o->status != 1) return "exit status is neither 0 nor 1";
    if (o->status == 1 && !strstr(o->err, "error:")) return "exit status 1 without an 'error:'";
    if (strstr(o->err, "internal error")) return "internal error";
    return NULL;
}

/* ---- the mutation run ------------------------------------------------------------------------- */

ParameterizedTestParameters(fuzz_smoke, mutants)
{
    static int shards[N_SHARDS];
    for (int i = 0; i < N_SHARDS; i++) shards[i] = i;
    return cr_make_param_array(int, shards, N_SHARDS);
}

ParameterizedTest(int *shard, fuzz_smoke, mutants, .timeout = 600)
{
    unsetenv("AGRAPH_STDLIB");
    load_seeds();
    cr_assert_gt(n_seeds, 10, "found only %zu seed programs; run from the repository root", n_seeds);
    const char *dir = scratch_dir("fuzz");
    cr_assert(dir);
    char *path = fmt_str("%s/mutant.agraph", dir);
    int failures = 0;
    double slowest = 0;
    int n_ok = 0;
    buf b = { 0 };
    for (int i = *shard; i < TOTAL_MUTANTS; i += N_SHARDS) {
        rng_seed(0xA6A9u + (uint64_t)i);                 /* each mutant reproducible alone */
        /* Half the mutants start from a program that compiles, so they reach the later passes;
         * most golden cases stop at their first error whatever is changed after it. */
        const seed *s = n_valid && rng_below(2) ? &seeds[rng_below(n_valid)]
                                                : &seeds[rng_below(n_seeds)];
        b.n = 0;
        buf_insert(&b, 0, s->text, s->len);
        int rounds = 1 + (int)rng_below(4);
        for (int k = 0; k < rounds; k++) mutate_once(&b);
        cr_assert(write_bytes(path, b.p, b.n) == 0, "cannot write %s", path);

        outcome o = check_file(path);
        if (o.secs > slowest) slowest = o.secs;
        n_ok += o.status == 0;
        const char *why = judge(&o);
        if (why) {
            char *keep = fmt_str("%s/fail-%04d.agraph", dir, i);
            write_bytes(keep, b.p, b.n);
            if (failures < 5)
                cr_log_error("mutant %d of %s: %s (status %d, %.1f s); kept as %s\n%.2000s",
                             i, s->path, why, o.status, o.secs, keep, o.err);
            failures++;
            free(keep);
        }
        free(o.err);
    }
    free(b.p);
    unlink(path);
    if (!failures) rmdir(dir);
    cr_log_info("fuzz shard %d: %d mutants compiled, the others were rejected; slowest run %.2f s",
                *shard, n_ok, slowest);
    cr_expect_eq(failures, 0, "%d mutants of shard %d made agraphc fail (see the log above)",
                 failures, *shard);
}

/* ---- pathological programs -------------------------------------------------------------------- */

/* Check one hand-made program: it compiles, or fails with a clear error that mentions `want`
 * (if given), quickly and with a diagnostic short enough to read. */
static void pathological(const char *tag, const char *text, size_t len, int want_status,
                         const char *want)
{
    unsetenv("AGRAPH_STDLIB");
    const char *dir = scratch_dir("patho");
    cr_assert(dir);
    char *path = fmt_str("%s/%s.agraph", dir, tag);
    cr_assert(write_bytes(path, text, len) == 0);
    outcome o = check_file(path);
    const char *why = judge(&o);
    cr_expect(!why, "%s: %s (status %d, %.1f s)\n%.2000s", tag, why ? why : "", o.status, o.secs,
              o.err);
    if (want_status >= 0)
        cr_expect_eq(o.status, want_status, "%s: status %d, expected %d\n%.2000s", tag, o.status,
                     want_status, o.err);
    if (want)
        cr_expect(strstr(o.err, want), "%s: expected a diagnostic mentioning \"%s\"; got\n%.2000s",
                  tag, want, o.err);
    cr_expect_leq(o.err_len, MAX_DIAG_BYTES,
                  "%s: the diagnostic is %zu bytes long; a long source line should be shown "
                  "clipped around the caret\n%.600s...", tag, o.err_len, o.err);
    cr_log_info("%s: status %d in %.2f s", tag, o.status, o.secs);
    free(o.err);
    /* the test makes the program again on every run; some are 10 MB or more */
    unlink(path);
    rmdir(dir);
    free(path);
}

static char *repeat(const char *head, const char *unit, size_t times, const char *mid,
                    const char *unit2, size_t times2, const char *tail, size_t *len)
{
    size_t hl = strlen(head), ul = strlen(unit), ml = strlen(mid), u2 = strlen(unit2),
           tl = strlen(tail);
    size_t n = hl + ul * times + ml + u2 * times2 + tl;
    char *s = malloc(n + 1), *p = s;
    memcpy(p, head, hl); p += hl;
    for (size_t i = 0; i < times; i++) { memcpy(p, unit, ul); p += ul; }
    memcpy(p, mid, ml); p += ml;
    for (size_t i = 0; i < times2; i++) { memcpy(p, unit2, u2); p += u2; }
    memcpy(p, tail, tl); p += tl;
    *p = 0;
    *len = n;
    return s;
}

Test(fuzz_smoke, deep_parentheses, .timeout = 60)
{
    size_t n;
    char *s = repeat("input x\noutput out = ", "(", 100000, "x", ")", 100000, "\n", &n);
    pathological("deep_parentheses", s, n, 1, "nested too deeply");
    free(s);
}

Test(fuzz_smoke, deep_prefix_and_postfix_operators, .timeout = 60)
{
    size_t n;
    char *s = repeat("input x\noutput out = ", "-", 100000, "x", "", 0, "\n", &n);
    pathological("deep_minus", s, n, 1, "error:");
    free(s);
    s = repeat("input x\noutput out = float(", "!", 100000, "(x > 0)", "", 0, ")\n", &n);
    pathological("deep_not", s, n, 1, "error:");
    free(s);
    s = repeat("input x\noutput out = x", "@1", 100000, "", "", 0, "\n", &n);
    pathological("deep_delay_chain", s, n, -1, NULL);
    free(s);
    s = repeat("input x\noutput out = x", " |> tanh", 100000, "", "", 0, "\n", &n);
    pathological("deep_pipe", s, n, -1, NULL);
    free(s);
    s = repeat("input x\noutput out = ", "sin(", 100000, "x", ")", 100000, "\n", &n);
    pathological("deep_calls", s, n, -1, NULL);
    free(s);
    s = repeat("input x\noutput out = ", "2^", 100000, "x", "", 0, "\n", &n);
    pathological("deep_power", s, n, -1, NULL);
    free(s);
}

Test(fuzz_smoke, long_sum, .timeout = 60)
{
    size_t n;
    char *s = repeat("output out = 1", "+1", 199999, "", "", 0, "\n", &n);
    pathological("long_sum", s, n, -1, NULL);
    free(s);
}

Test(fuzz_smoke, ten_megabyte_line, .timeout = 60)
{
    size_t n;
    /* a valid program whose one long line is blank space and a comment */
    char *s = repeat("input x\noutput out = x", " ", 10u << 20, "// end", "", 0, "\n", &n);
    pathological("long_line_valid", s, n, 0, NULL);
    free(s);
    /* the same line with a mistake at its end */
    s = repeat("input x\noutput out = x", " ", 10u << 20, "$", "", 0, "\n", &n);
    pathological("long_line_error", s, n, 1, "unexpected character '$'");
    free(s);
    /* a ten-megabyte name */
    s = repeat("input x\noutput out = x * ", "q", 10u << 20, "", "", 0, "\n", &n);
    pathological("long_name", s, n, 1, "unknown name");
    free(s);
}

Test(fuzz_smoke, oversized_file, .timeout = 60)
{
    const char *comment = "// a comment line that pads the file\n";
    size_t n;
    char *s = repeat("input x\noutput out = x\n", comment, (17u << 20) / strlen(comment) + 1,
                     "", "", 0, "", &n);
    pathological("oversized_file", s, n, 1, "larger than");
    free(s);
}

Test(fuzz_smoke, huge_counts, .timeout = 60)
{
    const char *a = "output out = sum i in 1..1000000000: i\n";
    pathological("billion_iterations", a, strlen(a), 1, "limit");
    const char *b = "input x\noutput out = x@999999999999\n";
    pathological("huge_delay_literal", b, strlen(b), 1, "too large");
    const char *c = "input x\noutput out = x@(1e300)\n";
    pathological("huge_delay_value", c, strlen(c), 1, "too long");
    const char *d = "input x\noutput out = sum j in 1..100000: sum k in 1..100000: x * j * k\n";
    pathological("nested_iterations", d, strlen(d), 1, "error:");
}

Test(fuzz_smoke, self_use, .timeout = 60)
{
    const char *a = "input x\nblock f(x) = f(x) * 0.5\noutput out = f(x)\n";
    pathological("block_calls_itself", a, strlen(a), 1, "recursive");
    const char *b = "input x\nblock f(x) {\n    y = x + g(y@1)\n    return y\n}\n"
                    "block g(x) = f(x)\noutput out = f(x)\n";
    pathological("blocks_call_each_other", b, strlen(b), 1, "recursive");
    /* each level uses the one below twice: 2^40 uses unless a limit stops it */
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "input x\nblock b0(x) = x@1\n");
    for (int i = 1; i < 40; i++)
        n += (size_t)snprintf(s + n, cap - n, "block b%d(x) = b%d(x) + b%d(x@1)\n", i, i - 1, i - 1);
    n += (size_t)snprintf(s + n, cap - n, "output out = b39(x)\n");
    pathological("exponential_blocks", s, n, 1, "error:");
    free(s);
}

Test(fuzz_smoke, empty_and_nul_files, .timeout = 60)
{
    pathological("empty", "", 0, 1, "no output");
    char zeros[4096];
    memset(zeros, 0, sizeof zeros);
    pathological("only_nul", zeros, sizeof zeros, 1, "NUL");
    const char *nl = "\n\n\n";
    pathological("only_newlines", nl, strlen(nl), 1, "no output");
    run_result r = run_cmd(RUN_TIMEOUT_S, "./build/agraphc build/tmp/no-such-file.agraph --check");
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "cannot open"), "%s", r.err);
    run_free(&r);
}

Test(fuzz_smoke, random_bytes, .timeout = 120)
{
    rng_seed(77);
    for (int k = 0; k < 20; k++) {
        size_t n = 1 + rng_below(4096);
        char *s = malloc(n);
        for (size_t i = 0; i < n; i++) s[i] = (char)rng_below(256);
        char *tag = fmt_str("random_bytes_%d", k);
        pathological(tag, s, n, 1, "error:");
        free(tag);
        free(s);
    }
}

Test(fuzz_smoke, long_cycle, .timeout = 60)
{
    /* a delay-free cycle through 100,000 definitions: the message must stay readable */
    size_t cap = 4 << 20, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "input x\n");
    for (int i = 1; i < 100000; i++) n += (size_t)snprintf(s + n, cap - n, "a%d = a%d + x\n", i, i - 1);
    n += (size_t)snprintf(s + n, cap - n, "a0 = a99999\noutput out = a0\n");
    pathological("long_cycle", s, n, 1, "delay-free cycle");
    free(s);
}
