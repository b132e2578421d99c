/* agraph_json.h — JSON strings for the compiler (--emit-lib's description, which also reaches
 * --emit-wasm) and the runtime (--info, --list-params) alike. Names, labels and paths come from
 * source files and file names, and the JSON reaches JavaScript and HTML <script> blocks (the
 * notebook's browser mode), so: quotes and backslashes are escaped, control characters and DEL
 * become \n, \t ... or \u00XX, <, > and & become \u003c \u003e \u0026, U+2028 and U+2029 (line
 * ends to JavaScript) are escaped, and bytes that are not UTF-8 become U+FFFD. */
#ifndef AGRAPH_JSON_H
#define AGRAPH_JSON_H

#include <stdio.h>
#include <string.h>

/* The length of the well-formed UTF-8 sequence at c (1 to 4), or 0 if it is not one (a stray
 * continuation byte, a truncated or overlong sequence, a surrogate, beyond U+10FFFF). A NUL ends a
 * sequence early, so this never reads past the string. */
static inline int agraph_utf8_length(const unsigned char *c)
{
    int n = c[0] < 0x80 ? 1 : c[0] >= 0xc2 && c[0] <= 0xdf ? 2 : c[0] >= 0xe0 && c[0] <= 0xef ? 3
          : c[0] >= 0xf0 && c[0] <= 0xf4 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((c[i] & 0xc0) != 0x80) return 0;
    if (n == 3 && ((c[0] == 0xe0 && c[1] < 0xa0) || (c[0] == 0xed && c[1] >= 0xa0))) return 0;
    if (n == 4 && ((c[0] == 0xf0 && c[1] < 0x90) || (c[0] == 0xf4 && c[1] >= 0x90))) return 0;
    return n;
}

/* The room agraph_json_quote needs for s: at most 6 characters out per byte in, the quotes, NUL. */
#define AGRAPH_JSON_ROOM(s) (strlen(s) * 6 + 3)

/* s as a quoted JSON string in out (AGRAPH_JSON_ROOM(s) bytes); returns its length. */
static inline size_t agraph_json_quote(char *out, const char *s)
{
    size_t k = 0;
    out[k++] = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c >= 0x80) {
            int n = agraph_utf8_length(c);
            if (n == 0) k += (size_t)sprintf(out + k, "\\ufffd");
            else if (n == 3 && c[0] == 0xe2 && c[1] == 0x80 && (c[2] == 0xa8 || c[2] == 0xa9))
                k += (size_t)sprintf(out + k, "\\u%04x", c[2] == 0xa8 ? 0x2028 : 0x2029);
            else {
                memcpy(out + k, c, (size_t)n);
                k += (size_t)n;
            }
            if (n > 1) c += n - 1;
            continue;
        }
        const char *e = NULL;
        switch (*c) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        }
        if (e) k += (size_t)sprintf(out + k, "%s", e);
        else if (*c < 0x20 || *c == 0x7f || *c == '<' || *c == '>' || *c == '&')
            k += (size_t)sprintf(out + k, "\\u%04x", *c);
        else out[k++] = (char)*c;
    }
    out[k++] = '"';
    out[k] = 0;
    return k;
}

#endif /* AGRAPH_JSON_H */
