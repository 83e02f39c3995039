/*
 * test_creds.c: workload credentials: the STS extension
 * AssumeRoleForService through the real front door (PassRole with
 * iam:PassedToService, the role's trust of the service, instance
 * profiles), the reading of its answer, the IMDSv2 token and path rules,
 * the container endpoint's authorization and the refresh schedule.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "api/api.h"
#include "creds/creds.h"
#include "sts/sts.h"

#define ACCOUNT "123456789012"
#define ROOT_KEY "AKIAROOTROOTROOTROOT"
#define PASSER_KEY "AKIAPASSERPASSERPASS"
#define NOBODY_KEY "AKIANOBODYNOBODYNOBO"
#define ECS_ONLY_KEY "AKIAECSONLYECSONLYEC"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

static const char trust_ec2[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
    "\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
static const char trust_lambda[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
    "\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
static const char pass_any[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                               "\"Action\":\"iam:PassRole\",\"Resource\":\"*\"}]}";
static const char pass_ecs[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\","
    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"iam:PassedToService\":"
    "\"ecs-tasks.amazonaws.com\"}}}]}";

struct fixture {
    char dir[64];
    struct gh_secret master;
    struct gh_store *store;
    struct gh_keyring *ring;
    struct gh_api *api;
    struct gh_api_config config;
};

static void
put_user(struct gh_store_tx *tx, const char *name, const char *id, const char *key,
         const char *policy)
{
    struct gh_user u = {
        GH_S(ACCOUNT), gh_slice_from_cstr(name), GH_S("/"), gh_slice_from_cstr(id), GH_S(""), 1, 0};
    struct gh_access_key k;
    struct gh_secret s;

    memset(&k, 0, sizeof(k));
    k.id = gh_slice_from_cstr(key);
    k.account = GH_S(ACCOUNT);
    k.user_name = gh_slice_from_cstr(name);
    k.created = 1;
    assert_int_equal(gh_secret_set(&s, SECRET, 40), GH_OK);
    if (name[0] != '\0')
        assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    assert_int_equal(gh_store_access_key_create(tx, &k, &s), GH_OK);
    if (policy != NULL)
        assert_int_equal(gh_store_inline_put(tx, u.id, GH_S("pass"), gh_slice_from_cstr(policy)),
                         GH_OK);
}

static void
put_role(struct gh_store_tx *tx, const char *name, const char *id, const char *trust)
{
    struct gh_role r;

    memset(&r, 0, sizeof(r));
    r.account = GH_S(ACCOUNT);
    r.name = gh_slice_from_cstr(name);
    r.path = GH_S("/");
    r.id = gh_slice_from_cstr(id);
    r.trust_policy = gh_slice_from_cstr(trust);
    r.description = GH_S("");
    r.boundary_arn = GH_S("");
    r.max_session_s = 3600;
    r.created = 1;
    r.last_used_region = GH_S("");
    assert_int_equal(gh_store_role_create(tx, &r), GH_OK);
}

static void
put_profile(struct gh_store_tx *tx, const char *name, const char *id, const char *role_id)
{
    struct gh_instance_profile p = {GH_S(ACCOUNT), gh_slice_from_cstr(name), GH_S("/"),
                                    gh_slice_from_cstr(id), 1};

    assert_int_equal(gh_store_instance_profile_create(tx, &p), GH_OK);
    if (role_id != NULL)
        assert_int_equal(gh_store_instance_profile_role_add(tx, p.id, gh_slice_from_cstr(role_id)),
                         GH_OK);
}

static int
setup(void **state)
{
    static const struct gh_service *const services[] = {&gh_sts_service, NULL};
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_store_tx *tx;

    assert_non_null(f);
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gh-creds-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gh_store_master_key_load(f->dir, &f->master), GH_OK);
    assert_int_equal(gh_store_open(f->dir, &f->master, &f->store), GH_OK);
    assert_int_equal(gh_keyring_load(f->store, &f->master, &f->ring), GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_account_create(tx, ACCOUNT, 1), GH_OK);
    put_user(tx, "", NULL, ROOT_KEY, NULL);
    put_user(tx, "passer", "AIDAPASSERPASSERPASSE", PASSER_KEY, pass_any);
    put_user(tx, "nobody", "AIDANOBODYNOBODYNOBOD", NOBODY_KEY, NULL);
    put_user(tx, "ecsonly", "AIDAECSONLYECSONLYECS", ECS_ONLY_KEY, pass_ecs);
    put_role(tx, "ec2-s3-read-role", "AROAEC2READEC2READEC2", trust_ec2);
    put_role(tx, "lambda-role", "AROALAMBDALAMBDALAMBD", trust_lambda);
    put_profile(tx, "web", "AIPAWEBWEBWEBWEBWEBWE", "AROAEC2READEC2READEC2");
    put_profile(tx, "wrong", "AIPAWRONGWRONGWRONGWR", "AROALAMBDALAMBDALAMBD");
    put_profile(tx, "empty", "AIPAEMPTYEMPTYEMPTYEM", NULL);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    f->config.region = "us-east-1";
    f->config.managed_policies_per_role = 10;
    struct gh_api_deps deps = {
        .store = f->store, .keyring = f->ring, .config = &f->config, .services = services};
    assert_int_equal(gh_api_new(&deps, &f->api), GH_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    gh_api_free(f->api);
    gh_keyring_unref(f->ring);
    gh_store_close(f->store);
    gh_secret_wipe(&f->master);
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* A signed STS POST of `form` by `key`, through the front door; body into out (heap). */
static int
sts_call(struct fixture *f, const char *key, const char *form, char **out)
{
    struct gh_arena a;
    struct gh_http_header h[5];
    struct gh_http_req req;
    struct gh_http_resp resp;
    struct gh_buf auth;
    struct gh_secret s;
    char amz[17];
    int64_t now = gh_now_s();
    int status;

    gh_arena_init(&a);
    gh_time_amz(now, amz);
    h[0] = (struct gh_http_header){GH_S("Host"), GH_S("127.0.0.1:7878")};
    h[1] = (struct gh_http_header){GH_S("X-Amz-Date"), gh_slice_from_cstr(amz)};
    h[2] = (struct gh_http_header){GH_S("Content-Type"),
                                   GH_S("application/x-www-form-urlencoded; charset=utf-8")};
    memset(&req, 0, sizeof(req));
    req.arena = &a;
    req.method = GH_S("POST");
    req.path = GH_S("/");
    req.headers = h;
    req.nheaders = 3;
    req.body = gh_slice_from_cstr(form);
    (void)snprintf(req.remote_addr, sizeof(req.remote_addr), "127.0.0.1");
    struct gh_sigv4_request sr = {.method = req.method,
                                  .path = req.path,
                                  .query = req.query,
                                  .headers = h,
                                  .nheaders = 3,
                                  .body = req.body,
                                  .normalize_path = true};
    assert_int_equal(gh_secret_set(&s, SECRET, 40), GH_OK);
    struct gh_sigv4_signing sg = {gh_slice_from_cstr(key),
                                  &s,
                                  GH_SLICE_NULL,
                                  GH_S("us-east-1"),
                                  GH_S("sts"),
                                  now,
                                  GH_SLICE_NULL};
    gh_buf_init(&auth, 0);
    assert_int_equal(gh_sigv4_sign(&sr, &sg, &a, &auth), GH_OK);
    h[3] = (struct gh_http_header){GH_S("Authorization"), gh_buf_slice(&auth)};
    req.nheaders = 4;
    memset(&resp, 0, sizeof(resp));
    gh_buf_init(&resp.body, 0);
    gh_api_handle(f->api, &req, &resp);
    status = resp.status;
    *out = strdup(resp.body.ptr != NULL ? resp.body.ptr : "");
    assert_non_null(*out);
    gh_buf_cleanup(&resp.body);
    gh_buf_cleanup(&auth);
    gh_secret_wipe(&s);
    gh_arena_cleanup(&a);
    return status;
}

#define FOR_EC2 "Action=AssumeRoleForService&Version=2011-06-15&ServicePrincipal=ec2.amazonaws.com"

static void
expect_error(struct fixture *f, const char *key, const char *form, int status, const char *code,
             const char *fragment)
{
    char *body = NULL;
    int got = sts_call(f, key, form, &body);
    char want_code[96];

    (void)snprintf(want_code, sizeof(want_code), "<Code>%s</Code>", code);
    if (got != status || strstr(body, want_code) == NULL || strstr(body, fragment) == NULL)
        fail_msg("%s: want %d %s '%s', got %d %s", form, status, code, fragment, got, body);
    free(body);
}

static void
test_profile_success(void **state)
{
    struct fixture *f = *state;
    struct gh_creds_set s;
    char *body = NULL;
    int64_t now = gh_now_s();

    assert_int_equal(
        sts_call(f, ROOT_KEY,
                 FOR_EC2 "&InstanceProfileName=web&RoleSessionName=i-0123456789abcdef0", &body),
        200);
    assert_non_null(strstr(body, "<AssumeRoleForServiceResult>"));
    assert_int_equal(gh_creds_sts_parse(gh_slice_from_cstr(body), now, &s), GH_OK);
    assert_string_equal(s.assumed_arn, "arn:aws:sts::" ACCOUNT
                                       ":assumed-role/ec2-s3-read-role/i-0123456789abcdef0");
    assert_string_equal(s.role_name, "ec2-s3-read-role");
    assert_string_equal(s.account, ACCOUNT);
    assert_string_equal(s.role_arn, "arn:aws:iam::" ACCOUNT ":role/ec2-s3-read-role");
    assert_string_equal(s.profile_arn, "arn:aws:iam::" ACCOUNT ":instance-profile/web");
    assert_string_equal(s.profile_id, "AIPAWEBWEBWEBWEBWEBWE");
    assert_int_equal(strncmp(s.access_key_id, "ASIA", 4), 0);
    assert_int_equal(s.secret.len, 40);
    assert_true(s.expires >= now + 3600 - 5 && s.expires <= now + 3600 + 5);
    assert_true(strlen(s.token) > 100);
    gh_creds_set_clear(&s);
    free(body);

    /* A user allowed to pass any role, by RoleArn, for another duration. */
    assert_int_equal(sts_call(f, PASSER_KEY,
                              "Action=AssumeRoleForService&Version=2011-06-15&ServicePrincipal="
                              "lambda.amazonaws.com&RoleArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT
                              "%3Arole%2Flambda-role&RoleSessionName=fn&DurationSeconds=900",
                              &body),
                     200);
    assert_int_equal(gh_creds_sts_parse(gh_slice_from_cstr(body), now, &s), GH_OK);
    assert_true(s.expires >= now + 900 - 5 && s.expires <= now + 900 + 5);
    assert_string_equal(s.profile_arn, "");
    gh_creds_set_clear(&s);
    free(body);
}

static void
test_refusals(void **state)
{
    struct fixture *f = *state;

    /* No iam:PassRole at all: AccessDenied names the action and the profile, never the
     * role (a caller who may not pass it learns nothing about the profile). */
    expect_error(f, NOBODY_KEY, FOR_EC2 "&InstanceProfileName=web&RoleSessionName=i-1", 403,
                 "AccessDenied",
                 "User: arn:aws:iam::" ACCOUNT ":user/nobody is not authorized to perform: "
                 "iam:PassRole on the role of instance profile web</Message>");
    /* iam:PassRole only for ecs-tasks: the condition on iam:PassedToService refuses EC2. */
    expect_error(f, ECS_ONLY_KEY, FOR_EC2 "&InstanceProfileName=web&RoleSessionName=i-1", 403,
                 "AccessDenied", "iam:PassRole");
    /* The role trusts lambda, not EC2. */
    expect_error(f, ROOT_KEY, FOR_EC2 "&InstanceProfileName=wrong&RoleSessionName=i-1", 403,
                 "AccessDenied", "the role does not trust ec2.amazonaws.com");
    expect_error(f, PASSER_KEY,
                 "Action=AssumeRoleForService&Version=2011-06-15&ServicePrincipal=ecs-tasks."
                 "amazonaws.com&RoleArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT
                 "%3Arole%2Fec2-s3-read-role&RoleSessionName=task",
                 403, "AccessDenied", "the role does not trust ecs-tasks.amazonaws.com");
    /* A profile with no role (the role was removed): no credentials. */
    expect_error(f, ROOT_KEY, FOR_EC2 "&InstanceProfileName=empty&RoleSessionName=i-1", 404,
                 "NoSuchEntity", "Instance Profile empty has no role");
    expect_error(f, ROOT_KEY, FOR_EC2 "&InstanceProfileName=nope&RoleSessionName=i-1", 404,
                 "NoSuchEntity", "Instance Profile nope cannot be found.");
    expect_error(f, ROOT_KEY,
                 FOR_EC2 "&RoleArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT
                         "%3Arole%2Fmissing&RoleSessionName=i-1",
                 404, "NoSuchEntity", "The role with name missing cannot be found.");
    /* Parameters. */
    expect_error(f, ROOT_KEY,
                 "Action=AssumeRoleForService&Version=2011-06-15&ServicePrincipal=s3.amazonaws.com"
                 "&InstanceProfileName=web&RoleSessionName=i-1",
                 400, "ValidationError", "Member must satisfy enum value set");
    expect_error(f, ROOT_KEY, FOR_EC2 "&RoleSessionName=i-1", 400, "InvalidParameterValue",
                 "Exactly one of RoleArn and InstanceProfileName");
    expect_error(f, ROOT_KEY,
                 "Action=AssumeRoleForService&Version=2011-06-15&ServicePrincipal=lambda."
                 "amazonaws.com&InstanceProfileName=web&RoleSessionName=i-1",
                 400, "InvalidParameterValue", "only for ServicePrincipal ec2.amazonaws.com");
    expect_error(f, ROOT_KEY,
                 FOR_EC2 "&InstanceProfileName=web&RoleSessionName=i-1&DurationSeconds=7200", 400,
                 "ValidationError", "exceeds the MaxSessionDuration");
    expect_error(f, ROOT_KEY, FOR_EC2 "&InstanceProfileName=web", 400, "ValidationError",
                 "roleSessionName");
}

static void
test_xml_text(void **state)
{
    struct gh_arena a;
    struct gh_slice v;

    (void)state;
    gh_arena_init(&a);
    assert_int_equal(gh_creds_xml_text(&a, GH_S("<a><B>x&amp;y&#47;&lt;</B></a>"), "B", &v), GH_OK);
    assert_true(gh_slice_eq_cstr(v, "x&y/<"));
    assert_int_equal(gh_creds_xml_text(&a, GH_S("<a><B>x</a>"), "B", &v), GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_creds_xml_text(&a, GH_S("<a><B>x&bogus;</B>"), "B", &v),
                     GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_creds_xml_text(&a, GH_S("<a></a>"), "B", &v), GH_ERR_NOT_FOUND);
    assert_int_equal(gh_creds_xml_text(&a, GH_S("<a><B>x"), "B", &v), GH_ERR_INVALID_INPUT);
    gh_arena_cleanup(&a);
}

/* ---- IMDS and container endpoints ---- */

struct fake_fetch {
    int calls;
    int64_t life;
};

static enum gh_err
fake_fetch(void *ctx, struct gh_creds_set *out, char *why, size_t why_len)
{
    struct fake_fetch *ff = ctx;
    int64_t now = gh_now_s();

    (void)why;
    (void)why_len;
    memset(out, 0, sizeof(*out));
    ff->calls++;
    (void)snprintf(out->access_key_id, sizeof(out->access_key_id), "ASIAFAKEFAKEFAKEFAK%c",
                   (char)('0' + ff->calls % 10));
    if (gh_secret_set(&out->secret, SECRET, 40) != GH_OK)
        return GH_ERR_INTERNAL;
    out->token = strdup("FQoGZXIvYXdzE\"quoted\"");
    out->updated = now;
    out->expires = now + ff->life;
    (void)snprintf(out->role_arn, sizeof(out->role_arn), "arn:aws:iam::%s:role/app", ACCOUNT);
    (void)snprintf(out->role_name, sizeof(out->role_name), "app");
    (void)snprintf(out->account, sizeof(out->account), ACCOUNT);
    (void)snprintf(out->profile_arn, sizeof(out->profile_arn),
                   "arn:aws:iam::%s:instance-profile/web", ACCOUNT);
    (void)snprintf(out->profile_id, sizeof(out->profile_id), "AIPAWEBWEBWEBWEBWEBWE");
    return out->token == NULL ? GH_ERR_NOMEM : GH_OK;
}

struct endpoint {
    struct fake_fetch ff;
    struct gh_creds_cache *cache;
    struct gh_creds_imds *imds;
    struct gh_creds_imds_config cfg;
};

static void
endpoint_init(struct endpoint *e, bool v1, int64_t life)
{
    char why[128];

    memset(e, 0, sizeof(*e));
    e->ff.life = life;
    assert_int_equal(gh_creds_cache_new((struct gh_creds_fetcher){fake_fetch, &e->ff}, &e->cache),
                     GH_OK);
    assert_int_equal(gh_creds_cache_refresh(e->cache, why, sizeof(why)), GH_OK);
    e->cfg.cache = e->cache;
    e->cfg.allow_v1 = v1;
    e->cfg.loopback_only = true;
    assert_int_equal(gh_creds_instance_id(e->cfg.instance_id), GH_OK);
    (void)snprintf(e->cfg.account, sizeof(e->cfg.account), ACCOUNT);
    (void)snprintf(e->cfg.region, sizeof(e->cfg.region), "us-east-1");
    (void)snprintf(e->cfg.availability_zone, sizeof(e->cfg.availability_zone), "us-east-1a");
    (void)snprintf(e->cfg.local_ipv4, sizeof(e->cfg.local_ipv4), "127.0.0.1");
    assert_int_equal(gh_creds_imds_new(&e->cfg, &e->imds), GH_OK);
}

static void
endpoint_cleanup(struct endpoint *e)
{
    gh_creds_imds_free(e->imds);
    gh_creds_cache_free(e->cache);
}

struct answer {
    int status;
    char body[8192];
    char ttl[32]; /* X-aws-ec2-metadata-token-ttl-seconds of the answer */
};

/* One request to `h`; headers as NULL-terminated name/value pairs. */
static void
request(struct gh_http_handler h, const char *method, const char *path, const char *remote,
        struct answer *out, ...)
{
    struct gh_arena a;
    struct gh_http_header hdr[8];
    struct gh_http_req req;
    struct gh_http_resp resp;
    const char *name;
    size_t n = 0;
    va_list ap;

    gh_arena_init(&a);
    va_start(ap, out);
    while ((name = va_arg(ap, const char *)) != NULL && n < GH_ARRAY_LEN(hdr)) {
        hdr[n].name = gh_slice_from_cstr(name);
        hdr[n].value = gh_slice_from_cstr(va_arg(ap, const char *));
        n++;
    }
    va_end(ap);
    memset(&req, 0, sizeof(req));
    req.arena = &a;
    req.method = gh_slice_from_cstr(method);
    req.path = gh_slice_from_cstr(path);
    req.headers = hdr;
    req.nheaders = n;
    (void)snprintf(req.remote_addr, sizeof(req.remote_addr), "%s", remote);
    memset(&resp, 0, sizeof(resp));
    gh_buf_init(&resp.body, 0);
    h.handle(h.ctx, &req, &resp);
    memset(out, 0, sizeof(*out));
    out->status = resp.status;
    (void)snprintf(out->body, sizeof(out->body), "%.*s", (int)resp.body.len,
                   resp.body.ptr != NULL ? resp.body.ptr : "");
    for (size_t i = 0; i < resp.nheaders; i++)
        if (gh_slice_case_eq(resp.headers[i].name, GH_S("X-aws-ec2-metadata-token-ttl-seconds")))
            (void)snprintf(out->ttl, sizeof(out->ttl), "%.*s", GH_SP(resp.headers[i].value));
    gh_buf_cleanup(&resp.body);
    gh_arena_cleanup(&a);
}

#define TTL_H "X-aws-ec2-metadata-token-ttl-seconds"
#define TOK_H "X-aws-ec2-metadata-token"

static void
test_imds_token_rules(void **state)
{
    struct endpoint e;
    struct answer r, t;
    struct gh_http_handler h;
    static const char *const bad_ttls[] = {
        "0", "21601", "-1", "abc", "", "1.5", "99999999999999999999"};

    (void)state;
    endpoint_init(&e, false, 3600);
    h = (struct gh_http_handler){gh_creds_imds_handle, e.imds};

    /* TTL bounds: 1 and 21600 are accepted, with the TTL echoed. */
    request(h, "PUT", "/latest/api/token", "127.0.0.1", &t, TTL_H, "1", NULL);
    assert_int_equal(t.status, 200);
    assert_string_equal(t.ttl, "1");
    assert_int_equal(strlen(t.body), GH_CREDS_IMDS_TOKEN_LEN);
    request(h, "PUT", "/latest/api/token", "127.0.0.1", &t, TTL_H, "21600", NULL);
    assert_int_equal(t.status, 200);
    assert_string_equal(t.ttl, "21600");
    for (size_t i = 0; i < GH_ARRAY_LEN(bad_ttls); i++) {
        request(h, "PUT", "/latest/api/token", "127.0.0.1", &r, TTL_H, bad_ttls[i], NULL);
        if (r.status != 400)
            fail_msg("TTL '%s' answered %d", bad_ttls[i], r.status);
    }
    request(h, "PUT", "/latest/api/token", "127.0.0.1", &r, NULL);
    assert_int_equal(r.status, 400);
    /* A forwarded PUT gets no token. */
    request(h, "PUT", "/latest/api/token", "127.0.0.1", &r, TTL_H, "60", "X-Forwarded-For",
            "10.0.0.1", NULL);
    assert_int_equal(r.status, 403);
    /* Only loopback callers. */
    request(h, "PUT", "/latest/api/token", "10.1.2.3", &r, TTL_H, "60", NULL);
    assert_int_equal(r.status, 403);

    /* GETs need a valid token: none (IMDSv1 refused), a wrong one, the right one. */
    request(h, "GET", "/latest/meta-data/instance-id", "127.0.0.1", &r, NULL);
    assert_int_equal(r.status, 401);
    request(h, "GET", "/latest/meta-data/instance-id", "127.0.0.1", &r, TOK_H,
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
    assert_int_equal(r.status, 401);
    request(h, "GET", "/latest/meta-data/instance-id", "127.0.0.1", &r, TOK_H, "short", NULL);
    assert_int_equal(r.status, 401);
    request(h, "GET", "/latest/meta-data/instance-id", "127.0.0.1", &r, TOK_H, t.body, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, e.cfg.instance_id);
    assert_int_equal(strncmp(r.body, "i-", 2), 0);
    assert_int_equal(strlen(r.body), 19);
    endpoint_cleanup(&e);

    /* --imds-v1: a GET without a token is answered; a bad token is still refused. */
    endpoint_init(&e, true, 3600);
    h = (struct gh_http_handler){gh_creds_imds_handle, e.imds};
    request(h, "GET", "/latest/meta-data/placement/region", "127.0.0.1", &r, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "us-east-1");
    request(h, "GET", "/latest/meta-data/placement/region", "127.0.0.1", &r, TOK_H, "bad", NULL);
    assert_int_equal(r.status, 401);
    endpoint_cleanup(&e);
}

static void
test_imds_token_expiry(void **state)
{
    struct endpoint e;
    struct answer r, t;
    struct gh_http_handler h;

    (void)state;
    endpoint_init(&e, false, 3600);
    h = (struct gh_http_handler){gh_creds_imds_handle, e.imds};
    request(h, "PUT", "/latest/api/token", "127.0.0.1", &t, TTL_H, "1", NULL);
    assert_int_equal(t.status, 200);
    sleep(2);
    request(h, "GET", "/latest/meta-data/instance-id", "127.0.0.1", &r, TOK_H, t.body, NULL);
    assert_int_equal(r.status, 401);
    endpoint_cleanup(&e);
}

static void
test_imds_table_bounded(void **state)
{
    struct endpoint e;
    struct answer r, first, t;
    struct gh_http_handler h;

    (void)state;
    endpoint_init(&e, false, 3600);
    h = (struct gh_http_handler){gh_creds_imds_handle, e.imds};
    request(h, "PUT", "/latest/api/token", "127.0.0.1", &first, TTL_H, "60", NULL);
    for (int i = 0; i < GH_CREDS_IMDS_TOKENS_MAX; i++)
        request(h, "PUT", "/latest/api/token", "127.0.0.1", &t, TTL_H, "21600", NULL);
    /* The table is full: the token closest to expiry made room; the newest works. */
    request(h, "GET", "/latest/meta-data/instance-id", "127.0.0.1", &r, TOK_H, first.body, NULL);
    assert_int_equal(r.status, 401);
    request(h, "GET", "/latest/meta-data/instance-id", "127.0.0.1", &r, TOK_H, t.body, NULL);
    assert_int_equal(r.status, 200);
    endpoint_cleanup(&e);
}

static void
test_imds_paths(void **state)
{
    struct endpoint e;
    struct answer r, t;
    struct gh_http_handler h;
    json_t *j;
    json_error_t jerr;

    (void)state;
    endpoint_init(&e, false, 3600);
    h = (struct gh_http_handler){gh_creds_imds_handle, e.imds};
    request(h, "PUT", "/latest/api/token", "127.0.0.1", &t, TTL_H, "300", NULL);
    request(h, "GET", "/latest/meta-data/iam/security-credentials/", "127.0.0.1", &r, TOK_H, t.body,
            NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "app");
    request(h, "GET", "/latest/meta-data/iam/security-credentials/app", "127.0.0.1", &r, TOK_H,
            t.body, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "Code")), "Success");
    assert_string_equal(json_string_value(json_object_get(j, "Type")), "AWS-HMAC");
    assert_string_equal(json_string_value(json_object_get(j, "SecretAccessKey")), SECRET);
    assert_string_equal(json_string_value(json_object_get(j, "Token")), "FQoGZXIvYXdzE\"quoted\"");
    assert_non_null(json_string_value(json_object_get(j, "Expiration")));
    assert_non_null(json_string_value(json_object_get(j, "LastUpdated")));
    assert_non_null(json_string_value(json_object_get(j, "AccessKeyId")));
    json_decref(j);
    request(h, "GET", "/latest/meta-data/iam/security-credentials/other", "127.0.0.1", &r, TOK_H,
            t.body, NULL);
    assert_int_equal(r.status, 404);
    request(h, "GET", "/latest/meta-data/iam/info", "127.0.0.1", &r, TOK_H, t.body, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "InstanceProfileArn")),
                        "arn:aws:iam::" ACCOUNT ":instance-profile/web");
    assert_string_equal(json_string_value(json_object_get(j, "InstanceProfileId")),
                        "AIPAWEBWEBWEBWEBWEBWE");
    json_decref(j);
    request(h, "GET", "/latest/dynamic/instance-identity/document", "127.0.0.1", &r, TOK_H, t.body,
            NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "instanceId")), e.cfg.instance_id);
    assert_string_equal(json_string_value(json_object_get(j, "accountId")), ACCOUNT);
    assert_string_equal(json_string_value(json_object_get(j, "region")), "us-east-1");
    assert_string_equal(json_string_value(json_object_get(j, "availabilityZone")), "us-east-1a");
    json_decref(j);
    request(h, "GET", "/latest/meta-data/placement/availability-zone", "127.0.0.1", &r, TOK_H,
            t.body, NULL);
    assert_string_equal(r.body, "us-east-1a");
    request(h, "GET", "/latest/meta-data/iamx", "127.0.0.1", &r, TOK_H, t.body, NULL);
    assert_int_equal(r.status, 404);
    request(h, "GET", "/latest/user-data", "127.0.0.1", &r, TOK_H, t.body, NULL);
    assert_int_equal(r.status, 404);
    request(h, "POST", "/latest/meta-data/", "127.0.0.1", &r, TOK_H, t.body, NULL);
    assert_int_equal(r.status, 405);
    endpoint_cleanup(&e);

    /* Credentials that have expired (and could not be refreshed) are gone. */
    endpoint_init(&e, false, -1);
    h = (struct gh_http_handler){gh_creds_imds_handle, e.imds};
    request(h, "PUT", "/latest/api/token", "127.0.0.1", &t, TTL_H, "300", NULL);
    request(h, "GET", "/latest/meta-data/iam/security-credentials/", "127.0.0.1", &r, TOK_H, t.body,
            NULL);
    assert_int_equal(r.status, 404);
    request(h, "GET", "/latest/meta-data/instance-id", "127.0.0.1", &r, TOK_H, t.body, NULL);
    assert_int_equal(r.status, 200);
    endpoint_cleanup(&e);
}

static void
test_container(void **state)
{
    struct endpoint e;
    struct gh_creds_container *c;
    struct gh_http_handler h;
    struct answer r;
    const char *tok = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    json_t *j;
    json_error_t jerr;

    (void)state;
    endpoint_init(&e, false, 3600);
    assert_int_equal(gh_creds_container_new(e.cache, gh_slice_from_cstr(tok), &c), GH_OK);
    h = (struct gh_http_handler){gh_creds_container_handle, c};
    request(h, "GET", GH_CREDS_CONTAINER_PATH, "127.0.0.1", &r, NULL);
    assert_int_equal(r.status, 401);
    request(h, "GET", GH_CREDS_CONTAINER_PATH, "127.0.0.1", &r, "Authorization", "wrong", NULL);
    assert_int_equal(r.status, 403);
    request(h, "GET", GH_CREDS_CONTAINER_PATH, "127.0.0.1", &r, "Authorization",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF", NULL);
    assert_int_equal(r.status, 403);
    request(h, "GET", GH_CREDS_CONTAINER_PATH, "10.0.0.2", &r, "Authorization", tok, NULL);
    assert_int_equal(r.status, 403);
    request(h, "GET", "/other", "127.0.0.1", &r, "Authorization", tok, NULL);
    assert_int_equal(r.status, 404);
    request(h, "GET", GH_CREDS_CONTAINER_PATH, "127.0.0.1", &r, "Authorization", tok, NULL);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "SecretAccessKey")), SECRET);
    assert_string_equal(json_string_value(json_object_get(j, "RoleArn")),
                        "arn:aws:iam::" ACCOUNT ":role/app");
    assert_string_equal(json_string_value(json_object_get(j, "AccountId")), ACCOUNT);
    assert_non_null(json_string_value(json_object_get(j, "Token")));
    assert_non_null(json_string_value(json_object_get(j, "Expiration")));
    assert_non_null(json_string_value(json_object_get(j, "AccessKeyId")));
    json_decref(j);
    gh_creds_container_free(c);
    endpoint_cleanup(&e);
}

static void
test_refresh_schedule(void **state)
{
    struct gh_creds_set s;

    (void)state;
    memset(&s, 0, sizeof(s));
    /* One hour: 20 minutes before expiry (AWS: new set at least 5 minutes before). */
    s.updated = 1000;
    s.expires = 1000 + 3600;
    assert_int_equal(gh_creds_set_refresh_at(&s), 1000 + 3600 - 1200);
    /* Six hours: a quarter of the lifetime. */
    s.expires = 1000 + 21600;
    assert_int_equal(gh_creds_set_refresh_at(&s), 1000 + 21600 - 5400);
    /* Fifteen minutes: half way, still before expiry. */
    s.expires = 1000 + 900;
    assert_int_equal(gh_creds_set_refresh_at(&s), 1000 + 450);
}

static void
test_cache_refresher(void **state)
{
    struct endpoint e;
    struct gh_creds_set s;

    (void)state;
    /* Ten-second credentials: the refresher replaces them half way. */
    endpoint_init(&e, false, 10);
    assert_int_equal(gh_creds_cache_start(e.cache, "test"), GH_OK);
    for (int i = 0; i < 100 && e.ff.calls < 2; i++)
        usleep(100 * 1000);
    assert_true(e.ff.calls >= 2);
    assert_int_equal(gh_creds_cache_get(e.cache, gh_now_s(), &s), GH_OK);
    assert_true(s.expires > gh_now_s());
    gh_creds_set_clear(&s);
    endpoint_cleanup(&e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_profile_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test(test_xml_text),
        cmocka_unit_test(test_imds_token_rules),
        cmocka_unit_test(test_imds_token_expiry),
        cmocka_unit_test(test_imds_table_bounded),
        cmocka_unit_test(test_imds_paths),
        cmocka_unit_test(test_container),
        cmocka_unit_test(test_refresh_schedule),
        cmocka_unit_test(test_cache_refresher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
