/* test_notebook.c — the Jupyter extension (runtime/python/agraph) and notebooks/, for real: the
 * Python API, every notebook executed by nbclient against a real kernel with its outputs checked,
 * the live notebook against a JACK server with the dummy backend (zero underruns while the view
 * redraws, a slider change heard in a jack_rec recording), and a classic notebook server driven by
 * headless Chromium. The checks are the Python scripts in tests/notebook/, run with Debian's
 * /usr/bin/python3 (the only one that sees ipykernel, nbclient and selenium). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "runtime/harness.h"
#include "testutil.h"

#define PY "PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -Xfrozen_modules=off tests/notebook/"

static void script_ok(const char *what, run_result r)
{
    /* the scripts print one line per failed check and a summary line */
    printf("%s", r.out);
    cr_assert_eq(r.status, 0, "%s failed (%d):\n%s\n%s", what, r.status, r.out, r.err);
    run_free(&r);
}

Test(notebook, python_api, .timeout = 180)
{
    need_build();
    const char *d = scratch_dir("nb-api");
    script_ok("tests/notebook/check_api.py", run_cmd(150, PY "check_api.py %s", d));
}

Test(notebook, getting_started, .timeout = 240)
{
    need_build();
    const char *d = scratch_dir("nb-getting-started");
    script_ok("getting_started.ipynb", run_cmd(200, PY "check_notebooks.py %s getting_started", d));
}

/* The checks of the getting-started notebook can fail: with a blank line planted above the
 * deliberate error, the error is on line 5 of the cell, and the check for line 4 says so. */
Test(notebook, getting_started_checks_can_fail, .timeout = 240)
{
    need_build();
    const char *d = scratch_dir("nb-planted");
    run_result r = run_cmd(200, PY "check_notebooks.py %s planted", d);
    cr_expect_neq(r.status, 0, "a planted shift of the error line went unnoticed:\n%s%s", r.out, r.err);
    cr_expect(strstr(r.out, "FAIL: error cell: the message with the cell's line 4") != NULL,
              "the planted shift was not caught by the line check:\n%s%s", r.out, r.err);
    cr_expect(strstr(r.out, "oops:5:22: error:") != NULL, "the message should name line 5:\n%s", r.out);
    run_free(&r);
}

Test(notebook, docs_examples_run, .timeout = 240)
{
    need_build();
    const char *d = scratch_dir("nb-docs");
    script_ok("docs/notebook.md", run_cmd(200, PY "check_notebooks.py %s docs", d));
}

Test(notebook, additive_synth, .timeout = 240)
{
    need_build();
    const char *d = scratch_dir("nb-additive");
    script_ok("additive_synth.ipynb", run_cmd(200, PY "check_notebooks.py %s additive", d));
}

Test(notebook, pickup_response, .timeout = 240)
{
    need_build();
    const char *d = scratch_dir("nb-pickup");
    script_ok("pickup_response.ipynb", run_cmd(200, PY "check_notebooks.py %s pickup", d));
}

/* live_spectrum.ipynb on a realtime JACK dummy server with 1024-frame periods: a block of 21 ms
 * at 48 kHz rides out the 6-8 ms stalls this virtual machine has now and then (docs/runtime.md);
 * the notebook's live mode asks for 1024-frame blocks too. */
Test(notebook, live_spectrum_on_jack, .timeout = 300)
{
    need_build();
    const char *d = scratch_dir("nb-live");
    h_jack j = h_jack_start("nb-live", 1, 1024);
    /* the script counts the server's xruns in its log around the 10 s of redraws (none) and
     * around a planted stall (some) */
    run_result r = run_cmd(240, PY "check_live.py %s %s", d, j.log);
    char *log = h_jack_stop(&j);
    printf("%s", r.out);
    cr_expect_eq(r.status, 0, "the live notebook failed (%d):\n%s\n%s\njackd log:\n%s", r.status, r.out, r.err, log);
    run_free(&r);
    free(log);
}

Test(notebook, browser_runs_a_cell_and_moves_a_slider, .timeout = 300)
{
    need_build();
    const char *d = scratch_dir("nb-browser");
    script_ok("tests/notebook/check_browser.py", run_cmd(240, PY "check_browser.py %s", d));
}
