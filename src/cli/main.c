/*
 * main.c: the gatehouse command: dispatches to its subcommands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/core.h"

static void
usage(FILE *f)
{
    fputs("usage: gatehouse COMMAND [OPTIONS]\n"
          "commands:\n"
          "  oidc-issuer serve|mint|rotate --dir DIR ...   test OIDC issuer (federation)\n"
          "  saml-idp metadata|assert --dir DIR ...        test SAML IdP (federation)\n"
          "  serve [--listen HOST:PORT] [--data-dir DIR] [--account-id ID] [--console-dir DIR]\n"
          "  console-password --data-dir DIR --root\n"
          "  keys rotate [--data-dir DIR]\n"
          "  sessions revoke --role NAME [--account ID] [--before TIME] [--data-dir DIR]\n"
          "  policy validate FILE | policy eval --policy FILE --action A --resource R\n"
          "  instance --endpoint URL --instance-profile NAME [--listen HOST:PORT] [--imds-v1]\n"
          "  exec --endpoint URL --role-arn ARN [--service S] [--duration S] -- COMMAND [ARGS...]\n"
          "  credential-process --endpoint URL --role-arn ARN [--role-session-name N]\n"
          "  version\n",
          f);
}

int
main(int argc, char **argv)
{
    /* Before any thread parses JSON: jansson's allocation failures are
     * counted, so json_loadb's callers refuse a parse that ran out of
     * memory (gh_alloc_counted) instead of trusting what it returned. */
    json_set_alloc_funcs(gh_alloc_counted, free);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "oidc-issuer") == 0)
        return gh_cli_oidc_issuer(argc - 1, argv + 1);
    if (strcmp(argv[1], "saml-idp") == 0)
        return gh_cli_saml_idp(argc - 1, argv + 1);
    if (strcmp(argv[1], "serve") == 0)
        return gh_cli_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "instance") == 0)
        return gh_cli_instance(argc - 1, argv + 1);
    if (strcmp(argv[1], "exec") == 0)
        return gh_cli_exec(argc - 1, argv + 1);
    if (strcmp(argv[1], "credential-process") == 0)
        return gh_cli_credential_process(argc - 1, argv + 1);
    if (strcmp(argv[1], "console-password") == 0)
        return gh_cli_console_password(argc - 1, argv + 1);
    if (strcmp(argv[1], "keys") == 0)
        return gh_cli_keys(argc - 1, argv + 1);
    if (strcmp(argv[1], "sessions") == 0)
        return gh_cli_sessions(argc - 1, argv + 1);
    if (strcmp(argv[1], "policy") == 0)
        return gh_cli_policy(argc - 1, argv + 1);
    if (strcmp(argv[1], "version") == 0) {
        puts("gatehouse " GH_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "gatehouse: unknown command '%s'; run 'gatehouse help' for the list\n",
            argv[1]);
    return 2;
}
