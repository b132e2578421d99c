/* test_browser_mode.c — `%%agraph --browser` (runtime/python/agraph/browser.py) for real: a classic
 * notebook server on loopback and headless Chromium run notebooks/browser_mode.ipynb; the cell's
 * WebAssembly program, rendered in the page through an OfflineAudioContext, matches the native
 * executable within 1e-4 with the cell's, the render's and a moved slider's parameter values, and
 * Play runs it in the page. The check is tests/notebook/check_browser_mode.py, run with Debian's
 * /usr/bin/python3 (the only one that sees selenium and the notebook server). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define PY "/usr/bin/python3 -Xfrozen_modules=off tests/notebook/"

Test(browser_mode, plays_in_the_page_and_matches_native, .timeout = 300)
{
    need_build();
    const char *d = scratch_dir("nb-browser-mode");
    run_result r = run_cmd(240, PY "check_browser_mode.py %s", d);
    printf("%s", r.out);
    cr_assert_eq(r.status, 0, "check_browser_mode.py failed (%d):\n%s\n%s", r.status, r.out, r.err);
    cr_expect(strstr(r.out, "checks passed") != NULL, "no summary line:\n%s", r.out);
    run_free(&r);
}

/* The comparison can fail: with the oracle rendered 1 Hz off, the first match fails, by name. */
Test(browser_mode, a_planted_parameter_slip_is_caught, .timeout = 300)
{
    need_build();
    const char *d = scratch_dir("nb-browser-mode-planted");
    run_result r = run_cmd(240, PY "check_browser_mode.py %s planted", d);
    cr_expect_neq(r.status, 0, "a planted 1 Hz slip went unnoticed:\n%s%s", r.out, r.err);
    cr_expect(strstr(r.out, "FAIL: cell values (freq 330 Hz): the browser's render matches") != NULL,
              "the planted slip was not caught by the comparison:\n%s%s", r.out, r.err);
    run_free(&r);
}
