/*
 * serve.c: `gatehouse serve`: opens the data directory, starts the server
 * and waits for SIGTERM or SIGINT.
 */
#include <stdio.h>

#include "cli/cli.h"

int
gh_cli_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("gatehouse serve: not built yet\n", stderr);
    return 1;
}
