/* live.c — live audio with PortAudio: choose the devices, open one stream (output, input, or both
 * for a duplex program), run the program in its callback, take parameter changes from the stdin
 * commands and the control block, stop on Ctrl-C, SIGTERM, `quit` or --duration, and report
 * underruns and overruns. Shaped after PortAudio's paex_sine.c: settings as named constants, the
 * state in one struct, one cleanup path that prints Pa_GetErrorText. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE               /* pthread_sigmask, strcasestr, mlock, MAP_POPULATE */
#endif
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <portaudio.h>
#if __has_include(<pa_jack.h>)
#include <pa_jack.h>
#define HAVE_PA_JACK 1
#endif
#if __has_include(<jack/jack.h>)
#include <jack/jack.h>
#define HAVE_JACK 1
#endif
#if __has_include(<alsa/asoundlib.h>)
#include <alsa/asoundlib.h>
#define HAVE_ALSA 1
#endif

#include "agraph_runtime.h"

#define WAIT_MS 20                /* how often the main thread looks for a reason to stop */
#define STEREO 2                  /* a mono program plays on both channels of a stereo device */
#define DEBUG_ENV "AGRAPH_AUDIO_DEBUG"  /* set: let ALSA and JACK print their own diagnostics */
#define JACK_RETRY_S 4.0          /* how long to ask again a listening JACK server that did not answer */
#define JACK_RETRY_MS 200

/* RealtimeSanitizer (clang 20 and later, -fsanitize=realtime) checks that nothing the callback
 * reaches allocates, locks or calls the system; other compilers ignore this. */
#if defined(__clang__) && __clang_major__ >= 20
#define AGRAPH_NONBLOCKING __attribute__((nonblocking))
#else
#define AGRAPH_NONBLOCKING
#endif

typedef struct live {
    const agraph_program *prog;
    const agraph_options *opt;
    void *state;
    agraph_control ctl;
    agraph_commands *commands;
    PaStream *stream;
    int in_dev, out_dev;          /* PortAudio device indices, paNoDevice when not used */
    int in_channels, out_channels;    /* opened */
    double sample_rate;
    long long limit;              /* frames to run (--duration), -1 for no limit */
    long long done;               /* frames run (audio thread) */
    const float *no_inputs[1];    /* in[] for a program without inputs */
    /* NaN or infinity on an output (audio thread writes, main thread reads): the first frame it
     * was seen at plus one (0: never), and with --nan-guard how many blocks were silenced. */
    long long nonfinite_at;
    int nonfinite_output;
    long long nonfinite_blocks;
    double stalled;               /* the stream died: no callback came for this many seconds,
                                     or -1 if PortAudio said it stopped */
} live;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);      /* the vDSO: no system call */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The audio callback. It runs on the audio thread at real-time priority and must never wait:
 * no malloc()/free(), no locks, no system calls, no printing. Everything it needs was allocated
 * before the stream started; parameter changes arrive through agraph_control. */
static int on_audio(const void *input, void *output, unsigned long frames,
                    const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags status,
                    void *user) AGRAPH_NONBLOCKING;
static int on_audio(const void *input, void *output, unsigned long frames,
                    const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags status,
                    void *user)
{
    live *L = user;
    const agraph_program *prog = L->prog;
    uint64_t start = now_ns();
    const float *const *in = input ? (const float *const *)input : L->no_inputs;
    float *const *out = output;
    int n = (int)frames, rc = paContinue;

    agraph_control_apply(&L->ctl);
    if (L->limit >= 0 && L->limit - L->done <= n) {
        n = (int)(L->limit - L->done);
        rc = paComplete;
    }
    prog->process(L->state, in, out, n);
    /* NaN or infinity never reaches the device: the block's bad samples become silence. With
     * --nan-guard the program's state is reset and the run goes on; without, the run stops and
     * the main thread reports it. */
    for (int c = 0; out && c < prog->n_outputs; c++) {
        int bad = -1;
        for (int i = 0; i < n; i++)
            if (!isfinite(out[c][i])) { out[c][i] = 0; if (bad < 0) bad = i; }
        if (bad < 0) continue;
        if (!__atomic_load_n(&L->nonfinite_at, __ATOMIC_RELAXED)) {
            L->nonfinite_output = c;
            __atomic_store_n(&L->nonfinite_at, L->done + bad + 1, __ATOMIC_RELEASE);
        }
        if (L->opt->nan_guard) {
            for (int k = c + 1; k < prog->n_outputs; k++)
                for (int i = 0; i < n; i++)
                    if (!isfinite(out[k][i])) out[k][i] = 0;
            prog->reset(L->state);
            __atomic_store_n(&L->nonfinite_blocks, L->nonfinite_blocks + 1, __ATOMIC_RELAXED);
            break;
        }
        rc = paAbort;
    }
    for (int c = 0; out && c < prog->n_outputs; c++)
        memset(out[c] + n, 0, (frames - (unsigned long)n) * sizeof(float));
    if (L->out_channels > prog->n_outputs)
        memcpy(out[1], out[0], frames * sizeof(float));
    L->done += n;

    int flags = (status & (paOutputUnderflow | paInputUnderflow) ? 1 : 0)
              | (status & (paInputOverflow | paOutputOverflow) ? 2 : 0);
    agraph_control_block_done(&L->ctl, (uint32_t)n, now_ns() - start, flags);
    return rc;
}

/* ---- quieting the audio libraries ----------------------------------------------------------- */

/* ALSA and JACK print pages of diagnostics while PortAudio probes for devices (no sound card, no
 * JACK server); this runtime says what went wrong itself. */
#ifdef HAVE_ALSA
static void alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
}
#endif
#ifdef HAVE_JACK
static char jack_said[256];       /* JACK's first error, for a server that would not let us in */

static void jack_quiet(const char *msg)
{
    if (!jack_said[0]) snprintf(jack_said, sizeof jack_said, "%s", msg);
}

static void jack_silent(const char *msg)
{
}
#endif

static void quiet_libraries(void)
{
    if (getenv(DEBUG_ENV)) return;
#ifdef HAVE_ALSA
    snd_lib_error_set_handler(alsa_quiet);
#endif
#ifdef HAVE_JACK
    jack_set_error_function(jack_quiet);
    jack_set_info_function(jack_silent);
#endif
}

#ifdef HAVE_PA_JACK
/* A JACK server of this user, named by JACK_DEFAULT_SERVER or "default", accepts connections on
 * its request socket (jackd2 keeps it in /dev/shm; a killed server's socket refuses them). */
static int jack_server_listening(void)
{
    const char *name = getenv("JACK_DEFAULT_SERVER");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof addr.sun_path, "/dev/shm/jack_%s_%d_0",
             name && name[0] ? name : "default", (int)getuid());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return ok;
}

/* PortAudio came up without JACK while a JACK server is listening. */
static int jack_left_out(void)
{
    return Pa_HostApiTypeIdToHostApiIndex(paJACK) < 0 && jack_server_listening();
}
#endif

static int jack_refused;          /* a JACK server is running and would not let PortAudio in */

static int start_portaudio(const char *client_name)
{
#ifdef HAVE_PA_JACK
    PaJack_SetClientName(client_name);
#endif
    quiet_libraries();
    PaError err = Pa_Initialize();
#ifdef HAVE_PA_JACK
    /* PortAudio leaves JACK out when its one jack_client_open fails, as it has against a
     * running server on a busy machine: while a server is listening, ask again for a while
     * before going on without it. */
    uint64_t t0 = now_ns();
    while (err == paNoError && jack_left_out() && now_ns() - t0 < (uint64_t)(JACK_RETRY_S * 1e9)) {
        Pa_Terminate();
        struct timespec ts = { 0, JACK_RETRY_MS * 1000000L };
        nanosleep(&ts, NULL);
        jack_said[0] = 0;
        err = Pa_Initialize();
    }
    if (err == paNoError && jack_left_out()) {
        const char *name = getenv("JACK_DEFAULT_SERVER");
        jack_refused = 1;
        agraph_warning("the JACK server '%s' is running but PortAudio could not connect to it%s%s%s",
                       name && name[0] ? name : "default", jack_said[0] ? " (JACK: " : "", jack_said,
                       jack_said[0] ? ")" : "");
    }
#endif
    if (err != paNoError) {
        agraph_error("cannot start PortAudio: %s", Pa_GetErrorText(err));
        return -1;
    }
    return 0;
}

/* ---- devices -------------------------------------------------------------------------------- */

static const char *api_name(const PaDeviceInfo *d)
{
    const PaHostApiInfo *api = Pa_GetHostApiInfo(d->hostApi);
    return api ? api->name : "?";
}

static int channels_of(const PaDeviceInfo *d, int output)
{
    return output ? d->maxOutputChannels : d->maxInputChannels;
}

/* "0 'system' (JACK Audio Connection Kit), 3 'pulse' (ALSA)" — the devices with channels in the
 * direction asked for. */
static void list_some(char *buf, size_t size, int output, const char *match)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < Pa_GetDeviceCount() && n < size; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d || channels_of(d, output) <= 0) continue;
        if (match && !strcasestr(d->name, match)) continue;
        n += (size_t)snprintf(buf + n, size - n, "%s%d '%s' (%s)", n ? ", " : "", i, d->name, api_name(d));
    }
    if (!buf[0]) snprintf(buf, size, "none");
}

/* The device for `spec` (a number, a name, or a unique part of a name), or PortAudio's default;
 * -1 after an error. */
static int find_device(const char *spec, int output)
{
    const char *dir = output ? "output" : "input";
    char known[2048];
    int n = Pa_GetDeviceCount();
    if (n < 0) {
        agraph_error("cannot list the audio devices: %s", Pa_GetErrorText(n));
        return -1;
    }
    if (!spec) {
        PaDeviceIndex d = output ? Pa_GetDefaultOutputDevice() : Pa_GetDefaultInputDevice();
        /* The default host API (ALSA) may have no device while another (JACK) has. */
        for (int a = 0; d == paNoDevice && a < Pa_GetHostApiCount(); a++) {
            const PaHostApiInfo *api = Pa_GetHostApiInfo(a);
            if (api) d = output ? api->defaultOutputDevice : api->defaultInputDevice;
        }
        if (d == paNoDevice || d < 0) {
            agraph_error("there is no audio %s device: PortAudio found no sound card and %s "
                         "(--list-devices shows what it finds)", dir,
                         jack_refused ? "could not connect to the JACK server" : "no JACK server");
            return -1;
        }
        return d;
    }
    char *end;
    long k = strtol(spec, &end, 10);
    int found = -1, count = 0;
    if (*spec && !*end) {
        if (k < 0 || k >= n) {
            list_some(known, sizeof known, output, NULL);
            agraph_error("there is no audio device %s (%s devices: %s)", spec, dir, known);
            return -1;
        }
        found = (int)k;
    } else {
        for (int i = 0; i < n; i++) {        /* the name itself first, then a part of it */
            const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
            if (d && channels_of(d, output) > 0 && strcmp(d->name, spec) == 0) found = i, count++;
        }
        for (int i = 0; i < n && count == 0; i++) {
            const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
            if (d && channels_of(d, output) > 0 && strcasestr(d->name, spec)) found = i, count++;
        }
        if (count > 1) {
            list_some(known, sizeof known, output, spec);
            agraph_error("'%s' matches %d %s devices: %s; give its number", spec, count, dir, known);
            return -1;
        }
        if (count == 0) {
            list_some(known, sizeof known, output, NULL);
            agraph_error("no audio %s device is called '%s' (%s devices: %s)", dir, spec, dir, known);
            return -1;
        }
    }
    const PaDeviceInfo *d = Pa_GetDeviceInfo(found);
    if (!d || channels_of(d, output) <= 0) {
        agraph_error("audio device %d '%s' has no %s channels", found, d ? d->name : "?", dir);
        return -1;
    }
    return found;
}

int agraph_list_devices(void)
{
    if (start_portaudio(agraph_progname()) < 0) return AGRAPH_EXIT_FAIL;
    int n = Pa_GetDeviceCount();
    if (n < 0) {
        agraph_error("cannot list the audio devices: %s", Pa_GetErrorText(n));
        Pa_Terminate();
        return AGRAPH_EXIT_FAIL;
    }
    if (n == 0) printf("No audio devices: PortAudio found no sound card and no JACK server.\n");
    else printf("  #  %-32s  %-26s  in out  rate\n", "device", "host");
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d) continue;
        const PaHostApiInfo *api = Pa_GetHostApiInfo(d->hostApi);
        int def_in = api && api->defaultInputDevice == i, def_out = api && api->defaultOutputDevice == i;
        printf("%3d  %-32s  %-26s  %2d  %2d  %.0f Hz%s%s%s\n", i, d->name, api_name(d),
               d->maxInputChannels, d->maxOutputChannels, d->defaultSampleRate,
               def_in || def_out ? "  (default" : "", def_in && def_out ? " in and out" :
               def_in ? " in" : def_out ? " out" : "", def_in || def_out ? ")" : "");
    }
    Pa_Terminate();
    return AGRAPH_EXIT_OK;
}

/* ---- the run -------------------------------------------------------------------------------- */

static int choose_devices(live *L)
{
    const agraph_program *prog = L->prog;
    L->in_dev = L->out_dev = paNoDevice;
    if (prog->n_outputs > 0) {
        if ((L->out_dev = find_device(L->opt->output_device, 1)) < 0) return -1;
        const PaDeviceInfo *d = Pa_GetDeviceInfo(L->out_dev);
        if (d->maxOutputChannels < prog->n_outputs) {
            agraph_error("the program has %d outputs but audio device %d '%s' has %d output channel%s",
                         prog->n_outputs, L->out_dev, d->name, d->maxOutputChannels,
                         d->maxOutputChannels == 1 ? "" : "s");
            return -1;
        }
        L->out_channels = prog->n_outputs == 1 && d->maxOutputChannels >= STEREO ? STEREO : prog->n_outputs;
    }
    if (prog->n_inputs > 0) {
        if ((L->in_dev = find_device(L->opt->input_device, 0)) < 0) return -1;
        const PaDeviceInfo *d = Pa_GetDeviceInfo(L->in_dev);
        if (d->maxInputChannels < prog->n_inputs) {
            agraph_error("the program has %d inputs but audio device %d '%s' has %d input channel%s",
                         prog->n_inputs, L->in_dev, d->name, d->maxInputChannels,
                         d->maxInputChannels == 1 ? "" : "s");
            return -1;
        }
        L->in_channels = prog->n_inputs;
    }
    return 0;
}

static void stream_params(const live *L, PaStreamParameters *in, PaStreamParameters *out)
{
    if (L->in_dev != paNoDevice) {
        *in = (PaStreamParameters){
            .device = L->in_dev, .channelCount = L->in_channels,
            .sampleFormat = paFloat32 | paNonInterleaved,
            .suggestedLatency = Pa_GetDeviceInfo(L->in_dev)->defaultLowInputLatency,
        };
    }
    if (L->out_dev != paNoDevice) {
        *out = (PaStreamParameters){
            .device = L->out_dev, .channelCount = L->out_channels,
            .sampleFormat = paFloat32 | paNonInterleaved,
            .suggestedLatency = Pa_GetDeviceInfo(L->out_dev)->defaultLowOutputLatency,
        };
    }
}

static void describe_start(const live *L)
{
    const PaStreamInfo *info = Pa_GetStreamInfo(L->stream);
    char block[64] = "";
    if (L->opt->block_given) snprintf(block, sizeof block, ", %d frames a block", L->opt->block);
    fprintf(stderr, "%s: live at %.0f Hz%s", agraph_progname(), L->sample_rate, block);
    if (L->in_dev != paNoDevice) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(L->in_dev);
        fprintf(stderr, "; in: %d channel%s from %d '%s' (%s)", L->in_channels,
                L->in_channels == 1 ? "" : "s", L->in_dev, d->name, api_name(d));
    }
    if (L->out_dev != paNoDevice) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(L->out_dev);
        fprintf(stderr, "; out: %d channel%s to %d '%s' (%s)", L->out_channels,
                L->out_channels == 1 ? "" : "s", L->out_dev, d->name, api_name(d));
    }
    if (info) fprintf(stderr, "; latency %.1f ms", 1000.0 * fmax(info->outputLatency, info->inputLatency));
    fprintf(stderr, ". Ctrl-C or 'quit' stops.\n");
}

static void report(const live *L, const char *stopped_by)
{
    const agraph_control *c = &L->ctl;
    double seconds = (double)c->frames / L->sample_rate;
    double mean_us = c->blocks ? (double)c->callback_total_ns / (double)c->blocks / 1000.0 : 0;
    double max_us = (double)c->callback_max_ns / 1000.0;
    double budget_us = c->max_frames ? 1e6 * c->max_frames / L->sample_rate : 0;
    if (L->opt->stats == AGRAPH_STATS_JSON) {
        printf("{\"stopped_by\": \"%s\", \"seconds\": %.3f, \"sample_rate\": %.0f, \"frames\": %llu, "
               "\"blocks\": %llu, \"block_frames\": %u, \"underruns\": %llu, \"overruns\": %llu, "
               "\"callback_mean_us\": %.1f, \"callback_max_us\": %.1f, \"block_us\": %.1f}\n",
               stopped_by, seconds, L->sample_rate, (unsigned long long)c->frames,
               (unsigned long long)c->blocks, c->max_frames, (unsigned long long)c->underruns,
               (unsigned long long)c->overruns, mean_us, max_us, budget_us);
        fflush(stdout);
    } else if (L->opt->stats == AGRAPH_STATS_TEXT && !L->opt->quiet) {
        fprintf(stderr, "%s: stopped by %s after %.2f s (%llu blocks of up to %u frames at %.0f Hz): "
                "%llu underrun%s, %llu overrun%s; callback %.1f us mean, %.1f us max, of %.1f us a "
                "block\n", agraph_progname(), stopped_by, seconds, (unsigned long long)c->blocks,
                c->max_frames, L->sample_rate, (unsigned long long)c->underruns,
                c->underruns == 1 ? "" : "s", (unsigned long long)c->overruns,
                c->overruns == 1 ? "" : "s", mean_us, max_us, budget_us);
    }
}

/* Wait until something stops the run; its name, or NULL if the stream stopped by itself.
 * A stream can also die without saying so: PortAudio's JACK host keeps a stream "active" after
 * the server was killed, and no callback comes again. So no callback for STALL_S seconds (or
 * four blocks, if longer) counts as the stream having stopped. */
#define STALL_S 2.0
/* Block (SIG_BLOCK) or take (SIG_UNBLOCK) the signals that stop a live run, in this thread. */
static void stop_signals(int how)
{
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGHUP);
    pthread_sigmask(how, &stops, NULL);
}

static const char *wait_for_stop(live *L)
{
    uint64_t last_blocks = 0;
    double last_change = 0, waited = 0;
    double block_s = L->opt->block_given ? L->opt->block / L->sample_rate : 0;
    double stall_s = 4 * block_s > STALL_S ? 4 * block_s : STALL_S;
    stop_signals(SIG_UNBLOCK);
    for (;;) {
        int sig = agraph_stop_signal();
        if (sig) return agraph_signal_name(sig);
        if (__atomic_load_n(&L->ctl.quit, __ATOMIC_ACQUIRE)) return "quit";
        if (!L->opt->nan_guard && __atomic_load_n(&L->nonfinite_at, __ATOMIC_ACQUIRE)) return NULL;
        if (Pa_IsStreamActive(L->stream) != 1)
            return L->limit >= 0 && (long long)__atomic_load_n(&L->ctl.frames, __ATOMIC_ACQUIRE) >= L->limit
                 ? "--duration" : NULL;
        uint64_t blocks = __atomic_load_n(&L->ctl.blocks, __ATOMIC_ACQUIRE);
        if (blocks != last_blocks) {
            last_blocks = blocks;
            last_change = waited;
        } else if (waited - last_change > stall_s) {
            L->stalled = stall_s;
            return NULL;
        }
        struct timespec ts = { 0, WAIT_MS * 1000000L };
        nanosleep(&ts, NULL);
        waited += WAIT_MS / 1000.0;
    }
}

int agraph_run_live(const agraph_program *prog, const agraph_options *opt)
{
    live L = { .prog = prog, .opt = opt, .in_dev = paNoDevice, .out_dev = paNoDevice };
    int status = AGRAPH_EXIT_FAIL, pa_started = 0, control_ready = 0, keep_control = 0;
    PaError err = paNoError;
    const char *stopped_by = NULL;

    /* Signals only set a flag, and only the main thread takes them: the threads that PortAudio,
     * JACK and the command reader start inherit this mask. */
    agraph_catch_signals();
    signal(SIGPIPE, SIG_IGN);     /* a reader of our answers that went away is not fatal */
    signal(SIGTTIN, SIG_IGN);     /* reading a terminal from the background: EIO, retried */
    stop_signals(SIG_BLOCK);

    if (start_portaudio(opt->client_name ? opt->client_name : agraph_progname()) < 0) goto done;
    pa_started = 1;
    if (choose_devices(&L) < 0) goto done;

    const PaDeviceInfo *main_dev = Pa_GetDeviceInfo(L.out_dev != paNoDevice ? L.out_dev : L.in_dev);
    L.sample_rate = opt->sample_rate_given ? opt->sample_rate : main_dev->defaultSampleRate;
    PaStreamParameters in, out;
    stream_params(&L, &in, &out);
    PaStreamParameters *inp = L.in_dev != paNoDevice ? &in : NULL;
    PaStreamParameters *outp = L.out_dev != paNoDevice ? &out : NULL;
    if ((err = Pa_IsFormatSupported(inp, outp, L.sample_rate)) != paFormatIsSupported) {
        agraph_error("the audio device%s cannot run at %.0f Hz%s (%s)", inp && outp ? "s" : "",
                     L.sample_rate, opt->sample_rate_given ? "" : ", its default rate",
                     Pa_GetErrorText(err));
        err = paNoError;
        goto done;
    }
    if (!(L.state = agraph_start_state(prog, L.sample_rate, opt, " (choose another with --sr)"))) goto done;
    L.limit = opt->duration.given ? agraph_length_frames(opt->duration, L.sample_rate) : -1;

    if (agraph_control_init(&L.ctl, prog, L.state) < 0) goto done;
    control_ready = 1;
    if (opt->control && agraph_control_create(&L.ctl, opt->control, L.sample_rate,
                                              opt->block_given ? opt->block : 0) < 0)
        goto done;

    err = Pa_OpenStream(&L.stream, inp, outp, L.sample_rate,
                        opt->block_given ? (unsigned long)opt->block : paFramesPerBufferUnspecified,
                        paNoFlag, on_audio, &L);
    if (err != paNoError) goto done;
    if (L.limit == 0) {           /* --duration 0: nothing to play */
        stopped_by = "--duration";
        keep_control = 1;
        status = AGRAPH_EXIT_OK;
        goto done;
    }
    if ((err = Pa_StartStream(L.stream)) != paNoError) goto done;
    agraph_control_set_status(&L.ctl, AGRAPH_CONTROL_RUNNING);
    keep_control = 1;
    if (!opt->quiet) describe_start(&L);
    L.commands = agraph_commands_start(&L.ctl, 0, stdout);
    if (!L.commands) goto done;

    stopped_by = wait_for_stop(&L);
    agraph_commands_stop(L.commands);
    L.commands = NULL;
    /* A stream that stopped by itself (not by its callback's choice) or went silent is left
     * alone: stopping, aborting or closing it waits on the dead server (PortAudio's JACK host,
     * for up to 10 minutes), and the process ends soon anyway. */
    if (!stopped_by && !__atomic_load_n(&L.nonfinite_at, __ATOMIC_ACQUIRE) && !L.stalled)
        L.stalled = -1;
    if (L.stalled) err = paNoError;
    else if (stopped_by && strcmp(stopped_by, "--duration") != 0) err = Pa_AbortStream(L.stream);
    else err = Pa_StopStream(L.stream);
    if (err != paNoError) goto done;
    long long nonfinite_at = __atomic_load_n(&L.nonfinite_at, __ATOMIC_ACQUIRE);
    if (!stopped_by && nonfinite_at && !opt->nan_guard) {
        agraph_error("the program computed NaN or infinity on output '%s' at %.6g s (frame %lld): "
                     "an unstable filter, or a division by zero? Stopped; --nan-guard plays silence "
                     "in its place, resets the program and goes on", prog->output_names[L.nonfinite_output],
                     (double)(nonfinite_at - 1) / L.sample_rate, nonfinite_at - 1);
        report(&L, "NaN");
        goto done;
    }
    if (nonfinite_at)
        agraph_warning("--nan-guard silenced %lld blocks holding NaN or infinity (the first at %.6g s "
                       "on '%s') and reset the program each time",
                __atomic_load_n(&L.nonfinite_blocks, __ATOMIC_RELAXED),
                (double)(nonfinite_at - 1) / L.sample_rate, prog->output_names[L.nonfinite_output]);
    if (!stopped_by) {
        char why[64] = "";
        if (L.stalled > 0) snprintf(why, sizeof why, ": no audio callback came for %.0f s", L.stalled);
        agraph_error("the audio stream stopped by itself%s (was the device unplugged, or the JACK "
                     "server stopped?)", why);
        report(&L, "the device");
        goto done;
    }
    report(&L, stopped_by);
    status = AGRAPH_EXIT_OK;

done:
    if (err != paNoError) {
        const PaHostErrorInfo *host = Pa_GetLastHostErrorInfo();
        if (err == paUnanticipatedHostError && host && host->errorText && host->errorText[0])
            agraph_error("audio: %s", host->errorText);
        else
            agraph_error("audio: %s", Pa_GetErrorText(err));
    }
    agraph_commands_stop(L.commands);
    if (L.stream && !L.stalled) {
        if (Pa_IsStreamStopped(L.stream) == 0) Pa_AbortStream(L.stream);
        Pa_CloseStream(L.stream);
    }
    if (pa_started && !L.stalled) Pa_Terminate();
    agraph_control_set_status(&L.ctl, AGRAPH_CONTROL_STOPPED);
    if (control_ready) agraph_control_close(&L.ctl, !keep_control);
    free(L.state);
    return status;
}
