/* lex.re — the lexer: re2c turns this into build/compiler/lex.c (`re2c -W -o lex.c lex.re`).
 * It pushes tokens into the Lemon parser one at a time (STYLE.md §7). Newlines end statements,
 * except inside ( ) and [ ], after an operator or comma, and before a line that opens with `|>`. */
#include "agraph.h"
#include "agraph_json.h"
#include "parse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void *agpAlloc(void *(*)(size_t));
void agp(void *, int, Token, Module *);

const char *const unit_spelling[] = {
#define UNIT(id, spelling, dim, factor) spelling,
    AGRAPH_UNITS(UNIT)
#undef UNIT
};
const int unit_dim[] = {
#define UNIT(id, spelling, dim, factor) dim,
    AGRAPH_UNITS(UNIT)
#undef UNIT
};
const double unit_factor[] = {
#define UNIT(id, spelling, dim, factor) factor,
    AGRAPH_UNITS(UNIT)
#undef UNIT
};

int unit_lookup(const char *s, size_t n)
{
    for (int i = 0; i < N_UNITS; i++)
        if (strlen(unit_spelling[i]) == n && memcmp(unit_spelling[i], s, n) == 0) return i;
    return -1;
}

/*   keyword     token */
#define KEYWORDS(X)                                                       \
    X("import", TK_IMPORT) X("input", TK_INPUT) X("output", TK_OUTPUT)    \
    X("param", TK_PARAM) X("button", TK_BUTTON) X("toggle", TK_TOGGLE)    \
    X("block", TK_BLOCK) X("return", TK_RETURN) X("probe", TK_PROBE)      \
    X("sum", TK_SUM) X("prod", TK_PROD) X("par", TK_PAR)                  \
    X("chain", TK_CHAIN) X("in", TK_IN) X("from", TK_FROM)                \
    X("table", TK_TABLE)

static int keyword(const char *s, size_t n)
{
#define X(word, tok) if (strlen(word) == n && memcmp(word, s, n) == 0) return tok;
    KEYWORDS(X)
#undef X
    return TK_IDENT;
}

/* The lexer's state while it feeds one module to the parser. */
typedef struct Lexer {
    Module *mod;
    void *parser;
    int last;                   /* previous token pushed, 0 at start */
    Loc open[256];              /* open brackets, for "to close" notes */
    char open_ch[256];
    int depth;                  /* ( and [ nesting: newlines inside are spaces */
    int total_depth;            /* including { } */
    Loc at;                     /* the token being pushed */
} Lexer;

static Lexer *cur;

int lex_prev_token(void) { return cur ? cur->last : 0; }
Loc lex_current_loc(void) { return cur ? cur->at : no_loc; }

/* For the parser's syntax-error handler: the innermost bracket still open, if any. */
bool lex_open_bracket(Loc *at, char *ch)
{
    if (!cur || cur->total_depth == 0) return false;
    int i = cur->total_depth - 1;
    if (i >= 256) i = 255;
    *at = cur->open[i];
    *ch = cur->open_ch[i];
    return true;
}

/* A newline after one of these continues the statement: binary operators, ',', '|>', '@',
 * ':', '..', '{' (and anything inside ( ) or [ ], where newlines never count). */
static bool continues(int tok)
{
    switch (tok) {
    case 0: case TK_NL: case TK_LBRACE: case TK_COMMA: case TK_PIPE: case TK_AT: case TK_COLON:
    case TK_DOTDOT: case TK_PLUS: case TK_MINUS: case TK_STAR: case TK_SLASH: case TK_PERCENT:
    case TK_CARET: case TK_LT: case TK_LE: case TK_GT: case TK_GE: case TK_EQ: case TK_NE:
    case TK_ANDAND: case TK_OROR: case TK_NOT:
        return true;
    default:
        return false;
    }
}

FILE *lex_dump_to;

static void push(Lexer *L, int tok, Token t)
{
    L->at = t.loc;
    if (lex_dump_to) {
        int line, col;
        loc_linecol(t.loc, &line, &col);
        fprintf(lex_dump_to, "%d:%d %s", line, col, token_name(tok));
        if (tok == TK_NUMBER) {
            fprintf(lex_dump_to, " %g%s", t.num, t.unit >= 0 ? unit_spelling[t.unit] : "");
            if (t.is_int) fprintf(lex_dump_to, " int");
        } else if (tok == TK_IDENT || tok == TK_STRING) fprintf(lex_dump_to, " %s", t.str);
        fputc('\n', lex_dump_to);
    }
    agp(L->parser, tok, t, L->mod);
    L->last = tok;
}

static Token tok_at(Lexer *L, const char *s, const char *e)
{
    Token t;
    memset(&t, 0, sizeof t);
    t.loc.src = &L->mod->src;
    t.loc.off = (int)(s - L->mod->src.text);
    t.loc.len = (int)(e - s);
    t.unit = -1;
    return t;
}

static void open_bracket(Lexer *L, Token t, char ch)
{
    if (L->total_depth < 256) {
        L->open[L->total_depth] = t.loc;
        L->open_ch[L->total_depth] = ch;
    }
    L->total_depth++;
    if (ch != '{') L->depth++;
}

static void close_bracket(Lexer *L, Token t, char ch)
{
    char want = ch == ')' ? '(' : ch == ']' ? '[' : '{';
    if (L->total_depth == 0) fatal(t.loc, "unmatched '%c'", ch);
    int i = L->total_depth - 1;
    if (i < 256 && L->open_ch[i] != want) {
        int line, col;
        loc_linecol(L->open[i], &line, &col);
        error(t.loc, "'%c' does not match '%c' (to close '%c' at %d:%d)", ch, L->open_ch[i],
              L->open_ch[i], line, col);
        note(L->open[i], "the '%c' opened here", L->open_ch[i]);
        diag_abort();
    }
    L->total_depth--;
    if (ch != '}') L->depth--;
}

/* A number with an optional unit suffix: 440, 0.5, 1e-3, 2kHz, 350ms, -6dB (the minus is an
 * operator that the parser folds into a dB literal), 64samples. */
static Token number(Lexer *L, const char *s, const char *e)
{
    Token t = tok_at(L, s, e);
    const char *u = s;
    while (u < e && ((*u >= '0' && *u <= '9') || *u == '.' || *u == 'e' || *u == 'E' ||
                     ((*u == '+' || *u == '-') && (u[-1] == 'e' || u[-1] == 'E')))) {
        /* 'e' starts an exponent only when a digit (or sign and digit) follows */
        if ((*u == 'e' || *u == 'E') &&
            !(u[1] >= '0' && u[1] <= '9') &&
            !((u[1] == '+' || u[1] == '-') && u[2] >= '0' && u[2] <= '9'))
            break;
        u++;
    }
    char buf[128];
    size_t n = (size_t)(u - s);
    if (n >= sizeof buf) fatal(t.loc, "number literal is too long");
    memcpy(buf, s, n);
    buf[n] = 0;
    t.num = strtod(buf, NULL);
    t.is_int = strpbrk(buf, ".eE") == NULL;
    if (!isfinite(t.num)) fatal(t.loc, "number literal is too large");
    if (t.is_int && t.num > 2147483647.0)
        fatal(t.loc, "integer literal is too large (the limit is 2147483647)");
    if (u < e) {
        t.unit = unit_lookup(u, (size_t)(e - u));
        if (t.unit < 0) {
            Token ut = tok_at(L, u, e);
            fatal(ut.loc, "unknown unit '%.*s' (units are Hz, kHz, ms, s, dB, samples)",
                  (int)(e - u), u);
        }
        if (t.unit != U_SAMPLES) t.is_int = false;
        else if (!t.is_int) fatal(t.loc, "a number of samples must be a whole number");
    }
    return t;
}

static Token string(Lexer *L, const char *s, const char *e)
{
    Token t = tok_at(L, s, e);
    char *out = arena_alloc((size_t)(e - s));
    size_t n = 0;
    for (const char *p = s + 1; p < e - 1; p++) {
        if (*p == '\\') {
            p++;
            switch (*p) {
            case 'n': out[n++] = '\n'; break;
            case 't': out[n++] = '\t'; break;
            case '"': out[n++] = '"'; break;
            case '\\': out[n++] = '\\'; break;
            default: {
                Token et = tok_at(L, p - 1, p + 1);
                fatal(et.loc, "unknown escape '\\%c' in string", *p);
            }
            }
        } else if ((unsigned char)*p >= 0x80) {
            /* Strings are labels, shown in a terminal, a notebook, JSON: UTF-8 text only. */
            /* the closing quote is not a continuation byte: the sequence ends before it */
            int k = agraph_utf8_length((const unsigned char *)p);
            if (k == 0) {
                Token bt = tok_at(L, p, p + 1);
                fatal(bt.loc, "byte 0x%02x in this string is not UTF-8 text (save the file as UTF-8)",
                      (unsigned char)*p);
            }
            memcpy(out + n, p, (size_t)k);
            n += (size_t)k;
            p += k - 1;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = 0;
    t.str = out;
    return t;
}

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:yyfill:enable = 0;
    re2c:flags:input = custom;
    re2c:api:style = free-form;
    re2c:define:YYPEEK = "*cursor";
    re2c:define:YYSKIP = "++cursor;";
    re2c:define:YYBACKUP = "marker = cursor;";
    re2c:define:YYRESTORE = "cursor = marker;";

    digit = [0-9];
    ident = [a-zA-Z_][a-zA-Z_0-9]*;
    frac  = digit+ "." digit+ | "." digit+;
    exp   = [eE] [+-]? digit+;
    num   = (digit+ | frac) exp? [a-zA-Z]*;
*/

/* After a newline: is the next meaningful thing a `|>` that continues the statement? */
static bool continues_with_pipe(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n') p++;
            continue;
        }
        if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            if (!e) return false;
            p = e + 2;
            continue;
        }
        return p[0] == '|' && p[1] == '>';
    }
}

void parse_module(Module *m)
{
    Lexer L;
    memset(&L, 0, sizeof L);
    L.mod = m;
    L.parser = agpAlloc(arena_alloc);
    Lexer *saved = cur;
    cur = &L;
    const char *text = m->src.text;
    const char *cursor = text, *marker = text;
    (void)marker;

    for (;;) {
        const char *tok = cursor;
        int t;
        Token v;
/*!re2c
    *   {
            Token bad = tok_at(&L, tok, cursor);
            unsigned char c = (unsigned char)*tok;
            if (c >= 32 && c < 127) fatal(bad.loc, "unexpected character '%c'", c);
            fatal(bad.loc, "unexpected byte 0x%02x (agraph source is ASCII outside strings and comments)", c);
        }
    "\x00" {
            if ((size_t)(tok - text) < m->src.len) {
                Token bad = tok_at(&L, tok, cursor);
                fatal(bad.loc, "NUL byte in source");
            }
            if (L.total_depth > 0) {
                Loc at; char ch;
                lex_open_bracket(&at, &ch);
                Token end = tok_at(&L, tok, tok);
                error(end.loc, "unexpected end of file: '%c' is still open", ch);
                note(at, "the '%c' opened here", ch);
                diag_abort();
            }
            v = tok_at(&L, tok, tok);
            if (L.last != TK_NL && L.last != 0) push(&L, TK_NL, v);
            agp(L.parser, 0, v, m);
            break;
        }
    [ \t\r]+ { continue; }
    "//" [^\n\x00]* { continue; }
    "/*" {
            const char *p = cursor;
            while (*p && !(p[0] == '*' && p[1] == '/')) p++;
            if (!*p) {
                Token bad = tok_at(&L, tok, cursor);
                fatal(bad.loc, "unterminated comment");
            }
            cursor = p + 2;
            continue;
        }
    "\n" {
            if (L.depth == 0 && !continues(L.last) && !continues_with_pipe(cursor)) {
                push(&L, TK_NL, tok_at(&L, tok, cursor));
            }
            continue;
        }
    ";"  { push(&L, TK_NL, tok_at(&L, tok, cursor)); continue; }
    num  { v = number(&L, tok, cursor); t = TK_NUMBER; goto emit; }
    ident {
            v = tok_at(&L, tok, cursor);
            v.str = arena_strndup(tok, (size_t)(cursor - tok));
            t = keyword(tok, (size_t)(cursor - tok));
            goto emit;
        }
    "\"" ([^"\\\n\x00] | "\\" [^\n\x00])* "\"" { v = string(&L, tok, cursor); t = TK_STRING; goto emit; }
    "\"" {
            Token bad = tok_at(&L, tok, cursor);
            fatal(bad.loc, "unterminated string");
        }
    "("  { t = TK_LPAREN; v = tok_at(&L, tok, cursor); open_bracket(&L, v, '('); goto emit; }
    ")"  { t = TK_RPAREN; v = tok_at(&L, tok, cursor); close_bracket(&L, v, ')'); goto emit; }
    "["  { t = TK_LBRACKET; v = tok_at(&L, tok, cursor); open_bracket(&L, v, '['); goto emit; }
    "]"  { t = TK_RBRACKET; v = tok_at(&L, tok, cursor); close_bracket(&L, v, ']'); goto emit; }
    "{"  { t = TK_LBRACE; v = tok_at(&L, tok, cursor); open_bracket(&L, v, '{'); goto emit; }
    "}"  { t = TK_RBRACE; v = tok_at(&L, tok, cursor); close_bracket(&L, v, '}'); goto emit; }
    "|>" { t = TK_PIPE; goto simple; }
    ".." { t = TK_DOTDOT; goto simple; }
    "+"  { t = TK_PLUS; goto simple; }
    "-"  { t = TK_MINUS; goto simple; }
    "*"  { t = TK_STAR; goto simple; }
    "/"  { t = TK_SLASH; goto simple; }
    "%"  { t = TK_PERCENT; goto simple; }
    "^"  { t = TK_CARET; goto simple; }
    "<"  { t = TK_LT; goto simple; }
    "<=" { t = TK_LE; goto simple; }
    ">"  { t = TK_GT; goto simple; }
    ">=" { t = TK_GE; goto simple; }
    "==" { t = TK_EQ; goto simple; }
    "!=" { t = TK_NE; goto simple; }
    "&&" { t = TK_ANDAND; goto simple; }
    "||" { t = TK_OROR; goto simple; }
    "!"  { t = TK_NOT; goto simple; }
    "="  { t = TK_ASSIGN; goto simple; }
    ","  { t = TK_COMMA; goto simple; }
    ":"  { t = TK_COLON; goto simple; }
    "@"  { t = TK_AT; goto simple; }
*/
    simple:
        v = tok_at(&L, tok, cursor);
    emit:
        push(&L, t, v);
    }
    cur = saved;
}
