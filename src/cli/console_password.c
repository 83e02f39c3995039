/*
 * console_password.c: `gatehouse console-password --data-dir DIR --root`:
 * sets the root user's console password, read from the terminal with
 * echo off (asked twice), or as one line from standard input when that is
 * not a terminal; never from the command line, where `ps` would show it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/cli_int.h"
#include "console/console.h"
#include "crypto/crypto.h"

static int
usage(const char *why)
{
    fprintf(stderr,
            "gatehouse console-password: %s\n"
            "usage: gatehouse console-password --data-dir DIR --root   (the password is "
            "prompted for, or read from standard input)\n",
            why);
    return 2;
}

/* One line from `f` without its newline; false on EOF, error or overlong. */
static bool
read_line(FILE *f, char *buf, size_t n)
{
    size_t len;

    if (fgets(buf, (int)n, f) == NULL)
        return false;
    len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    else if (!feof(f))
        return false; /* longer than the buffer */
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    return true;
}

/* Prompts on the terminal with echo off. */
static bool
prompt(const char *what, char *buf, size_t n)
{
    struct termios old, quiet;
    bool echo_off, ok;

    fputs(what, stderr);
    fflush(stderr);
    echo_off = tcgetattr(STDIN_FILENO, &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ok = read_line(stdin, buf, n);
    if (echo_off)
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return ok;
}

int
gh_cli_console_password(int argc, char **argv)
{
    const char *dir = "./data";
    bool root = false;
    struct gh_secret master = {{0}, 0};
    struct gh_store *store = NULL;
    struct gh_diag diag;
    char account[13], pw[GH_CONSOLE_PASSWORD_MAX + 2], again[GH_CONSOLE_PASSWORD_MAX + 2];
    int rc = 1;
    enum gh_err err;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--root") == 0)
            root = true;
        else
            return usage("unknown or incomplete option (the password is never an argument)");
    }
    if (!root)
        return usage("--root is required (IAM users get passwords with "
                     "`aws iam create-login-profile`)");
    memset(pw, 0, sizeof(pw));
    memset(again, 0, sizeof(again));
    if (isatty(STDIN_FILENO)) {
        if (!prompt("New root console password: ", pw, sizeof(pw)) ||
            !prompt("Again: ", again, sizeof(again))) {
            fputs("gatehouse console-password: no password read\n", stderr);
            goto done;
        }
        if (strcmp(pw, again) != 0) {
            fputs("gatehouse console-password: the two passwords differ; nothing changed\n",
                  stderr);
            goto done;
        }
    } else if (!read_line(stdin, pw, sizeof(pw))) {
        fputs("gatehouse console-password: could not read the password from standard input\n",
              stderr);
        goto done;
    }
    if (pw[0] == '\0' || strlen(pw) > GH_CONSOLE_PASSWORD_MAX) {
        fprintf(stderr, "gatehouse console-password: the password must be 1 to %d characters\n",
                GH_CONSOLE_PASSWORD_MAX);
        rc = 2;
        goto done;
    }
    umask(077);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "gatehouse console-password: cannot create data directory %s: %s\n", dir,
                strerror(errno));
        goto done;
    }
    if ((err = gh_store_master_key_load(dir, &master)) != GH_OK ||
        (err = gh_store_open(dir, &master, &store)) != GH_OK) {
        fprintf(stderr, "gatehouse console-password: cannot open the store in %s (%s)\n", dir,
                gh_err_str(err));
        goto done;
    }
    gh_diag_clear(&diag);
    if ((err = gh_cli_bootstrap(store, dir, NULL, account, &diag)) != GH_OK) {
        fprintf(stderr, "gatehouse console-password: %s\n", diag.text);
        goto done;
    }
    err =
        gh_console_root_password_set(store, (struct gh_slice){account, 12}, gh_slice_from_cstr(pw));
    if (err != GH_OK) {
        fprintf(stderr, "gatehouse console-password: cannot set the password (%s)\n",
                gh_err_str(err));
        rc = err == GH_ERR_INVALID_INPUT ? 2 : 1;
        goto done;
    }
    fprintf(stderr, "gatehouse: root console password set for account %s\n", account);
    rc = 0;
done:
    OPENSSL_cleanse(pw, sizeof(pw));
    OPENSSL_cleanse(again, sizeof(again));
    gh_store_close(store);
    gh_secret_wipe(&master);
    return rc;
}
