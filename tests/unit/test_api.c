/*
 * test_api.c: the api's identity rules: a long-term key belongs to its
 * user's unique id (a deleted user's key is dead, never the root's, and a
 * namesake does not inherit it); role-session revocations reach every
 * role that had the name; the auth snapshot survives many refreshes; a
 * warm authorized request (key or session) reads no database page, and
 * every write (this process's or another's) is seen by the next request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_int.h"
#include "iam/iam.h"
#include "sts/sts.h"

#define ACCOUNT "123456789012"
#define KEY "AKIATEMPTEMPTEMPTEMP"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

struct fixture {
    char dir[64];
    struct gh_secret master;
    struct gh_store *store;
    struct gh_keyring *ring;
    struct gh_api_config config;
    struct gh_api *api;
};

static int
setup(void **state)
{
    static const struct gh_service *const services[] = {NULL};
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_store_tx *tx;

    assert_non_null(f);
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gh-api-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gh_store_master_key_load(f->dir, &f->master), GH_OK);
    assert_int_equal(gh_store_open(f->dir, &f->master, &f->store), GH_OK);
    assert_int_equal(gh_keyring_load(f->store, &f->master, &f->ring), GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_account_create(tx, ACCOUNT, 1), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    f->config.region = "us-east-1";
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

static void
user_create(struct fixture *f, const char *name, const char *id)
{
    struct gh_user u = {
        GH_S(ACCOUNT), gh_slice_from_cstr(name), GH_S("/"), gh_slice_from_cstr(id), GH_S(""), 1, 0};
    struct gh_store_tx *tx;

    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_user_create(tx, &u), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

static void
user_delete(struct fixture *f, const char *name)
{
    struct gh_store_tx *tx;

    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_user_delete(tx, GH_S(ACCOUNT), gh_slice_from_cstr(name)), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

static enum gh_err
resolve(struct fixture *f, struct gh_api_principals *pc, struct gh_arena *a, struct gh_principal *p)
{
    struct gh_secret secret;
    enum gh_err err = gh_api_principal_resolve(pc, f->store, a, GH_S(KEY), &secret, p);

    gh_secret_wipe(&secret);
    return err;
}

/*
 * A key left behind by a deleted user (the store allows it; IAM refuses
 * DeleteUser while keys exist, which this must not depend on) used to
 * resolve to the account root, because its user's name no longer joined.
 */
static void
test_key_of_deleted_user(void **state)
{
    struct fixture *f = *state;
    struct gh_api_principals *pc = NULL;
    struct gh_store_tx *tx;
    struct gh_access_key k;
    struct gh_secret s;
    struct gh_principal p;
    struct gh_arena a;

    gh_arena_init(&a);
    assert_int_equal(gh_api_principals_new(&pc), GH_OK);
    user_create(f, "temp-contractor", "AIDATEMPCONTRACTOR01");
    memset(&k, 0, sizeof(k));
    k.id = GH_S(KEY);
    k.account = GH_S(ACCOUNT);
    k.user_name = GH_S("temp-contractor");
    k.created = 1;
    assert_int_equal(gh_secret_set(&s, SECRET, 40), GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_access_key_create(tx, &k, &s), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    gh_secret_wipe(&s);

    assert_int_equal(resolve(f, pc, &a, &p), GH_OK);
    assert_int_equal(p.type, GH_PRINCIPAL_USER);
    assert_true(gh_slice_eq_cstr(p.user_id, "AIDATEMPCONTRACTOR01"));

    user_delete(f, "temp-contractor");
    assert_int_equal(resolve(f, pc, &a, &p), GH_ERR_INVALID_TOKEN_ID);
    assert_int_equal(p.type, 0);
    /* A namesake (any case) does not inherit the key. */
    user_create(f, "Temp-Contractor", "AIDATEMPCONTRACTOR02");
    assert_int_equal(resolve(f, pc, &a, &p), GH_ERR_INVALID_TOKEN_ID);

    gh_api_principals_free(pc);
    gh_arena_cleanup(&a);
}

static void
role_create(struct fixture *f, const char *name, const char *id)
{
    struct gh_store_tx *tx;
    struct gh_role r;

    memset(&r, 0, sizeof(r));
    r.account = GH_S(ACCOUNT);
    r.name = gh_slice_from_cstr(name);
    r.path = GH_S("/");
    r.id = gh_slice_from_cstr(id);
    r.trust_policy = GH_S("{}");
    r.description = GH_S("");
    r.boundary_arn = GH_S("");
    r.max_session_s = 3600;
    r.created = 1;
    r.last_used_region = GH_S("");
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_role_create(tx, &r), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
}

static bool
revoked(struct fixture *f, const char *name, const char *id, int64_t issued)
{
    struct gh_api_revocations *rv = NULL;
    struct gh_session s;
    bool r;

    memset(&s, 0, sizeof(s));
    s.type = GH_PRINCIPAL_ASSUMED_ROLE;
    memcpy(s.account, ACCOUNT, sizeof(s.account));
    memcpy(s.access_key_id, "ASIAAAAAAAAAAAAAAAAA", 21);
    s.name = gh_slice_from_cstr(name);
    s.entity_id = gh_slice_from_cstr(id);
    s.issued = issued;
    assert_int_equal(gh_api_revocations_load(f->store, gh_now_s(), &rv), GH_OK);
    r = gh_api_session_revoked(rv, &s);
    gh_api_revocations_free(rv);
    return r;
}

/* `gatehouse sessions revoke --role NAME` after the role was re-created. */
static void
test_revoke_by_name(void **state)
{
    struct fixture *f = *state;
    struct gh_store_tx *tx;
    struct gh_diag diag;

    role_create(f, "ci-readonly", "AROACIREADONLYOLD001");
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_role_delete(tx, GH_S(ACCOUNT), GH_S("ci-readonly")), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    role_create(f, "CI-ReadOnly", "AROACIREADONLYNEW001");
    gh_diag_clear(&diag);
    assert_int_equal(
        gh_api_revoke_sessions(f->store, GH_S(ACCOUNT), GH_S("ci-readonly"), 1000, &diag), GH_OK);
    /* Old and new ids, any case of the name; only before the cut-off. */
    assert_true(revoked(f, "ci-readonly", "AROACIREADONLYOLD001", 999));
    assert_true(revoked(f, "CI-ReadOnly", "AROACIREADONLYNEW001", 999));
    assert_false(revoked(f, "ci-readonly", "AROACIREADONLYOLD001", 1000));
    assert_false(revoked(f, "ci-readonly-2", "AROACIREADONLYOTHER1", 999));
    /* A role that does not exist is an error that names it. */
    assert_int_equal(gh_api_revoke_sessions(f->store, GH_S(ACCOUNT), GH_S("nope"), 1000, &diag),
                     GH_ERR_NOT_FOUND);
    assert_non_null(strstr(diag.text, "nope"));

    /* A record written by an older gatehouse (keyed by role id) still counts. */
    struct gh_store_rec rec = {.account = GH_S(ACCOUNT),
                               .kind = GH_S("session-revocation"),
                               .id = GH_S("AROALEGACYLEGACY0001"),
                               .owner = GH_S("AROALEGACYLEGACY0001"),
                               .created = 1,
                               .data = GH_S("500")};
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_rec_put(tx, &rec, NULL, true), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    assert_true(revoked(f, "legacy", "AROALEGACYLEGACY0001", 499));
    assert_false(revoked(f, "legacy", "AROALEGACYLEGACY0002", 499));
}

/*
 * Many refreshes, each after a write: every one publishes a new snapshot
 * (the old one freed once unreferenced), and a snapshot a request holds
 * stays valid across them.
 */
static void
test_snapshot_refreshes(void **state)
{
    struct fixture *f = *state;
    struct gh_api_snap *held = gh_api_snap_get(f->api), *cur;
    struct gh_keyring *kr = NULL;
    struct gh_diag diag;
    uint32_t id_before, id_after;
    const struct gh_secret *k;

    assert_int_equal(gh_keyring_current(gh_api_snap_keyring(held), &id_before, &k), GH_OK);
    role_create(f, "r", "AROARRRRRRRRRRRRRRR1");
    for (int i = 0; i < 200; i++) {
        char name[32];
        (void)snprintf(name, sizeof(name), "u%d", i);
        char id[32];
        (void)snprintf(id, sizeof(id), "AIDAUSER%012d", i);
        user_create(f, name, id);
        assert_int_equal(gh_api_refresh(f->api, &f->master), GH_OK);
    }
    /* A revocation and a rotation after all that still reach the api. */
    gh_diag_clear(&diag);
    assert_int_equal(
        gh_api_revoke_sessions(f->store, GH_S(ACCOUNT), GH_S("r"), gh_now_s() + 10, &diag), GH_OK);
    assert_int_equal(gh_keyring_rotate(f->store, &f->master, &kr), GH_OK);
    gh_keyring_unref(kr);
    assert_int_equal(gh_api_refresh(f->api, &f->master), GH_OK);
    cur = gh_api_snap_get(f->api);
    assert_int_equal(gh_keyring_current(gh_api_snap_keyring(cur), &id_after, &k), GH_OK);
    assert_int_not_equal(id_before, id_after);
    struct gh_session s;
    memset(&s, 0, sizeof(s));
    s.type = GH_PRINCIPAL_ASSUMED_ROLE;
    memcpy(s.account, ACCOUNT, sizeof(s.account));
    memcpy(s.access_key_id, "ASIAAAAAAAAAAAAAAAAA", 21);
    s.name = GH_S("r");
    s.entity_id = GH_S("AROARRRRRRRRRRRRRRR1");
    s.issued = gh_now_s();
    assert_true(gh_api_snap_revoked(cur, &s));
    assert_false(gh_api_snap_revoked(held, &s)); /* the held one is unchanged */
    assert_int_equal(gh_keyring_current(gh_api_snap_keyring(held), &id_after, &k), GH_OK);
    assert_int_equal(id_before, id_after);
    gh_api_snap_unref(cur);
    gh_api_snap_unref(held);
}

/* ---- warm requests through the front door (IAM and STS) ---- */

#define ROOT_KEY "AKIAROOTROOTROOTROOT"

struct warm {
    struct fixture *f;
    char user_key[32];
    struct gh_secret user_secret;
    char session_key[32];
    struct gh_secret session_secret;
    char *session_token;
    /* A second session of the role, limited by managed session policy "edge". */
    char arns_key[32];
    struct gh_secret arns_secret;
    char *arns_token;
};

static bool warm_touches; /* record keys' last use (a write once a minute per key) */

static int
warm_setup(void **state)
{
    static const struct gh_service *const services[] = {&gh_iam_service, &gh_sts_service, NULL};
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_store_tx *tx;
    struct gh_access_key k;
    struct gh_secret s;

    assert_non_null(f);
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gh-api-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gh_store_master_key_load(f->dir, &f->master), GH_OK);
    assert_int_equal(gh_store_open(f->dir, &f->master, &f->store), GH_OK);
    assert_int_equal(gh_keyring_load(f->store, &f->master, &f->ring), GH_OK);
    memset(&k, 0, sizeof(k));
    k.id = GH_S(ROOT_KEY);
    k.account = GH_S(ACCOUNT);
    k.user_name = GH_S("");
    k.created = 1;
    assert_int_equal(gh_secret_set(&s, SECRET, 40), GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_store_account_create(tx, ACCOUNT, 1), GH_OK);
    assert_int_equal(gh_store_access_key_create(tx, &k, &s), GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    gh_secret_wipe(&s);
    f->config.region = "us-east-1";
    f->config.managed_policies_per_role = 10;
    struct gh_api_deps deps = {.store = f->store,
                               .keyring = f->ring,
                               .config = &f->config,
                               .services = services,
                               .key_used = warm_touches ? gh_iam_key_used : NULL};
    assert_int_equal(gh_api_new(&deps, &f->api), GH_OK);
    *state = f;
    return 0;
}

/* No last-use records: the read counts see requests only, however long they take. */
static int
warm_setup_quiet(void **state)
{
    warm_touches = false;
    return warm_setup(state);
}

static int
warm_setup_touching(void **state)
{
    warm_touches = true;
    return warm_setup(state);
}

static void
form_escape(struct gh_buf *b, const char *v)
{
    for (; *v != '\0'; v++) {
        unsigned char ch = (unsigned char)*v;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~')
            gh_buf_putf(b, "%c", ch);
        else
            gh_buf_putf(b, "%%%02X", ch);
    }
}

/* A signed POST of `form` to `service` through the front door; body into *out (heap). */
static int
signed_call(struct fixture *f, const char *service, const char *key, const struct gh_secret *secret,
            const char *token, const char *form, char **out)
{
    struct gh_arena a;
    struct gh_http_header h[5];
    struct gh_http_req req;
    struct gh_http_resp resp;
    struct gh_buf auth;
    char amz[17];
    int64_t now = gh_now_s();
    size_t nh = 3;
    int status;

    gh_arena_init(&a);
    gh_time_amz(now, amz);
    h[0] = (struct gh_http_header){GH_S("Host"), GH_S("127.0.0.1:7878")};
    h[1] = (struct gh_http_header){GH_S("X-Amz-Date"), gh_slice_from_cstr(amz)};
    h[2] = (struct gh_http_header){GH_S("Content-Type"),
                                   GH_S("application/x-www-form-urlencoded; charset=utf-8")};
    if (token != NULL)
        h[nh++] = (struct gh_http_header){GH_S("X-Amz-Security-Token"), gh_slice_from_cstr(token)};
    memset(&req, 0, sizeof(req));
    req.arena = &a;
    req.method = GH_S("POST");
    req.path = GH_S("/");
    req.headers = h;
    req.nheaders = nh;
    req.body = gh_slice_from_cstr(form);
    (void)snprintf(req.remote_addr, sizeof(req.remote_addr), "127.0.0.1");
    struct gh_sigv4_request sr = {.method = req.method,
                                  .path = req.path,
                                  .query = req.query,
                                  .headers = h,
                                  .nheaders = nh,
                                  .body = req.body,
                                  .normalize_path = true};
    struct gh_sigv4_signing sg = {
        gh_slice_from_cstr(key),     secret, GH_SLICE_NULL, GH_S("us-east-1"),
        gh_slice_from_cstr(service), now,    GH_SLICE_NULL};
    gh_buf_init(&auth, 0);
    assert_int_equal(gh_sigv4_sign(&sr, &sg, &a, &auth), GH_OK);
    h[nh] = (struct gh_http_header){GH_S("Authorization"), gh_buf_slice(&auth)};
    req.nheaders = nh + 1;
    memset(&resp, 0, sizeof(resp));
    gh_buf_init(&resp.body, 0);
    gh_api_handle(f->api, &req, &resp);
    status = resp.status;
    *out = strdup(resp.body.ptr != NULL ? resp.body.ptr : "");
    assert_non_null(*out);
    gh_buf_cleanup(&resp.body);
    gh_buf_cleanup(&auth);
    gh_arena_cleanup(&a);
    return status;
}

/* The text of <tag> in `body` (heap), or NULL. */
static char *
xml_text(const char *body, const char *tag)
{
    char open[64], close[64];
    const char *b, *e;

    (void)snprintf(open, sizeof(open), "<%s>", tag);
    (void)snprintf(close, sizeof(close), "</%s>", tag);
    if ((b = strstr(body, open)) == NULL || (e = strstr(b, close)) == NULL)
        return NULL;
    b += strlen(open);
    return strndup(b, (size_t)(e - b));
}

/* A root IAM/STS call that must succeed; its body (heap). */
static char *
root_ok(struct fixture *f, const char *service, const char *form)
{
    struct gh_secret s;
    char *body = NULL;
    int st;

    assert_int_equal(gh_secret_set(&s, SECRET, 40), GH_OK);
    st = signed_call(f, service, ROOT_KEY, &s, NULL, form, &body);
    gh_secret_wipe(&s);
    if (st != 200)
        fail_msg("%s: %d %s", form, st, body);
    return body;
}

static void
root_form(struct fixture *f, const char *form_prefix, const char *policy)
{
    struct gh_buf b;

    gh_buf_init(&b, 0);
    gh_buf_puts(&b, form_prefix);
    if (policy != NULL)
        form_escape(&b, policy);
    free(root_ok(f, "iam", gh_buf_slice(&b).ptr));
    gh_buf_cleanup(&b);
}

#define ALLOW(action)                                                                              \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"" action        \
    "\",\"Resource\":\"*\"}]}"
/* iam:GetUser only while the caller's tag team is blue. */
#define GET_USER_IF_BLUE                                                                           \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:GetUser\"," \
    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":\"blue\"}}}]}"
#define TRUST_ACCOUNT                                                                              \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"     \
    "\"arn:aws:iam::" ACCOUNT ":root\"},\"Action\":\"sts:AssumeRole\"}]}"
#define GET_USER_FORM "Action=GetUser&Version=2010-05-08&UserName=alice"
#define GCI_FORM "Action=GetCallerIdentity&Version=2011-06-15"

/*
 * User alice: 10 managed policies (one grants iam:GetUser while her tag
 * team is blue), 2 groups with a managed and an inline policy each, a
 * permissions boundary; an access key; role reader (policies of its own,
 * trusting the account) and a session of it.
 */
static void
warm_build(struct warm *w)
{
    struct fixture *f = w->f;
    char form[512], *body, *v;

    root_form(f, "Action=CreateUser&Version=2010-05-08&UserName=alice", NULL);
    root_form(f,
              "Action=TagUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team"
              "&Tags.member.1.Value=blue",
              NULL);
    for (int i = 0; i < 10; i++) {
        (void)snprintf(form, sizeof(form),
                       "Action=CreatePolicy&Version=2010-05-08&PolicyName=p%d&PolicyDocument=", i);
        root_form(f, form,
                  i == 0   ? GET_USER_IF_BLUE
                  : i == 9 ? ALLOW("sts:AssumeRole")
                           : ALLOW("s3:GetObject"));
        (void)snprintf(form, sizeof(form),
                       "Action=AttachUserPolicy&Version=2010-05-08&UserName=alice"
                       "&PolicyArn=arn%%3Aaws%%3Aiam%%3A%%3A" ACCOUNT "%%3Apolicy%%2Fp%d",
                       i);
        root_form(f, form, NULL);
    }
    root_form(f,
              "Action=CreatePolicy&Version=2010-05-08&PolicyName=edge&PolicyDocument=", ALLOW("*"));
    root_form(f,
              "Action=PutUserPermissionsBoundary&Version=2010-05-08&UserName=alice"
              "&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Apolicy%2Fedge",
              NULL);
    for (int g = 0; g < 2; g++) {
        (void)snprintf(form, sizeof(form), "Action=CreateGroup&Version=2010-05-08&GroupName=g%d",
                       g);
        root_form(f, form, NULL);
        (void)snprintf(form, sizeof(form),
                       "Action=AddUserToGroup&Version=2010-05-08&GroupName=g%d&UserName=alice", g);
        root_form(f, form, NULL);
        (void)snprintf(form, sizeof(form),
                       "Action=AttachGroupPolicy&Version=2010-05-08&GroupName=g%d"
                       "&PolicyArn=arn%%3Aaws%%3Aiam%%3A%%3A" ACCOUNT "%%3Apolicy%%2Fp%d",
                       g, g + 1);
        root_form(f, form, NULL);
        (void)snprintf(form, sizeof(form),
                       "Action=PutGroupPolicy&Version=2010-05-08&GroupName=g%d&PolicyName=in"
                       "&PolicyDocument=",
                       g);
        root_form(f, form, ALLOW("ec2:Describe*"));
    }
    body = root_ok(f, "iam", "Action=CreateAccessKey&Version=2010-05-08&UserName=alice");
    v = xml_text(body, "AccessKeyId");
    assert_non_null(v);
    (void)snprintf(w->user_key, sizeof(w->user_key), "%s", v);
    free(v);
    v = xml_text(body, "SecretAccessKey");
    assert_non_null(v);
    assert_int_equal(gh_secret_set(&w->user_secret, v, strlen(v)), GH_OK);
    free(v);
    free(body);

    root_form(f, "Action=CreateRole&Version=2010-05-08&RoleName=reader&AssumeRolePolicyDocument=",
              TRUST_ACCOUNT);
    root_form(f,
              "Action=PutRolePolicy&Version=2010-05-08&RoleName=reader&PolicyName=get"
              "&PolicyDocument=",
              ALLOW("iam:GetUser"));
    root_form(f,
              "Action=AttachRolePolicy&Version=2010-05-08&RoleName=reader"
              "&PolicyArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Apolicy%2Fp3",
              NULL);
    /* Alice (policy p9) assumes it. */
    if (signed_call(f, "sts", w->user_key, &w->user_secret, NULL,
                    "Action=AssumeRole&Version=2011-06-15&RoleSessionName=sess"
                    "&RoleArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Arole%2Freader",
                    &body) != 200)
        fail_msg("AssumeRole: %s", body);
    v = xml_text(body, "AccessKeyId");
    assert_non_null(v);
    (void)snprintf(w->session_key, sizeof(w->session_key), "%s", v);
    free(v);
    v = xml_text(body, "SecretAccessKey");
    assert_non_null(v);
    assert_int_equal(gh_secret_set(&w->session_secret, v, strlen(v)), GH_OK);
    free(v);
    w->session_token = xml_text(body, "SessionToken");
    assert_non_null(w->session_token);
    free(body);
    if (signed_call(f, "sts", w->user_key, &w->user_secret, NULL,
                    "Action=AssumeRole&Version=2011-06-15&RoleSessionName=arns"
                    "&RoleArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Arole%2Freader"
                    "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Apolicy%2Fedge",
                    &body) != 200)
        fail_msg("AssumeRole with PolicyArns: %s", body);
    v = xml_text(body, "AccessKeyId");
    assert_non_null(v);
    (void)snprintf(w->arns_key, sizeof(w->arns_key), "%s", v);
    free(v);
    v = xml_text(body, "SecretAccessKey");
    assert_non_null(v);
    assert_int_equal(gh_secret_set(&w->arns_secret, v, strlen(v)), GH_OK);
    free(v);
    w->arns_token = xml_text(body, "SessionToken");
    assert_non_null(w->arns_token);
    free(body);
}

static void
warm_free(struct warm *w)
{
    gh_secret_wipe(&w->user_secret);
    gh_secret_wipe(&w->session_secret);
    gh_secret_wipe(&w->arns_secret);
    free(w->session_token);
    free(w->arns_token);
}

static int
as_arns_session(struct warm *w, const char *service, const char *form)
{
    char *body = NULL;
    int st = signed_call(w->f, service, w->arns_key, &w->arns_secret, w->arns_token, form, &body);

    if (st != 200 && strstr(body, "<Code>AccessDenied</Code>") == NULL)
        fail_msg("%s: unexpected %d %s", form, st, body);
    free(body);
    return st;
}

static int
as_user(struct warm *w, const char *service, const char *form)
{
    char *body = NULL;
    int st = signed_call(w->f, service, w->user_key, &w->user_secret, NULL, form, &body);

    if (st != 200 && strstr(body, "<Code>AccessDenied</Code>") == NULL)
        fail_msg("%s: unexpected %d %s", form, st, body);
    free(body);
    return st;
}

static int
as_session(struct warm *w, const char *service, const char *form)
{
    char *body = NULL;
    int st = signed_call(w->f, service, w->session_key, &w->session_secret, w->session_token, form,
                         &body);

    if (st != 200 && strstr(body, "<Code>AccessDenied</Code>") == NULL)
        fail_msg("%s: unexpected %d %s", form, st, body);
    free(body);
    return st;
}

#define WARM_N 1000

/*
 * A warm request reads no database page to authenticate and authorize:
 * GetCallerIdentity (which reads nothing itself) by a key and by a role
 * session reads nothing at all across 1,000 requests, and 1,000 GetUser
 * read exactly what the same calls by the root (authorized without any
 * policy) read: the handler's own rows. Before principal snapshots each
 * request read the user, 10 managed policies and their versions, groups,
 * inline policies, boundary and tags (and sessions their role).
 */
static void
test_warm_requests_read_nothing(void **state)
{
    struct warm w = {.f = *state};
    struct gh_secret root;
    uint64_t r0, r1, by_root, by_user, by_session, by_arns;
    char *body;

    warm_build(&w);
    assert_int_equal(gh_secret_set(&root, SECRET, 40), GH_OK);
    /* Warm up: the first request of each loads (and records the key's last use). */
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 200);
    assert_int_equal(as_user(&w, "sts", GCI_FORM), 200);
    assert_int_equal(as_session(&w, "iam", GET_USER_FORM), 200);
    assert_int_equal(as_session(&w, "sts", GCI_FORM), 200);
    assert_int_equal(as_arns_session(&w, "iam", GET_USER_FORM), 200);
    assert_int_equal(signed_call(w.f, "iam", ROOT_KEY, &root, NULL, GET_USER_FORM, &body), 200);
    free(body);

    r0 = gh_store_page_reads(w.f->store);
    for (int i = 0; i < WARM_N; i++)
        assert_int_equal(as_user(&w, "sts", GCI_FORM), 200);
    for (int i = 0; i < WARM_N; i++)
        assert_int_equal(as_session(&w, "sts", GCI_FORM), 200);
    r1 = gh_store_page_reads(w.f->store);
    assert_int_equal(r1 - r0, 0);

    r0 = gh_store_page_reads(w.f->store);
    for (int i = 0; i < WARM_N; i++) {
        assert_int_equal(signed_call(w.f, "iam", ROOT_KEY, &root, NULL, GET_USER_FORM, &body), 200);
        free(body);
    }
    by_root = gh_store_page_reads(w.f->store) - r0;
    r0 = gh_store_page_reads(w.f->store);
    for (int i = 0; i < WARM_N; i++)
        assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 200);
    by_user = gh_store_page_reads(w.f->store) - r0;
    r0 = gh_store_page_reads(w.f->store);
    for (int i = 0; i < WARM_N; i++)
        assert_int_equal(as_session(&w, "iam", GET_USER_FORM), 200);
    by_session = gh_store_page_reads(w.f->store) - r0;
    r0 = gh_store_page_reads(w.f->store);
    for (int i = 0; i < WARM_N; i++)
        assert_int_equal(as_arns_session(&w, "iam", GET_USER_FORM), 200);
    by_arns = gh_store_page_reads(w.f->store) - r0;
    assert_true(by_root > 0); /* the counter counts */
    assert_int_equal(by_user, by_root);
    assert_int_equal(by_session, by_root);
    assert_int_equal(by_arns, by_root);

    /* A last-used touch (a write, as the server makes once a minute per
     * key) is metadata: nothing is loaded again. */
    assert_int_equal(gh_iam_key_used(w.f->store, gh_slice_from_cstr(w.user_key), GH_S("iam"),
                                     GH_S("us-east-1"), gh_now_s() + 3600),
                     GH_OK);
    r0 = gh_store_page_reads(w.f->store);
    assert_int_equal(as_user(&w, "sts", GCI_FORM), 200);
    assert_int_equal(as_session(&w, "sts", GCI_FORM), 200);
    assert_int_equal(gh_store_page_reads(w.f->store) - r0, 0);

    gh_secret_wipe(&root);
    warm_free(&w);
}

/*
 * Never stale: each acknowledged write that changes a principal's
 * policies (tags, attachments, group membership, boundary, policy
 * versions) decides the next request, and so does a write by another
 * process once the server refreshes.
 */
static void
test_warm_snapshot_follows_writes(void **state)
{
    struct warm w = {.f = *state};
    struct fixture *f = *state;
    struct gh_store *other = NULL;
    struct gh_store_tx *tx;
    bool changed;

    warm_build(&w);
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 200);
    /* A tag the policy's condition reads. */
    root_form(f,
              "Action=TagUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team"
              "&Tags.member.1.Value=red",
              NULL);
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 403);
    root_form(f,
              "Action=TagUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team"
              "&Tags.member.1.Value=blue",
              NULL);
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 200);
    /* A new default version of an attached policy. */
    root_form(f,
              "Action=CreatePolicyVersion&Version=2010-05-08&SetAsDefault=true"
              "&PolicyArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Apolicy%2Fp0&PolicyDocument=",
              ALLOW("s3:GetObject"));
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 403);
    /* Through a group instead. */
    root_form(f,
              "Action=PutGroupPolicy&Version=2010-05-08&GroupName=g1&PolicyName=get"
              "&PolicyDocument=",
              ALLOW("iam:GetUser"));
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 200);
    root_form(f, "Action=RemoveUserFromGroup&Version=2010-05-08&GroupName=g1&UserName=alice", NULL);
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 403);
    root_form(f, "Action=AddUserToGroup&Version=2010-05-08&GroupName=g1&UserName=alice", NULL);
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 200);
    /* The boundary. */
    root_form(f, "Action=CreatePolicy&Version=2010-05-08&PolicyName=narrow&PolicyDocument=",
              ALLOW("s3:*"));
    root_form(f,
              "Action=PutUserPermissionsBoundary&Version=2010-05-08&UserName=alice"
              "&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Apolicy%2Fnarrow",
              NULL);
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 403);
    root_form(f, "Action=DeleteUserPermissionsBoundary&Version=2010-05-08&UserName=alice", NULL);
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 200);
    /* The role's session follows its role. */
    assert_int_equal(as_session(&w, "iam", GET_USER_FORM), 200);
    root_form(f, "Action=DeleteRolePolicy&Version=2010-05-08&RoleName=reader&PolicyName=get", NULL);
    assert_int_equal(as_session(&w, "iam", GET_USER_FORM), 403);

    /* Another process on the same database takes the group policy away. */
    assert_int_equal(gh_store_open(f->dir, &f->master, &other), GH_OK);
    assert_int_equal(gh_store_tx_begin(other, true, &tx), GH_OK);
    {
        struct gh_store_tx *rtx;
        struct gh_arena a;
        struct gh_group g;
        gh_arena_init(&a);
        assert_int_equal(gh_store_tx_begin(f->store, false, &rtx), GH_OK);
        assert_int_equal(gh_store_group_get(rtx, &a, GH_S(ACCOUNT), GH_S("g1"), &g), GH_OK);
        gh_store_tx_rollback(rtx);
        assert_int_equal(gh_store_inline_delete(tx, g.id, GH_S("get")), GH_OK);
        gh_arena_cleanup(&a);
    }
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    gh_store_close(other);
    assert_int_equal(gh_store_refresh(f->store, &changed), GH_OK);
    assert_true(changed);
    assert_int_equal(as_user(&w, "iam", GET_USER_FORM), 403);

    /* A managed session policy's new default version limits its sessions. */
    assert_int_equal(as_arns_session(&w, "sts", GCI_FORM), 200);
    root_form(f,
              "Action=PutRolePolicy&Version=2010-05-08&RoleName=reader&PolicyName=get"
              "&PolicyDocument=",
              ALLOW("iam:GetUser"));
    assert_int_equal(as_arns_session(&w, "iam", GET_USER_FORM), 200);
    root_form(f,
              "Action=CreatePolicyVersion&Version=2010-05-08&SetAsDefault=true"
              "&PolicyArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Apolicy%2Fedge&PolicyDocument=",
              ALLOW("s3:*"));
    assert_int_equal(as_arns_session(&w, "iam", GET_USER_FORM), 403);
    /* Deleting the role ends its sessions. */
    root_form(f, "Action=DeleteRolePolicy&Version=2010-05-08&RoleName=reader&PolicyName=get", NULL);
    root_form(f,
              "Action=DetachRolePolicy&Version=2010-05-08&RoleName=reader"
              "&PolicyArn=arn%3Aaws%3Aiam%3A%3A" ACCOUNT "%3Apolicy%2Fp3",
              NULL);
    root_form(f, "Action=DeleteRole&Version=2010-05-08&RoleName=reader", NULL);
    {
        char *body = NULL;
        int st = signed_call(f, "sts", w.session_key, &w.session_secret, w.session_token, GCI_FORM,
                             &body);
        assert_int_equal(st, 403);
        assert_non_null(strstr(body, "<Code>InvalidClientTokenId</Code>"));
        free(body);
    }

    warm_free(&w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_of_deleted_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_refreshes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warm_requests_read_nothing, warm_setup_quiet,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_warm_snapshot_follows_writes, warm_setup_touching,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
