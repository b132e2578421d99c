/* main.c — the entry point of an agraph executable: run the program whose C file agraphc generated
 * (it defines agraph_main_program) as a command-line tool. */
#include <stdio.h>

#include "agraph_runtime.h"

/* Weak, because libagraph.so holds this file too: a host that links the shared library and brings
 * its own main() defines no agraph_main_program, and must still link. */
extern const agraph_program agraph_main_program __attribute__((weak));

int main(int argc, char **argv)
{
    if (!&agraph_main_program) {
        fprintf(stderr, "agraph: error: no program was linked in (agraph_main_program is missing)\n");
        return AGRAPH_EXIT_FAIL;
    }
    return agraph_run(&agraph_main_program, argc, argv);
}
