/* control.c — parameters and probes while a program runs live: the queue of changes from the stdin
 * commands, the shared-memory control block (--control FILE, laid out in agraph_control.h), and
 * what the audio thread does with both around each block. The audio-thread functions here
 * (agraph_control_apply, agraph_control_block_done) allocate nothing, take no lock, make no system
 * call and never wait: every shared value has one writer, and readers retry. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE               /* pthread_sigmask, strcasestr, mlock, MAP_POPULATE */
#endif
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "agraph_runtime.h"

#define SNAPSHOT_ALIGN 64

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define RELAXED_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

int agraph_control_init(agraph_control *c, const agraph_program *prog, void *state)
{
    memset(c, 0, sizeof *c);
    c->prog = prog;
    c->state = state;
    c->seen = calloc((size_t)prog->n_params + 1, sizeof *c->seen);
    if (!c->seen) {
        agraph_error("out of memory");
        return -1;
    }
    return 0;
}

/* ---- the shared-memory block ---------------------------------------------------------------- */

static int copy_name(char *dst, size_t size, const char *src, const char *what)
{
    if (strlen(src) >= size) {
        agraph_error("--control: the %s name '%s' is longer than %zu characters", what, src, size - 1);
        return -1;
    }
    strcpy(dst, src);
    return 0;
}

/* The value of parameter i as the block shows it, under its seqlock (audio thread, or before the
 * audio starts). */
static void publish_param(agraph_control *c, int i)
{
    agraph_control_param *p = &c->params[i];
    uint32_t s = p->value_seq;
    RELAXED_STORE(&p->value_seq, s + 1);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    double v = c->prog->get_param(c->state, i);
    __atomic_store(&p->value, &v, __ATOMIC_RELAXED);
    STORE(&p->value_seq, s + 2);
}

int agraph_control_create(agraph_control *c, const char *path, double sample_rate, int block)
{
    const agraph_program *prog = c->prog;
    agraph_outfile file;
    size_t params_offset = sizeof(agraph_control_header);
    size_t probes_offset = params_offset + (size_t)prog->n_params * sizeof(agraph_control_param);
    size_t size = probes_offset + (size_t)prog->n_probes * sizeof(agraph_control_probe);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t *snapshot_at = calloc((size_t)prog->n_probes + 1, sizeof *snapshot_at);
    if (!snapshot_at) {
        agraph_error("out of memory");
        return -1;
    }
    for (int i = 0; i < prog->n_probes; i++) {
        size = (size + SNAPSHOT_ALIGN - 1) / SNAPSHOT_ALIGN * SNAPSHOT_ALIGN;
        snapshot_at[i] = size;
        size += sizeof(agraph_control_snapshot) + (size_t)prog->probes[i].width * sizeof(float);
    }
    size = (size + page - 1) / page * page;
    if (size > UINT32_MAX) {
        agraph_error("--control: the probes are too large for a control block");
        free(snapshot_at);
        return -1;
    }

    if (agraph_outfile_open(&file, path) < 0) {
        agraph_outfile_discard(&file);
        free(snapshot_at);
        return -1;
    }
    unsigned char *shm = MAP_FAILED;
    if (ftruncate(file.fd, (off_t)size) != 0) {
        agraph_error("cannot write '%s': %s", path, strerror(errno));
        goto fail;
    }
    shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, file.fd, 0);
    if (shm == MAP_FAILED) {
        agraph_error("cannot map '%s' into memory: %s", path, strerror(errno));
        goto fail;
    }
    /* Keep the pages in memory, so the audio thread never takes a page fault on them. Without
     * the privilege to lock memory, touching every page (below) is the next best thing. */
    (void)mlock(shm, size);
    memset(shm, 0, size);
    c->shm = shm;
    c->shm_size = size;
    c->hdr = (agraph_control_header *)shm;
    c->params = (agraph_control_param *)(shm + params_offset);
    c->probes = (agraph_control_probe *)(shm + probes_offset);

    agraph_control_header *h = c->hdr;
    h->magic = AGRAPH_CONTROL_MAGIC;
    h->version = AGRAPH_CONTROL_VERSION;
    h->header_size = sizeof *h;
    h->file_size = (uint32_t)size;
    h->n_params = (uint32_t)prog->n_params;
    h->params_offset = (uint32_t)params_offset;
    h->param_size = sizeof(agraph_control_param);
    h->n_probes = (uint32_t)prog->n_probes;
    h->probes_offset = (uint32_t)probes_offset;
    h->probe_size = sizeof(agraph_control_probe);
    h->n_inputs = (uint32_t)prog->n_inputs;
    h->n_outputs = (uint32_t)prog->n_outputs;
    h->sample_rate = sample_rate;
    h->block = (uint32_t)block;
    h->pid = (int32_t)getpid();
    h->status = AGRAPH_CONTROL_STARTING;
    snprintf(h->name, sizeof h->name, "%s", prog->name ? prog->name : "");
    for (int i = 0; i < prog->n_params; i++) {
        const agraph_param_info *info = &prog->params[i];
        agraph_control_param *p = &c->params[i];
        if (copy_name(p->name, sizeof p->name, info->name, "parameter") < 0
            || copy_name(p->unit, sizeof p->unit, info->unit ? info->unit : "", "unit") < 0)
            goto fail;
        p->min = info->min;
        p->max = info->max;
        p->def = info->def;
        p->kind = info->kind;
        p->scale = info->scale;
        publish_param(c, i);
    }
    for (int i = 0; i < prog->n_probes; i++) {
        agraph_control_probe *p = &c->probes[i];
        if (copy_name(p->name, sizeof p->name, prog->probes[i].name, "probe") < 0) goto fail;
        p->width = (uint32_t)prog->probes[i].width;
        p->snapshot_offset = (uint32_t)snapshot_at[i];
        ((agraph_control_snapshot *)(shm + snapshot_at[i]))->width = p->width;
    }
    /* Readers may look as soon as the file has its name: everything above is in place first. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (agraph_outfile_commit(&file) < 0) goto fail;
    agraph_outfile_discard(&file);            /* frees its strings; the file stays */
    c->path = strdup(path);
    free(snapshot_at);
    return 0;

fail:
    if (shm != MAP_FAILED) munmap(shm, size);
    c->shm = NULL;
    c->hdr = NULL;
    c->params = NULL;
    c->probes = NULL;
    agraph_outfile_discard(&file);
    free(snapshot_at);
    return -1;
}

void agraph_control_set_status(agraph_control *c, uint32_t status)
{
    if (c->hdr) STORE(&c->hdr->status, status);
}

void agraph_control_close(agraph_control *c, int remove_file)
{
    if (c->shm) {
        if (remove_file && c->path) unlink(c->path);
        munmap(c->shm, c->shm_size);
    }
    c->shm = NULL;
    c->hdr = NULL;
    c->params = NULL;
    c->probes = NULL;
    free(c->path);
    free(c->seen);
    c->path = NULL;
    c->seen = NULL;
}

/* ---- the queue from the stdin commands ------------------------------------------------------ */

int agraph_control_push(agraph_control *c, int index, double value, unsigned *ticket)
{
    unsigned head = c->queue_head;                /* only this thread writes it */
    if (head - LOAD(&c->queue_tail) >= AGRAPH_QUEUE_SIZE) return -1;
    c->queue[head % AGRAPH_QUEUE_SIZE] = (agraph_change){ index, value };
    STORE(&c->queue_head, head + 1);
    *ticket = head + 1;
    return 0;
}

int agraph_control_taken(const agraph_control *c, unsigned ticket)
{
    return (int)(LOAD(&c->queue_tail) - ticket) >= 0;
}

/* ---- the audio thread ----------------------------------------------------------------------- */

void agraph_control_apply(agraph_control *c)
{
    const agraph_program *prog = c->prog;
    unsigned head = LOAD(&c->queue_head), tail = c->queue_tail;
    for (; tail != head; tail++) {
        const agraph_change *ch = &c->queue[tail % AGRAPH_QUEUE_SIZE];
        prog->set_param(c->state, ch->index, ch->value);
        if (c->params) publish_param(c, ch->index);
    }
    STORE(&c->queue_tail, tail);

    if (!c->params) return;
    for (int i = 0; i < prog->n_params; i++) {
        agraph_control_param *p = &c->params[i];
        uint32_t s1 = LOAD(&p->request_seq);
        if ((s1 & 1u) || s1 == c->seen[i]) continue;
        double v;
        __atomic_load(&p->request, &v, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&p->request_seq, __ATOMIC_RELAXED) != s1) continue;  /* try next block */
        c->seen[i] = s1;
        if (isfinite(v)) {
            prog->set_param(c->state, i, v);
            publish_param(c, i);
        }
        STORE(&p->applied_seq, s1);
    }
}

void agraph_control_block_done(agraph_control *c, uint32_t frames, uint64_t elapsed_ns, int flags)
{
    const agraph_program *prog = c->prog;
    uint64_t total = c->frames + frames;
    RELAXED_STORE(&c->blocks, c->blocks + 1);
    RELAXED_STORE(&c->frames, total);
    RELAXED_STORE(&c->callback_total_ns, c->callback_total_ns + elapsed_ns);
    if (elapsed_ns > c->callback_max_ns) RELAXED_STORE(&c->callback_max_ns, elapsed_ns);
    if (frames > c->max_frames) RELAXED_STORE(&c->max_frames, frames);
    if (flags & 1) RELAXED_STORE(&c->underruns, c->underruns + 1);
    if (flags & 2) RELAXED_STORE(&c->overruns, c->overruns + 1);
    if (!c->hdr) return;

    for (int i = 0; i < prog->n_probes; i++) {
        agraph_control_snapshot *snap =
            (agraph_control_snapshot *)(c->shm + c->probes[i].snapshot_offset);
        uint32_t s = snap->seq;
        RELAXED_STORE(&snap->seq, s + 1);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        RELAXED_STORE(&snap->frame, total);
        prog->read_probe(c->state, i, snap->values, (int)snap->width);
        STORE(&snap->seq, s + 2);
    }
    agraph_control_header *h = c->hdr;
    RELAXED_STORE(&h->frames, total);
    RELAXED_STORE(&h->underruns, c->underruns);
    RELAXED_STORE(&h->overruns, c->overruns);
    RELAXED_STORE(&h->callback_max_ns, c->callback_max_ns);
    STORE(&h->blocks, c->blocks);
}
