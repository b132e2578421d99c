/* control_reader.c — another process using a live program's control block, for the tests: the
 * way a notebook would, through runtime/agraph_control.h alone.
 *   control_reader FILE SECONDS HZ [PARAM]
 *   control_reader FILE SECONDS HZ --raw     copy snapshots ignoring their sequence counter, to
 *                                           show that the checksum catches a torn one
 * Maps FILE, checks its header, waits for the program to run, then polls every probe HZ times a
 * second (0: as fast as it can) for SECONDS. A probe named "ramp" carries a checksum in its last
 * element (tests/runtime/fixture_probes.c): every snapshot must pass it, or it was torn. With
 * PARAM, it also sets that parameter to a new value every tenth poll and checks that the audio
 * thread applies each (applied_seq) and publishes it (value). Prints one line:
 *   polls N torn T retries R sets S applied A max_apply_ms M blocks B frames F
 * and exits 0 when nothing was torn, every set was applied and the heartbeat moved; else 1. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agraph_control.h"

#define START_TIMEOUT 5.0         /* seconds to wait for status RUNNING */
#define APPLY_TIMEOUT 1.0         /* seconds for the audio thread to apply a set */
#define SET_EVERY 10              /* polls */
#define MAX_WIDTH 65536

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

static int fail(const char *msg)
{
    fprintf(stderr, "control_reader: %s\n", msg);
    return 1;
}

/* Copy a snapshot under its sequence counter; returns the retries it took. */
static long read_snapshot(const agraph_control_snapshot *snap, float *dst, uint64_t *frame)
{
    long retries = 0;
    for (;;) {
        uint32_t s1 = __atomic_load_n(&snap->seq, __ATOMIC_ACQUIRE);
        if (!(s1 & 1u)) {
            *frame = __atomic_load_n(&snap->frame, __ATOMIC_RELAXED);
            memcpy(dst, snap->values, snap->width * sizeof(float));
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (__atomic_load_n(&snap->seq, __ATOMIC_RELAXED) == s1) return retries;
        }
        retries++;
    }
}

static double read_value(const agraph_control_param *p)
{
    for (;;) {
        uint32_t s1 = __atomic_load_n(&p->value_seq, __ATOMIC_ACQUIRE);
        double v;
        __atomic_load(&p->value, &v, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (!(s1 & 1u) && __atomic_load_n(&p->value_seq, __ATOMIC_RELAXED) == s1) return v;
    }
}

static void write_request(agraph_control_param *p, double v)
{
    uint32_t s = p->request_seq;
    __atomic_store_n(&p->request_seq, s + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store(&p->request, &v, __ATOMIC_RELAXED);
    __atomic_store_n(&p->request_seq, s + 2, __ATOMIC_RELEASE);
}

int main(int argc, char **argv)
{
    if (argc < 4) return fail("usage: control_reader FILE SECONDS HZ [PARAM]");
    double seconds = atof(argv[2]), hz = atof(argv[3]);
    const char *param = argc > 4 ? argv[4] : NULL;
    int raw = param && strcmp(param, "--raw") == 0;
    if (raw) param = NULL;

    int fd = open(argv[1], O_RDWR);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) return fail("cannot open the control file");
    unsigned char *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) return fail("cannot map the control file");
    agraph_control_header *h = (agraph_control_header *)base;
    if (h->magic != AGRAPH_CONTROL_MAGIC || h->version != AGRAPH_CONTROL_VERSION
        || h->header_size != sizeof *h || h->param_size != sizeof(agraph_control_param)
        || h->probe_size != sizeof(agraph_control_probe) || h->file_size != (uint64_t)st.st_size)
        return fail("the header does not match agraph_control.h");
    agraph_control_param *params = (agraph_control_param *)(base + h->params_offset);
    agraph_control_probe *probes = (agraph_control_probe *)(base + h->probes_offset);

    double until = now_s() + START_TIMEOUT;
    while (__atomic_load_n(&h->status, __ATOMIC_ACQUIRE) != AGRAPH_CONTROL_RUNNING)
        if (now_s() > until) return fail("the program did not start running");
        else sleep_s(0.005);

    agraph_control_param *p = NULL;
    for (uint32_t i = 0; param && i < h->n_params; i++)
        if (strcmp(params[i].name, param) == 0) p = &params[i];
    if (param && !p) return fail("no such parameter");

    float *v = calloc(MAX_WIDTH, sizeof(float));
    uint64_t *last_frame = calloc(h->n_probes + 1, sizeof *last_frame);
    long polls = 0, torn = 0, retries = 0, sets = 0, applied = 0, backwards = 0;
    double max_apply = 0, asked_at = 0, asked = 0;
    uint32_t asked_seq = 0;
    uint64_t blocks0 = __atomic_load_n(&h->blocks, __ATOMIC_ACQUIRE);
    double start = now_s();
    while (now_s() - start < seconds) {
        for (uint32_t i = 0; i < h->n_probes; i++) {
            const agraph_control_snapshot *snap =
                (const agraph_control_snapshot *)(base + probes[i].snapshot_offset);
            uint32_t w = probes[i].width;
            if (w > MAX_WIDTH || snap->width != w) return fail("a probe is wider than expected");
            uint64_t frame;
            if (raw) {
                frame = snap->frame;
                memcpy(v, snap->values, w * sizeof(float));
            } else {
                retries += read_snapshot(snap, v, &frame);
            }
            if (frame < last_frame[i]) backwards++;
            last_frame[i] = frame;
            if (strcmp(probes[i].name, "ramp") != 0 || frame == 0) continue;
            double sum = 0;
            int bad = 0;
            for (uint32_t k = 0; k + 1 < w; k++) {
                sum += v[k];
                if (v[k] != v[0] + (float)k) bad = 1;
            }
            if (bad || v[w - 1] != (float)fmod(sum, 1048576.0)) torn++;
        }
        polls++;
        if (p && asked_seq) {
            uint32_t a = __atomic_load_n(&p->applied_seq, __ATOMIC_ACQUIRE);
            if (a == asked_seq) {
                double took = now_s() - asked_at, got = read_value(p);
                if (took > max_apply) max_apply = took;
                if (fabs(got - asked) > 1e-4 * fmax(1, fabs(asked))) {
                    fprintf(stderr, "control_reader: asked %s = %g, the program has %g\n", p->name, asked, got);
                    return 1;
                }
                applied++;
                asked_seq = 0;
            } else if (now_s() - asked_at > APPLY_TIMEOUT) {
                return fail("a parameter set was not applied within 1 s");
            }
        }
        if (p && !asked_seq && polls % SET_EVERY == 0) {
            asked = p->min + (p->max - p->min) * (double)(sets % 7) / 7.0;
            asked = (float)asked;     /* the program keeps floats */
            write_request(p, asked);
            asked_seq = p->request_seq;
            asked_at = now_s();
            sets++;
        }
        if (hz > 0) sleep_s(1.0 / hz);
    }
    uint64_t blocks = __atomic_load_n(&h->blocks, __ATOMIC_ACQUIRE);
    printf("polls %ld torn %ld retries %ld sets %ld applied %ld max_apply_ms %.1f blocks %llu frames %llu\n",
           polls, torn, retries, sets, applied, max_apply * 1000, (unsigned long long)(blocks - blocks0),
           (unsigned long long)__atomic_load_n(&h->frames, __ATOMIC_RELAXED));
    if (backwards) return fail("a snapshot's frame count went backwards");
    if (blocks == blocks0) return fail("the heartbeat (blocks) did not move");
    return torn || (p && applied + (asked_seq != 0) < sets) ? 1 : 0;
}
