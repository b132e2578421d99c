/* test_hostile.c — names, labels, strings and paths from source files never reach the generated
 * C or the runtime's JSON unescaped (issue 8). A program in a folder and a file whose names hold
 * quotes, backslashes, a comment's end, trigraphs, a newline and bytes that are not UTF-8, with
 * labels full of the same (as far as the language allows: strings must be UTF-8), must give C
 * that gcc and clang accept with -Werror and trigraphs on, an executable whose --list-params and
 * --info are strict JSON giving back every label exactly, and no stray files. The same for the
 * library's JSON description (--emit-lib, --emit-wasm) and the browser mode's page. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The library's JSON description (--emit-lib, and inside the --emit-wasm module) and the pages of
 * the notebook's browser mode: a program in a folder and a file whose names hold <, >, &, quotes,
 * a backslash, U+2028 and bytes that are not UTF-8 (0xff, 0xfe, a stray 0x80, an overlong 0xc0
 * 0xaf, a surrogate 0xed 0xa0 0x80: each bad byte is one U+FFFD, as Python's decoder agrees for
 * these), a label with `</script>`, `<!--`, the language's \" \\ \n \t escapes and raw control
 * bytes (the lexer takes any byte but a newline or NUL in a string), and a sound file whose
 * resolved path carries all of it. Every JSON must be strict UTF-8 JSON giving back the text
 * exactly, with no raw <, >, &, DEL, control character, U+2028 or U+2029 in it. */
#define LIB_DIR  "d<!--\"\\ \xe2\x80\xa8\xff>&"
#define LIB_STEM "p<b>&\xfe\x80\xc0\xaf\xed\xa0\x80 q"
#define LIB_TABLE "i<&>\xe2\x80\xa8.wav"
#define LIB_LABEL_SRC "Q\\\" b\\\\ </script><script>x()</script> <!-- y --> &amp; \\n \\t \x01\x1f\x7f\r\t " \
                      "\xe2\x80\xa8 \xe2\x80\xa9 caf\xc3\xa9 \xf0\x9f\x8e\xb5 ?\?/ */"
#define LIB_LABEL     "Q\" b\\ </script><script>x()</script> <!-- y --> &amp; \n \t \x01\x1f\x7f\r\t " \
                      "\xe2\x80\xa8 \xe2\x80\xa9 caf\xc3\xa9 \xf0\x9f\x8e\xb5 ?\?/ */"

Test(hostile, library_wasm_and_page_json_are_safe, .timeout = 300)
{
    char *base = realpath(scratch_dir("hostile-lib"), NULL);   /* absolute: commands run in HDIR */
    char root[4096];
    cr_assert(base && getcwd(root, sizeof root));
    char *dir = fmt_str("%s/" LIB_DIR, base);
    cr_assert_eq(mkdir(dir, 0755), 0);
    char *src = fmt_str("%s/" LIB_STEM ".agraph", dir);
    cr_assert_eq(write_file(src, "input x\n"
                                 "param gain = 0.5 [0, 1] \"" LIB_LABEL_SRC "\"\n"
                                 "param tone = 1kHz [100Hz, 5kHz] log \"t\"\n"
                                 "table ir = soundfile(\"" LIB_TABLE "\", max: 64)\n"
                                 "output out = x * gain + conv(x, ir) * tone / 10kHz\n"
                                 "probe level = x\n"), 0);
    setenv("HDIR", dir, 1);
    setenv("HSRC", src, 1);
    setenv("STEM", LIB_STEM, 1);
    setenv("LABEL", LIB_LABEL, 1);
    setenv("TABLEFILE", LIB_TABLE, 1);

    /* One checker for every JSON: the raw bytes, then Python's strict decoder, then the text. */
    cr_assert_eq(write_file(fmt_str("%s/check.py", base),
        "import json, os, sys\n"
        "raw = sys.stdin.buffer.read()\n"
        "for bad in (b'<', b'>', b'&', b'\\x7f', '\\u2028'.encode(), '\\u2029'.encode()):\n"
        "    assert bad not in raw, ('raw', bad, raw)\n"
        "assert all(c >= 0x20 or c == 0x0a for c in raw), ('control character', raw)\n"
        "doc = json.loads(raw.decode('utf-8'))\n"
        "env = os.environb\n"
        "labels = [p['label'] for p in doc['params']]\n"
        "assert labels == [env[b'LABEL'].decode(), 't'], labels\n"
        "assert doc['name'] == env[b'STEM'].decode('utf-8', 'replace'), doc['name']\n"
        "probes = [p['name'] for p in doc['probes']]\n"
        "assert probes == ['level'], probes\n"
        "if sys.argv[1] == 'lib':\n"
        "    assert doc['source'] == env[b'HSRC'].decode('utf-8', 'replace'), doc['source']\n"
        "    want = os.path.realpath(env[b'HDIR']) + b'/' + env[b'TABLEFILE']\n"
        "    got = [f['path'] for f in doc['files']]\n"
        "    assert got == [want.decode('utf-8', 'replace')], (got, want)\n"), 0);

    /* --emit-lib: the description from dsp_describe() through examples/embed/host.c, and the C
     * that gcc and clang take with -Werror. */
    ran_ok("agraphc --emit-lib", run_cmd(60, "cd \"$HDIR\" && %s/build/agraphc \"$HSRC\" --emit-lib dsp",
                                     root));
    static const char *const ccs[] = {
        "gcc -std=c11 -trigraphs -Wall -Wextra -Wtrigraphs -Wcomment -Werror",
        "clang -std=c11 -trigraphs -Wall -Wextra -Wtrigraphs -Wcomment -Werror",
    };
    for (int i = 0; i < 2; i++) {
        run_result r = run_cmd(60, "%s -I\"$HDIR\" -o %s/host%d examples/embed/host.c \"$HDIR/dsp.c\" -lm",
                               ccs[i], base, i);
        cr_expect_eq(r.status, 0, "%s refused the library:\n%s", ccs[i], r.err);
        run_free(&r);
    }
    ran_ok("dsp_describe()", run_cmd(60, "%s/host0 --describe | /usr/bin/python3 %s/check.py lib", base, base));

    /* The executable's --info, kept for the page below. */
    ran_ok("agraphc -o", run_cmd(120, "./build/agraphc \"$HSRC\" -o %s/exe", base));
    ran_ok("--info", run_cmd(60, "%s/exe --info > %s/info.json && /usr/bin/python3 %s/check.py info < %s/info.json",
                         base, base, base, base));

    /* --emit-wasm: the wrapper is JavaScript without a way out of a <script>, and the module's own
     * description (read raw from its memory; the wrapper's describe() must agree) is as above. */
    ran_ok("agraphc --emit-wasm", run_cmd(180, "cd \"$HDIR\" && %s/build/agraphc \"$HSRC\" --emit-wasm w && "
                                      "cp w.js w.wasm %s/", root, base));
    ran_ok("node --check", run_cmd(60, "node --check %s/w.js", base));
    run_result r = run_cmd(60, "grep -ci -e '</script' -e '<!--' %s/w.js", base);
    cr_expect_eq(r.status, 1, "the wrapper holds </script or <!--: %s", r.out);
    run_free(&r);
    cr_assert_eq(write_file(fmt_str("%s/describe.js", base),
        "const fs = require('fs'), path = require('path');\n"
        "const api = require(path.resolve(process.argv[2], 'w.js'));\n"
        "(async () => {\n"
        "  const bytes = fs.readFileSync(path.resolve(process.argv[2], 'w.wasm'));\n"
        "  const mod = await WebAssembly.compile(bytes), imports = {};\n"
        "  for (const imp of WebAssembly.Module.imports(mod))\n"
        "    if (imp.kind === 'function') (imports[imp.module] = imports[imp.module] || {})[imp.name] = () => 52;\n"
        "  const x = (await WebAssembly.instantiate(mod, imports)).exports;\n"
        "  if (x._initialize) x._initialize();\n"
        "  const mem = new Uint8Array(x.memory.buffer);\n"
        "  let p = x.ag_describe(), end = p;\n"
        "  while (mem[end] !== 0) end++;\n"
        "  const raw = Buffer.from(mem.slice(p, end));\n"
        "  const mine = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));\n"
        "  if (JSON.stringify(mine) !== JSON.stringify(await api.describe(bytes))) throw new Error('describe() differs');\n"
        "  process.stdout.write(raw);\n"
        "})().catch((e) => { console.error(e); process.exit(1); });\n"), 0);
    ran_ok("the module's description", run_cmd(60, "node %s/describe.js %s | /usr/bin/python3 %s/check.py lib",
                                           base, base, base));

    /* The browser mode's page from that --info and that module: one <script>, nothing in it that
     * ends it or opens an HTML comment, JavaScript node can parse, whose params literal gives back
     * the parameters exactly. */
    cr_assert_eq(write_file(fmt_str("%s/page.py", base),
        "import json, os, sys\n"
        "sys.path.insert(0, 'runtime/python')\n"
        "from agraph.browser import _js, browser_html\n"
        "d = sys.argv[1]\n"
        "info = json.load(open(os.path.join(d, 'info.json'), encoding='utf-8'))\n"
        "values = {p['name']: float(p['default']) for p in info['params']}\n"
        "page = browser_html(info['name'], info['params'], values, open(os.path.join(d, 'w.wasm'), 'rb').read(),\n"
        "                    open(os.path.join(d, 'w.js'), encoding='utf-8').read())\n"
        "assert page.lower().count('<script') == 1 and page.lower().count('</script') == 1, page\n"
        "head, tail = page.split('<script>')\n"
        "script, rest = tail.split('</script>')\n"
        "assert rest == '</div>', rest\n"
        "assert '<!--' not in page and '\\u2028' not in script and '\\u2029' not in script\n"
        "open(os.path.join(d, 'page.js'), 'w', encoding='utf-8').write(script)\n"
        "open(os.path.join(d, 'lit.js'), 'w', encoding='utf-8').write(\n"
        "    'process.stdout.write(JSON.stringify(' + _js(info['params']) + '))')\n"), 0);
    ran_ok("the page", run_cmd(60, "/usr/bin/python3 %s/page.py %s && node --check %s/page.js", base, base, base));
    ran_ok("the params literal", run_cmd(60, "node %s/lit.js > %s/lit.json && /usr/bin/python3 -c \"\n"
        "import json, sys\n"
        "got = json.load(open(sys.argv[1]))\n"
        "want = json.load(open(sys.argv[2]))['params']\n"
        "assert got == [{k: p.get(k) for k in ('name', 'label', 'unit', 'kind', 'scale', 'min', 'max', 'default')}\n"
        "               for p in want], (got, want)\" %s/lit.json %s/info.json", base, base, base, base));

    /* A label that is not UTF-8 is refused where it stands (tests/golden/string_not_utf8.agraph
     * has the same): the bytes never reach a JSON. */
    cr_assert_eq(write_file(fmt_str("%s/bad.agraph", base), "input x\nparam g = 0.5 [0, 1] \"ok \xff\"\noutput o = x * g\n"), 0);
    r = run_cmd(60, "cd %s && %s/build/agraphc bad.agraph --emit-lib bad", base, root);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "bad.agraph:2:26: error: byte 0xff in this string is not UTF-8 text"), "%s", r.err);
    cr_expect(!file_exists(fmt_str("%s/bad.c", base)) && !file_exists(fmt_str("%s/bad.h", base)));
    run_free(&r);
    free(base);
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
