/* test_hostile.c — names, labels, strings and paths from source files never reach the generated
 * C or the runtime's JSON unescaped (issue 8). A program in a folder and a file whose names hold
 * quotes, backslashes, a comment's end, trigraphs, a newline and bytes that are not UTF-8, with
 * labels full of the same (as far as the language allows: strings must be UTF-8), must give C
 * that gcc and clang accept with -Werror and trigraphs on, an executable whose --list-params and
 * --info are strict JSON giving back every label exactly, and no stray files. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

/* The folder and file names: `*` then `/` across the two, quotes, backslashes, trigraphs (for `[`
 * and `#`: a slash cannot be in a name), a newline, a space, and bytes that are not UTF-8 (0xff,
 * 0xfe, a stray 0x80). */
#define HOSTILE_DIR  "we*"
#define HOSTILE_SUB  "ird\"d\\i ?\?( \nr\xff"
#define HOSTILE_FILE "p\"q*\\r ?\?= \xfe\x80"

/* Labels: every character C, JSON, JavaScript and HTML treat specially, valid UTF-8 throughout
 * (é, U+2028). The source spells them with the language's escapes \" \\ \n \t. */
static const char *const label_src[] = {
    "Quote\\\" back\\\\slash */ /* ?\?/ ?\?= ?\?' \\n nl \\t tab",
    "</script><b>&amp; caf\xc3\xa9 \xe2\x80\xa8 %s %n",
};
static const char *const label_text[] = {
    "Quote\" back\\slash */ /* ?\?/ ?\?= ?\?' \n nl \t tab",
    "</script><b>&amp; caf\xc3\xa9 \xe2\x80\xa8 %s %n",
};

static int count_entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d) closedir(d);
    return n;
}

Test(hostile, names_labels_and_paths_are_escaped, .timeout = 240)
{
    const char *base = scratch_dir("hostile");
    char *dir = fmt_str("%s/" HOSTILE_DIR, base);
    cr_assert_eq(mkdir(dir, 0755), 0);
    dir = fmt_str("%s/" HOSTILE_SUB, dir);
    cr_assert_eq(mkdir(dir, 0755), 0);
    char *src = fmt_str("%s/" HOSTILE_FILE ".agraph", dir);
    char *text = fmt_str(
        "// a comment that ends a C comment */ and starts one /* with a trigraph ?\?/\n"
        "input x\n"
        "param gain = 0.5 [0, 1] \"%s\"\n"
        "param tone = 1kHz [100Hz, 5kHz] log \"%s\"\n"
        "wet = x * gain + x@1 * tone / 10kHz   // */ #include <stdio.h> ?\?=\n"
        "output out = wet\n"
        "probe level = wet\n", label_src[0], label_src[1]);
    cr_assert_eq(write_file(src, text), 0);

    /* The paths go through the environment, not the shell's quoting. */
    setenv("HSRC", src, 1);
    setenv("HC", fmt_str("%s/" HOSTILE_FILE ".c", dir), 1);
    setenv("HEXE", fmt_str("%s/" HOSTILE_FILE, dir), 1);
    run_result r = run_cmd(60, "./build/agraphc \"$HSRC\" --emit-c \"$HC\"");
    cr_assert_eq(r.status, 0, "agraphc --emit-c:\n%s", r.err);
    run_free(&r);
    /* -trigraphs: a trigraph left in a string or comment would become a backslash or a #. */
    static const char *const ccs[] = {
        "gcc -std=c11 -trigraphs -Wall -Wextra -Wtrigraphs -Wcomment -Werror",
        "clang -std=c11 -trigraphs -Wall -Wextra -Wtrigraphs -Wcomment -Werror",
    };
    for (int i = 0; i < 2; i++) {
        r = run_cmd(60, "%s -DAGRAPH_RUNTIME -c \"$HC\" -o /dev/null", ccs[i]);
        cr_expect_eq(r.status, 0, "%s refused the generated C:\n%s", ccs[i], r.err);
        run_free(&r);
    }
    r = run_cmd(120, "./build/agraphc \"$HSRC\" -o \"$HEXE\"");
    cr_assert_eq(r.status, 0, "agraphc -o:\n%s", r.err);
    run_free(&r);
    /* Only the program, its C file and its executable: no temporary left beside them. */
    cr_expect_eq(count_entries(dir), 3, "stray files beside the executable");

    /* Strict JSON (Python's decoder on the raw bytes: UTF-8 only), with each label as written;
     * the path's bad bytes come back as U+FFFD; no raw <, > or & to break out of a <script>. */
    char *check = fmt_str(
        "import json, sys, os\n"
        "raw = sys.stdin.buffer.read()\n"
        "assert b'<' not in raw and b'>' not in raw and b'&' not in raw, raw\n"
        "assert '\\u2028'.encode() not in raw, raw\n"
        "doc = json.loads(raw.decode('utf-8'))\n"
        "want = [os.fsencode(os.environ['L0']).decode(), os.fsencode(os.environ['L1']).decode()]\n"
        "params = doc if isinstance(doc, list) else doc['params']\n"
        "got = [p['label'] for p in params]\n"
        "assert got == want, (got, want)\n"
        "if isinstance(doc, dict):\n"
        "    name = os.fsencode(os.environ['HNAME']).decode('utf-8', 'replace')\n"
        "    assert doc['name'] == name, (doc['name'], name)\n");
    cr_assert_eq(write_file(fmt_str("%s/check.py", base), check), 0);
    setenv("L0", label_text[0], 1);
    setenv("L1", label_text[1], 1);
    setenv("HNAME", HOSTILE_FILE, 1);
    static const char *const modes[] = { "--list-params", "--info" };
    for (int i = 0; i < 2; i++) {
        r = run_cmd(60, "\"$HEXE\" %s | /usr/bin/python3 %s/check.py", modes[i], base);
        cr_expect_eq(r.status, 0, "%s is not the JSON it should be:\n%s%s", modes[i], r.out, r.err);
        run_free(&r);
    }
    /* And it renders to a hostile path beside it, leaving only that file. */
    setenv("HOUT", fmt_str("%s/o\"u*t\\ ?\?<\xff.wav", dir), 1);
    r = run_cmd(120, "./build/agraphc examples/sine.agraph -o %s/sine && %s/sine -o %s/in.wav "
                     "--duration 0.1s && \"$HEXE\" -i %s/in.wav -o \"$HOUT\" --param gain=0.25",
                base, base, base, base);
    cr_expect_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    cr_expect(file_exists(getenv("HOUT")));
    cr_expect_eq(count_entries(dir), 4, "stray files beside the output");
}

/* A label that is not UTF-8 is a positioned compile error (tests/golden/string_not_utf8.agraph
 * has the message); the runtime's JSON replaces a name's bad bytes with U+FFFD (above). */
Test(hostile, temporary_files_are_made_beside_the_target)
{
    /* agraphc links to `TARGET.tmp-XXXXXX` (mkstemp) beside the target and renames it; a failed
     * link leaves nothing. */
    const char *d = scratch_dir("hostile-tmp");
    run_result r = run_cmd(60, "./build/agraphc examples/sine.agraph --cc false -o %s/sine", d);
    cr_expect_eq(r.status, 1, "%s", r.err);
    run_free(&r);
    cr_expect_eq(count_entries(d), 0, "a failed build left files in %s", d);
    r = run_cmd(60, "./build/agraphc examples/sine.agraph -o %s/sine && %s/sine -o %s/s.wav "
                    "--duration 0.1s", d, d, d);
    cr_expect_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    cr_expect_eq(count_entries(d), 2, "files other than sine and s.wav in %s", d);
}
