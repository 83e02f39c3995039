/*
 * instance.c: `gatehouse instance`: plays the EC2 host of an instance
 * with an instance profile. It gets the role's credentials from the
 * gatehouse server (AssumeRoleForService, as EC2 would; the server checks
 * iam:PassRole and the role's trust of ec2.amazonaws.com), serves them
 * over IMDSv2 and refreshes them before they expire.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "creds/creds.h"
#include "http/http.h"

struct instance {
    const char *endpoint;
    const char *profile_name;
    const char *duration; /* NULL = the server's default */
    char instance_id[20];
    struct gh_cli_aws aws;
};

static int
usage(const char *why)
{
    fprintf(stderr,
            "gatehouse instance: %s\n"
            "usage: gatehouse instance --endpoint URL --instance-profile NAME "
            "[--listen HOST:PORT] [--profile P] [--imds-v1] [--duration SECONDS]\n",
            why);
    return 2;
}

static enum gh_err
fetch(void *ctx, struct gh_creds_set *out, char *why, size_t why_len)
{
    struct instance *in = ctx;
    struct gh_buf form;
    enum gh_err err;

    gh_buf_init(&form, 4096);
    gh_cli_form_add(&form, "Action", "AssumeRoleForService");
    gh_cli_form_add(&form, "Version", "2011-06-15");
    gh_cli_form_add(&form, "ServicePrincipal", "ec2.amazonaws.com");
    gh_cli_form_add(&form, "InstanceProfileName", in->profile_name);
    gh_cli_form_add(&form, "RoleSessionName", in->instance_id);
    if (in->duration != NULL)
        gh_cli_form_add(&form, "DurationSeconds", in->duration);
    if ((err = gh_buf_status(&form)) == GH_OK)
        err =
            gh_cli_sts_credentials(in->endpoint, &in->aws, gh_buf_slice(&form), out, why, why_len);
    gh_buf_cleanup(&form);
    return err;
}

/* The host of "HOST:PORT" ("[v6]:PORT" too), without brackets. */
static void
listen_host(const char *listen, char *out, size_t n)
{
    const char *colon = strrchr(listen, ':');
    size_t len = colon == NULL ? strlen(listen) : (size_t)(colon - listen);

    if (len >= 2 && listen[0] == '[' && listen[len - 1] == ']') {
        listen++;
        len -= 2;
    }
    (void)snprintf(out, n, "%.*s", (int)len, listen);
}

int
gh_cli_instance(int argc, char **argv)
{
    struct instance in;
    struct gh_creds_imds_config cfg;
    struct gh_creds_cache *cache = NULL;
    struct gh_creds_imds *imds = NULL;
    struct gh_http_server *srv = NULL;
    struct gh_creds_set first;
    const char *listen = "127.0.0.1:0", *aws_profile = NULL;
    char host[64], why[1024];
    struct in_addr a4;
    sigset_t sigs;
    int sig = 0, rc = 1;
    uint64_t dur;
    enum gh_err err;

    memset(&in, 0, sizeof(in));
    memset(&cfg, 0, sizeof(cfg));
    memset(&first, 0, sizeof(first));
    for (int i = 1; i < argc; i++) {
        bool has = i + 1 < argc;
        if (strcmp(argv[i], "--endpoint") == 0 && has)
            in.endpoint = argv[++i];
        else if (strcmp(argv[i], "--instance-profile") == 0 && has)
            in.profile_name = argv[++i];
        else if (strcmp(argv[i], "--listen") == 0 && has)
            listen = argv[++i];
        else if (strcmp(argv[i], "--profile") == 0 && has)
            aws_profile = argv[++i];
        else if (strcmp(argv[i], "--duration") == 0 && has)
            in.duration = argv[++i];
        else if (strcmp(argv[i], "--imds-v1") == 0)
            cfg.allow_v1 = true;
        else
            return usage("unknown or incomplete option");
    }
    if (in.endpoint == NULL || in.profile_name == NULL)
        return usage("--endpoint and --instance-profile are required");
    if (in.duration != NULL &&
        (gh_parse_u64(gh_slice_from_cstr(in.duration), 43200, &dur) != GH_OK || dur < 900))
        return usage("--duration must be a number of seconds from 900 to 43200");
    listen_host(listen, host, sizeof(host));
    /* Only loopback callers, unless --listen names another address on purpose. */
    cfg.loopback_only = gh_http_is_loopback(host);

    if (gh_cli_client_init() != GH_OK) {
        fprintf(stderr, "gatehouse instance: cannot initialise libcurl\n");
        return 1;
    }
    if (gh_cli_aws_load(aws_profile, &in.aws, why, sizeof(why)) != GH_OK) {
        fprintf(stderr, "gatehouse instance: %s\n", why);
        return 1;
    }
    if ((err = gh_creds_instance_id(in.instance_id)) != GH_OK) {
        fprintf(stderr, "gatehouse instance: no randomness (%s)\n", gh_err_str(err));
        goto done;
    }
    /* The start-up check is the first delivery: PassRole and trust decided by the server. */
    if (fetch(&in, &first, why, sizeof(why)) != GH_OK) {
        fprintf(stderr,
                "gatehouse instance: cannot start: instance profile %s gives no credentials: %s\n",
                in.profile_name, why);
        goto done;
    }
    if (first.profile_arn[0] == '\0') {
        fprintf(stderr,
                "gatehouse instance: the server at %s does not answer for instance "
                "profiles; is it a gatehouse server?\n",
                in.endpoint);
        goto done;
    }
    if (gh_creds_cache_new((struct gh_creds_fetcher){fetch, &in}, &cache) != GH_OK ||
        gh_creds_cache_put(cache, &first) != GH_OK) {
        fprintf(stderr, "gatehouse instance: out of memory\n");
        goto done;
    }
    cfg.cache = cache;
    memcpy(cfg.instance_id, in.instance_id, sizeof(cfg.instance_id));
    memcpy(cfg.account, first.account, sizeof(cfg.account));
    (void)snprintf(cfg.region, sizeof(cfg.region), "%s", in.aws.region);
    (void)snprintf(cfg.availability_zone, sizeof(cfg.availability_zone), "%sa", in.aws.region);
    if (inet_pton(AF_INET, host, &a4) != 1 || strcmp(host, "0.0.0.0") == 0 ||
        inet_ntop(AF_INET, &a4, cfg.local_ipv4, sizeof(cfg.local_ipv4)) == NULL)
        (void)snprintf(cfg.local_ipv4, sizeof(cfg.local_ipv4), "127.0.0.1");
    cfg.launched = gh_now_s();
    if (gh_creds_imds_new(&cfg, &imds) != GH_OK) {
        fprintf(stderr, "gatehouse instance: out of memory\n");
        goto done;
    }

    /* Block the stop signals in every thread; this one waits for them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((err = gh_http_server_start(listen, 4, 4096,
                                    (struct gh_http_handler){gh_creds_imds_handle, imds}, &srv)) !=
        GH_OK) {
        fprintf(stderr,
                "gatehouse instance: cannot listen on %s; is the port in use or the "
                "address wrong? (%s)\n",
                listen, gh_err_str(err));
        goto done;
    }
    if (gh_creds_cache_start(cache, "gatehouse instance") != GH_OK) {
        fprintf(stderr, "gatehouse instance: cannot start the refresher\n");
        goto done;
    }
    printf("gatehouse instance: %s with role %s (instance profile %s) serving IMDSv2 on "
           "http://%s%s%s:%u/\n",
           in.instance_id, first.role_name, in.profile_name, strchr(host, ':') ? "[" : "", host,
           strchr(host, ':') ? "]" : "", gh_http_server_port(srv));
    fflush(stdout);
    if (sigwait(&sigs, &sig) != 0)
        sig = 0;
    fprintf(stderr, "gatehouse instance: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    rc = 0;
done:
    gh_http_server_stop(srv);
    gh_creds_cache_free(cache); /* joins the refresher before the fetch context goes */
    gh_creds_imds_free(imds);
    gh_creds_set_clear(&first);
    gh_cli_aws_clear(&in.aws);
    return rc;
}
