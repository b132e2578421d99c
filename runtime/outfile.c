/* outfile.c — the output file: written to a temporary file in the target's folder and renamed
 * over the target only when complete, so an error, SIGINT or SIGTERM never leaves a partial file. */
#define _XOPEN_SOURCE 700   /* sigaction, mkstemp, realpath under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agraph_runtime.h"

static volatile sig_atomic_t caught_signal;

/* Runs on the signal: only note it. The render loop looks between blocks, removes the temporary
 * file, and calls agraph_die_of_signal. */
static void on_signal(int sig)
{
    caught_signal = sig;
}

void agraph_catch_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        /* A signal ignored when we started (nohup, a shell's background job) stays ignored. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(sigs[i], &sa, NULL);
    }
    /* Past a file-size limit, let write() fail with EFBIG, reported like a full disk, rather than
     * be killed by SIGXFSZ with the temporary file left behind. */
    signal(SIGXFSZ, SIG_IGN);
}

int agraph_stop_signal(void)
{
    return caught_signal;
}

const char *agraph_signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

void agraph_die_of_signal(int sig)
{
    signal(sig, SIG_DFL);
    raise(sig);
    _exit(128 + sig);
}

/* The mode a new file gets from open(..., 0666): mkstemp makes 0600. A replaced file keeps its own. */
static mode_t new_file_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) return st.st_mode & 07777;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int agraph_outfile_open(agraph_outfile *f, const char *name)
{
    struct stat st;
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->name = name;
    if (stat(name, &st) == 0 && S_ISDIR(st.st_mode)) {
        agraph_error("cannot write '%s': it is a folder", name);
        return -1;
    }
    /* Through a symbolic link, replace the file it points to and keep the link. */
    if (lstat(name, &st) == 0 && S_ISLNK(st.st_mode)) f->path = realpath(name, NULL);
    if (!f->path) f->path = strdup(name);

    char *dir_copy = strdup(f->path), *base_copy = strdup(f->path);
    const char *dir = dirname(dir_copy), *base = basename(base_copy);
    size_t size = strlen(dir) + strlen(base) + 16;
    f->tmp = malloc(size);
    snprintf(f->tmp, size, "%s/.%s.XXXXXX", dir, base);
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int err = errno;
        if (err == ENOENT && stat(dir, &st) != 0)
            agraph_error("cannot write '%s': the folder '%s' does not exist", name, dir);
        else
            agraph_error("cannot write '%s': cannot create a file in '%s': %s", name, dir,
                         strerror(err));
        free(f->tmp);
        f->tmp = NULL;
    } else {
        fchmod(f->fd, new_file_mode(f->path));
    }
    free(dir_copy);
    free(base_copy);
    return f->fd < 0 ? -1 : 0;
}

int agraph_outfile_commit(agraph_outfile *f)
{
    int fd = f->fd;
    f->fd = -1;
    if (close(fd) != 0) {
        agraph_error("cannot write '%s': %s", f->name, strerror(errno));
        return -1;
    }
    if (rename(f->tmp, f->path) != 0) {
        agraph_error("cannot write '%s': renaming '%s' to it failed: %s", f->name, f->tmp,
                     strerror(errno));
        return -1;
    }
    free(f->tmp);
    f->tmp = NULL;
    return 0;
}

void agraph_outfile_discard(agraph_outfile *f)
{
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
    if (f->tmp) unlink(f->tmp);
    free(f->tmp);
    free(f->path);
    f->tmp = f->path = NULL;
}
