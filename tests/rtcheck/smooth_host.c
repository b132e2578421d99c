/* smooth_host.c — drives a program `output out = g` (one slider g in [0, 1]) through a parameter
 * change and prints the output, to check parameter smoothing against its closed form:
 * after set_param(g = b) at sample 0 the output is b + (a - b)(1 - k)^(n + 1), k = 1 - e^(-1/(0.01 SR)),
 * and once settled it is exactly b.   cc -DAGRAPH_RUNTIME -Iruntime smooth_host.c prog.c -lm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "agraph_program.h"

extern const agraph_program agraph_main_program;

int main(void)
{
    const agraph_program *P = &agraph_main_program;
    void *s = calloc(1, P->state_size);
    float buf[4800], *out[1] = { buf };
    if (!s || P->init(s, 48000) != 0) return 1;
    P->set_param(s, 0, 0.25);
    P->process(s, NULL, out, 64);                 /* fresh: starts at the target, 0.25 */
    P->set_param(s, 0, 0.75);
    double k = 1 - exp(-1.0 / (0.010 * 48000)), worst = 0;
    int n = 0;
    for (int block = 0; block < 40; block++) {    /* 40 blocks of 480: 0.4 s, 40 time constants */
        P->process(s, NULL, out, 480);
        for (int i = 0; i < 480; i++, n++) {
            double want = 0.75 + (0.25 - 0.75) * pow(1 - k, n + 1);
            double err = fabs(buf[i] - want);
            if (err > worst) worst = err;
        }
    }
    printf("max error %.3g, last %.9g\n", worst, buf[479]);
    return worst < 1e-6 && buf[479] == 0.75f ? 0 : 1;
}
