/* jack_helper.c — a small JACK client for the live tests (the server is the one JACK_DEFAULT_SERVER
 * names):
 *   jack_helper wait SECONDS PORT...             exit 0 once every PORT exists, 1 after SECONDS
 *   jack_helper play SECONDS FREQ AMP PORT...    play AMP*sin(2*pi*FREQ*n/SR) into every PORT for
 *                                                SECONDS; then print "xruns N"
 *   jack_helper xruns SECONDS                    count the server's xruns for SECONDS; print "xruns N"
 *   jack_helper watch SECONDS                    the same, and watch the machine: a realtime thread
 *                                                on each CPU sleeps 1 ms at a time and notes when
 *                                                it wakes more than STALL_MS late. Prints a line
 *                                                "xrun T" per xrun, "stall T LATE CPU" per stall
 *                                                (T: seconds since start, at the xrun's report or
 *                                                the stall's end), then "xruns N stalls M worst W"
 * Exit status 1 with a message on stderr when the server or a port is missing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <jack/jack.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PI 3.14159265358979323846
#define POLL_S 0.01

static jack_port_t *out_port;
static double freq, amp, sample_rate;
static unsigned long long n_played;
static volatile int xruns;

#define STALL_MS 2.0              /* a realtime thread this late is a stall of the machine */
#define WATCH_PRIORITY 90         /* above jackd's (10) and its clients' */
#define MAX_EVENTS 4096
#define MAX_CPUS 64

typedef struct event { double t, late_ms; int cpu; } event;
static event xrun_at[MAX_EVENTS], stall_at[MAX_CPUS][MAX_EVENTS];
static int n_stalls[MAX_CPUS];
static double worst_ms, started, watch_until;

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int on_process(jack_nframes_t frames, void *arg)
{
    if (!out_port) return 0;
    float *out = jack_port_get_buffer(out_port, frames);
    for (jack_nframes_t i = 0; i < frames; i++, n_played++)
        out[i] = (float)(amp * sin(2 * PI * freq * (double)n_played / sample_rate));
    return 0;
}

static int on_xrun(void *arg)
{
    if (xruns < MAX_EVENTS) xrun_at[xruns].t = now_s() - started;
    xruns++;
    return 0;
}

/* One per CPU: sleep 1 ms, again and again, at realtime priority; note each late wake. */
static void *watch_cpu(void *arg)
{
    int cpu = (int)(long)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    struct sched_param sp = { .sched_priority = WATCH_PRIORITY };
    pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    while (now_s() < watch_until) {
        double before = now_s();
        sleep_s(0.001);
        double after = now_s(), late_ms = (after - before - 0.001) * 1000;
        if (late_ms > worst_ms) worst_ms = late_ms;
        if (late_ms > STALL_MS && n_stalls[cpu] < MAX_EVENTS)
            stall_at[cpu][n_stalls[cpu]++] = (event){ after - started, late_ms, cpu };
    }
    return NULL;
}

static jack_client_t *open_client(const char *name)
{
    jack_status_t status;
    jack_client_t *client = jack_client_open(name, JackNoStartServer, &status);
    if (!client) {
        fprintf(stderr, "jack_helper: cannot reach the JACK server '%s' (status %#x)\n",
                getenv("JACK_DEFAULT_SERVER") ? getenv("JACK_DEFAULT_SERVER") : "default", status);
        exit(1);
    }
    return client;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: jack_helper wait|play|xruns SECONDS ...\n");
        return 2;
    }
    const char *mode = argv[1];
    double seconds = atof(argv[2]);
    jack_client_t *client = open_client(strcmp(mode, "play") == 0 ? "helper_play" : "helper");
    sample_rate = jack_get_sample_rate(client);

    if (strcmp(mode, "wait") == 0) {
        double until = now_s() + seconds;
        for (;;) {
            int missing = 0;
            for (int k = 3; k < argc; k++)
                if (!jack_port_by_name(client, argv[k])) missing = 1;
            if (!missing) break;
            if (now_s() > until) {
                fprintf(stderr, "jack_helper: no port");
                for (int k = 3; k < argc; k++)
                    if (!jack_port_by_name(client, argv[k])) fprintf(stderr, " %s", argv[k]);
                fprintf(stderr, " after %g s\n", seconds);
                jack_client_close(client);
                return 1;
            }
            sleep_s(POLL_S);
        }
        jack_client_close(client);
        return 0;
    }

    int first_port = 3;
    if (strcmp(mode, "play") == 0) {
        if (argc < 6) {
            fprintf(stderr, "usage: jack_helper play SECONDS FREQ AMP PORT...\n");
            return 2;
        }
        freq = atof(argv[3]);
        amp = atof(argv[4]);
        first_port = 5;
        out_port = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    } else if (strcmp(mode, "xruns") != 0 && strcmp(mode, "watch") != 0) {
        fprintf(stderr, "jack_helper: unknown mode '%s'\n", mode);
        return 2;
    }
    jack_set_process_callback(client, on_process, NULL);
    jack_set_xrun_callback(client, on_xrun, NULL);
    if (jack_activate(client) != 0) {
        fprintf(stderr, "jack_helper: cannot activate the client\n");
        return 1;
    }
    for (int k = first_port; out_port && k < argc; k++)
        if (jack_connect(client, jack_port_name(out_port), argv[k]) != 0) {
            fprintf(stderr, "jack_helper: cannot connect to %s\n", argv[k]);
            return 1;
        }
    started = now_s();
    if (strcmp(mode, "watch") == 0) {
        pthread_t threads[MAX_CPUS];
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (cpus > MAX_CPUS) cpus = MAX_CPUS;
        watch_until = started + seconds;
        for (long c = 0; c < cpus; c++) pthread_create(&threads[c], NULL, watch_cpu, (void *)c);
        for (long c = 0; c < cpus; c++) pthread_join(threads[c], NULL);
        int total = 0;
        for (int k = 0; k < xruns && k < MAX_EVENTS; k++) printf("xrun %.4f\n", xrun_at[k].t);
        for (long c = 0; c < cpus; c++)
            for (int k = 0; k < n_stalls[c]; k++, total++)
                printf("stall %.4f %.3f %d\n", stall_at[c][k].t, stall_at[c][k].late_ms, stall_at[c][k].cpu);
        printf("xruns %d stalls %d worst %.3f\n", xruns, total, worst_ms);
    } else {
        sleep_s(seconds);
        printf("xruns %d\n", xruns);
    }
    jack_client_close(client);
    return 0;
}
