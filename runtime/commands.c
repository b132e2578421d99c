/* commands.c — the line protocol on standard input while a program runs live: one command a line,
 * one answer line on standard output for each, "ok ..." or "error: MESSAGE" (the same messages as
 * the command line's). A thread of its own reads the lines. A parameter change goes to the audio
 * thread through the control queue, and `set` answers once the audio thread has applied it: this
 * thread waits for the audio thread, never the other way round. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE               /* pthread_sigmask, strcasestr, mlock, MAP_POPULATE */
#endif
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agraph_runtime.h"

#define MAX_LINE 4096             /* longer lines are refused */
#define POLL_MS 100               /* how often the reader looks whether it should stop */
#define TAKE_TIMEOUT_MS 2000      /* how long `set` waits for the audio thread */
#define RETRY_MS 500              /* after a read error (a terminal we are in the background of) */

#define COMMANDS(CMD)                                                                  \
/*      id           name     arguments        what */                                 \
    CMD(CMD_SET,     "set",   "NAME VALUE",    "set a parameter")                      \
    CMD(CMD_GET,     "get",   "[NAME]",        "a parameter's value, or all")          \
    CMD(CMD_PROBE,   "probe", "NAME",          "a probe's latest value(s)")            \
    CMD(CMD_STATS,   "stats", "",              "the audio counters so far")            \
    CMD(CMD_HELP,    "help",  "",              "this list")                            \
    CMD(CMD_QUIT,    "quit",  "",              "stop")

#define AS_CMD_ID(id, name, args, what) id,
enum { COMMANDS(AS_CMD_ID) N_COMMANDS };
#define AS_CMD_NAME(id, name, args, what) name,
static const char *const command_names[] = { COMMANDS(AS_CMD_NAME) };
#define AS_CMD_ARGS(id, name, args, what) args,
static const char *const command_args[] = { COMMANDS(AS_CMD_ARGS) };

struct agraph_commands {
    agraph_control *c;
    int fd;
    FILE *out;
    pthread_t thread;
    int stop;                     /* atomic: the reader should end (agraph_commands_stop joins it) */
};

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* "440Hz", "0.3": a value as it would be typed after `set`. */
static void format_param(char *buf, size_t size, const agraph_program *prog, int i, double v)
{
    char num[32];
    agraph_format_float(num, sizeof num, (float)v);
    snprintf(buf, size, "%s%s", num, prog->params[i].unit ? prog->params[i].unit : "");
}

/* "level, peak, f0": the program's probes, for messages. */
static void probe_names(const agraph_program *prog, char *known, size_t size)
{
    size_t n = 0;
    known[0] = 0;
    for (int i = 0; i < prog->n_probes && n < size; i++)
        n += (size_t)snprintf(known + n, size - n, "%s%s", i ? ", " : "", prog->probes[i].name);
}

static int find_probe(const agraph_program *prog, const char *name)
{
    for (int i = 0; i < prog->n_probes; i++)
        if (strcmp(prog->probes[i].name, name) == 0) return i;
    char known[512];
    probe_names(prog, known, sizeof known);
    if (prog->n_probes == 0) agraph_error("unknown probe '%s' (the program has no probes)", name);
    else agraph_error("unknown probe '%s' (probes: %s)", name, known);
    return -1;
}

/* The words of a line: the command, then a name, then the rest (a value may hold a space:
 * `set freq 2 kHz`). */
typedef struct words { char cmd[64], name[256], rest[MAX_LINE]; int n; } words;

static void split(const char *line, words *w)
{
    char *dst[] = { w->cmd, w->name };
    size_t size[] = { sizeof w->cmd, sizeof w->name };
    w->n = 0;
    w->cmd[0] = w->name[0] = w->rest[0] = 0;
    for (int k = 0; k < 2; k++) {
        line += strspn(line, " \t");
        size_t len = strcspn(line, " \t");
        if (len == 0) return;
        snprintf(dst[k], size[k], "%.*s", (int)len, line);
        line += len;
        w->n++;
    }
    line += strspn(line, " \t");
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t')) len--;
    if (len) {
        snprintf(w->rest, sizeof w->rest, "%.*s", (int)len, line);
        w->n++;
    }
}

static int answer_error(FILE *out, const char *msg)
{
    fprintf(out, "error: %s\n", msg);
    return 0;
}

static int cmd_set(agraph_control *c, const words *w, FILE *out, char *msg, size_t size, const int *stop)
{
    const agraph_program *prog = c->prog;
    if (w->n < 3) return answer_error(out, "set needs a NAME and a VALUE: set NAME VALUE");
    char *assignment = malloc(strlen(w->name) + strlen(w->rest) + 2);
    if (!assignment) return answer_error(out, "out of memory");
    sprintf(assignment, "%s=%s", w->name, w->rest);
    agraph_param_value pv;
    agraph_error_to(msg, size);
    int rc = agraph_parse_param(prog, assignment, &pv);
    agraph_error_to(NULL, 0);
    free(assignment);
    if (rc < 0) return answer_error(out, msg);

    unsigned ticket;
    if (agraph_control_push(c, pv.index, pv.value, &ticket) < 0)
        return answer_error(out, "too many changes waiting: the audio thread is not taking them");
    for (int waited = 0; !agraph_control_taken(c, ticket); waited++) {
        if (waited >= TAKE_TIMEOUT_MS || (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE)))
            return answer_error(out, "the audio thread has not taken the change (is the audio "
                                "running?); it stays queued");
        sleep_ms(1);
    }
    char value[64];
    format_param(value, sizeof value, prog, pv.index, prog->get_param(c->state, pv.index));
    fprintf(out, "ok %s %s\n", prog->params[pv.index].name, value);
    return 0;
}

static int cmd_get(agraph_control *c, const words *w, FILE *out, char *msg, size_t size)
{
    const agraph_program *prog = c->prog;
    char value[64];
    if (w->n > 2) return answer_error(out, "get takes one NAME at most: get [NAME]");
    if (w->n == 2) {
        agraph_error_to(msg, size);
        int i = agraph_param_index(prog, w->name);
        agraph_error_to(NULL, 0);
        if (i < 0) return answer_error(out, msg);
        format_param(value, sizeof value, prog, i, prog->get_param(c->state, i));
        fprintf(out, "ok %s %s\n", prog->params[i].name, value);
        return 0;
    }
    fputs("ok", out);
    for (int i = 0; i < prog->n_params; i++) {
        format_param(value, sizeof value, prog, i, prog->get_param(c->state, i));
        fprintf(out, " %s %s", prog->params[i].name, value);
    }
    fputc('\n', out);
    return 0;
}

static int cmd_probe(agraph_control *c, const words *w, FILE *out, char *msg, size_t size)
{
    const agraph_program *prog = c->prog;
    if (w->n != 2) {
        char known[512];
        probe_names(prog, known, sizeof known);
        snprintf(msg, size, "probe needs one NAME: probe NAME (%s%s)",
                 prog->n_probes ? "probes: " : "the program has no probes", known);
        return answer_error(out, msg);
    }
    agraph_error_to(msg, size);
    int i = find_probe(prog, w->name);
    agraph_error_to(NULL, 0);
    if (i < 0) return answer_error(out, msg);
    int width = prog->probes[i].width;
    float *v = calloc((size_t)width + 1, sizeof *v);
    if (!v) return answer_error(out, "out of memory");
    prog->read_probe(c->state, i, v, width);
    fprintf(out, "ok %s", prog->probes[i].name);
    for (int k = 0; k < width; k++) {
        char num[32];
        agraph_format_float(num, sizeof num, v[k]);
        fprintf(out, " %s", num);
    }
    fputc('\n', out);
    free(v);
    return 0;
}

static int cmd_stats(agraph_control *c, FILE *out)
{
    uint64_t blocks = __atomic_load_n(&c->blocks, __ATOMIC_RELAXED);
    uint64_t total = __atomic_load_n(&c->callback_total_ns, __ATOMIC_RELAXED);
    fprintf(out, "ok blocks %llu frames %llu underruns %llu overruns %llu callback_max_us %.1f "
            "callback_mean_us %.1f\n", (unsigned long long)blocks,
            (unsigned long long)__atomic_load_n(&c->frames, __ATOMIC_RELAXED),
            (unsigned long long)__atomic_load_n(&c->underruns, __ATOMIC_RELAXED),
            (unsigned long long)__atomic_load_n(&c->overruns, __ATOMIC_RELAXED),
            (double)__atomic_load_n(&c->callback_max_ns, __ATOMIC_RELAXED) / 1000.0,
            blocks ? (double)total / (double)blocks / 1000.0 : 0.0);
    return 0;
}

static int cmd_help(agraph_control *c, FILE *out)
{
    const agraph_program *prog = c->prog;
    fputs("ok commands:", out);
    for (int k = 0; k < N_COMMANDS; k++)
        fprintf(out, "%s %s%s%s", k ? "," : "", command_names[k], command_args[k][0] ? " " : "",
                command_args[k]);
    fputs("; parameters:", out);
    for (int i = 0; i < prog->n_params; i++) fprintf(out, "%s %s", i ? "," : "", prog->params[i].name);
    if (prog->n_params == 0) fputs(" none", out);
    fputs("; probes:", out);
    for (int i = 0; i < prog->n_probes; i++) fprintf(out, "%s %s", i ? "," : "", prog->probes[i].name);
    if (prog->n_probes == 0) fputs(" none", out);
    fputc('\n', out);
    return 0;
}

static int run_command(agraph_control *c, const char *line, FILE *out, const int *stop)
{
    words *w = malloc(sizeof *w);
    char msg[1024];
    int quit = 0;
    if (!w) {
        answer_error(out, "out of memory");
        fflush(out);
        return 0;
    }
    split(line, w);
    if (w->n == 0 || w->cmd[0] == '#') {
        free(w);
        return 0;
    }
    int cmd = -1;
    for (int k = 0; k < N_COMMANDS; k++)
        if (strcmp(w->cmd, command_names[k]) == 0) cmd = k;
    switch (cmd) {
    case CMD_SET: cmd_set(c, w, out, msg, sizeof msg, stop); break;
    case CMD_GET: cmd_get(c, w, out, msg, sizeof msg); break;
    case CMD_PROBE: cmd_probe(c, w, out, msg, sizeof msg); break;
    case CMD_STATS: cmd_stats(c, out); break;
    case CMD_HELP: cmd_help(c, out); break;
    case CMD_QUIT:
        fputs("ok quit\n", out);
        __atomic_store_n(&c->quit, 1, __ATOMIC_RELEASE);
        quit = 1;
        break;
    default: {
        size_t n = (size_t)snprintf(msg, sizeof msg, "unknown command '%.64s' (commands: ", w->cmd);
        for (int k = 0; k < N_COMMANDS && n < sizeof msg; k++)
            n += (size_t)snprintf(msg + n, sizeof msg - n, "%s%s", k ? ", " : "", command_names[k]);
        if (n < sizeof msg) snprintf(msg + n, sizeof msg - n, ")");
        answer_error(out, msg);
    }
    }
    fflush(out);
    free(w);
    return quit;
}

int agraph_command(agraph_control *c, const char *line, FILE *out)
{
    return run_command(c, line, out, NULL);
}

/* ---- the reader thread ---------------------------------------------------------------------- */

static int stopping(agraph_commands *k)
{
    return __atomic_load_n(&k->stop, __ATOMIC_ACQUIRE);
}

/* Run one line unless the reader is stopping; 1 after `quit`. */
static int run_line(agraph_commands *k, char *line)
{
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r') line[len - 1] = 0;
    return stopping(k) ? 1 : run_command(k->c, line, k->out, &k->stop);
}

static void *reader(void *arg)
{
    agraph_commands *k = arg;
    static char buf[MAX_LINE + 1];
    size_t have = 0;
    int discarding = 0;           /* inside a line that was too long */
    while (!stopping(k)) {
        struct pollfd p = { k->fd, POLLIN, 0 };
        int n = poll(&p, 1, POLL_MS);
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        ssize_t got = read(k->fd, buf + have, MAX_LINE - have);
        if (got == 0) break;                          /* end of input: keep playing */
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            if (errno == EIO) {                       /* a terminal we run in the background of */
                sleep_ms(RETRY_MS);
                continue;
            }
            break;
        }
        have += (size_t)got;
        buf[have] = 0;
        char *line = buf, *nl;
        while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
            *nl = 0;
            if (!discarding && run_line(k, line)) return NULL;
            discarding = 0;
            line = nl + 1;
        }
        have -= (size_t)(line - buf);
        memmove(buf, line, have);
        if (have == MAX_LINE) {
            if (!discarding) {
                fprintf(k->out, "error: the line is longer than %d characters\n", MAX_LINE);
                fflush(k->out);
            }
            discarding = 1;
            have = 0;
        }
    }
    /* A last line without a newline still counts. */
    if (have > 0 && !discarding && !stopping(k)) {
        buf[have] = 0;
        run_line(k, buf);
    }
    return NULL;
}

agraph_commands *agraph_commands_start(agraph_control *c, int in, FILE *out)
{
    agraph_commands *k = calloc(1, sizeof *k);
    if (!k) {
        agraph_error("out of memory");
        return NULL;
    }
    k->c = c;
    k->fd = in;
    k->out = out;
    int err = pthread_create(&k->thread, NULL, reader, k);
    if (err != 0) {
        agraph_error("cannot start the thread that reads commands: %s", strerror(err));
        free(k);
        return NULL;
    }
    return k;
}

void agraph_commands_stop(agraph_commands *k)
{
    if (!k) return;
    __atomic_store_n(&k->stop, 1, __ATOMIC_RELEASE);
    pthread_join(k->thread, NULL);
    free(k);
}
