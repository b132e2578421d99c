/* test_tables.c — tables computed by the compiler and read at run time, against numpy. */
#include <criterion/criterion.h>

#include "testutil.h"

Test(tables, reads_interpolate_wrap_and_fold)
{
    const char *d = scratch_dir("tables");
    run_result r = run_cmd(60, "./build/agraphc tests/tables/read.agraph -o %s/t && "
                               "/usr/bin/python3 tests/render/oracle.py make-noise %s/in.wav && "
                               "%s/t -i %s/in.wav -o %s/out.wav", d, d, d, d, d);
    cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
    run_free(&r);
    r = run_cmd(60, "/usr/bin/python3 tests/render/check_tables.py %s/out.wav %s/in.wav", d, d);
    cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
    run_free(&r);
    r = run_cmd(60, "/usr/bin/python3 tests/render/check_tables.py %s/out.wav %s/in.wav wrong", d, d);
    cr_expect_neq(r.status, 0, "the oracle accepted reads without interpolation: %s", r.out);
    run_free(&r);
}
