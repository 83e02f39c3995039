/*
 * cli_int.h: internals shared by the subcommands.
 */
#ifndef GH_CLI_INT_H
#define GH_CLI_INT_H

#include <sys/types.h>

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

/* File modes: keys are private; certificates and issuer names are public. */
#define GH_CLI_MODE_SECRET 0600
#define GH_CLI_MODE_PUBLIC 0644

/*
 * Writes `data` to `path` through PATH.tmp created with `mode` (O_EXCL,
 * O_NOFOLLOW), fsynced and renamed over `path`: a key file is never
 * readable by others, not even while it is written, and an older file
 * with a wider mode is replaced. GH_ERR_IO when any step fails.
 */
GH_MUST_CHECK enum gh_err gh_cli_file_write(const char *path, struct gh_slice data, mode_t mode);

#endif
