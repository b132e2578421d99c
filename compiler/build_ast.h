/* build_ast.h — the AST builders that parse.y's actions call, one per grammar rule (ast.c). */
#ifndef AGRAPH_BUILD_AST_H
#define AGRAPH_BUILD_AST_H
#include "agraph.h"

void module_add(Module *m, Ast *item);
Ast *mk_import(Module *m, Token *kw, Token *name);
Ast *mk_input(Module *m, Token *kw, Ast *target);
Ast *mk_def(Module *m, Ast *target, Ast *e);
Ast *mk_output(Module *m, Token *kw, Ast *target, Ast *e);
Ast *mk_probe(Module *m, Token *kw, Token *name, Ast *e);
Ast *mk_table(Module *m, Token *kw, Token *name, Ast *e);
Ast *mk_param(Module *m, Token *kw, Token *name, Ast *def, Ast *lo, Ast *hi, Ast *attrs);
Ast *mk_switch(Module *m, Token *kw, Token *name, Ast *attrs, int kind);
Ast *mk_block(Module *m, Token *kw, Token *name, Ast *formals, Ast *body, Token *close);
Ast *mk_block_expr(Module *m, Token *kw, Token *name, Ast *formals, Ast *e);
Ast *body_add(Ast *body, Ast *item);
Ast *mk_target(Module *m, Token *name);
Ast *target_add(Module *m, Ast *t, Token *name);
Ast *target_close(Ast *t, Token *open, Token *close);
Ast *mk_attrs(Module *m);
Ast *attrs_word(Module *m, Ast *a, Token *word);
Ast *attrs_label(Module *m, Ast *a, Token *s);
Ast *mk_list(Module *m);
Ast *list_add(Ast *list, Ast *x);
Ast *mk_formal(Module *m, Token *name, Ast *def);
Ast *mk_return(Module *m, Token *kw, Ast *e);
Ast *mk_pipe(Module *m, Ast *a, Ast *f);
Ast *mk_binop(Module *m, int op, Ast *a, Ast *b);
Ast *mk_neg(Module *m, Token *minus, Ast *a);
Ast *mk_not(Module *m, Token *bang, Ast *a);
Ast *mk_delay(Module *m, Ast *x, Ast *len);
Ast *mk_index(Module *m, Ast *x, Ast *i, Token *close);
Ast *mk_iter(Module *m, Token *kw, int kind, Token *var, Ast *lo, Ast *hi, Token *acc,
             Ast *start, Ast *body);
Ast *mk_num(Module *m, Token *n);
Ast *mk_name(Module *m, Token *n);
Ast *mk_string(Module *m, Token *s);
Ast *mk_call(Module *m, Token *name, Ast *args, Token *close);
Ast *mk_paren(Module *m, Token *open, Ast *args, Token *close);
Ast *mk_delay_args(Module *m, Token *open, Ast *args, Token *close);
Ast *mk_arg(Module *m, Token *name, Ast *e);
void parse_syntax_error(Module *m, int major, Token *tok);
void parse_too_deep(Module *m);

/* lex.re, for the syntax-error handler */
bool lex_open_bracket(Loc *at, char *ch);
int lex_prev_token(void);
Loc lex_current_loc(void);
#endif
