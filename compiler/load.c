/* load.c — modules: read the program's file and, transitively, every `import`, each parsed
 * once. An import is looked up in the program's folder, then each -I folder, then the stdlib. */
#include "agraph.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

Vec all_modules;
#define MAX_SOURCE_BYTES (16 << 20)

enum { UNLOADED, LOADING, LOADED };

static bool read_whole(const char *path, Src *src, Loc at)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        fatal(at, "'%s' is a folder, not an agraph source file", path);
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n > MAX_SOURCE_BYTES) {
            free(buf);
            fclose(f);
            fatal(at, "'%s' is larger than %d MiB", path, MAX_SOURCE_BYTES >> 20);
        }
        if (cap - n - 1 == 0) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf) fatal(at, "out of memory reading '%s'", path);
    if (bad) { free(buf); fatal(at, "cannot read '%s': %s", path, strerror(errno)); }
    buf[n] = 0;
    src->path = arena_strdup(path);
    src->text = arena_strndup(buf, n);
    src->len = n;
    free(buf);
    return true;
}

static const char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return ".";
    if (slash == path) return "/";
    return arena_strndup(path, (size_t)(slash - path));
}

static const char *stem_of(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    return dot && dot != b ? arena_strndup(b, (size_t)(dot - b)) : arena_strdup(b);
}

static Vec loading;          /* Module* being loaded (not yet in all_modules) */

static Module *find_loaded(const char *name)
{
    for (int i = 0; i < all_modules.n; i++) {
        Module *m = all_modules.v[i];
        if (!m->is_main && strcmp(m->name, name) == 0) return m;
    }
    for (int i = 0; i < loading.n; i++) {
        Module *m = loading.v[i];
        if (!m->is_main && strcmp(m->name, name) == 0) return m;
    }
    return NULL;
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static const char *main_path;

static Vec loading_stack;   /* Ast* S_IMPORT being loaded, for the cycle note */
static void load_imports(Module *m, const char *dir);

static Module *load_import(Ast *imp, const char *from_dir)
{
    Module *m = find_loaded(imp->name);
    if (m && m->state == LOADING) {
        error(imp->loc, "import cycle: module '%s' imports itself through this import", imp->name);
        for (int i = loading_stack.n - 1; i >= 0; i--) {
            Ast *s = loading_stack.v[i];
            note(s->loc, "'%s' is imported here", s->name);
            if (strcmp(s->name, imp->name) == 0) break;
        }
        diag_abort();
    }
    if (m) return m;

    m = arena_alloc(sizeof *m);
    m->name = imp->name;
    const char *file = arena_printf("%s.agraph", imp->name);
    Vec tried = {0};
    vec_push(&tried, (void *)from_dir);
    for (int i = 0; i < opt.include_dirs.n; i++) vec_push(&tried, opt.include_dirs.v[i]);
    if (stdlib_dir()) vec_push(&tried, (void *)stdlib_dir());
    bool found = false;
    for (int i = 0; i < tried.n && !found; i++) {
        const char *path = arena_printf("%s/%s", (const char *)tried.v[i], file);
        found = read_whole(path, &m->src, imp->loc);
    }
    if (found && main_path && same_file(m->src.path, main_path))
        fatal(imp->b->loc, "the program imports itself ('%s' is this file)", m->src.path);
    if (!found) {
        error(imp->b->loc, "cannot find module '%s'", imp->name);
        for (int i = 0; i < tried.n; i++)
            note(no_loc, "looked for %s/%s", (const char *)tried.v[i], file);
        diag_abort();
    }
    m->state = LOADING;
    vec_push(&loading_stack, imp);
    vec_push(&loading, m);
    parse_module(m);
    load_imports(m, dir_of(m->src.path));
    loading.n--;
    loading_stack.n--;
    m->state = LOADED;
    vec_push(&all_modules, m);
    return m;
}

static void load_imports(Module *m, const char *dir)
{
    for (int i = 0; i < m->items.n; i++) {
        Ast *s = m->items.v[i];
        if (s->kind != S_IMPORT) continue;
        for (int j = 0; j < m->imports.n; j++)
            if (strcmp(((Module *)m->imports.v[j])->name, s->name) == 0)
                fatal(s->loc, "module '%s' is imported twice", s->name);
        vec_push(&m->imports, load_import(s, dir));
    }
}

static Module *load(const char *path, const Src *given)
{
    /* Fresh vectors: the old ones' storage may be in a previous compilation's freed arena. */
    all_modules = (Vec){ 0 };
    loading_stack = (Vec){ 0 };
    loading = (Vec){ 0 };
    main_path = given ? NULL : path;
    Module *m = arena_alloc(sizeof *m);
    m->is_main = true;
    m->name = stem_of(path);
    if (given) m->src = *given;
    else if (!read_whole(path, &m->src, no_loc))
        fatal(no_loc, "cannot open '%s': %s", path, strerror(errno));
    m->state = LOADING;
    parse_module(m);
    load_imports(m, dir_of(path));
    m->state = LOADED;
    vec_push(&all_modules, m);
    return m;
}

Module *load_program(const char *path) { return load(path, NULL); }

/* As if read from a file: the bytes may hold NULs (the lexer reports them), as read_whole keeps. */
Module *load_source_bytes(const char *path, const char *bytes, size_t len)
{
    Src s = { arena_strdup(path), arena_strndup(bytes, len), len };
    return load(path, &s);
}
