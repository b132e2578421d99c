/* arena.c — the compiler's memory: one arena per compilation, freed at once at the end
 * (STYLE.md §4), and a growable pointer vector. */
#include "agraph.h"

#include <stdlib.h>
#include <string.h>

typedef struct Chunk { struct Chunk *next; size_t used, cap; max_align_t data[]; } Chunk;
static Chunk *chunks;
static size_t arena_total;
#define ARENA_LIMIT ((size_t)4 << 30)   /* the compiler refuses to grow past 4 GiB */

void *arena_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!chunks || chunks->used + n > chunks->cap) {
        size_t cap = n > (1u << 20) ? n : (1u << 20);
        if (arena_total + cap > ARENA_LIMIT)
            fatal(no_loc, "out of memory: the program is too large to compile");
        Chunk *c = malloc(sizeof(Chunk) + cap);
        if (!c) fatal(no_loc, "out of memory");
        c->next = chunks;
        c->used = 0;
        c->cap = cap;
        chunks = c;
        arena_total += cap;
    }
    void *p = (char *)chunks->data + chunks->used;
    chunks->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(const char *s, size_t n)
{
    char *p = arena_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(const char *s) { return arena_strndup(s, strlen(s)); }

char *arena_printf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void arena_free_all(void)
{
    while (chunks) {
        Chunk *c = chunks->next;
        free(chunks);
        chunks = c;
    }
    arena_total = 0;
}

void vec_push(Vec *v, void *p)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 8;
        void **nv = arena_alloc(sizeof(void *) * (size_t)cap);
        if (v->n) memcpy(nv, v->v, sizeof(void *) * (size_t)v->n);
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = p;
}
