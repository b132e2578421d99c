/* test_smoothing.c — a parameter change reaches audio as a one-pole ramp with a 10 ms time
 * constant (closed form), and once the parameter is at rest the output is exactly its value. */
#include <criterion/criterion.h>

#include "testutil.h"

Test(smoothing, a_parameter_step_ramps_exponentially_then_settles)
{
    const char *d = scratch_dir("smooth");
    cr_assert_eq(write_file(fmt_str("%s/g.agraph", d), "param g = 0.5 [0, 1]\noutput out = g\n"), 0);
    run_result r = run_cmd(60, "./build/agraphc %s/g.agraph --emit-c %s/g.c && "
                               "cc -O2 -std=c11 -DAGRAPH_RUNTIME -Iruntime tests/rtcheck/smooth_host.c %s/g.c "
                               "-o %s/host -lm && %s/host", d, d, d, d, d);
    cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
    run_free(&r);
}
