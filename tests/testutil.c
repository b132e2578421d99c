/* testutil.c — command running and file helpers for the test suite (see testutil.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *fmt_str(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return s;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct { char *buf; size_t len, cap; } sbuf;

static void sbuf_add(sbuf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->buf = realloc(b->buf, b->cap);
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    b->buf[b->len] = 0;
}

run_result run_cmd(double timeout_s, const char *fmt, ...)
{
    run_result r = { -1, NULL, NULL };
    va_list ap;
    char *cmd = NULL;
    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0) cmd = NULL;
    va_end(ap);
    if (!cmd) return r;

    int po[2], pe[2];
    if (pipe(po) || pipe(pe)) { free(cmd); return r; }
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int dn = open("/dev/null", O_RDONLY);
        dup2(dn, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]); close(pe[0]); close(po[1]); close(pe[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(po[1]); close(pe[1]);
    sbuf o = {0}, e = {0};
    sbuf_add(&o, "", 0); sbuf_add(&e, "", 0);
    double t0 = now_s();
    int open_fds = 2, killed = 0;
    struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
    while (open_fds > 0) {
        double left = timeout_s - (now_s() - t0);
        if (left <= 0 && !killed) { kill(-pid, SIGKILL); killed = 1; }
        int n = poll(fds, 2, killed ? 1000 : (int)(left * 1000) + 1);
        if (n < 0 && errno == EINTR) continue;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[8192];
            ssize_t k = read(fds[i].fd, buf, sizeof buf);
            if (k <= 0) { close(fds[i].fd); fds[i].fd = -1; open_fds--; continue; }
            sbuf_add(i == 0 ? &o : &e, buf, (size_t)k);
        }
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (killed) r.status = 128 + SIGKILL;
    else if (WIFEXITED(st)) r.status = WEXITSTATUS(st);
    else if (WIFSIGNALED(st)) r.status = 128 + WTERMSIG(st);
    r.out = o.buf;
    r.err = e.buf;
    free(cmd);
    return r;
}

void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

const char *scratch_dir(const char *tag)
{
    mkdir("build", 0777);
    mkdir("build/tmp", 0777);
    char *tmpl = fmt_str("build/tmp/%s-XXXXXX", tag);
    if (!mkdtemp(tmpl)) return NULL;
    return tmpl;
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sbuf b = {0};
    sbuf_add(&b, "", 0);
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) sbuf_add(&b, buf, k);
    fclose(f);
    if (len) *len = b.len;
    return b.buf;
}

int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char **agraph_files(const char *folder, int *n)
{
    char **v = calloc(1, sizeof *v);
    int k = 0;
    DIR *d = opendir(folder);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 8 || strcmp(e->d_name + len - 7, ".agraph")) continue;
        v = realloc(v, sizeof *v * (size_t)(k + 2));
        v[k++] = fmt_str("%.*s", (int)(len - 7), e->d_name);
        v[k] = NULL;
    }
    if (d) closedir(d);
    *n = k;
    return v;
}

void need_build(void)
{
    cr_assert(file_exists("build/agraphc") && file_exists("build/libagraph.a"), "run make first");
}

void ran_ok(const char *what, run_result r)
{
    cr_assert_eq(r.status, 0, "%s failed (%d):\n%s%s", what, r.status, r.out, r.err);
    run_free(&r);
}
