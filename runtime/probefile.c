/* probefile.c — probe values over time, offline (--probe-out): a CSV table, or a NumPy .npy file
 * holding one record per row (frame, time, then each probe; an array probe is a sub-array), so
 * that np.load(f)['level'] is the level over time. Written to a temporary file beside the target
 * and renamed when complete, like the sound file. */
#define _POSIX_C_SOURCE 200809L   /* fdopen, strcasecmp under -std=c11 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "agraph_runtime.h"

#define NPY_ALIGN 64              /* the .npy header pads the data's start to this */
#define NPY_SHAPE_ROOM 24         /* spare header bytes for the row count written at the end */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define NPY_ORDER ">"
#else
#define NPY_ORDER "<"
#endif

struct agraph_probefile {
    const agraph_program *prog;
    const char *name;
    int npy;
    agraph_outfile file;
    FILE *f;                      /* buffered, on a duplicate of file.fd */
    double sample_rate;
    float *values;                /* room for the widest probe */
    int widest;
    long long rows;
    size_t header_len;            /* npy: bytes before the data, rewritten at the end */
};

/* The columns every row starts with. */
static const char *const fixed_columns[] = { "frame", "time" };

static int is_npy(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && strcasecmp(dot, ".npy") == 0;
}

int agraph_probefile_check(const agraph_program *prog, const char *name)
{
    const char *slash = strrchr(name, '/'), *dot = strrchr(slash ? slash + 1 : name, '.');
    if (strcmp(name, "-") != 0 && (!dot || (strcasecmp(dot, ".csv") != 0 && strcasecmp(dot, ".npy") != 0))) {
        agraph_error("--probe-out: '%s' is neither a .csv nor a .npy file (nor '-', CSV on standard output)", name);
        return -1;
    }
    if (prog->n_probes == 0) {
        agraph_error("--probe-out: the program has no probes");
        return -1;
    }
    for (int i = 0; i < prog->n_probes; i++)
        for (size_t k = 0; k < sizeof fixed_columns / sizeof fixed_columns[0]; k++)
            if (strcmp(prog->probes[i].name, fixed_columns[k]) == 0) {
                agraph_error("--probe-out: the probe '%s' has the name of the %s column",
                             prog->probes[i].name, fixed_columns[k]);
                return -1;
            }
    return 0;
}

/* The .npy preamble for `rows` rows, padded to exactly `len` bytes when len > 0 (else to the next
 * multiple of NPY_ALIGN, with room for any row count). Returns its length. */
static size_t npy_header(const agraph_probefile *p, long long rows, char *buf, size_t size, size_t len)
{
    const agraph_program *prog = p->prog;
    size_t n = 0;
    char dict[65536];
    n += (size_t)snprintf(dict + n, sizeof dict - n, "{'descr': [('frame', '" NPY_ORDER "i8'), "
                          "('time', '" NPY_ORDER "f8')");
    for (int i = 0; i < prog->n_probes && n < sizeof dict; i++) {
        if (prog->probes[i].width == 1)
            n += (size_t)snprintf(dict + n, sizeof dict - n, ", ('%s', '" NPY_ORDER "f4')",
                                  prog->probes[i].name);
        else
            n += (size_t)snprintf(dict + n, sizeof dict - n, ", ('%s', '" NPY_ORDER "f4', (%d,))",
                                  prog->probes[i].name, prog->probes[i].width);
    }
    if (n < sizeof dict)
        n += (size_t)snprintf(dict + n, sizeof dict - n, "], 'fortran_order': False, 'shape': (%lld,), }",
                              rows);
    if (n >= sizeof dict) return 0;
    /* Version 1.0 counts the header in 16 bits, 2.0 in 32. */
    int v2 = n + NPY_SHAPE_ROOM + NPY_ALIGN > 65535;
    size_t pre = v2 ? 12 : 10;
    size_t total = len ? len : (pre + n + NPY_SHAPE_ROOM + 1 + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    if (total > size || pre + n + 1 > total) return 0;
    size_t hlen = total - pre;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = v2 ? 2 : 1;
    buf[7] = 0;
    for (size_t k = 0; k < (v2 ? 4u : 2u); k++) buf[8 + k] = (char)((hlen >> (8 * k)) & 0xff);
    memcpy(buf + pre, dict, n);
    memset(buf + pre + n, ' ', total - pre - n - 1);
    buf[total - 1] = '\n';
    return total;
}

static int write_error(agraph_probefile *p)
{
    agraph_error("cannot write '%s': %s", p->name, strerror(errno ? errno : EIO));
    return -1;
}

agraph_probefile *agraph_probefile_open(const agraph_program *prog, const char *name, double sample_rate)
{
    agraph_probefile *p = calloc(1, sizeof *p);
    if (!p) {
        agraph_error("out of memory");
        return NULL;
    }
    p->prog = prog;
    p->name = name;
    p->npy = is_npy(name);
    p->sample_rate = sample_rate;
    p->file.fd = -1;
    for (int i = 0; i < prog->n_probes; i++)
        if (prog->probes[i].width > p->widest) p->widest = prog->probes[i].width;
    p->values = calloc((size_t)p->widest + 1, sizeof(float));
    if (!p->values) {
        agraph_error("out of memory");
        goto fail;
    }
    if (strcmp(name, "-") == 0) {   /* CSV on standard output, a row as soon as it is known */
        p->f = stdout;
        p->name = "standard output";
    } else {
        if (agraph_outfile_open(&p->file, name) < 0) goto fail;
        int fd = dup(p->file.fd);
        if (fd < 0 || !(p->f = fdopen(fd, "wb"))) {
            if (fd >= 0) close(fd);
            write_error(p);
            goto fail;
        }
    }
    if (p->npy) {
        static char header[1 << 17];
        p->header_len = npy_header(p, 0, header, sizeof header, 0);
        if (p->header_len == 0) {
            agraph_error("cannot write '%s': the probes do not fit in a .npy header", name);
            goto fail;
        }
        if (fwrite(header, 1, p->header_len, p->f) != p->header_len) {
            write_error(p);
            goto fail;
        }
    } else {
        fprintf(p->f, "%s,%s", fixed_columns[0], fixed_columns[1]);
        for (int i = 0; i < prog->n_probes; i++) {
            const agraph_probe_info *probe = &prog->probes[i];
            if (probe->width == 1) fprintf(p->f, ",%s", probe->name);
            for (int k = 0; probe->width > 1 && k < probe->width; k++)
                fprintf(p->f, ",%s[%d]", probe->name, k);
        }
        if (fputc('\n', p->f) == EOF) {
            write_error(p);
            goto fail;
        }
    }
    return p;
fail:
    agraph_probefile_discard(p);
    return NULL;
}

int agraph_probefile_row(agraph_probefile *p, const void *state, long long frame)
{
    const agraph_program *prog = p->prog;
    double time = (double)frame / p->sample_rate;
    errno = 0;
    if (p->npy) {
        int64_t f = frame;
        if (fwrite(&f, sizeof f, 1, p->f) != 1 || fwrite(&time, sizeof time, 1, p->f) != 1)
            return write_error(p);
    } else {
        char t[32];
        agraph_format_number(t, sizeof t, time);
        fprintf(p->f, "%lld,%s", frame, t);
    }
    for (int i = 0; i < prog->n_probes; i++) {
        int width = prog->probes[i].width;
        memset(p->values, 0, (size_t)width * sizeof(float));
        prog->read_probe(state, i, p->values, width);
        if (p->npy) {
            if (fwrite(p->values, sizeof(float), (size_t)width, p->f) != (size_t)width) return write_error(p);
            continue;
        }
        for (int k = 0; k < width; k++) {
            char v[32];
            agraph_format_float(v, sizeof v, p->values[k]);
            fprintf(p->f, ",%s", v);
        }
    }
    if (!p->npy && fputc('\n', p->f) == EOF) return write_error(p);
    if (p->f == stdout) fflush(stdout);
    if (ferror(p->f)) return write_error(p);
    p->rows++;
    return 0;
}

int agraph_probefile_commit(agraph_probefile *p)
{
    errno = 0;
    if (fflush(p->f) != 0 || ferror(p->f)) return write_error(p);
    if (p->npy) {
        static char header[1 << 17];
        if (npy_header(p, p->rows, header, sizeof header, p->header_len) != p->header_len) {
            agraph_error("cannot write '%s': %lld rows do not fit in its .npy header", p->name, p->rows);
            return -1;
        }
        if (fseek(p->f, 0, SEEK_SET) != 0 || fwrite(header, 1, p->header_len, p->f) != p->header_len
            || fflush(p->f) != 0)
            return write_error(p);
    }
    FILE *f = p->f;
    p->f = NULL;
    if (f == stdout) return 0;
    if (fclose(f) != 0) return write_error(p);
    return agraph_outfile_commit(&p->file);
}

void agraph_probefile_discard(agraph_probefile *p)
{
    if (!p) return;
    if (p->f && p->f != stdout) fclose(p->f);
    agraph_outfile_discard(&p->file);
    free(p->values);
    free(p);
}
