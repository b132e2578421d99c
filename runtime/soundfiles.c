/* soundfiles.c — the sound files a program's tables are loaded from (`table ir =
 * soundfile("ir.wav", max: 2s)`): read with libsndfile after init, before any audio runs, and
 * handed to the program's load(). --table NAME=FILE names another file for a table. */
#include <errno.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "agraph_runtime.h"

static int table_index(const agraph_program *prog, const char *name, size_t len)
{
    for (int i = 0; i < prog->n_files; i++)
        if (strlen(prog->files[i].table) == len && !strncmp(prog->files[i].table, name, len)) return i;
    return -1;
}

int agraph_check_table_option(const agraph_program *prog, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment || !eq[1]) {
        agraph_error("--table takes NAME=FILE (a table the program loads from a sound file), not '%s'",
                     assignment);
        return -1;
    }
    if (table_index(prog, assignment, (size_t)(eq - assignment)) < 0) {
        char names[512] = "";
        for (int i = 0; i < prog->n_files; i++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "its tables: ", prog->files[i].table);
        }
        agraph_error("--table %s: the program has no sound-file table named '%.*s' (%s)", assignment,
                     (int)(eq - assignment), assignment, prog->n_files ? names : "it loads no sound files");
        return -1;
    }
    return 0;
}

/* The file for table i: the last --table that names it, else the program's own. */
static const char *file_for(const agraph_program *prog, int i, const agraph_options *opt)
{
    const char *path = prog->files[i].path;
    for (int k = 0; k < opt->n_tables; k++) {
        const char *eq = strchr(opt->tables[k], '=');
        if (eq && table_index(prog, opt->tables[k], (size_t)(eq - opt->tables[k])) == i) path = eq + 1;
    }
    return path;
}

static int load_one(const agraph_program *prog, void *state, double sample_rate, int i, const char *path)
{
    const agraph_file_info *f = &prog->files[i];
    SF_INFO info = { 0 };
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        FILE *fp = fopen(path, "rb");
        int err = errno;
        if (fp) fclose(fp);
        agraph_error("cannot read the sound file '%s' for table '%s': %s", path, f->table,
                     fp ? sf_strerror(NULL) : strerror(err));
        return -1;
    }
    int status = -1;
    float *frames = NULL, *mono = NULL;
    if (agraph_check_complete(sf, path) < 0) goto done;
    if (f->channel >= info.channels) {
        agraph_error("'%s' has %d channel%s, but table '%s' reads channel %d (channels count from 0)",
                     path, info.channels, info.channels == 1 ? "" : "s", f->table, f->channel);
        goto done;
    }
    if (info.samplerate != (int)sample_rate) {
        agraph_error("'%s' is at %d Hz, but the program runs at %g Hz: table '%s' needs the file at the "
                     "running rate (resample it, or run at %d Hz)", path, info.samplerate, sample_rate,
                     f->table, info.samplerate);
        goto done;
    }
    if (info.frames > f->frames) {
        agraph_error("'%s' has %lld samples, but table '%s' holds at most %d (raise its max: in the program)",
                     path, (long long)info.frames, f->table, f->frames);
        goto done;
    }
    size_t n = (size_t)info.frames;
    frames = malloc(sizeof(float) * (n ? n : 1) * (size_t)info.channels);
    mono = malloc(sizeof(float) * (n ? n : 1));
    if (!frames || !mono) {
        agraph_error("out of memory reading '%s'", path);
        goto done;
    }
    sf_count_t got = sf_readf_float(sf, frames, (sf_count_t)n);
    if (got != (sf_count_t)n) {
        agraph_error("cannot read the sound file '%s' for table '%s': %s", path, f->table,
                     sf_error(sf) ? sf_strerror(sf) : "it ends early (truncated?)");
        goto done;
    }
    for (size_t k = 0; k < n; k++) mono[k] = frames[k * (size_t)info.channels + (size_t)f->channel];
    if (prog->load(state, i, mono, (int)n) != 0) {
        agraph_error("table '%s' refused '%s' (%zu samples)", f->table, path, n);
        goto done;
    }
    status = 0;
done:
    free(frames);
    free(mono);
    sf_close(sf);
    return status;
}

int agraph_load_files(const agraph_program *prog, void *state, double sample_rate, const agraph_options *opt)
{
    for (int i = 0; i < prog->n_files; i++)
        if (load_one(prog, state, sample_rate, i, file_for(prog, i, opt)) < 0) return -1;
    return 0;
}
