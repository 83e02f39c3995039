/*
 * credential_process.c: `gatehouse credential-process`: assumes a role on
 * the gatehouse server and prints the JSON that the AWS config setting
 * credential_process expects (AWS SDKs and Tools Reference Guide,
 * "Process credential provider": Version 1, AccessKeyId, SecretAccessKey,
 * SessionToken, Expiration), so any SDK profile can use the role.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "creds/creds.h"

static int
usage(const char *why)
{
    fprintf(stderr,
            "gatehouse credential-process: %s\n"
            "usage: gatehouse credential-process --endpoint URL --role-arn ARN "
            "[--role-session-name NAME] [--duration SECONDS] [--external-id ID] [--profile P]\n",
            why);
    return 2;
}

int
gh_cli_credential_process(int argc, char **argv)
{
    const char *endpoint = NULL, *role_arn = NULL, *session = NULL, *duration = NULL;
    const char *external_id = NULL, *aws_profile = NULL;
    struct gh_cli_aws aws;
    struct gh_creds_set s;
    struct gh_buf form, out;
    char why[1024], name[64], expires[21];
    int rc = 1;
    uint64_t dur;

    for (int i = 1; i < argc; i++) {
        bool has = i + 1 < argc;
        if (strcmp(argv[i], "--endpoint") == 0 && has)
            endpoint = argv[++i];
        else if (strcmp(argv[i], "--role-arn") == 0 && has)
            role_arn = argv[++i];
        else if (strcmp(argv[i], "--role-session-name") == 0 && has)
            session = argv[++i];
        else if (strcmp(argv[i], "--duration") == 0 && has)
            duration = argv[++i];
        else if (strcmp(argv[i], "--external-id") == 0 && has)
            external_id = argv[++i];
        else if (strcmp(argv[i], "--profile") == 0 && has)
            aws_profile = argv[++i];
        else
            return usage("unknown or incomplete option");
    }
    if (endpoint == NULL || role_arn == NULL)
        return usage("--endpoint and --role-arn are required");
    if (duration != NULL &&
        (gh_parse_u64(gh_slice_from_cstr(duration), 43200, &dur) != GH_OK || dur < 900))
        return usage("--duration must be a number of seconds from 900 to 43200");
    if (session == NULL) {
        /* As botocore names its AssumeRole sessions: a fixed prefix and the time. */
        (void)snprintf(name, sizeof(name), "gatehouse-%lld", (long long)gh_now_s());
        session = name;
    }
    if (gh_cli_client_init() != GH_OK) {
        fprintf(stderr, "gatehouse credential-process: cannot initialise libcurl\n");
        return 1;
    }
    if (gh_cli_aws_load(aws_profile, &aws, why, sizeof(why)) != GH_OK) {
        fprintf(stderr, "gatehouse credential-process: %s\n", why);
        return 1;
    }
    memset(&s, 0, sizeof(s));
    gh_buf_init(&form, 8192);
    gh_buf_init(&out, 0);
    gh_cli_form_add(&form, "Action", "AssumeRole");
    gh_cli_form_add(&form, "Version", "2011-06-15");
    gh_cli_form_add(&form, "RoleArn", role_arn);
    gh_cli_form_add(&form, "RoleSessionName", session);
    if (duration != NULL)
        gh_cli_form_add(&form, "DurationSeconds", duration);
    if (external_id != NULL)
        gh_cli_form_add(&form, "ExternalId", external_id);
    if (gh_buf_status(&form) != GH_OK) {
        fprintf(stderr, "gatehouse credential-process: the request is too large\n");
        goto done;
    }
    if (gh_cli_sts_credentials(endpoint, &aws, gh_buf_slice(&form), &s, why, sizeof(why)) !=
        GH_OK) {
        fprintf(stderr, "gatehouse credential-process: cannot assume %s: %s\n", role_arn, why);
        goto done;
    }
    gh_time_iso8601(s.expires, expires);
    gh_buf_putf(&out, "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"%s\",\n  \"SecretAccessKey\": ",
                s.access_key_id);
    gh_creds_json_str(&out, (struct gh_slice){(const char *)s.secret.bytes, s.secret.len});
    gh_buf_puts(&out, ",\n  \"SessionToken\": ");
    gh_creds_json_str(&out, gh_slice_from_cstr(s.token));
    gh_buf_putf(&out, ",\n  \"Expiration\": \"%s\"\n}\n", expires);
    if (gh_buf_status(&out) != GH_OK) {
        fprintf(stderr, "gatehouse credential-process: out of memory\n");
        goto done;
    }
    /* Written straight from the wiped buffer: no stdio copy of the secret. */
    for (size_t off = 0; off < out.len;) {
        ssize_t n = write(1, out.ptr + off, out.len - off);
        if (n <= 0) {
            fprintf(stderr, "gatehouse credential-process: cannot write the credentials\n");
            goto done;
        }
        off += (size_t)n;
    }
    rc = 0;
done:
    gh_buf_cleanup(&out);
    gh_buf_cleanup(&form);
    gh_creds_set_clear(&s);
    gh_cli_aws_clear(&aws);
    return rc;
}
