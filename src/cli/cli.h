/*
 * cli.h: the subcommands of the gatehouse binary. Each takes argv with its
 * own name at argv[0] and returns the process exit status (0 ok, 1
 * failure, 2 bad usage).
 */
#ifndef GH_CLI_H
#define GH_CLI_H

#define GH_VERSION "0.1.0"

int gh_cli_serve(int argc, char **argv);
int gh_cli_instance(int argc, char **argv);
int gh_cli_exec(int argc, char **argv);
int gh_cli_credential_process(int argc, char **argv);
/* `gatehouse console-password --data-dir DIR --root`: the root console password. */
int gh_cli_console_password(int argc, char **argv);
/* `gatehouse keys rotate`: a new session-token key. */
int gh_cli_keys(int argc, char **argv);
/* `gatehouse sessions revoke`: invalidates a role's sessions at once. */
int gh_cli_sessions(int argc, char **argv);
/* `gatehouse policy validate|eval`: the policy engine on the command line. */
int gh_cli_policy(int argc, char **argv);

/* Federation test issuers (oidc_issuer.c, saml_idp.c). */
int gh_cli_oidc_issuer(int argc, char **argv);
int gh_cli_saml_idp(int argc, char **argv);

#endif
