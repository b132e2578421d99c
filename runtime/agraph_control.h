/* agraph_control.h — the shared-memory control block of a live agraph program (`--live --control
 * FILE`): a file the runtime creates and maps, which another process (a notebook, a GUI) maps too,
 * to set parameters and read probes while audio runs. Nobody ever waits for anybody: every field
 * that changes has one writer, and values wider than 4 bytes travel under a sequence counter
 * (a seqlock), so a reader retries instead of blocking the audio thread. docs/runtime.md describes
 * the protocol step by step, with a Python reader.
 *
 * Layout version 1. Numbers are in the machine's byte order (little-endian on x86-64 and arm64);
 * every offset is in bytes from the start of the file; sizes and offsets are fixed here and also
 * written into the header, so a reader can check them. */
#ifndef AGRAPH_CONTROL_H
#define AGRAPH_CONTROL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AGRAPH_CONTROL_MAGIC 0x43524741u   /* the bytes "AGRC" read as a little-endian uint32 */
#define AGRAPH_CONTROL_VERSION 1u
#define AGRAPH_CONTROL_NAME_MAX 48         /* names are NUL-terminated within this many bytes */
#define AGRAPH_CONTROL_UNIT_MAX 16

/* header.status */
enum {
    AGRAPH_CONTROL_STARTING = 0,    /* the file exists; the audio stream is not running yet */
    AGRAPH_CONTROL_RUNNING = 1,     /* the audio callback runs: blocks counts up */
    AGRAPH_CONTROL_STOPPED = 2,     /* the program stopped; the values stay as they were last */
};

/* At offset 0. Written once by the runtime before the file appears under its name, except the
 * fields marked "live", which the audio thread updates every block (32- and 64-bit aligned
 * stores: read them with plain or atomic loads). */
typedef struct agraph_control_header {
    uint32_t magic;             /*   0  AGRAPH_CONTROL_MAGIC */
    uint32_t version;           /*   4  AGRAPH_CONTROL_VERSION */
    uint32_t header_size;       /*   8  sizeof(agraph_control_header) = 256 */
    uint32_t file_size;         /*  12  the whole file, a multiple of the page size */
    uint32_t n_params;          /*  16  parameter slots at params_offset */
    uint32_t params_offset;     /*  20  */
    uint32_t param_size;        /*  24  sizeof(agraph_control_param) = 128 */
    uint32_t n_probes;          /*  28  probe descriptors at probes_offset */
    uint32_t probes_offset;     /*  32  */
    uint32_t probe_size;        /*  36  sizeof(agraph_control_probe) = 64 */
    uint32_t n_inputs;          /*  40  audio channels of the program */
    uint32_t n_outputs;         /*  44  */
    double sample_rate;         /*  48  of the running stream */
    uint32_t block;             /*  56  frames per callback asked for (--block); 0: the host's */
    int32_t pid;                /*  60  of the running program */
    uint32_t status;            /*  64  live: AGRAPH_CONTROL_* */
    uint32_t reserved0;         /*  68  */
    uint64_t blocks;            /*  72  live: audio callbacks so far (a heartbeat) */
    uint64_t frames;            /*  80  live: frames processed so far */
    uint64_t underruns;         /*  88  live: callbacks told that output was starved */
    uint64_t overruns;          /*  96  live: callbacks told that input was lost */
    uint64_t callback_max_ns;   /* 104  live: the longest callback so far, in nanoseconds */
    char name[64];              /* 112  the program's name */
    uint8_t reserved[80];       /* 176  zero */
} agraph_control_header;

/* One per parameter, in the order of --list-params. The host asks for a value through request
 * (its seqlock request_seq); the audio thread applies it at the start of its next block, through
 * the program's set_param (which clamps to [min, max]), and publishes the value in effect through
 * value (its seqlock value_seq). A value set by another route (stdin `set`) is published too.
 *
 *   host, to set v:   s = request_seq (even);  request_seq = s + 1;  release fence;
 *                     request = v;  request_seq = s + 2 (release store)
 *   runtime, a block: s1 = request_seq (acquire); if s1 is even and differs from what it last
 *                     applied: v = request; acquire fence; s2 = request_seq; if s1 == s2, apply v
 *                     and store applied_seq = s1 (release)
 *   host, to read:    do { s1 = value_seq (acquire); v = value; acquire fence; s2 = value_seq }
 *                     while (s1 is odd or s1 != s2)
 *
 * The host waits for applied_seq == its request_seq to know that its value took effect. A value
 * that is not a finite number is ignored (applied_seq still moves on). */
typedef struct agraph_control_param {
    char name[AGRAPH_CONTROL_NAME_MAX];     /*   0  */
    char unit[AGRAPH_CONTROL_UNIT_MAX];     /*  48  "", "Hz", "kHz", "ms", "s", "dB" */
    double min, max, def;                   /*  64, 72, 80  in the parameter's unit */
    int32_t kind;                           /*  88  AGRAPH_PARAM_* (0 slider, 1 button, 2 toggle) */
    int32_t scale;                          /*  92  AGRAPH_SCALE_* (0 linear, 1 log) */
    uint32_t request_seq;                   /*  96  host-written; starts at 0 */
    uint32_t applied_seq;                   /* 100  runtime-written */
    double request;                         /* 104  host-written, in the parameter's unit */
    uint32_t value_seq;                     /* 112  runtime-written; odd while value changes */
    uint32_t reserved0;                     /* 116  */
    double value;                           /* 120  runtime-written: the value in effect */
} agraph_control_param;

/* One per probe, in the program's order. Its latest snapshot is at snapshot_offset. */
typedef struct agraph_control_probe {
    char name[AGRAPH_CONTROL_NAME_MAX];     /*   0  */
    uint32_t width;                         /*  48  floats in a snapshot */
    uint32_t snapshot_offset;               /*  52  a multiple of 64 */
    uint64_t reserved0;                     /*  56  */
} agraph_control_probe;

/* A probe's latest values, copied out of the program by the audio thread after every block:
 *   runtime:  seq = s + 1; release fence; frame = ...; values = ...; seq = s + 2 (release)
 *   reader:   do { s1 = seq (acquire); copy frame and values; acquire fence; s2 = seq }
 *             while (s1 is odd or s1 != s2)
 * A reader that loses the race just copies again; the audio thread never waits for it. */
typedef struct agraph_control_snapshot {
    uint32_t seq;                           /*   0  odd while the audio thread writes */
    uint32_t width;                         /*   4  */
    uint64_t frame;                         /*   8  frames processed when it was taken */
    float values[];                         /*  16  width floats */
} agraph_control_snapshot;

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(agraph_control_header) == 256, "agraph_control_header is 256 bytes");
_Static_assert(sizeof(agraph_control_param) == 128, "agraph_control_param is 128 bytes");
_Static_assert(sizeof(agraph_control_probe) == 64, "agraph_control_probe is 64 bytes");
_Static_assert(sizeof(agraph_control_snapshot) == 16, "agraph_control_snapshot is 16 bytes");
#endif

#ifdef __cplusplus
}
#endif
#endif /* AGRAPH_CONTROL_H */
