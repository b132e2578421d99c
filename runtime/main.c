/* main.c — the entry point of an agraph executable: run the program whose C file agraphc generated
 * (it defines agraph_main_program) as a command-line tool. */
#include "agraph_runtime.h"

int main(int argc, char **argv)
{
    return agraph_run(&agraph_main_program, argc, argv);
}
