/*
 * serve.c: `gatehouse serve`: opens the data directory, bootstraps the
 * account on first start, serves until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli_int.h"
#include "console/console.h"
#include "federation/federation.h"
#include "http/http.h"
#include "iam/iam.h"
#include "org/org.h"
#include "sts/sts.h"
#include "s3/s3.h"

/* Every half second, pick up what other processes wrote (revocations, keys). */
struct watcher {
    struct gh_api *api;
    const struct gh_secret *master;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
};

static void *
watch(void *arg)
{
    struct watcher *w = arg;
    struct timespec ts;

    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 500 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        (void)pthread_cond_timedwait(&w->cond, &w->lock, &ts);
        if (w->stop)
            break;
        pthread_mutex_unlock(&w->lock);
        if (gh_api_refresh(w->api, w->master) != GH_OK)
            fputs("gatehouse: could not refresh from the store; will retry\n", stderr);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static int
usage(const char *why)
{
    fprintf(stderr,
            "gatehouse serve: %s\n"
            "usage: gatehouse serve [--listen HOST:PORT] [--data-dir DIR] [--account-id ID]\n"
            "                       [--console-dir DIR] [--console-listen HOST:PORT]\n"
            "                       [--oidc-ca-file PEM] [--aws-data FILE]\n"
            "                       [--tls-listen HOST:PORT --tls-cert PEM --tls-key PEM]\n"
            "                       [--max-connections N] [--max-connections-per-ip N]\n"
            "                       [--header-timeout SECONDS] [--body-timeout SECONDS]\n",
            why);
    return 2;
}

/*
 * Opens the AWS managed policy catalog and has the store serve it. A
 * catalog named by --aws-data or GATEHOUSE_AWS_DATA must load; without
 * one, a server built without npm has none beside it: it says so once and
 * serves the seven AWS managed policies built into the store.
 */
static enum gh_err
catalog_load(struct gh_store *store, const char *path, char *found, size_t found_len,
             struct gh_aws_catalog **out)
{
    bool named = path != NULL && path[0] != '\0';
    struct gh_diag diag;
    enum gh_err err;

    *out = NULL;
    if (!named) {
        if (gh_store_catalog_path_default(found, found_len) != GH_OK)
            found[0] = '\0';
        path = found;
    }
    err = path[0] != '\0' ? gh_store_catalog_open(path, &diag, out) : GH_ERR_NOT_FOUND;
    if (err == GH_ERR_NOT_FOUND && !named) {
        fprintf(stderr,
                "gatehouse serve: no AWS managed policy catalog at %s (built without npm?): "
                "serving the 7 built-in AWS managed policies\n",
                path[0] != '\0' ? path : "aws-data/managed-policies.bin");
    } else if (err != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot load the AWS managed policy catalog: %s\n",
                diag.text);
        return err;
    }
    if ((err = gh_store_catalog_use(store, *out)) != GH_OK) {
        fprintf(stderr,
                "gatehouse serve: cannot update the AWS managed policies in the store (%s)\n",
                gh_err_str(err));
        gh_store_catalog_free(*out);
        *out = NULL;
    }
    return err;
}

/*
 * Raises the soft open-file limit to the hard one: each connection takes a
 * descriptor, and the default soft limit (often 1024) would cap them.
 */
static void
raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
        return;
    /* An unlimited hard limit: the kernel still caps it at fs.nr_open (2^20 by default). */
    rl.rlim_cur = (rlim_t)1 << 20;
    if (rl.rlim_max != RLIM_INFINITY || setrlimit(RLIMIT_NOFILE, &rl) != 0)
        fprintf(stderr, "gatehouse serve: cannot raise the open-file limit: %s\n", strerror(errno));
}

/* "--opt N" with 1 <= N <= max into *out; false when absent or out of range. */
static bool
uint_arg(const char *v, unsigned max, unsigned *out)
{
    uint64_t n;

    if (gh_parse_u64(gh_slice_from_cstr(v), max, &n) != GH_OK || n == 0)
        return false;
    *out = (unsigned)n;
    return true;
}

static bool
is_account_id(const char *s)
{
    size_t n = strlen(s);

    if (n != 12)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int
gh_cli_serve(int argc, char **argv)
{
    const char *listen = "127.0.0.1:7878", *dir = "./data", *want = NULL;
    static const struct gh_service *const services[] = {&gh_iam_service, &gh_sts_service, &gh_org_service,
                                                        NULL};
    struct gh_api_config config = {.region = "us-east-1", .managed_policies_per_role = 10};
    const char *oidc_ca = NULL; /* extra CAs for OIDC issuers (private test issuers) */
    struct gh_fed *fed = NULL;
    struct gh_secret master = {{0}, 0};
    struct gh_store *store = NULL;
    struct gh_api *api = NULL;
    struct gh_console *console = NULL;
    const char *console_dir = NULL;
    char console_found[4096];
    /* The console on its own origin: --console-listen; the main listener then has none. */
    const char *console_listen = NULL;
    struct gh_console_site site;
    struct gh_http_server *console_srv = NULL;
    /* The AWS managed policy catalog: --aws-data, GATEHOUSE_AWS_DATA, or
     * aws-data/managed-policies.bin beside the binary. */
    const char *aws_data = getenv("GATEHOUSE_AWS_DATA");
    char aws_data_found[4096];
    struct gh_aws_catalog *catalog = NULL;
    struct gh_keyring *keyring = NULL;
    struct gh_http_server *srv = NULL;
    /* HTTPS beside HTTP: --tls-listen with --tls-cert and --tls-key. */
    const char *tls_listen = NULL, *tls_cert = NULL, *tls_key = NULL;
    struct gh_http_tls tls = {NULL, 0, NULL, 0};
    struct gh_http_server *tls_srv = NULL;
    struct gh_s3 *s3 = NULL;
    struct gh_http_stream s3stream;
    struct gh_diag diag;
    char account[13];
    sigset_t sigs;
    int sig = 0, rc = 1;
    long ncpu;
    unsigned threads;
    enum gh_err err;
    size_t nbound = 0;
    /* Connection limits: each listener gets its share of the descriptors. */
    struct gh_http_limits limits;
    unsigned fd_budget, conn_max = 0, per_ip_max = 0, header_s = 0, body_s = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
            listen = argv[++i];
        else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--encode-denials") == 0)
            config.encode_denials = true;
        else if (strcmp(argv[i], "--account-id") == 0 && i + 1 < argc)
            want = argv[++i];
        else if (strncmp(argv[i], "--enforce=", 10) == 0 ||
                 (strcmp(argv[i], "--enforce") == 0 && i + 1 < argc)) {
            const char *mode = argv[i][9] == '=' ? argv[i] + 10 : argv[++i];
            if (strcmp(mode, "on") == 0)
                config.enforce = GH_ENFORCE_ON;
            else if (strcmp(mode, "log") == 0)
                config.enforce = GH_ENFORCE_LOG;
            else
                return usage("--enforce must be 'on' (deny) or 'log' (allow and log denials)");
        } else if (strcmp(argv[i], "--oidc-ca-file") == 0 && i + 1 < argc)
            oidc_ca = argv[++i];
        else if (strcmp(argv[i], "--console-dir") == 0 && i + 1 < argc)
            console_dir = argv[++i];
        else if (strcmp(argv[i], "--console-listen") == 0 && i + 1 < argc)
            console_listen = argv[++i];
        else if (strcmp(argv[i], "--aws-data") == 0 && i + 1 < argc)
            aws_data = argv[++i];
        else if (strcmp(argv[i], "--tls-listen") == 0 && i + 1 < argc)
            tls_listen = argv[++i];
        else if (strcmp(argv[i], "--tls-cert") == 0 && i + 1 < argc)
            tls_cert = argv[++i];
        else if (strcmp(argv[i], "--tls-key") == 0 && i + 1 < argc)
            tls_key = argv[++i];
        else if (strcmp(argv[i], "--max-connections") == 0 && i + 1 < argc) {
            if (!uint_arg(argv[++i], UINT32_MAX, &conn_max))
                return usage("--max-connections must be a positive number");
        } else if (strcmp(argv[i], "--max-connections-per-ip") == 0 && i + 1 < argc) {
            if (!uint_arg(argv[++i], UINT32_MAX, &per_ip_max))
                return usage("--max-connections-per-ip must be a positive number");
        } else if (strcmp(argv[i], "--header-timeout") == 0 && i + 1 < argc) {
            if (!uint_arg(argv[++i], 3600, &header_s))
                return usage("--header-timeout must be 1 to 3600 seconds");
        } else if (strcmp(argv[i], "--body-timeout") == 0 && i + 1 < argc) {
            if (!uint_arg(argv[++i], 86400, &body_s))
                return usage("--body-timeout must be 1 to 86400 seconds");
        } else
            return usage("unknown or incomplete option");
    }
    if (want != NULL && !is_account_id(want))
        return usage("--account-id must be 12 digits");
    if ((tls_listen != NULL || tls_cert != NULL || tls_key != NULL) &&
        (tls_listen == NULL || tls_cert == NULL || tls_key == NULL))
        return usage("HTTPS needs all three of --tls-listen, --tls-cert and --tls-key");
    if (tls_listen != NULL && strcmp(tls_listen, listen) == 0)
        return usage("--tls-listen must differ from --listen (one port per protocol)");
    if (console_listen != NULL && (strcmp(console_listen, listen) == 0 ||
                                   (tls_listen != NULL && strcmp(console_listen, tls_listen) == 0)))
        return usage(
            "--console-listen must differ from --listen and --tls-listen (its own origin)");
    raise_nofile();
    fd_budget = gh_http_conn_fd_budget() /
                (1u + (tls_listen != NULL ? 1u : 0u) + (console_listen != NULL ? 1u : 0u));
    gh_http_limits_default(fd_budget, &limits);
    if (conn_max > fd_budget) {
        fprintf(stderr, "gatehouse serve: --max-connections %u is more than the open-file limit "
                        "allows (%u per listener); raise `ulimit -n` or ask for fewer\n",
                conn_max, fd_budget);
        return 2;
    }
    if (conn_max != 0) {
        limits.conn_max = conn_max;
        if (limits.conn_per_ip_max > conn_max)
            limits.conn_per_ip_max = conn_max;
    }
    if (per_ip_max != 0)
        limits.conn_per_ip_max = per_ip_max;
    if (limits.conn_per_ip_max > limits.conn_max)
        return usage("--max-connections-per-ip must not exceed --max-connections");
    if (header_s != 0)
        limits.header_timeout_s = header_s;
    if (body_s != 0)
        limits.body_timeout_s = body_s;

    /* Everything written under the data directory is private (STYLE: files 0600). */
    umask(077);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "gatehouse serve: cannot create data directory %s: %s\n", dir,
                strerror(errno));
        return 1;
    }
    /* Check the certificate and key before the store is opened. */
    if (tls_listen != NULL) {
        if (!gh_http_tls_is_supported()) {
            fputs("gatehouse serve: this libmicrohttpd was built without TLS; install Debian's "
                  "libmicrohttpd12 (built with GnuTLS) or drop --tls-listen\n", stderr);
            goto done;
        }
        gh_diag_clear(&diag);
        if (gh_http_tls_load(tls_cert, tls_key, &tls, &diag) != GH_OK) {
            fprintf(stderr, "gatehouse serve: %s\n", diag.text);
            goto done;
        }
    }
    if ((err = gh_store_master_key_load(dir, &master)) != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot load %s/master.key (%s); it must be 32 bytes, "
                        "mode 0600\n", dir, gh_err_str(err));
        goto done;
    }
    if ((err = gh_store_open(dir, &master, &store)) != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot open the store in %s (%s)\n", dir,
                gh_err_str(err));
        goto done;
    }
    if ((err = catalog_load(store, aws_data, aws_data_found, sizeof(aws_data_found), &catalog)) !=
        GH_OK)
        goto done;
    gh_diag_clear(&diag);
    if ((err = gh_cli_bootstrap(store, dir, want, account, &diag)) != GH_OK) {
        fprintf(stderr, "gatehouse serve: %s\n", diag.text);
        rc = err == GH_ERR_INVALID_INPUT ? 2 : 1;
        goto done;
    }
    /* AWS IAM "Principal": a saved user or role ARN names that entity's unique
     * id. Documents saved before gatehouse bound them are bound now, before
     * any request, a principal deleted meanwhile to nobody (fail closed). */
    if ((err = gh_api_principals_bind_legacy(store, &nbound)) != GH_OK) {
        fprintf(stderr,
                "gatehouse serve: cannot bind the principals of stored trust and bucket "
                "policies (%s)\n",
                gh_err_str(err));
        goto done;
    }
    if (nbound > 0)
        fprintf(stderr,
                "gatehouse serve: bound the principals of %zu stored trust and bucket "
                "policies saved before principal bindings\n",
                nbound);
    if ((err = gh_keyring_load(store, &master, &keyring)) != GH_OK) {
        /* A signature mismatch here means another master key sealed them. */
        fprintf(stderr,
                "gatehouse serve: cannot load the session token keys (%s)%s\n", gh_err_str(err),
                err == GH_ERR_SIGNATURE
                    ? ": the master key (GATEHOUSE_MASTER_KEY or DIR/master.key) is not the one "
                      "this data directory was sealed with"
                    : "");
        goto done;
    }
    /* Federation: JWKS cache, and --oidc-ca-file trusted besides the system store. */
    if ((err = gh_fed_new(oidc_ca, &fed)) != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot use --oidc-ca-file %s (%s); it must be a "
                        "readable PEM file of CA certificates\n", oidc_ca ? oidc_ca : "",
                gh_err_str(err));
        goto done;
    }
    config.federation = fed;
    struct gh_api_deps deps = {
        .store = store,
        .keyring = keyring,
        .config = &config,
        .services = services,
        .key_used = gh_iam_key_used,
    };
    if ((err = gh_api_new(&deps, &api)) != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot start (%s)\n", gh_err_str(err));
        goto done;
    }

    /* The web console: the built bundle next to the binary unless --console-dir says. */
    if (console_dir == NULL && gh_console_dir_default(console_found, sizeof(console_found)) == GH_OK)
        console_dir = console_found;
    struct gh_console_deps cdeps = {.store = store, .api = api, .assets_dir = console_dir};
    /*
     * With --console-listen the console is only there: the main listener,
     * which serves S3 objects, answers 404 under /console, so no uploaded
     * page shares the console's origin.
     */
    if ((err = gh_console_new(&cdeps, &console)) != GH_OK ||
        (err = gh_api_mount(api, GH_CONSOLE_PREFIX,
                            console_listen != NULL
                                ? (struct gh_http_handler){gh_console_elsewhere_handle, NULL}
                                : (struct gh_http_handler){gh_console_handle, console})) != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot load the console from %s (%s)\n",
                console_dir != NULL ? console_dir : "(none)", gh_err_str(err));
        goto done;
    }

    /* The S3-compatible service: streamed when signed for s3, else through the api. */
    struct gh_s3_config s3cfg = {.api = api, .store = store, .data_dir = dir,
                                 .region = config.region};
    if ((err = gh_s3_new(&s3cfg, &s3)) != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot create %s/s3 (%s)\n", dir, gh_err_str(err));
        goto done;
    }
    gh_api_set_rest(api, (struct gh_http_handler){gh_s3_handle, s3});
    gh_s3_stream(s3, &s3stream);

    if ((err = gh_api_refresh(api, &master)) != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot read the store (%s)\n", gh_err_str(err));
        goto done;
    }

    /* Block the stop signals in every thread; this one waits for them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    threads = ncpu < 2 ? 4 : (unsigned)(ncpu * 2);
    if (threads > limits.conn_max) /* libmicrohttpd gives each thread a share of them */
        threads = limits.conn_max;
    /* HTTPS first: once /healthz answers over HTTP, both are up. */
    if (tls_listen != NULL) {
        err = gh_http_server_start_opts(tls_listen, threads, GH_FORM_BODY_MAX,
                                        (struct gh_http_handler){gh_api_handle, api}, &s3stream,
                                        &tls, &limits, &tls_srv);
        gh_http_tls_cleanup(&tls); /* the server keeps its own copy of the key */
        if (err != GH_OK) {
            fprintf(stderr, "gatehouse serve: cannot serve HTTPS on %s; is the port in use, the "
                            "address wrong, or the certificate refused by GnuTLS? (%s)\n",
                    tls_listen, gh_err_str(err));
            goto done;
        }
        fprintf(stderr, "gatehouse: serving HTTPS on https://%s\n", tls_listen);
    }
    /* The console's listener before the main one too: /healthz there means all are up. */
    if (console_listen != NULL) {
        site = (struct gh_console_site){console, {gh_api_handle_query, api}};
        err = gh_http_server_start_opts(console_listen, threads, GH_FORM_BODY_MAX,
                                        (struct gh_http_handler){gh_console_site_handle, &site},
                                        NULL, NULL, &limits, &console_srv);
        if (err != GH_OK) {
            fprintf(stderr,
                    "gatehouse serve: cannot serve the console on %s; is the port in use "
                    "or the address wrong? (%s)\n",
                    console_listen, gh_err_str(err));
            goto done;
        }
        fprintf(stderr, "gatehouse: serving the console on http://%s/console/\n", console_listen);
    }
    err = gh_http_server_start_opts(listen, threads, GH_FORM_BODY_MAX,
                                    (struct gh_http_handler){gh_api_handle, api}, &s3stream,
                                    NULL, &limits, &srv);
    if (err != GH_OK) {
        fprintf(stderr, "gatehouse serve: cannot listen on %s; is the port in use or the address "
                        "wrong? (%s)\n", listen, gh_err_str(err));
        goto done;
    }
    fprintf(stderr, "gatehouse: serving account %s on http://%s (data in %s)%s\n", account, listen,
            dir,
            config.enforce == GH_ENFORCE_LOG ? "; enforce=log: denials are logged, not enforced"
                                             : "");
    struct watcher w = {.api = api, .master = &master, .stop = false};
    pthread_t watcher_thread;
    bool watching = false;
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    watching = pthread_create(&watcher_thread, NULL, watch, &w) == 0;
    if (sigwait(&sigs, &sig) != 0)
        sig = 0;
    if (watching) {
        pthread_mutex_lock(&w.lock);
        w.stop = true;
        pthread_cond_signal(&w.cond);
        pthread_mutex_unlock(&w.lock);
        pthread_join(watcher_thread, NULL);
    }
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    fprintf(stderr, "gatehouse: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    rc = 0;
done:
    gh_http_server_stop(console_srv);
    gh_http_server_stop(tls_srv);
    gh_http_server_stop(srv);
    gh_http_tls_cleanup(&tls);
    gh_api_free(api);
    gh_fed_free(fed);
    gh_s3_free(s3);
    gh_console_free(console);
    gh_keyring_unref(keyring);
    gh_store_close(store);
    gh_store_catalog_free(catalog);
    gh_secret_wipe(&master);
    return rc;
}
