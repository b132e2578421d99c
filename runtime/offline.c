/* offline.c — render a program to a sound file with libsndfile: open and check the input files,
 * run process() block by block (deinterleaving the files' frames into channel buffers and back),
 * write the output through outfile.c and the probes through probefile.c, and show a progress bar
 * on a terminal. */
#define _POSIX_C_SOURCE 200809L   /* stat, strcasecmp, clock_gettime under -std=c11 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>

#include "agraph_runtime.h"

#define PROGRESS_AFTER 0.5      /* seconds: a render shorter than this shows no progress bar */
#define PROGRESS_EVERY 0.1      /* seconds between updates of the bar */
#define PROGRESS_WIDTH 30       /* characters of the bar itself */
#define ODD_LENGTH 0x7fffffffLL /* a data chunk length this large or larger is a streaming writer's
                                   "unknown", not a promise */

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
    agraph_probefile *probes;     /* --probe-out, or NULL */
    long long interval;           /* frames between probe rows; 0: a row per block */
    long long next_row;           /* the frame count at which the next row is due */
    long long done;               /* frames processed so far */
    long long total;              /* frames the render will take, 0 if not known */
    int progress;                 /* draw a progress bar on stderr */
    double started, drawn_at;     /* monotonic seconds */
    int drawn;
    long long nonfinite_blocks, nonfinite_samples, first_nonfinite;  /* --nan-guard's count */
} render;

enum { N_OUTPUT_FORMATS = sizeof output_formats / sizeof output_formats[0] };

void agraph_list_formats(char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < N_OUTPUT_FORMATS && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", output_formats[i].ext);
}

int agraph_is_format(const char *name)
{
    for (size_t i = 0; i < N_OUTPUT_FORMATS; i++)
        if (strcasecmp(name, output_formats[i].ext) == 0) return 1;
    return 0;
}

/* The libsndfile format for --format, else the output's extension, and --bits; 0 after printing
 * an error. */
static int output_format_for(const char *name, const char *format, int bits)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash + 1 : name, '.');
    char by_format[32];
    if (format) {
        snprintf(by_format, sizeof by_format, ".%s", format);
        dot = by_format;
    }
    if (dot && dot[1]) {
        for (size_t i = 0; i < N_OUTPUT_FORMATS; i++) {
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

/* libsndfile opens a WAV or AIFF file that was cut short and reads what is there; its log says so
 * ("data : 96000 (should be 47978)"). A file whose audio is missing is refused, not half used. */
int agraph_check_complete(SNDFILE *sf, const char *name)
{
    char log[8192];
    sf_command(sf, SFC_GET_LOG_INFO, log, sizeof log);
    for (char *line = log; line && *line; ) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        const char *should = strstr(line, "(should be");
        while (*line == ' ') line++;
        if (should && (strncmp(line, "data :", 6) == 0 || strncmp(line, "SSND :", 6) == 0)) {
            long long promised = strtoll(line + 6, NULL, 10), held = strtoll(should + 10, NULL, 10);
            if (promised > held && promised < ODD_LENGTH) {
                agraph_error("'%s' is cut short: its header promises %lld bytes of audio but the "
                             "file holds %lld (a truncated or damaged file)", name, promised,
                             held < 0 ? 0 : held);
                return -1;
            }
        }
        line = next;
    }
    return 0;
}

/* Open the -i files and check them against the program and the output; -1 after an error. */
static int open_inputs(render *r)
{
    const agraph_options *opt = r->opt;
    struct stat out_st, probe_st;
    int out_exists = opt->output && stat(opt->output, &out_st) == 0;
    int probe_exists = opt->probe_out && stat(opt->probe_out, &probe_st) == 0;
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
        if (probe_exists && st.st_dev == probe_st.st_dev && st.st_ino == probe_st.st_ino) {
            agraph_error("refusing to overwrite the input file '%s' (--probe-out '%s' is the same "
                         "file)", in->name, opt->probe_out);
            return -1;
        }
        in->sf = sf_open(in->name, SFM_READ, &in->info);
        r->n_files = k + 1;
        if (!in->sf) {
            agraph_error("cannot read '%s' as audio: %s", in->name, sf_strerror(NULL));
            return -1;
        }
        if (agraph_check_complete(in->sf, in->name) < 0) return -1;
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
    r->out_buf = calloc(block * (size_t)(prog->n_outputs + 1), sizeof(float));
    r->frames = calloc(block * (size_t)(widest + 1), sizeof(float));
    r->in = calloc((size_t)prog->n_inputs + 1, sizeof *r->in);
    r->out = calloc((size_t)prog->n_outputs + 1, sizeof *r->out);
    if (!r->in_buf || !r->out_buf || !r->frames || !r->in || !r->out) {
        agraph_error("out of memory (blocks of %zu frames)", block);
        return -1;
    }
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The progress bar on stderr: drawn once the render has taken PROGRESS_AFTER seconds, redrawn
 * every PROGRESS_EVERY, erased at the end (final). */
static void show_progress(render *r, int final)
{
    if (!r->progress) return;
    if (final) {
        if (r->drawn) fputs("\r\033[K", stderr);
        r->drawn = 0;
        return;
    }
    double now = now_s();
    if (now - r->started < PROGRESS_AFTER || now - r->drawn_at < PROGRESS_EVERY) return;
    r->drawn_at = now;
    r->drawn = 1;
    double done_s = (double)r->done / r->sample_rate, speed = done_s / (now - r->started);
    if (r->total > 0) {
        double part = (double)r->done / (double)r->total;
        int fill = (int)(part * PROGRESS_WIDTH);
        if (fill > PROGRESS_WIDTH) fill = PROGRESS_WIDTH;
        fprintf(stderr, "\r%s: [%.*s%*s] %3d%%  %.1f s of %.1f s, %.0fx real time\033[K",
                agraph_progname(), fill, "##############################", PROGRESS_WIDTH - fill, "",
                (int)(part * 100), done_s, (double)r->total / r->sample_rate, speed);
    } else {
        fprintf(stderr, "\r%s: %.1f s rendered, %.0fx real time\033[K", agraph_progname(), done_s, speed);
    }
    fflush(stderr);
}

/* At most n frames, and no further than the next probe row when rows come at an interval. */
static int chunk(const render *r, int n)
{
    if (r->probes && r->interval > 0 && r->next_row - r->done < n) n = (int)(r->next_row - r->done);
    return n;
}

/* NaN or infinity on an output (an unstable filter, a division by zero) is never written
 * silently: without --nan-guard the render stops with an error and writes nothing; with it the
 * block's non-finite samples become silence, the program's signal state is reset (a NaN in a
 * filter's state would otherwise stay there for good) and a warning at the end says how often. */
static void written_names(char *buf, size_t size, const agraph_options *opt);

static int check_finite(render *r, int n)
{
    const agraph_program *prog = r->prog;
    for (int c = 0; c < prog->n_outputs; c++) {
        float *o = r->out[c];
        int bad = -1;
        for (int i = 0; i < n; i++)
            if (!isfinite(o[i])) { bad = i; break; }
        if (bad < 0) continue;
        long long frame = r->done + bad;
        if (!r->opt->nan_guard) {
            char names[1024];
            written_names(names, sizeof names, r->opt);
            agraph_error("the program computed %s on output '%s' at %.6g s (frame %lld): an unstable "
                         "filter, or a division by zero? %s not written (--nan-guard writes silence "
                         "in its place and goes on)", isnan(o[bad]) ? "NaN (not a number)" : "infinity",
                         prog->output_names[c], (double)frame / r->sample_rate, frame, names);
            return -1;
        }
        if (r->nonfinite_blocks++ == 0) r->first_nonfinite = frame;
        for (int k = 0; k < prog->n_outputs; k++)
            for (int i = 0; i < n; i++)
                if (!isfinite(r->out[k][i])) {
                    r->out[k][i] = 0;
                    r->nonfinite_samples++;
                }
        prog->reset(r->state);
        break;
    }
    return 0;
}

/* Process n frames from the input buffers, append them to the output file, and write a probe row
 * when one is due. */
static int run_block(render *r, int n)
{
    int ch = r->prog->n_outputs;
    r->prog->process(r->state, r->in, r->out, n);
    if (check_finite(r, n) < 0) return -1;
    r->done += n;
    if (r->out_sf) {
        for (int c = 0; c < ch; c++)
            for (int i = 0; i < n; i++) r->frames[(size_t)i * ch + c] = r->out[c][i];
        if (sf_writef_float(r->out_sf, r->frames, n) != n) {
            agraph_error("cannot write '%s': %s", r->opt->output, sf_strerror(r->out_sf));
            return -1;
        }
    }
    if (r->probes && (r->interval == 0 || r->done >= r->next_row)) {
        if (agraph_probefile_row(r->probes, r->state, r->done) < 0) return -1;
        r->next_row += r->interval;
    }
    show_progress(r, 0);
    return 0;
}

/* The render proper: the input-fed part (to --duration, or until the inputs end), then the tail
 * with silence in. Returns -1 after an error, or the signal that stopped it, or 0. */
static int render_frames(render *r)
{
    const agraph_options *opt = r->opt;
    long long main_len = opt->duration.given ? agraph_length_frames(opt->duration, r->sample_rate) : -1;
    long long tail_len = opt->tail.given ? agraph_length_frames(opt->tail, r->sample_rate) : 0;

    long long known = main_len;
    for (int k = 0; main_len < 0 && k < r->n_files; k++)
        if (r->inputs[k].info.frames > known) known = r->inputs[k].info.frames;
    r->total = known >= 0 && known < (1LL << 50) ? known + tail_len : 0;
    r->interval = opt->probe_interval.given ? agraph_length_frames(opt->probe_interval, r->sample_rate) : 0;
    if (opt->probe_interval.given && r->interval < 1) r->interval = 1;
    r->next_row = r->interval;
    r->started = now_s();

    for (long long done = 0; main_len < 0 || done < main_len; ) {
        if (agraph_stop_signal()) return agraph_stop_signal();
        int n = chunk(r, opt->block);
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
        int n = chunk(r, left < opt->block ? (int)left : opt->block);
        if (run_block(r, n) < 0) return -1;
        left -= n;
    }
    return 0;
}

/* "'out.wav'", "'out.wav' and 'probes.csv'" */
static void written_names(char *buf, size_t size, const agraph_options *opt)
{
    if (opt->output && opt->probe_out)
        snprintf(buf, size, "'%s' and '%s' were", opt->output, opt->probe_out);
    else
        snprintf(buf, size, "'%s' was", opt->output ? opt->output : opt->probe_out);
}

int agraph_render_offline(const agraph_program *prog, const agraph_options *opt)
{
    render r = { .prog = prog, .opt = opt, .out_file = { .fd = -1 } };
    int status = AGRAPH_EXIT_FAIL, stopped = 0, format = 0;

    if (opt->output && !(format = output_format_for(opt->output, opt->format, opt->bits))) goto done;
    if (open_inputs(&r) < 0) goto done;
    r.sample_rate = r.n_files ? r.inputs[0].info.samplerate : opt->sample_rate;
    if (alloc_buffers(&r) < 0) goto done;

    if (!(r.state = agraph_start_state(prog, r.sample_rate, opt, r.n_files ? "" : " (choose another with --sr)")))
        goto done;

    SF_INFO info = { .samplerate = (int)r.sample_rate, .channels = prog->n_outputs, .format = format };
    if (opt->output && !sf_format_check(&info)) {
        agraph_error("cannot write '%s': its format cannot hold %d channel%s at %d Hz",
                     opt->output, info.channels, plural(info.channels), info.samplerate);
        goto done;
    }

    agraph_catch_signals();
    if (opt->output) {
        if (agraph_outfile_open(&r.out_file, opt->output) < 0) goto done;
        r.out_sf = sf_open_fd(r.out_file.fd, SFM_WRITE, &info, SF_FALSE);
        if (!r.out_sf) {
            agraph_error("cannot write '%s': %s", opt->output, sf_strerror(NULL));
            goto done;
        }
        /* Integer samples beyond full scale clip rather than wrap around. */
        sf_command(r.out_sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    }
    if (opt->probe_out && !(r.probes = agraph_probefile_open(prog, opt->probe_out, r.sample_rate)))
        goto done;
    r.progress = !opt->quiet && isatty(2);

    int rc = render_frames(&r);
    show_progress(&r, 1);
    if (rc > 0) stopped = rc;
    if (rc != 0) goto done;
    if (r.out_sf) {
        int close_err = sf_close(r.out_sf);
        r.out_sf = NULL;
        if (close_err != 0) {
            agraph_error("cannot write '%s': %s", opt->output, sf_error_number(close_err));
            goto done;
        }
    }
    if ((stopped = agraph_stop_signal()) != 0) goto done;
    /* The probes first: if they cannot be written, the sound file is not either. */
    if (r.probes && agraph_probefile_commit(r.probes) < 0) goto done;
    if (opt->output && agraph_outfile_commit(&r.out_file) < 0) goto done;
    status = AGRAPH_EXIT_OK;
    if (r.nonfinite_blocks)
        agraph_warning("--nan-guard replaced %lld samples of NaN or infinity with silence (in %lld "
                       "blocks, the first at %.6g s) and reset the program each time", r.nonfinite_samples, r.nonfinite_blocks,
                (double)r.first_nonfinite / r.sample_rate);

done:
    if (r.out_sf) sf_close(r.out_sf);
    agraph_outfile_discard(&r.out_file);
    agraph_probefile_discard(r.probes);
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
        char names[1024];
        written_names(names, sizeof names, opt);
        agraph_error("stopped by %s; %s not written", agraph_signal_name(stopped), names);
        agraph_die_of_signal(stopped);
    }
    return status;
}
