/* agraph.h — the compiler's one shared header, in sections per pass, in pipeline order:
 * source -> tokens (lex.re) -> AST (parse.y, ast.c, load.c) -> names (resolve.c) -> graph
 * (expand.c) -> checked graph (check.c) -> scalar IR (lower.c) -> schedule (schedule.c,
 * verify.c) -> C text (emit_c.c) -> executable (build.c). */
#ifndef AGRAPH_H
#define AGRAPH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "agraph_units.h"
#include "agraph_program.h"

/* ============================== arena.c: memory ============================================ */
/* Everything the compiler allocates comes from one arena, freed once at the end. */
void *arena_alloc(size_t n);                /* zeroed; never NULL (exits on exhaustion) */
char *arena_strndup(const char *s, size_t n);
char *arena_strdup(const char *s);
char *arena_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void arena_free_all(void);

/* A growable array of pointers. */
typedef struct { void **v; int n, cap; } Vec;
void vec_push(Vec *v, void *p);
#define VEC_AT(vec, i, T) ((T)(vec).v[i])

/* ============================== diag.c: diagnostics ======================================== */
typedef struct Src {
    const char *path;     /* as the user named it */
    const char *text;     /* whole file, NUL-terminated */
    size_t len;
} Src;

typedef struct Loc {
    const Src *src;
    int off, len;         /* byte span in src->text */
} Loc;

extern Loc no_loc;
/* error() prints `file:line:col: error: msg`, the source line and a caret under the span.
 * note() adds a related place. Both may be called with no_loc. */
void error(Loc at, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void note(Loc at, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warning(Loc at, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fatal(Loc at, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
int error_count(void);
void diag_reset(void);
void diag_set_output(FILE *f);           /* default stderr */
void loc_linecol(Loc at, int *line, int *col);
Loc loc_span(Loc a, Loc b);              /* from the start of a to the end of b */
/* When errors stop the compilation, this unwinds to the driver (set in main.c / tests). */
void diag_abort(void) __attribute__((noreturn));
extern int diag_max_errors;

/* ============================== lex.re: tokens ============================================= */
typedef struct Token {
    Loc loc;
    double num;           /* NUMBER */
    int unit;             /* NUMBER: index into the unit table, or -1 */
    bool is_int;          /* NUMBER written without '.', exponent or unit */
    const char *str;      /* IDENT (name), STRING (unescaped contents) */
} Token;

/* Lex src and push every token into a fresh parser; returns the module's items, or NULL after
 * a syntax error (already reported). */
struct Ast;
struct Module;
void parse_module(struct Module *m);
extern FILE *lex_dump_to;                /* --dump=tokens: every token as it is pushed */
const char *token_name(int major);       /* parse.y */
/* Units, from agraph_units.h. */
enum {
#define UNIT(id, spelling, dim, factor) id,
    AGRAPH_UNITS(UNIT)
#undef UNIT
    N_UNITS
};
extern const char *const unit_spelling[];
extern const int unit_dim[];
extern const double unit_factor[];
int unit_lookup(const char *s, size_t n);   /* -1 if unknown */

/* ============================== ast.c: syntax tree ========================================= */
/*   kind        fields used */
#define AST_KINDS(X)                                                            \
    X(A_NUM,      "num")      /* num, unit, is_int */                           \
    X(A_NAME,     "name")     /* name */                                        \
    X(A_CALL,     "call")     /* name, args (A_ARG) */                          \
    X(A_ARG,      "arg")      /* name (NULL if positional), a */                \
    X(A_BINOP,    "binop")    /* op, a, b */                                    \
    X(A_UNOP,     "unop")     /* op, a */                                       \
    X(A_DELAY,    "delay")    /* a = signal, b = length, c = max (or NULL) */   \
    X(A_TUPLE,    "tuple")    /* args */                                        \
    X(A_INDEX,    "index")    /* a[b] */                                        \
    X(A_ITER,     "iter")     /* op (IT_*), name = index var, a..b range, c = body,\
                                 name2/d = chain accumulator and its start */   \
    X(A_STRING,   "string")   /* str */                                         \
    /* statements */                                                            \
    X(S_IMPORT,   "import")   /* name */                                        \
    X(S_INPUT,    "input")    /* names */                                       \
    X(S_PARAM,    "param")    /* name, a = default, b = min, c = max, str = label, op = kind, scale */ \
    X(S_BLOCK,    "block")    /* name, formals (A_ARG: name + default a), body */ \
    X(S_DEF,      "def")      /* names (1 or more for destructuring), a */      \
    X(S_OUTPUT,   "output")   /* names, a */                                    \
    X(S_PROBE,    "probe")    /* name, a */                                     \
    X(S_TABLE,    "table")    /* name, a = its values (a constant of N channels) */ \
    X(S_RETURN,   "return")   /* a */

typedef enum {
#define X(k, s) k,
    AST_KINDS(X)
#undef X
} AstKind;

/* Binary and unary operators: spelling for messages and dumps. */
#define OPERATORS(X)                \
    X(OP_ADD, "+")  X(OP_SUB, "-")  X(OP_MUL, "*")  X(OP_DIV, "/")  X(OP_MOD, "%") \
    X(OP_POW, "^")  X(OP_LT, "<")   X(OP_LE, "<=")  X(OP_GT, ">")   X(OP_GE, ">=") \
    X(OP_EQ, "==")  X(OP_NE, "!=")  X(OP_AND, "&&") X(OP_OR, "||")  X(OP_NEG, "-") \
    X(OP_NOT, "!")
typedef enum {
#define X(k, s) k,
    OPERATORS(X)
#undef X
    N_OPERATORS
} OpKind;
extern const char *const op_spelling[];

enum { IT_SUM, IT_PROD, IT_PAR, IT_CHAIN };

typedef struct Ast {
    AstKind kind;
    Loc loc;
    int op;                 /* OpKind, IT_*, or param kind */
    int scale;              /* S_PARAM */
    double num;
    int unit;
    bool is_int;
    const char *name, *name2, *str;
    struct Ast *a, *b, *c, *d;
    Vec args;               /* Ast* */
    Vec names;              /* Ast* of kind A_NAME (for inputs, defs, outputs) */
    Vec body;               /* Ast* statements of a block */
    struct Module *module;  /* the module a statement belongs to */
    struct Sym *sym;        /* resolve.c: what an A_NAME or A_CALL names */
    struct Sym **syms;      /* resolve.c: S_DEF, S_INPUT, A_ITER: the symbols it declares */
    struct Ast **bound;     /* resolve.c: A_CALL of a block: the argument for each formal */
    struct Ast *owner;      /* resolve.c: S_DEF local to a block: that block; NULL at top level */
    int depth;              /* expression nesting depth, bounded */
} Ast;

Ast *ast_new(AstKind k, Loc loc);
const char *ast_kind_name(AstKind k);
void ast_dump(FILE *f, Vec *items);

/* ============================== load.c: modules and imports ================================ */
typedef struct Module {
    const char *name;       /* "std", or the program's stem */
    Src src;
    Vec items;              /* top-level statements */
    Vec imports;            /* Module* this module imports, in order */
    struct Scope *scope;    /* resolve.c: the module's own top-level names */
    bool is_main;
    int state;              /* loading state for cycle detection */
} Module;

typedef struct Options {
    const char *input;          /* the .agraph file */
    const char *output;         /* -o executable */
    const char *emit_c;         /* --emit-c file */
    const char *emit_lib;       /* --emit-lib NAME: NAME.c and NAME.h (emit_lib.c) */
    const char *emit_wasm;      /* --emit-wasm NAME: NAME.wasm and NAME.js (wasm.c) */
    bool builtin_fft;           /* --fft builtin: spectral blocks on runtime/wasm/agraph_fft.c */
    const char *cc;             /* --cc, else $CC, else cc */
    const char *dump;           /* --dump=ast,graph,ir */
    Vec include_dirs;           /* -I (const char *) */
    int opt_level;              /* -O n */
    bool check_only;            /* --check */
    bool use_double;            /* --double */
    bool no_lanes;              /* --no-lanes: no loops over lanes (lanes.c) */
    double max_sr;              /* --max-sr */
    const char *self_dir;       /* folder of the agraphc executable */
} Options;
extern Options opt;

/* Read the main file and, transitively, every import; returns the main module. */
Module *load_program(const char *path);
Module *load_source_bytes(const char *path, const char *bytes, size_t len);  /* for the fuzzers */
extern Vec all_modules;   /* Module*, dependencies before dependents, main last */

/* ============================== resolve.c: names =========================================== */
/* Every name is bound to a symbol, every call checked against what it calls; parameters are
 * evaluated (they are constants in their own unit). */
typedef enum { SYM_INPUT, SYM_PARAM, SYM_BLOCK, SYM_DEF, SYM_OUTPUT, SYM_PROBE,
               SYM_BUILTIN, SYM_CONST, SYM_FORMAL, SYM_ITER, SYM_TABLE } SymKind;
enum { CONST_SR, CONST_PI, CONST_TAU };

typedef struct Sym {
    SymKind kind;
    const char *name;
    Ast *decl;              /* the declaring statement (NULL for builtins) */
    int index;              /* input channel, param index, builtin id, destructure position */
    Loc loc;                /* where the name is declared */
    struct Sym *next;       /* hash chain */
    struct Node *bound;     /* expand.c: the node this name stands for in the current instance */
    int active;             /* expand.c: SYM_BLOCK being expanded (recursion check) */
} Sym;

typedef struct Scope {
    struct Scope *parent;
    Vec uses;               /* imported modules' scopes, searched (own names only) before parent */
    Sym **tab;
    int cap, n;
} Scope;

Scope *scope_new(Scope *parent);
Sym *scope_lookup(Scope *s, const char *name);
Sym *scope_lookup_here(Scope *s, const char *name);
Sym *scope_add(Scope *s, SymKind k, const char *name, Ast *decl);
/* The nearest name in scope (edit distance), for "did you mean". */
const char *scope_suggest(Scope *s, const char *name);

typedef struct Program {
    Module *main;
    Scope *globals;         /* builtins, then imports, then the main module */
    Vec inputs;             /* Ast* A_NAME per input channel */
    Vec params;             /* Ast* S_PARAM */
    Vec outputs;            /* Ast* S_OUTPUT */
    Vec probes;             /* Ast* S_PROBE */
    double *param_def, *param_min, *param_max;
    int *param_unit;        /* unit index or -1 */
} Program;

Program *resolve_program(Module *main);

/* ============================== builtins (expand.c) ======================================== */
/*       id            name       min max  kind: how it lowers */
#define BUILTINS(X)                                       \
    X(B_SIN,    "sin",    1, 1)  X(B_COS,   "cos",   1, 1) \
    X(B_TAN,    "tan",    1, 1)  X(B_ASIN,  "asin",  1, 1) \
    X(B_ACOS,   "acos",   1, 1)  X(B_ATAN,  "atan",  1, 1) \
    X(B_ATAN2,  "atan2",  2, 2)  X(B_SINH,  "sinh",  1, 1) \
    X(B_COSH,   "cosh",   1, 1)  X(B_TANH,  "tanh",  1, 1) \
    X(B_EXP,    "exp",    1, 1)  X(B_LOG,   "log",   1, 1) \
    X(B_LOG2,   "log2",   1, 1)  X(B_LOG10, "log10", 1, 1) \
    X(B_SQRT,   "sqrt",   1, 1)  X(B_ABS,   "abs",   1, 1) \
    X(B_FLOOR,  "floor",  1, 1)  X(B_CEIL,  "ceil",  1, 1) \
    X(B_ROUND,  "round",  1, 1)  X(B_TRUNC, "trunc", 1, 1) \
    X(B_FRACT,  "fract",  1, 1)  X(B_POW,   "pow",   2, 2) \
    X(B_MIN,    "min",    2, 2)  X(B_MAX,   "max",   2, 2) \
    X(B_CLAMP,  "clamp",  3, 3)  X(B_FMOD,  "fmod",  2, 2) \
    X(B_SELECT, "select", 3, 3)  X(B_INT,   "int",   1, 1) \
    X(B_FLOAT,  "float",  1, 1)  X(B_NOISE, "noise", 0, 1) \
    X(B_DB2LIN, "db2lin", 1, 1)  X(B_LIN2DB,"lin2db",1, 1) \
    /* spectral (docs/language.md: Spectral processing) */ \
    X(B_STFT,   "stft",   2, 2)  X(B_ISTFT, "istft", 1, 1) \
    X(B_FFT,    "fft",    2, 2)  X(B_IFFT,  "ifft",  1, 1) \
    X(B_MAG,    "mag",    1, 1)  X(B_PHASE, "phase", 1, 1) \
    X(B_POLAR,  "polar",  2, 2)  X(B_RE,    "re",    1, 1) \
    X(B_IM,     "im",     1, 1)  X(B_CONJ,  "conj",  1, 1) \
    X(B_BINHZ,  "binhz",  1, 1) \
    /* init-time data (docs/language.md: Tables) */ \
    X(B_SOUNDFILE, "soundfile", 1, 1) X(B_CONV, "conv", 2, 2)
typedef enum {
#define X(id, name, lo, hi) id,
    BUILTINS(X)
#undef X
    N_BUILTINS
} BuiltinId;
extern const char *const builtin_name[];
extern const int builtin_min_args[], builtin_max_args[];

/* ============================== expand.c: the graph ======================================== */
/* Elaboration instantiates every block use (each gets its own state), unrolls compile-time
 * iteration and turns units into arithmetic, leaving a graph of nodes with per-node width. */
#define NODE_OPS(X)                                                                       \
    X(N_CONST,   "const")    /* cval; type from is_int */                                 \
    X(N_SR,      "SR")       /* the sample rate (init rate) */                            \
    X(N_INPUT,   "input")    /* index = channel */                                        \
    X(N_PARAM,   "param")    /* index = param; the value the program sees */              \
    X(N_DEF,     "def")      /* a named signal: args[0] is its value */                   \
    X(N_TUPLE,   "tuple")    /* channels of args, concatenated */                         \
    X(N_PICK,    "pick")     /* channel `index` of args[0] */                             \
    X(N_BINOP,   "binop")    /* index = OpKind; args[0], args[1] */                       \
    X(N_UNOP,    "unop")     /* index = OpKind; args[0] */                                \
    X(N_CALL,    "call")     /* index = BuiltinId; args */                                \
    X(N_DELAY,   "delay")    /* args[0] signal, args[1] length, args[2] max (or absent) */ \
    X(N_NOISE,   "noise")    /* index = seed */                                           \
    X(N_STFT,    "stft")     /* args[0] signal; fsize, fhop, fwin: a frame of spectra */   \
    X(N_ISTFT,   "istft")    /* args[0] spectrum; fwin: resynthesis by weighted overlap-add */ \
    X(N_TABLE,   "table")    /* index = table; args[0] position: wraps, interpolates if float */ \
    X(N_CONV,    "conv")     /* index = table (the taps); args[0] signal; fsize = partition */
typedef enum {
#define X(k, s) k,
    NODE_OPS(X)
#undef X
} NodeOp;
extern const char *const node_op_name[];
#define ARG_LOC(n, i) ((n)->arg_loc && (n)->arg_loc[i].src ? (n)->arg_loc[i] : (n)->args[i]->loc)

typedef enum { T_UNKNOWN, T_BOOL, T_INT, T_FLOAT, T_COMPLEX } Type;
/* R_FRAME is its own domain, once per hop of a spectral clock: control values may enter it,
 * audio may not (only through stft), and it leaves only through istft. */
typedef enum { R_CONST, R_INIT, R_CONTROL, R_AUDIO, R_FRAME, N_RATES } Rate;
enum { WIN_HANN, WIN_HAMMING, WIN_BLACKMAN, WIN_RECT };
extern const char *const window_name[];

/* A spectral clock: frames of `size` samples every `hop` samples, analysed with `window`. */
typedef struct Clock { int size, hop, window; } Clock;
extern const char *const type_name[], *const rate_name[];

/* Where a node came from: the chain of block uses that produced it, for notes. */
typedef struct Inst {
    Ast *block;             /* S_BLOCK */
    Loc call;               /* the use */
    struct Inst *parent;
    int number;             /* instance number, for names in generated code */
} Inst;

typedef struct Node {
    NodeOp op;
    int id;
    int index;
    double cval;
    bool is_int;
    struct Node **args;
    Loc *arg_loc;           /* where each argument is written (a name's use, not its definition) */
    int nargs;
    Loc loc;                /* the source the user wrote */
    Inst *inst;
    const char *name;       /* N_DEF: source name; used for generated names */
    Ast *def;               /* N_DEF: its statement, for source-line comments */
    struct Node *whole;     /* N_DEF of a name: the def holding the statement's whole value */
    /* check.c */
    int width;
    Type type;
    Rate rate;
    bool smooth;            /* depends on a smoothed parameter */
    bool in_cycle;          /* N_DELAY: part of a feedback loop */
    bool no_delay;          /* N_DELAY of length 0: a same-sample edge */
    bool bad;               /* an error was reported here or upstream: report nothing more */
    int fsize, fhop, fwin;  /* N_STFT / N_ISTFT: frame size, hop, window */
    int clock;              /* R_FRAME nodes (and N_ISTFT): index into Graph.clocks, else -1 */
    int mark;               /* scratch for graph walks */
} Node;

typedef struct Graph {
    Program *prog;
    Vec nodes;              /* Node*, all of them */
    Vec outputs;            /* Node* per output statement, in order */
    Vec probes;             /* Node* per probe statement */
    Vec param_nodes;        /* Node* N_PARAM per param (raw value in the program's terms) */
    int n_noise;
    Clock clocks[16];
    int n_clocks;
    Vec tables;             /* Table* */
    int n_files;            /* tables loaded from sound files */
} Graph;

/* A lookup table: a constant of `size` channels, stored as data in the generated code; or a
 * channel of a sound file, which the host loads into the state after init (`path` set). */
typedef struct Table {
    const char *name;
    Ast *decl;
    struct Node *value;     /* its channels (constant tables) */
    int size;               /* values; for a sound file, the most it holds (check.c) */
    double *data;           /* check.c: the folded values */
    const char *path;       /* sound file: its name, resolved against the program's folder */
    struct Node *max;       /* sound file: its longest length, in samples (may depend on SR) */
    int channel;            /* sound file: which of its channels */
    int file;               /* sound file: index among the program's files */
} Table;

Graph *expand_program(Program *p);
void graph_dump(FILE *f, Graph *g);
void note_instances(Inst *in);              /* "in block 'x' used here" notes */
extern int max_nodes, max_iterations;

/* ============================== fold.c: constant evaluation ================================ */
/* Evaluate a node that depends only on constants (and SR, if sr > 0). false if it doesn't. */
bool fold_node(Node *n, double sr, double *out);
bool fold_channel(Node *n, int ch, double sr, double *out);   /* one channel of a constant */

/* ============================== range.c: interval analysis ================================= */
/* Bounds of one channel of a value while the program runs (parameters in their ranges, SR up to
 * max_sr); false if it cannot bound it, or if that would take more node visits than *visits has
 * left (it counts them down). */
bool range_channel(Node *n, int ch, const Program *p, double max_sr, long *visits, double *lo, double *hi);

/* ============================== check.c: types, rates, widths, cycles ====================== */
void check_graph(Graph *g);

/* ============================== lower.c: scalar IR ========================================= */
#define IR_OPS(X)                                                                         \
    X(I_CONST,   "const")    /* k */                                                      \
    X(I_SR,      "sr")                                                                    \
    X(I_INPUT,   "input")    /* aux = channel */                                          \
    X(I_PARAM,   "param")    /* aux = param index: the program's view of it */            \
    X(I_BINOP,   "binop")    /* aux = OpKind */                                           \
    X(I_UNOP,    "unop")     /* aux = OpKind */                                           \
    X(I_CALL,    "call")     /* aux = BuiltinId */                                        \
    X(I_CAST,    "cast")     /* to type */                                                \
    X(I_DREAD,   "dread")    /* aux = delay line; a[0] = length; a[1] = max (variable) */ \
    X(I_SMOOTH,  "smooth")   /* aux = smoother slot; a[0] = control-rate target */        \
    X(I_NOISE,   "noise")    /* aux = generator slot */                                   \
    X(I_STFT,    "stft")     /* aux = analysis slot: this bin of its spectrum (frame) */  \
    X(I_ISTFT,   "istft")    /* aux = synthesis slot: its overlap-added output (audio) */ \
    X(I_BINHZ,   "binhz")    /* the centre frequency of this bin (frame) */               \
    X(I_TABLE,   "table")    /* aux = table; a[0] = position */                           \
    X(I_CONV,    "conv")     /* aux = convolution slot; a[0] = input */
typedef enum {
#define X(k, s) k,
    IR_OPS(X)
#undef X
} IrOp;
extern const char *const ir_op_name[];

typedef struct Ins {
    IrOp op;
    int id;
    int aux;
    int a[3];               /* operand ids, -1 if absent */
    int nargs;
    double k;
    Type type;
    Rate rate;
    const char *name;       /* a source name for the generated variable, or NULL */
    Node *from;             /* the node it lowers, for comments and errors */
    int uses;
    int order;              /* schedule position */
    bool stored;            /* init values live in the state */
    bool live;              /* schedule.c: needed by an output, a probe or a live delay line */
    int clock;              /* R_FRAME: its spectral clock */
    int group;              /* lanes.c: 1 + the Lanes it is part of; 0 if none */
} Ins;

typedef struct DelayLine {
    int index;
    int src;                /* the value written each sample */
    int max_len;            /* longest read, in samples (at max SR) */
    int size;               /* power of two > max_len + 1 */
    int skew;               /* written at (iota + skew): lines side by side start on other cache sets */
    bool scalar;            /* only ever read at length 1: one register */
    bool in_cycle;          /* some read is part of a feedback loop */
    bool variable;          /* some read has a variable length */
    Type type;
    const char *name;
    Node *from;
    int group;              /* lanes.c: 1 + the Lanes whose copies each own one of these lines */
} DelayLine;

typedef struct Ir {
    Graph *g;
    Vec ins;                /* Ins*, index = id */
    Vec lines;              /* DelayLine* */
    int n_smooth;
    int n_noise;
    Vec smooth_src;         /* Ins* target per smoother */
    int *out_ids;           /* one value per output channel */
    int n_out;
    int n_probe_vals;       /* values published as probes, all probes' channels in a row */
    int *probe_ids;         /* per value: its instruction */
    int *probe_off;         /* per value: offset in the flat probe array (floats) */
    int *probe_len;         /* per value: 1, or the bins of a spectral frame */
    int *probe_width;       /* per probe: floats in its snapshot */
    int *probe_first;       /* per probe: offset of its snapshot in the flat probe array */
    int probe_total;        /* floats */
    bool spectral;          /* links FFTW */
    Vec stfts;              /* Spectral*: analysis slots */
    Vec istfts;             /* Spectral*: synthesis slots */
    Vec convs;              /* Conv*: one per conv() channel */
    /* schedule.c */
    Vec sched[N_RATES];     /* Ins* per rate, in execution order */
    Vec groups;             /* lanes.c: Lanes* */
} Ir;

/* One stft (a channel's analysis) or istft (a channel's resynthesis). */
typedef struct Spectral {
    int clock;
    int window;             /* synthesis window (istft); the clock's for stft */
    int value;              /* stft: the audio value analysed; istft: the frame value resynthesized */
} Spectral;

/* One channel of conv(x, table, partition: B). */
typedef struct Conv {
    int table;
    int block;
} Conv;

Ir *lower_graph(Graph *g);
void ir_dump(FILE *f, Ir *ir);

/* ============================== schedule.c / verify.c ====================================== */
void schedule_ir(Ir *ir);
void verify_ir(Ir *ir);      /* internal invariants; a failure is a compiler bug */

/* ============================== lanes.c: copies side by side =============================== */
/* n copies of one computation (the 64 oscillators of `sum k in 1..64: sine(f * k) / k`), found in
 * the audio schedule, run as one loop over lanes that the C compiler can vectorize. Slot j of
 * lane l is ins[l * m + j]; lane 0's instructions are the loop body's template. Each operand of
 * a slot is the same value in every lane (LANE_SAME), another slot of the same lane
 * (LANE_INNER), or a value per lane gathered into an array (LANE_EACH). */
enum { LANE_SAME, LANE_INNER, LANE_EACH };
typedef struct Lanes {
    int n;                  /* copies */
    int width;              /* arrays' length: n rounded up to a multiple of 8 (4 below 4) */
    int m;                  /* instructions per copy, in schedule order */
    int *ins;               /* [lane * m + slot] */
    signed char *kind;      /* [slot * 3 + operand] */
    int *inner;             /* [slot * 3 + operand]: LANE_INNER's slot */
    bool *out;              /* [slot]: used outside the lanes, so kept per lane in an array */
    int *src_slot;          /* [slot]: a read of a line each lane owns (one register, z@1):
                             * the slot whose value the lane writes to it; else -1 */
} Lanes;
/* Find the copies and reorder the audio schedule so each Lanes' instructions are together. */
void find_lanes(Ir *ir);

/* ============================== emit_c.c =================================================== */
extern const char agraph_prelude[];
void emit_c(FILE *f, Ir *ir, const char *prefix);
/* The library form (--emit-lib): includes `header` ("NAME.h"), keeps no global mutable state
 * (FFTW plans live in the state) and ends with the API of emit_lib.c. */
void emit_c_lib(FILE *f, Ir *ir, const char *prefix, const char *header);
/* Texts agraphc carries (Makefile: build/compiler/embedded.c). */
extern const char agraph_fft_text[];      /* runtime/wasm/agraph_fft.c */
extern const char agraph_wasm_glue_text[];   /* runtime/wasm/agraph_wasm.c */
extern const char agraph_worklet_text[];  /* runtime/wasm/agraph_worklet.js */

/* ============================== emit_lib.c: the embedding API ============================== */
/* NAME.h: the API of a generated library (docs/embedding.md). */
void emit_lib_header(FILE *f, Ir *ir, const char *prefix);
/* The lookups by name, the JSON description and the state's size, after the rest of NAME.c. */
void emit_lib_api(FILE *f, Ir *ir, const char *prefix);
/* The JSON description of channels, parameters and probes (no state size). */
const char *lib_json(Ir *ir);
/* Output channel c's name ("out", or "out.1" for a tuple output with one name). */
const char *output_name(Ir *ir, int c);
/* emit_conv.c: sound-file tables and conv(), called by emit_c at its points */
bool conv_used(Ir *ir);
void emit_conv_support(FILE *f, Ir *ir, const char *prefix);
void emit_conv_state(void);
void emit_conv_functions(void);
void emit_conv_init(void);
void emit_conv_reset(void);
void emit_conv_tick(Ins *x, const char *in, const char *out, const char *ind);
void emit_conv_load(void);
void emit_conv_files(void);
/* A C identifier made from s (letters, digits, '_'), safe to paste into generated code. */
const char *c_ident(const char *s);
/* s as a C string literal, quotes included. */
const char *c_string(const char *s);

/* ============================== build.c: system C compiler ================================= */
/* What goes into one output file: the runtime's C, or a library's .c or .h. */
typedef enum { OUT_C, OUT_LIB_C, OUT_LIB_H } OutKind;
/* Write that text, with prefix as its names' prefix, to path ("-": standard output) through a
 * temporary file renamed into place; 0 on success, else an error has been reported. */
int write_emitted(OutKind kind, Ir *ir, const char *path, const char *prefix);
/* Compile the C file into an executable linked with the runtime; 0 on success. */
int build_executable(const char *c_path, const char *exe_path, bool fftw);
/* Run a C compiler (argv, without the final NULL) on generated code; 0 on success, else an error
 * naming c_path has been reported. */
int run_c_compiler(Vec *argv, const char *c_path);

/* ============================== wasm.c: WebAssembly ======================================== */
/* --emit-wasm NAME: NAME.wasm (clang --target=wasm32-wasi, built-in FFT) and NAME.js. */
int build_wasm(Ir *ir, const char *name);
const char *stdlib_dir(void);

/* ============================== pipeline.c ================================================= */
/* The pipeline, for the driver and the tests: returns the IR, or NULL after errors. text is
 * the source when given, else the file is read. */
Ir *compile_to_ir(const char *path, const char *text);
Ir *compile_bytes_to_ir(const char *path, const char *bytes, size_t len);  /* NULs allowed */
bool dumping(const char *stage);
/* Run fn(arg) on a thread with a 1 GiB stack (or here, if no thread can be made), so that deep
 * programs meet the compiler's limits with a clear message instead of a stack overflow. */
void run_on_big_stack(void *(*fn)(void *), void *arg);

#endif /* AGRAPH_H */
