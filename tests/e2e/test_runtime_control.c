/* test_runtime_control.c — the shared-memory control block (--control FILE, runtime/agraph_control.h)
 * of a live run through a real JACK server: readers in other processes poll the probes while
 * parameters change, and never see a torn snapshot; the audio thread applies their sets; the
 * Python reader printed in docs/runtime.md works as written; the file appears whole or not at all. */
#include <sys/mman.h>

#include "agraph_control.h"
#include "runtime/harness.h"

#define POLL_HZ 100
#define RUN_S 3

static const char *probes_fixture(void)
{
    return h_tool("fixture_probes", 1, "");
}

/* A control file name of its own in /dev/shm (memory: the audio thread never waits on a disk). */
static char *shm_name(const char *tag)
{
    return fmt_str("/dev/shm/agraph-test-%s-%d", tag, (int)getpid());
}

static const agraph_control_header *map_header(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    cr_assert(fd >= 0 && fstat(fd, &st) == 0, "cannot open %s", path);
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    cr_assert(base != MAP_FAILED);
    close(fd);
    *size = (size_t)st.st_size;
    return base;
}

Test(runtime_control, readers_never_see_a_torn_snapshot, .timeout = 150)
{
    const char *dir = scratch_dir("control");
    const char *prog = probes_fixture(), *reader = h_tool("control_reader", 0, "-lm");
    char *control = shm_name("torn");
    unlink(control);
    h_jack j = h_jack_start("control", 1, 256);
    h_proc p = h_start(dir, "probes", "%s --live --duration 30s --block 256 --client-name probes "
                       "--control %s --stats json", prog, control);
    h_wait_ports("probes:out_0", &p);

    /* One reader at 100 Hz moving `gain` through the control block, one polling flat out, and
     * `freq` moving through stdin at the same time. */
    h_proc slow = h_start(dir, "slow", "%s %s %d %d gain", reader, control, RUN_S, POLL_HZ);
    h_proc fast = h_start(dir, "fast", "%s %s %d 0", reader, control, RUN_S);
    /* And one that ignores the sequence counter: it must catch torn snapshots, or the checksum
     * could not tell. */
    h_proc raw = h_start(dir, "raw", "%s %s %d 0 --raw", reader, control, RUN_S);
    for (int k = 0; k < 20; k++) {
        char *cmd = fmt_str("set freq %d\nprobe level\n", 200 + 50 * k);
        h_write(&p, cmd);
        h_sleep(RUN_S / 25.0);
    }
    cr_expect(h_wait(&slow, RUN_S + 15), "the 100 Hz reader did not end");
    cr_expect(h_wait(&fast, RUN_S + 15), "the fast reader did not end");
    cr_expect(h_wait(&raw, RUN_S + 15), "the raw reader did not end");

    /* The stdin probe of the ramp is checked the same way: one line, width numbers. */
    h_write(&p, "probe ramp\n");
    cr_expect(h_wait_output(&p, "ok ramp ", 5));
    h_write(&p, "quit\n");
    cr_expect(h_wait(&p, 10), "the program did not stop after 'quit'");
    h_jack_stop(&j);

    char *slow_out = h_stdout(&slow), *fast_out = h_stdout(&fast), *out = h_stdout(&p);
    cr_expect_eq(slow.status, 0, "100 Hz reader: %s%s", slow_out, h_stderr(&slow));
    cr_expect_eq(fast.status, 0, "fast reader: %s%s", fast_out, h_stderr(&fast));
    long polls = 0, torn = -1, sets = 0, applied = -1;
    cr_expect(sscanf(slow_out, "polls %ld torn %ld retries %*d sets %ld applied %ld", &polls, &torn,
                     &sets, &applied) == 4, "%s", slow_out);
    cr_expect_geq(polls, RUN_S * POLL_HZ / 2, "%s", slow_out);
    cr_expect_eq(torn, 0, "%s", slow_out);
    cr_expect_geq(sets, 10, "%s", slow_out);
    cr_expect_geq(applied, sets - 1, "%s", slow_out);
    cr_expect(strstr(fast_out, " torn 0 "), "%s", fast_out);
    char *raw_out = h_stdout(&raw);
    long raw_torn = 0;
    cr_expect(sscanf(raw_out, "polls %*d torn %ld", &raw_torn) == 1 && raw_torn > 0,
              "reading without the sequence counter caught no torn snapshot: %s", raw_out);
    printf("control block, reader ignoring the sequence counter: %s", raw_out);
    printf("control block, 100 Hz reader: %s", slow_out);
    printf("control block, flat-out reader: %s", fast_out);

    /* The ramp read through stdin: b, b+1, ..., then the checksum. */
    const char *ramp = strstr(out, "ok ramp ");
    cr_assert(ramp, "%s", out);
    ramp += 8;
    double first = strtod(ramp, NULL), sum = 0, v = 0;
    char *end = (char *)ramp;
    int k = 0;
    for (; k < 1023; k++) {
        v = strtod(end, &end);
        cr_expect_eq(v, first + k, "ramp[%d] is %g", k, v);
        sum += v;
    }
    cr_expect_eq(strtod(end, &end), fmod(sum, 1048576.0), "the ramp's checksum");
    cr_expect_eq(*end, '\n');
    cr_expect(strstr(out, "ok level 0."), "%s", out);
    cr_expect(strstr(out, "\"stopped_by\": \"quit\""), "%s", out);
    /* The audio thread never waited for the readers: its longest callback stayed far inside the
     * block, flat-out readers and all. */
    const char *m = strstr(out, "\"callback_max_us\": ");
    double max_us = 1e9;
    cr_expect(m && sscanf(m, "\"callback_max_us\": %lf", &max_us) == 1, "%s", out);
    cr_expect_lt(max_us, 5333.3 / 4, "the callback took %.1f us of a 5333 us block", max_us);
    printf("control block, the program: %s", strstr(out, "{"));

    /* What the file holds after the run: stopped, with the heartbeat where it ended. */
    size_t size;
    const agraph_control_header *h = map_header(control, &size);
    cr_expect_eq(h->magic, AGRAPH_CONTROL_MAGIC);
    cr_expect_eq(h->status, AGRAPH_CONTROL_STOPPED);
    cr_expect_gt(h->blocks, 0);
    cr_expect_eq(h->n_params, 2);
    cr_expect_eq(h->n_probes, 2);
    cr_expect_eq(h->sample_rate, 48000);
    cr_expect_eq(h->block, 256);
    cr_expect_str_eq(h->name, "probes");
    const agraph_control_param *params = (const void *)((const char *)h + h->params_offset);
    cr_expect_str_eq(params[0].name, "freq");
    cr_expect_str_eq(params[0].unit, "Hz");
    cr_expect_eq(params[0].value, 1150, "the last stdin set is the value in effect: %g", params[0].value);
    cr_expect_str_eq(params[1].name, "gain");
    cr_expect_eq(params[1].min, -60);
    const agraph_control_probe *probes = (const void *)((const char *)h + h->probes_offset);
    cr_expect_str_eq(probes[1].name, "ramp");
    cr_expect_eq(probes[1].width, 1024);
    cr_expect_eq(probes[1].snapshot_offset % 64, 0);
    cr_expect_leq(probes[1].snapshot_offset + 16 + 4 * 1024, size);
    munmap((void *)h, size);
    unlink(control);
}

/* The Python reader in docs/runtime.md, run as written (with the Debian python3, which has numpy):
 * it reads the parameters and the probes, sets one, and sees it applied. */
Test(runtime_control, the_documented_python_reader_works, .timeout = 150)
{
    const char *dir = scratch_dir("control-py");
    char *doc = read_file("docs/runtime.md", NULL);
    cr_assert(doc, "docs/runtime.md is missing");
    const char *begin = strstr(doc, "```python\n# agraph_control.py");
    cr_assert(begin, "docs/runtime.md has no ```python block starting '# agraph_control.py'");
    begin = strchr(begin, '\n') + 1;
    const char *end = strstr(begin, "```");
    cr_assert(end);
    char *module = fmt_str("%s/agraph_control.py", dir);
    cr_assert_eq(write_file(module, fmt_str("%.*s", (int)(end - begin), begin)), 0);

    const char *prog = probes_fixture();
    char *control = shm_name("py");
    unlink(control);
    h_jack j = h_jack_start("control-py", 1, 256);
    h_proc p = h_start(dir, "probes", "%s --live --duration 30s --client-name probes --control %s",
                       prog, control);
    h_wait_ports("probes:out_0", &p);
    char *script = fmt_str("%s/use.py", dir);
    cr_assert_eq(write_file(script,
        "import sys, time\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from agraph_control import Control\n"
        "c = Control(sys.argv[2])\n"
        "assert c.name == 'probes', c.name\n"
        "assert c.status == 'running', c.status\n"
        "assert [p['name'] for p in c.params] == ['freq', 'gain'], c.params\n"
        "assert c.params[1]['unit'] == 'dB' and c.params[1]['min'] == -60\n"
        "assert c.get('gain') == -6, c.get('gain')\n"
        "c.set('gain', -20, wait=True)\n"
        "assert abs(c.get('gain') + 20) < 1e-5, c.get('gain')\n"
        "time.sleep(0.05)\n"
        "level = c.probe('level')\n"
        "assert abs(level[0] - 0.1) < 1e-5, level\n"
        "ramp = c.probe('ramp')\n"
        "assert len(ramp) == 1024 and all(ramp[k] == ramp[0] + k for k in range(1023)), ramp[:4]\n"
        "c.set('freq', 1e9, wait=True)\n"
        "assert c.get('freq') == 20000, c.get('freq')\n"
        "print('python reader: blocks', c.blocks, 'underruns', c.underruns)\n"), 0);
    run_result r = run_cmd(30, "/usr/bin/python3 %s %s %s", script, dir, control);
    h_write(&p, "quit\n");
    h_wait(&p, 10);
    h_jack_stop(&j);
    cr_expect_eq(r.status, 0, "the documented reader failed:\n%s%s", r.out, r.err);
    cr_expect(strstr(r.out, "python reader: blocks"), "%s", r.out);
    printf("%s", r.out);
    run_free(&r);
    unlink(control);
}

Test(runtime_control, the_file_appears_whole_or_not_at_all, .timeout = 150)
{
    const char *dir = scratch_dir("control-file");
    const char *prog = probes_fixture();
    h_jack j = h_jack_start("control-file", 1, 256);

    /* An existing file is replaced; the program's run leaves it, stopped. */
    char *control = fmt_str("%s/control", dir);
    cr_assert_eq(write_file(control, "an older file\n"), 0);
    run_result r = run_cmd(20, "%s --live --duration 0.3s --quiet --control %s", prog, control);
    cr_expect_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    size_t size;
    const agraph_control_header *h = map_header(control, &size);
    cr_expect_eq(h->magic, AGRAPH_CONTROL_MAGIC);
    cr_expect_eq(h->status, AGRAPH_CONTROL_STOPPED);
    cr_expect_eq(h->frames, 14400, "--duration 0.3s is 14400 frames: %llu", (unsigned long long)h->frames);
    munmap((void *)h, size);

    /* A run that cannot start leaves no control file, and no temporary one. */
    char *gone = fmt_str("%s/gone", dir);
    static const struct { const char *args, *msg; } cases[] = {
        { "--sr 44100", "cannot run at 44100 Hz" },
        { "--device nosuch", "no audio output device is called 'nosuch'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = run_cmd(20, "%s --live --control %s %s", prog, gone, cases[i].args);
        cr_expect_eq(r.status, 1, "%s: %s", cases[i].args, r.err);
        cr_expect(strstr(r.err, cases[i].msg), "%s: %s", cases[i].args, r.err);
        cr_expect(!file_exists(gone), "%s left %s", cases[i].args, gone);
        run_free(&r);
    }
    r = run_cmd(20, "%s --live --control %s/missing/control", prog, dir);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "probes: error: cannot write") && strstr(r.err, "does not exist"), "%s", r.err);
    run_free(&r);
    r = run_cmd(20, "ls -A %s", dir);
    cr_expect_str_eq(r.out, "control\n", "files left behind:\n%s", r.out);
    run_free(&r);
    h_jack_stop(&j);
}
