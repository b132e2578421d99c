/* parse.y — the grammar of agraph, for Lemon (`lemon parse.y`). It holds only grammar: each
 * action is one call into the builders of ast.c (STYLE.md §6). The language reference is
 * docs/language.md; the section names below follow it. */
%name agp
%token_prefix TK_
%token_type {Token}
%default_type {Ast *}
%extra_argument {Module *mod}
%stack_size 10000

%include {
#include "agraph.h"
#include "build_ast.h"
#include <assert.h>
#include <stdlib.h>
}

%syntax_error { parse_syntax_error(mod, yymajor, &TOKEN); }
%stack_overflow { parse_too_deep(mod); }
%parse_failure { diag_abort(); }

/* Precedence, loosest first. */
%right ITER.
%left PIPE.
%left OROR.
%left ANDAND.
%nonassoc EQ NE LT LE GT GE.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right NOT UMINUS.
%right CARET.
%left AT.
%left LBRACKET.

/* A program: statements, one a line. */
program ::= items.
items ::= .
items ::= items NL.
items ::= items item(X) NL.                 { module_add(mod, X); }

/* Statements (docs/language.md: Statements) */
item(A) ::= IMPORT(T) IDENT(N).             { A = mk_import(mod, &T, &N); }
item(A) ::= INPUT(T) target(N).             { A = mk_input(mod, &T, N); }
item(A) ::= target(N) ASSIGN expr(E).       { A = mk_def(mod, N, E); }
item(A) ::= OUTPUT(T) target(N) ASSIGN expr(E).  { A = mk_output(mod, &T, N, E); }
item(A) ::= PROBE(T) IDENT(N) ASSIGN expr(E).    { A = mk_probe(mod, &T, &N, E); }
item(A) ::= TABLE(T) IDENT(N) ASSIGN expr(E).    { A = mk_table(mod, &T, &N, E); }
item(A) ::= PARAM(T) IDENT(N) ASSIGN pdefault(D) LBRACKET expr(LO) COMMA expr(HI) RBRACKET attrs(P).
                                            { A = mk_param(mod, &T, &N, D, LO, HI, P); }
item(A) ::= BUTTON(T) IDENT(N) attrs(P).    { A = mk_switch(mod, &T, &N, P, 1); }
item(A) ::= TOGGLE(T) IDENT(N) attrs(P).    { A = mk_switch(mod, &T, &N, P, 2); }
item(A) ::= BLOCK(T) IDENT(N) LPAREN formals(F) RPAREN LBRACE body(B) RBRACE(R).
                                            { A = mk_block(mod, &T, &N, F, B, &R); }
item(A) ::= BLOCK(T) IDENT(N) LPAREN formals(F) RPAREN LBRACE body(B) bitem(I) RBRACE(R).
                                            { A = mk_block(mod, &T, &N, F, body_add(B, I), &R); }
item(A) ::= BLOCK(T) IDENT(N) LPAREN formals(F) RPAREN ASSIGN expr(E).
                                            { A = mk_block_expr(mod, &T, &N, F, E); }

/* Names on the left: `x` or `(l, r)`. */
target(A) ::= IDENT(N).                     { A = mk_target(mod, &N); }
target(A) ::= LPAREN(L) idlist(B) RPAREN(R). { A = target_close(B, &L, &R); }
idlist(A) ::= IDENT(N).                     { A = mk_target(mod, &N); }
idlist(A) ::= idlist(B) COMMA IDENT(N).     { A = target_add(mod, B, &N); }

/* A parameter's default: a number (`-6dB`), a name, or any expression in parentheses. */
pdefault(A) ::= NUMBER(N).                  { A = mk_num(mod, &N); }
pdefault(A) ::= MINUS(T) NUMBER(N).         { A = mk_neg(mod, &T, mk_num(mod, &N)); }
pdefault(A) ::= IDENT(N).                   { A = mk_name(mod, &N); }
pdefault(A) ::= LPAREN(L) args(B) RPAREN(R). { A = mk_paren(mod, &L, B, &R); }

/* Parameter attributes: `log`, a label string. */
attrs(A) ::= .                              { A = mk_attrs(mod); }
attrs(A) ::= attrs(B) IDENT(W).             { A = attrs_word(mod, B, &W); }
attrs(A) ::= attrs(B) STRING(S).            { A = attrs_label(mod, B, &S); }

/* Blocks (docs/language.md: Blocks) */
formals(A) ::= .                            { A = mk_list(mod); }
formals(A) ::= flist(B).                    { A = B; }
flist(A) ::= formal(F).                     { A = list_add(mk_list(mod), F); }
flist(A) ::= flist(B) COMMA formal(F).      { A = list_add(B, F); }
formal(A) ::= IDENT(N).                     { A = mk_formal(mod, &N, NULL); }
formal(A) ::= IDENT(N) ASSIGN expr(E).      { A = mk_formal(mod, &N, E); }
body(A) ::= .                               { A = mk_list(mod); }
body(A) ::= body(B) NL.                     { A = B; }
body(A) ::= body(B) bitem(I) NL.            { A = body_add(B, I); }
bitem(A) ::= target(N) ASSIGN expr(E).      { A = mk_def(mod, N, E); }
bitem(A) ::= RETURN(T) expr(E).             { A = mk_return(mod, &T, E); }

/* Expressions (docs/language.md: Expressions) */
expr(A) ::= expr(B) PIPE expr(C).           { A = mk_pipe(mod, B, C); }
expr(A) ::= expr(B) OROR expr(C).           { A = mk_binop(mod, OP_OR, B, C); }
expr(A) ::= expr(B) ANDAND expr(C).         { A = mk_binop(mod, OP_AND, B, C); }
expr(A) ::= expr(B) EQ expr(C).             { A = mk_binop(mod, OP_EQ, B, C); }
expr(A) ::= expr(B) NE expr(C).             { A = mk_binop(mod, OP_NE, B, C); }
expr(A) ::= expr(B) LT expr(C).             { A = mk_binop(mod, OP_LT, B, C); }
expr(A) ::= expr(B) LE expr(C).             { A = mk_binop(mod, OP_LE, B, C); }
expr(A) ::= expr(B) GT expr(C).             { A = mk_binop(mod, OP_GT, B, C); }
expr(A) ::= expr(B) GE expr(C).             { A = mk_binop(mod, OP_GE, B, C); }
expr(A) ::= expr(B) PLUS expr(C).           { A = mk_binop(mod, OP_ADD, B, C); }
expr(A) ::= expr(B) MINUS expr(C).          { A = mk_binop(mod, OP_SUB, B, C); }
expr(A) ::= expr(B) STAR expr(C).           { A = mk_binop(mod, OP_MUL, B, C); }
expr(A) ::= expr(B) SLASH expr(C).          { A = mk_binop(mod, OP_DIV, B, C); }
expr(A) ::= expr(B) PERCENT expr(C).        { A = mk_binop(mod, OP_MOD, B, C); }
expr(A) ::= expr(B) CARET expr(C).          { A = mk_binop(mod, OP_POW, B, C); }
expr(A) ::= MINUS(T) expr(B). [UMINUS]      { A = mk_neg(mod, &T, B); }
expr(A) ::= NOT(T) expr(B).                 { A = mk_not(mod, &T, B); }
expr(A) ::= expr(B) AT delay(C).            { A = mk_delay(mod, B, C); }
expr(A) ::= expr(B) LBRACKET expr(C) RBRACKET(R).   { A = mk_index(mod, B, C, &R); }
expr(A) ::= SUM(T) IDENT(I) IN expr(LO) DOTDOT expr(HI) COLON expr(B). [ITER]
                                            { A = mk_iter(mod, &T, IT_SUM, &I, LO, HI, NULL, NULL, B); }
expr(A) ::= PROD(T) IDENT(I) IN expr(LO) DOTDOT expr(HI) COLON expr(B). [ITER]
                                            { A = mk_iter(mod, &T, IT_PROD, &I, LO, HI, NULL, NULL, B); }
expr(A) ::= PAR(T) IDENT(I) IN expr(LO) DOTDOT expr(HI) COLON expr(B). [ITER]
                                            { A = mk_iter(mod, &T, IT_PAR, &I, LO, HI, NULL, NULL, B); }
expr(A) ::= CHAIN(T) IDENT(I) IN expr(LO) DOTDOT expr(HI) FROM IDENT(V) ASSIGN expr(S) COLON expr(B). [ITER]
                                            { A = mk_iter(mod, &T, IT_CHAIN, &I, LO, HI, &V, S, B); }
expr(A) ::= primary(B).                     { A = B; }

primary(A) ::= NUMBER(N).                   { A = mk_num(mod, &N); }
primary(A) ::= IDENT(N).                    { A = mk_name(mod, &N); }
primary(A) ::= STRING(S).                   { A = mk_string(mod, &S); }
primary(A) ::= IDENT(N) LPAREN args(L) RPAREN(R).  { A = mk_call(mod, &N, L, &R); }
primary(A) ::= LPAREN(L) args(B) RPAREN(R). { A = mk_paren(mod, &L, B, &R); }

/* The length after `@`: a number, a name, or `(length)` / `(length, max: bound)`. */
delay(A) ::= NUMBER(N).                     { A = mk_num(mod, &N); }
delay(A) ::= IDENT(N).                      { A = mk_name(mod, &N); }
delay(A) ::= LPAREN(L) args(B) RPAREN(R).   { A = mk_delay_args(mod, &L, B, &R); }

args(A) ::= .                               { A = mk_list(mod); }
args(A) ::= alist(B).                       { A = B; }
alist(A) ::= arg(X).                        { A = list_add(mk_list(mod), X); }
alist(A) ::= alist(B) COMMA arg(X).         { A = list_add(B, X); }
arg(A) ::= expr(E).                         { A = mk_arg(mod, NULL, E); }
arg(A) ::= IDENT(N) COLON expr(E).          { A = mk_arg(mod, &N, E); }

%code {
/* For --dump=tokens and the lexer's tests. */
const char *token_name(int major)
{
    return major >= 0 && major < (int)(sizeof yyTokenName / sizeof yyTokenName[0]) ? yyTokenName[major] : "?";
}
}
