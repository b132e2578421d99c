/* testutil.h — helpers shared by the Criterion suite: run a command and capture what it printed,
 * read and write small files, make scratch folders. Paths are relative to the repository root,
 * where `make test` runs the suite. */
#ifndef AGRAPH_TESTUTIL_H
#define AGRAPH_TESTUTIL_H

#include <stddef.h>

typedef struct {
    int status;       /* exit code, or 128 + signal number if killed, or -1 if it could not run */
    char *out;        /* standard output, NUL-terminated (malloc'd) */
    char *err;        /* standard error, NUL-terminated (malloc'd) */
} run_result;

/* Run `sh -c cmd` with a time limit in seconds; standard input is /dev/null. */
run_result run_cmd(double timeout_s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void run_free(run_result *r);
/* Assert that a command run succeeded (else fail the test with what it printed); free it. */
void ran_ok(const char *what, run_result r);
/* Fails the test unless `make` has built agraphc and the runtime library. */
void need_build(void);

/* A fresh scratch folder under build/tmp; the caller need not remove it. */
const char *scratch_dir(const char *tag);

char *read_file(const char *path, size_t *len);          /* NULL if missing */
int write_file(const char *path, const char *text);      /* 0 on success */
int file_exists(const char *path);

/* The stems of the .agraph files in a folder ("examples" -> "sine", "echo", ...), NULL-terminated,
 * in directory order; *n gets the count. */
char **agraph_files(const char *folder, int *n);

/* printf into a new string (malloc'd). */
char *fmt_str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
