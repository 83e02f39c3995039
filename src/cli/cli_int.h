/*
 * cli_int.h: internals shared by the subcommands.
 */
#ifndef GH_CLI_INT_H
#define GH_CLI_INT_H

#include "cli/cli.h"
#include "core/core.h"
#include "store/store.h"

/*
 * Makes sure the data directory holds an account: on first start creates
 * it (id `want_account`, or random when NULL) with its root access key
 * and writes DIR/credentials and DIR/config; later starts check the id
 * and restore those files if missing. `account` receives the id.
 */
GH_MUST_CHECK enum gh_err gh_cli_bootstrap(struct gh_store *store, const char *dir,
                                           const char *want_account, char account[13],
                                           struct gh_diag *diag);

#endif
