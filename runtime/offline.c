/* offline.c — render a program to a sound file with libsndfile: open and check the input files,
 * run process() block by block (deinterleaving the files' frames into channel buffers and back),
 * and write the output through outfile.c. */
#define _POSIX_C_SOURCE 200809L   /* stat, strcasecmp under -std=c11 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <sndfile.h>

#include "agraph_runtime.h"

#define STATE_ALIGN 64

/* Output formats by file extension; the subtype is the one used when --bits is not given. */
#define OUTPUT_FORMATS(FMT)                                          \
/*      extension  major format      default subtype */              \
    FMT("wav",     SF_FORMAT_WAV,    SF_FORMAT_FLOAT)                \
    FMT("wave",    SF_FORMAT_WAV,    SF_FORMAT_FLOAT)                \
    FMT("aiff",    SF_FORMAT_AIFF,   SF_FORMAT_FLOAT)                \
    FMT("aif",     SF_FORMAT_AIFF,   SF_FORMAT_FLOAT)                \
    FMT("caf",     SF_FORMAT_CAF,    SF_FORMAT_FLOAT)                \
    FMT("w64",     SF_FORMAT_W64,    SF_FORMAT_FLOAT)                \
    FMT("rf64",    SF_FORMAT_RF64,   SF_FORMAT_FLOAT)                \
    FMT("au",      SF_FORMAT_AU,     SF_FORMAT_FLOAT)                \
    FMT("snd",     SF_FORMAT_AU,     SF_FORMAT_FLOAT)                \
    FMT("flac",    SF_FORMAT_FLAC,   SF_FORMAT_PCM_24)               \
    FMT("ogg",     SF_FORMAT_OGG,    SF_FORMAT_VORBIS)               \
    FMT("oga",     SF_FORMAT_OGG,    SF_FORMAT_VORBIS)               \
    FMT("opus",    SF_FORMAT_OGG,    SF_FORMAT_OPUS)                 \
    FMT("mp3",     SF_FORMAT_MPEG,   SF_FORMAT_MPEG_LAYER_III)

typedef struct { const char *ext; int major, subtype; } output_format;
#define AS_FORMAT(ext, major, subtype) { ext, major, subtype },
static const output_format output_formats[] = { OUTPUT_FORMATS(AS_FORMAT) };

static const int bits_subtype[] = {
    [AGRAPH_BITS_16] = SF_FORMAT_PCM_16,
    [AGRAPH_BITS_24] = SF_FORMAT_PCM_24,
    [AGRAPH_BITS_32] = SF_FORMAT_PCM_32,
    [AGRAPH_BITS_FLOAT] = SF_FORMAT_FLOAT,
};

typedef struct input_file {
    const char *name;
    SNDFILE *sf;
    SF_INFO info;
    int first_channel;    /* of the program's inputs, fed by this file's channel 0 */
} input_file;

/* Everything one render holds, released in one place. */
typedef struct render {
    const agraph_program *prog;
    const agraph_options *opt;
    input_file *inputs;
    int n_files;
    double sample_rate;
    void *state;
    float *in_buf, *out_buf;      /* channel after channel, `block` frames each */
    float *frames;                /* interleaved, as libsndfile reads and writes */
    const float **in;             /* in[c] points into in_buf */
    float **out;
    SNDFILE *out_sf;
    agraph_outfile out_file;
} render;

/* The libsndfile format for the output's extension and --bits; 0 after printing an error. */
static int output_format_for(const char *name, int bits)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash + 1 : name, '.');
    if (dot && dot[1]) {
        for (size_t i = 0; i < sizeof output_formats / sizeof output_formats[0]; i++) {
            const output_format *f = &output_formats[i];
            if (strcasecmp(dot + 1, f->ext) != 0) continue;
            int format = f->major | (bits == AGRAPH_BITS_DEFAULT ? f->subtype : bits_subtype[bits]);
            SF_INFO probe = { .samplerate = 48000, .channels = 1, .format = format };
            if (!sf_format_check(&probe)) {
                agraph_error("cannot write '%s': --bits %s is not available for .%s files", name,
                             agraph_bits_names[bits], f->ext);
                return 0;
            }
            return format;
        }
    }
    char known[256];
    size_t n = 0;
    for (size_t i = 0; i < sizeof output_formats / sizeof output_formats[0] && n < sizeof known; i++)
        n += (size_t)snprintf(known + n, sizeof known - n, "%s.%s", i ? ", " : "",
                              output_formats[i].ext);
    if (dot && dot[1])
        agraph_error("cannot write '%s': unknown output format '%s' (known: %s)", name, dot, known);
    else
        agraph_error("cannot write '%s': no file extension to choose the format by (known: %s)",
                     name, known);
    return 0;
}

static const char *plural(int n) { return n == 1 ? "" : "s"; }

/* Open the -i files and check them against the program and the output; -1 after an error. */
static int open_inputs(render *r)
{
    const agraph_options *opt = r->opt;
    struct stat out_st;
    int out_exists = stat(opt->output, &out_st) == 0;
    int channels = 0;

    r->inputs = calloc((size_t)opt->n_inputs + 1, sizeof *r->inputs);
    if (!r->inputs) {
        agraph_error("out of memory");
        return -1;
    }
    for (int k = 0; k < opt->n_inputs; k++) {
        input_file *in = &r->inputs[k];
        struct stat st;
        in->name = opt->inputs[k];
        if (stat(in->name, &st) != 0) {
            agraph_error("cannot open '%s': %s", in->name, strerror(errno));
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            agraph_error("cannot read '%s': it is a folder", in->name);
            return -1;
        }
        if (out_exists && st.st_dev == out_st.st_dev && st.st_ino == out_st.st_ino) {
            agraph_error("refusing to overwrite the input file '%s' (-o '%s' is the same file)",
                         in->name, opt->output);
            return -1;
        }
        in->sf = sf_open(in->name, SFM_READ, &in->info);
        r->n_files = k + 1;
        if (!in->sf) {
            agraph_error("cannot read '%s' as audio: %s", in->name, sf_strerror(NULL));
            return -1;
        }
        if (in->info.samplerate != r->inputs[0].info.samplerate) {
            agraph_error("'%s' is at %d Hz but '%s' is at %d Hz: the input files must have one "
                         "sample rate", in->name, in->info.samplerate, r->inputs[0].name,
                         r->inputs[0].info.samplerate);
            return -1;
        }
        in->first_channel = channels;
        channels += in->info.channels;
    }

    if (channels != r->prog->n_inputs) {
        char names[256];
        agraph_join_names(names, sizeof names, r->prog->input_names, r->prog->n_inputs);
        if (opt->n_inputs == 1)
            agraph_error("'%s' has %d channel%s, but the program expects %d (inputs: %s)",
                         opt->inputs[0], channels, plural(channels), r->prog->n_inputs, names);
        else
            agraph_error("the %d input files have %d channels in all, but the program expects %d "
                         "(inputs: %s)", opt->n_inputs, channels, r->prog->n_inputs, names);
        return -1;
    }
    return 0;
}

static int alloc_buffers(render *r)
{
    const agraph_program *prog = r->prog;
    size_t block = (size_t)r->opt->block;
    int widest = prog->n_outputs;
    for (int k = 0; k < r->n_files; k++)
        if (r->inputs[k].info.channels > widest) widest = r->inputs[k].info.channels;

    r->in_buf = calloc(block * (size_t)(prog->n_inputs + 1), sizeof(float));
    r->out_buf = calloc(block * (size_t)prog->n_outputs, sizeof(float));
    r->frames = calloc(block * (size_t)widest, sizeof(float));
    r->in = calloc((size_t)prog->n_inputs + 1, sizeof *r->in);
    r->out = calloc((size_t)prog->n_outputs, sizeof *r->out);
    size_t state_bytes = (prog->state_size + STATE_ALIGN) / STATE_ALIGN * STATE_ALIGN;
    r->state = aligned_alloc(STATE_ALIGN, state_bytes);
    if (!r->in_buf || !r->out_buf || !r->frames || !r->in || !r->out || !r->state) {
        agraph_error("out of memory (state of %zu bytes, blocks of %zu frames)",
                     prog->state_size, block);
        return -1;
    }
    memset(r->state, 0, state_bytes);
    for (int c = 0; c < prog->n_inputs; c++) r->in[c] = r->in_buf + (size_t)c * block;
    for (int c = 0; c < prog->n_outputs; c++) r->out[c] = r->out_buf + (size_t)c * block;
    return 0;
}

/* Read up to n frames of every input file into the channel buffers, silence after a file's end.
 * Returns the most frames any file gave, or -1 after an error. */
static int read_inputs(render *r, int n)
{
    int most = 0;
    for (int k = 0; k < r->n_files; k++) {
        input_file *in = &r->inputs[k];
        int ch = in->info.channels;
        int got = (int)sf_readf_float(in->sf, r->frames, n);
        if (got < n && sf_error(in->sf) != SF_ERR_NO_ERROR) {
            agraph_error("cannot read '%s': %s", in->name, sf_strerror(in->sf));
            return -1;
        }
        for (int c = 0; c < ch; c++) {
            float *dst = r->in_buf + (size_t)(in->first_channel + c) * (size_t)r->opt->block;
            for (int i = 0; i < got; i++) dst[i] = r->frames[(size_t)i * ch + c];
            memset(dst + got, 0, (size_t)(n - got) * sizeof(float));
        }
        if (got > most) most = got;
    }
    return most;
}

/* Process n frames from the input buffers and append them to the output file. */
static int run_block(render *r, int n)
{
    int ch = r->prog->n_outputs;
    r->prog->process(r->state, r->in, r->out, n);
    for (int c = 0; c < ch; c++)
        for (int i = 0; i < n; i++) r->frames[(size_t)i * ch + c] = r->out[c][i];
    if (sf_writef_float(r->out_sf, r->frames, n) != n) {
        agraph_error("cannot write '%s': %s", r->opt->output, sf_strerror(r->out_sf));
        return -1;
    }
    return 0;
}

/* The render proper: the input-fed part (to --duration, or until the inputs end), then the tail
 * with silence in. Returns -1 after an error, or the signal that stopped it, or 0. */
static int render_frames(render *r)
{
    const agraph_options *opt = r->opt;
    long long main_len = opt->duration.given ? agraph_length_frames(opt->duration, r->sample_rate) : -1;
    long long tail_len = opt->tail.given ? agraph_length_frames(opt->tail, r->sample_rate) : 0;

    for (long long done = 0; main_len < 0 || done < main_len; ) {
        if (agraph_stop_signal()) return agraph_stop_signal();
        int n = opt->block;
        if (main_len >= 0 && main_len - done < n) n = (int)(main_len - done);
        int got = read_inputs(r, n);
        if (got < 0) return -1;
        if (main_len < 0) {
            if (got == 0) break;
            n = got;
        }
        if (run_block(r, n) < 0) return -1;
        done += n;
    }
    memset(r->in_buf, 0, (size_t)opt->block * (size_t)r->prog->n_inputs * sizeof(float));
    for (long long left = tail_len; left > 0; ) {
        if (agraph_stop_signal()) return agraph_stop_signal();
        int n = left < opt->block ? (int)left : opt->block;
        if (run_block(r, n) < 0) return -1;
        left -= n;
    }
    return 0;
}

int agraph_render_offline(const agraph_program *prog, const agraph_options *opt)
{
    render r = { .prog = prog, .opt = opt, .out_file = { .fd = -1 } };
    int status = AGRAPH_EXIT_FAIL, stopped = 0;

    int format = output_format_for(opt->output, opt->bits);
    if (!format) goto done;
    if (open_inputs(&r) < 0) goto done;
    r.sample_rate = r.n_files ? r.inputs[0].info.samplerate : opt->sample_rate;
    if (alloc_buffers(&r) < 0) goto done;

    if (prog->init(r.state, r.sample_rate) != 0) {
        char rate[32], max[32];
        agraph_format_number(rate, sizeof rate, r.sample_rate);
        agraph_format_number(max, sizeof max, prog->max_sample_rate);
        agraph_error("sample rate %s is above the program's maximum %s%s", rate, max,
                     r.n_files ? "" : " (choose another with --sr)");
        goto done;
    }
    for (int i = 0; i < opt->n_params; i++)
        prog->set_param(r.state, opt->params[i].index, opt->params[i].value);

    SF_INFO info = { .samplerate = (int)r.sample_rate, .channels = prog->n_outputs, .format = format };
    if (!sf_format_check(&info)) {
        agraph_error("cannot write '%s': its format cannot hold %d channel%s at %d Hz",
                     opt->output, info.channels, plural(info.channels), info.samplerate);
        goto done;
    }

    agraph_catch_signals();
    if (agraph_outfile_open(&r.out_file, opt->output) < 0) goto done;
    r.out_sf = sf_open_fd(r.out_file.fd, SFM_WRITE, &info, SF_FALSE);
    if (!r.out_sf) {
        agraph_error("cannot write '%s': %s", opt->output, sf_strerror(NULL));
        goto done;
    }
    /* Integer samples beyond full scale clip rather than wrap around. */
    sf_command(r.out_sf, SFC_SET_CLIPPING, NULL, SF_TRUE);

    int rc = render_frames(&r);
    if (rc > 0) stopped = rc;
    if (rc != 0) goto done;
    int close_err = sf_close(r.out_sf);
    r.out_sf = NULL;
    if (close_err != 0) {
        agraph_error("cannot write '%s': %s", opt->output, sf_error_number(close_err));
        goto done;
    }
    if ((stopped = agraph_stop_signal()) != 0) goto done;
    if (agraph_outfile_commit(&r.out_file) < 0) goto done;
    status = AGRAPH_EXIT_OK;

done:
    if (r.out_sf) sf_close(r.out_sf);
    agraph_outfile_discard(&r.out_file);
    for (int k = 0; k < r.n_files; k++)
        if (r.inputs[k].sf) sf_close(r.inputs[k].sf);
    free(r.inputs);
    free(r.state);
    free(r.in_buf);
    free(r.out_buf);
    free(r.frames);
    free(r.in);
    free(r.out);
    if (stopped) {
        agraph_error("stopped by %s; '%s' was not written", stopped == SIGINT ? "SIGINT"
                     : stopped == SIGTERM ? "SIGTERM" : "SIGHUP", opt->output);
        agraph_die_of_signal(stopped);
    }
    return status;
}
