/* host.c — proves a generated process() allocates nothing, locks nothing and makes no blocking
 * system calls. Built together with a program's generated C. It interposes the allocator, the
 * pthread locking calls and a set of system-call wrappers; each counts a violation when it is
 * called on a thread that is inside process(). A second thread moves parameters and reads probes
 * the whole time, as a UI would. Exit 0 when clean, 3 with a report when not.
 *   cc -DAGRAPH_RUNTIME -Iruntime tests/rtcheck/host.c prog.c -ldl -lpthread -lm */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agraph_program.h"

extern const agraph_program agraph_main_program;

static __thread int in_process;
static atomic_int violations;
static const char *first_violation;

static void violation(const char *what)
{
    if (!in_process) return;
    in_process = 0;              /* reporting must not recurse */
    if (atomic_fetch_add(&violations, 1) == 0) first_violation = what;
    in_process = 1;
}

/* ---- the allocator ---- */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

void *malloc(size_t n) { violation("malloc"); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { violation("calloc"); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { violation("realloc"); return __libc_realloc(p, n); }
void free(void *p) { violation("free"); __libc_free(p); }
void *memalign(size_t a, size_t n) { violation("memalign"); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { violation("aligned_alloc"); return __libc_memalign(a, n); }
int posix_memalign(void **p, size_t a, size_t n)
{
    violation("posix_memalign");
    *p = __libc_memalign(a, n);
    return *p ? 0 : 12;
}

/* ---- locks and blocking calls, forwarded to the real ones ---- */
#define FORWARD(ret, name, params, args)                          \
    ret name params                                               \
    {                                                             \
        static ret (*real) params;                                \
        violation(#name);                                         \
        if (!real) real = (ret (*) params)dlsym(RTLD_NEXT, #name); \
        return real args;                                         \
    }
FORWARD(int, pthread_mutex_lock, (pthread_mutex_t *m), (m))
FORWARD(int, pthread_mutex_trylock, (pthread_mutex_t *m), (m))
FORWARD(int, pthread_rwlock_rdlock, (pthread_rwlock_t *l), (l))
FORWARD(int, pthread_rwlock_wrlock, (pthread_rwlock_t *l), (l))
FORWARD(int, pthread_cond_wait, (pthread_cond_t *c, pthread_mutex_t *m), (c, m))
FORWARD(int, pthread_cond_timedwait, (pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t), (c, m, t))
FORWARD(int, sem_wait, (sem_t *s), (s))
FORWARD(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))
FORWARD(ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))
FORWARD(int, nanosleep, (const struct timespec *a, struct timespec *b), (a, b))
FORWARD(int, usleep, (useconds_t u), (u))
FORWARD(int, sched_yield, (void), ())
FORWARD(int, open, (const char *p, int f, mode_t m), (p, f, m))
FORWARD(FILE *, fopen, (const char *p, const char *m), (p, m))

/* ---- the host ---- */
static const agraph_program *P = &agraph_main_program;
static void *state;
static atomic_int stop;

static void *ui_thread(void *arg)
{
    (void)arg;
    unsigned seed = 7;
    float probe[4096];
    while (!atomic_load(&stop)) {
        for (int i = 0; i < P->n_params; i++) {
            const agraph_param_info *p = &P->params[i];
            seed = seed * 1103515245u + 12345u;
            double u = (seed >> 8) / 16777216.0;
            P->set_param(state, i, p->min + u * (p->max - p->min));
            (void)P->get_param(state, i);
        }
        for (int i = 0; i < P->n_probes; i++) P->read_probe(state, i, probe, 4096);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int blocks = argc > 1 ? atoi(argv[1]) : 2000;
    state = aligned_alloc(64, (P->state_size + 63) / 64 * 64);
    if (!state || P->init(state, 48000) != 0) { fprintf(stderr, "init failed\n"); return 1; }
    float *in[64], *out[64];
    for (int c = 0; c < P->n_inputs; c++) {
        in[c] = malloc(4096 * sizeof(float));
        for (int i = 0; i < 4096; i++) in[c][i] = (float)((i * 7919 % 2001) - 1000) / 1000.0f;
    }
    for (int c = 0; c < P->n_outputs; c++) out[c] = malloc(4096 * sizeof(float));
    pthread_t ui;
    pthread_create(&ui, NULL, ui_thread, NULL);
    unsigned seed = 1;
    for (int b = 0; b < blocks; b++) {
        seed = seed * 1103515245u + 12345u;
        int frames = (int)((seed >> 16) % 1025);    /* any count, 0 included */
        in_process = 1;
        P->process(state, (const float *const *)in, out, frames);
        in_process = 0;
        if (b == blocks / 2) P->reset(state);
    }
    atomic_store(&stop, 1);
    pthread_join(ui, NULL);
    int v = atomic_load(&violations);
    printf("%s: %d blocks, %d violations%s%s\n", P->name, blocks, v, v ? ", first: " : "",
           v ? first_violation : "");
    return v ? 3 : 0;
}
