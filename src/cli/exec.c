/*
 * exec.c: `gatehouse exec`: plays the ECS / Lambda host. It gets a role's
 * credentials from the gatehouse server as that service would
 * (AssumeRoleForService: iam:PassRole and the role's trust of the service
 * are checked there), serves them on the container credentials endpoint
 * on a random loopback port behind a random authorization token, and runs
 * COMMAND so that the SDKs' credential chain finds that endpoint first.
 */
#define _GNU_SOURCE /* execvpe */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "creds/creds.h"
#include "http/http.h"

extern char **environ;

struct exec_ctx {
    const char *endpoint;
    const char *role_arn;
    const char *service;
    const char *duration;
    char session[40];
    struct gh_cli_aws aws;
};

static int
usage(const char *why)
{
    fprintf(stderr,
            "gatehouse exec: %s\n"
            "usage: gatehouse exec --endpoint URL --role-arn ARN [--duration SECONDS] "
            "[--service ecs-tasks.amazonaws.com|lambda.amazonaws.com] [--profile P] "
            "-- COMMAND [ARGS...]\n",
            why);
    return 2;
}

static enum gh_err
fetch(void *ctx, struct gh_creds_set *out, char *why, size_t why_len)
{
    struct exec_ctx *x = ctx;
    struct gh_buf form;
    enum gh_err err;

    gh_buf_init(&form, 8192);
    gh_cli_form_add(&form, "Action", "AssumeRoleForService");
    gh_cli_form_add(&form, "Version", "2011-06-15");
    gh_cli_form_add(&form, "ServicePrincipal", x->service);
    gh_cli_form_add(&form, "RoleArn", x->role_arn);
    gh_cli_form_add(&form, "RoleSessionName", x->session);
    if (x->duration != NULL)
        gh_cli_form_add(&form, "DurationSeconds", x->duration);
    if ((err = gh_buf_status(&form)) == GH_OK)
        err = gh_cli_sts_credentials(x->endpoint, &x->aws, gh_buf_slice(&form), out, why, why_len);
    gh_buf_cleanup(&form);
    return err;
}

/* Variables that would put another credential source ahead of the container provider. */
static bool
is_dropped(const char *kv)
{
    static const char *const names[] = {"AWS_ACCESS_KEY_ID",
                                        "AWS_SECRET_ACCESS_KEY",
                                        "AWS_SESSION_TOKEN",
                                        "AWS_SECURITY_TOKEN",
                                        "AWS_PROFILE",
                                        "AWS_DEFAULT_PROFILE",
                                        "AWS_SHARED_CREDENTIALS_FILE",
                                        "AWS_CONFIG_FILE",
                                        "AWS_WEB_IDENTITY_TOKEN_FILE",
                                        "AWS_ROLE_ARN",
                                        "AWS_ROLE_SESSION_NAME",
                                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"};

    for (size_t i = 0; i < GH_ARRAY_LEN(names); i++) {
        size_t n = strlen(names[i]);
        if (strncmp(kv, names[i], n) == 0 && kv[n] == '=')
            return true;
    }
    return false;
}

static bool
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (f == NULL)
        return false;
    ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

/* "K=V" on the heap; NULL on NOMEM. */
static char *
kv(const char *k, const char *v)
{
    size_t n = strlen(k) + strlen(v) + 2;
    char *s = malloc(n);

    if (s != NULL)
        (void)snprintf(s, n, "%s=%s", k, v);
    return s;
}

static bool
is_service(const char *s)
{
    return strcmp(s, "ecs-tasks.amazonaws.com") == 0 || strcmp(s, "lambda.amazonaws.com") == 0;
}

int
gh_cli_exec(int argc, char **argv)
{
    struct exec_ctx x;
    struct gh_creds_cache *cache = NULL;
    struct gh_creds_container *endpoint = NULL;
    struct gh_http_server *srv = NULL;
    struct gh_creds_set first;
    const char *aws_profile = NULL;
    char **cmd = NULL, **env = NULL;
    char why[1024], dir[64] = "", cred_path[128] = "", conf_path[128] = "", conf[128];
    char token[65], uri[96], *env_uri = NULL, *env_tok = NULL, *env_cred = NULL, *env_conf = NULL;
    uint8_t raw[32], sid[16];
    sigset_t sigs, old;
    size_t nenv = 0, k = 0;
    pid_t child = -1;
    int rc = 1, status = 0, sig = 0;
    uint64_t dur;

    memset(&x, 0, sizeof(x));
    memset(&first, 0, sizeof(first));
    x.service = "ecs-tasks.amazonaws.com";
    for (int i = 1; i < argc; i++) {
        bool has = i + 1 < argc;
        if (strcmp(argv[i], "--") == 0) {
            cmd = argv + i + 1;
            break;
        } else if (strcmp(argv[i], "--endpoint") == 0 && has)
            x.endpoint = argv[++i];
        else if (strcmp(argv[i], "--role-arn") == 0 && has)
            x.role_arn = argv[++i];
        else if (strcmp(argv[i], "--service") == 0 && has)
            x.service = argv[++i];
        else if (strcmp(argv[i], "--duration") == 0 && has)
            x.duration = argv[++i];
        else if (strcmp(argv[i], "--profile") == 0 && has)
            aws_profile = argv[++i];
        else
            return usage("unknown or incomplete option");
    }
    if (x.endpoint == NULL || x.role_arn == NULL)
        return usage("--endpoint and --role-arn are required");
    if (cmd == NULL || cmd[0] == NULL)
        return usage("give the command to run after --");
    if (!is_service(x.service))
        return usage("--service must be ecs-tasks.amazonaws.com or lambda.amazonaws.com");
    if (x.duration != NULL &&
        (gh_parse_u64(gh_slice_from_cstr(x.duration), 43200, &dur) != GH_OK || dur < 900))
        return usage("--duration must be a number of seconds from 900 to 43200");

    if (gh_cli_client_init() != GH_OK) {
        fprintf(stderr, "gatehouse exec: cannot initialise libcurl\n");
        return 1;
    }
    if (gh_cli_aws_load(aws_profile, &x.aws, why, sizeof(why)) != GH_OK) {
        fprintf(stderr, "gatehouse exec: %s\n", why);
        return 1;
    }
    /* The session is named after a task id, as ECS names it. */
    if (gh_random(sid, sizeof(sid)) != GH_OK || gh_random(raw, sizeof(raw)) != GH_OK) {
        fprintf(stderr, "gatehouse exec: no randomness\n");
        goto done;
    }
    gh_hex_encode(sid, sizeof(sid), x.session);
    x.session[32] = '\0';
    /* A random 32-byte authorization token. */
    gh_hex_encode(raw, sizeof(raw), token);
    token[64] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    if (fetch(&x, &first, why, sizeof(why)) != GH_OK) {
        fprintf(stderr, "gatehouse exec: cannot get credentials for %s as %s: %s\n", x.role_arn,
                x.service, why);
        goto done;
    }
    if (gh_creds_cache_new((struct gh_creds_fetcher){fetch, &x}, &cache) != GH_OK ||
        gh_creds_cache_put(cache, &first) != GH_OK ||
        gh_creds_container_new(cache, gh_slice_from_cstr(token), &endpoint) != GH_OK) {
        fprintf(stderr, "gatehouse exec: out of memory\n");
        goto done;
    }

    /* An empty shared-credentials file and a config file with only the
     * region: no credential source ahead of the container provider. */
    (void)snprintf(dir, sizeof(dir), "%s", "/tmp/gatehouse-exec-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "gatehouse exec: cannot create a temporary directory: %s\n",
                strerror(errno));
        dir[0] = '\0';
        goto done;
    }
    (void)snprintf(cred_path, sizeof(cred_path), "%s/credentials", dir);
    (void)snprintf(conf_path, sizeof(conf_path), "%s/config", dir);
    (void)snprintf(conf, sizeof(conf), "[default]\nregion = %s\n", x.aws.region);
    if (!write_file(cred_path, "") || !write_file(conf_path, conf)) {
        fprintf(stderr, "gatehouse exec: cannot write in %s\n", dir);
        goto done;
    }

    /* Signals to forward are blocked in every thread; this one waits for them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGQUIT);
    sigaddset(&sigs, SIGUSR1);
    sigaddset(&sigs, SIGUSR2);
    sigaddset(&sigs, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    signal(SIGPIPE, SIG_IGN);
    if (gh_http_server_start("127.0.0.1:0", 2, 1024,
                             (struct gh_http_handler){gh_creds_container_handle, endpoint},
                             &srv) != GH_OK) {
        fprintf(stderr, "gatehouse exec: cannot listen on a loopback port\n");
        goto done;
    }
    if (gh_creds_cache_start(cache, "gatehouse exec") != GH_OK) {
        fprintf(stderr, "gatehouse exec: cannot start the refresher\n");
        goto done;
    }
    (void)snprintf(uri, sizeof(uri), "http://127.0.0.1:%u%s", gh_http_server_port(srv),
                   GH_CREDS_CONTAINER_PATH);

    for (char **e = environ; *e != NULL; e++)
        nenv++;
    env_uri = kv("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri);
    env_tok = kv("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
    env_cred = kv("AWS_SHARED_CREDENTIALS_FILE", cred_path);
    env_conf = kv("AWS_CONFIG_FILE", conf_path);
    if ((env = calloc(nenv + 5, sizeof(*env))) == NULL || env_uri == NULL || env_tok == NULL ||
        env_cred == NULL || env_conf == NULL) {
        fprintf(stderr, "gatehouse exec: out of memory\n");
        goto done;
    }
    for (char **e = environ; *e != NULL; e++)
        if (!is_dropped(*e))
            env[k++] = *e;
    env[k++] = env_uri;
    env[k++] = env_tok;
    env[k++] = env_cred;
    env[k++] = env_conf;
    env[k] = NULL;

    if ((child = fork()) < 0) {
        fprintf(stderr, "gatehouse exec: cannot fork: %s\n", strerror(errno));
        goto done;
    }
    if (child == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        static const char msg[] = "gatehouse exec: cannot run the command\n";
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        signal(SIGPIPE, SIG_DFL);
        execvpe(cmd[0], cmd, env);
        if (write(2, msg, sizeof(msg) - 1) < 0)
            _exit(127);
        _exit(errno == ENOENT ? 127 : 126);
    }
    for (;;) {
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig == SIGCHLD) {
            pid_t w = waitpid(child, &status, WNOHANG);
            if (w == child)
                break;
            continue;
        }
        (void)kill(child, sig); /* forwarded; the command decides what it means */
    }
    /* The exit status is the command's; a signal death reads as 128 + N, as in a shell. */
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
done:
    gh_http_server_stop(srv);
    gh_creds_cache_free(cache); /* joins the refresher before the fetch context goes */
    gh_creds_container_free(endpoint);
    gh_creds_set_clear(&first);
    gh_cli_aws_clear(&x.aws);
    OPENSSL_cleanse(token, sizeof(token));
    if (env_tok != NULL) {
        OPENSSL_cleanse(env_tok, strlen(env_tok));
        free(env_tok);
    }
    free(env_uri);
    free(env_cred);
    free(env_conf);
    free(env);
    if (cred_path[0] != '\0')
        (void)unlink(cred_path);
    if (conf_path[0] != '\0')
        (void)unlink(conf_path);
    if (dir[0] != '\0')
        (void)rmdir(dir);
    return rc;
}
