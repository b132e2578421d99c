/* stallwatch.c — how often this machine stops, and whether that explains a JACK server's xruns: one SCHED_FIFO thread (priority 90, above jackd's)
 * pinned to each CPU sleeps PERIOD_US at a time to an absolute deadline and notes how late it
 * wakes. A wake-up later than THRESHOLD_US is a stall of the machine (on a VM, the host running
 * something else), which no audio thread inside can survive if it is longer than what is left
 * of its period.
 *   stallwatch SECONDS [THRESHOLD_US [jack]]
 * prints "stall T LATE_MS CPU" per stall (T: seconds since start, at the stall's end), then
 * "wakeups N late>0.5ms A late>1ms B late>2ms C late>5ms D worst W_MS". With `jack` it is also a
 * client of the server JACK_DEFAULT_SERVER names and prints "xrun T" per xrun, on the same clock. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <jack/jack.h>

#define PERIOD_US 250
#define PRIORITY 90
#define MAX_EVENTS 100000
#define MAX_CPUS 64

typedef struct { double t, late_ms; int cpu; } event;
typedef struct { int cpu; long wakeups, over[4]; double worst; int n; event ev[MAX_EVENTS]; } watcher;

static double seconds, threshold_ms = 0.5, t0;
static const double bins[4] = { 0.5, 1, 2, 5 };
static double xrun_t[MAX_EVENTS];
static volatile int n_xruns;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int on_xrun(void *arg)
{
    (void)arg;
    if (n_xruns < MAX_EVENTS) xrun_t[n_xruns] = now() - t0;
    n_xruns++;
    return 0;
}

/* JACK tells its xruns only to clients that take part in the cycle. */
static int on_process(jack_nframes_t n, void *arg)
{
    (void)n;
    (void)arg;
    return 0;
}

static void *watch(void *p)
{
    watcher *w = p;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        next.tv_nsec += PERIOD_US * 1000;
        if (next.tv_nsec >= 1000000000) { next.tv_sec++; next.tv_nsec -= 1000000000; }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        double t = now(), due = (double)next.tv_sec + next.tv_nsec * 1e-9;
        double late_ms = (t - due) * 1000;
        w->wakeups++;
        for (int b = 0; b < 4; b++) w->over[b] += late_ms > bins[b];
        if (late_ms > w->worst) w->worst = late_ms;
        if (late_ms > threshold_ms && w->n < MAX_EVENTS) w->ev[w->n++] = (event){ t - t0, late_ms, w->cpu };
        if (late_ms > 1) clock_gettime(CLOCK_MONOTONIC, &next);   /* no burst to catch up */
        if (t - t0 > seconds) return NULL;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: stallwatch SECONDS [THRESHOLD_US]\n"); return 2; }
    seconds = atof(argv[1]);
    if (argc > 2) threshold_ms = atof(argv[2]) / 1000;
    int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu > MAX_CPUS) ncpu = MAX_CPUS;
    static watcher w[MAX_CPUS];
    pthread_t th[MAX_CPUS];
    t0 = now();
    jack_client_t *client = NULL;
    if (argc > 3) {
        client = jack_client_open("stallwatch", JackNoStartServer, NULL);
        if (!client) { fprintf(stderr, "stallwatch: no JACK server\n"); return 1; }
        jack_set_process_callback(client, on_process, NULL);
        jack_set_xrun_callback(client, on_xrun, NULL);
        jack_activate(client);
    }
    for (int c = 0; c < ncpu; c++) {
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
        pthread_attr_setschedpolicy(&a, SCHED_FIFO);
        struct sched_param sp = { .sched_priority = PRIORITY };
        pthread_attr_setschedparam(&a, &sp);
        w[c].cpu = c;
        if (pthread_create(&th[c], &a, watch, &w[c]) != 0) {
            fprintf(stderr, "stallwatch: cannot start a realtime thread (root is needed)\n");
            return 1;
        }
    }
    long wakeups = 0, over[4] = { 0 };
    double worst = 0;
    for (int c = 0; c < ncpu; c++) {
        pthread_join(th[c], NULL);
        for (int k = 0; k < w[c].n; k++)
            printf("stall %.4f %.3f %d\n", w[c].ev[k].t, w[c].ev[k].late_ms, w[c].ev[k].cpu);
        wakeups += w[c].wakeups;
        for (int b = 0; b < 4; b++) over[b] += w[c].over[b];
        if (w[c].worst > worst) worst = w[c].worst;
    }
    if (client) {
        jack_deactivate(client);
        jack_client_close(client);
        for (int k = 0; k < n_xruns && k < MAX_EVENTS; k++) printf("xrun %.4f\n", xrun_t[k]);
    }
    printf("xruns %d\n", n_xruns);
    printf("wakeups %ld late>0.5ms %ld late>1ms %ld late>2ms %ld late>5ms %ld worst %.3f\n", wakeups,
           over[0], over[1], over[2], over[3], worst);
    return 0;
}
