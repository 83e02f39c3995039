/*
 * org.c: Organizations actions: CreateOrganization, DescribeOrganization,
 * DeleteOrganization, ListRoots, CreateAccount, DescribeCreateAccountStatus,
 * ListCreateAccountStatus, ListAccounts, DescribeAccount. State lives in
 * the store's generic records: "org" (in the management account),
 * "org-member" (in every member, naming its organization), "org-account"
 * and "org-car" (create-account requests) in the management account.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "org/org.h"

#define KIND_ORG "org"
#define KIND_MEMBER "org-member"
#define KIND_ACCOUNT "org-account"
#define KIND_CAR "org-car"
/* AWS Organizations quota: default maximum number of accounts (raisable). */
#define ORG_ACCOUNTS_MAX 10
#define LIST_MAX 20

struct org {
    char id[40];
    char root_id[40];
    char master[13];
    char feature_set[32];
    int64_t created;
};

static struct gh_slice
acct(const struct gh_call *c)
{
    return gh_slice_from_cstr(c->caller->account);
}

static enum gh_err
fail(struct gh_call *c, enum gh_err err, const char *code, const char *msg)
{
    c->code = code;
    return gh_call_fail(c, err, "%s", msg);
}

static enum gh_err
not_in_use(struct gh_call *c)
{
    return fail(c, GH_ERR_VALIDATION, "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.");
}

/*
 * A stored record's JSON. GH_ERR_NOMEM when jansson ran out of memory
 * while parsing it, whatever json_loadb returned: jansson 2.14 may then
 * drop a character ("o-abc123" read as "o-ab123", and a Deny on
 * aws:PrincipalOrgID no longer matches) or call the record bad JSON
 * (core.h gh_alloc_counted). GH_ERR_INTERNAL for a record that is not JSON.
 */
static enum gh_err
rec_json(struct gh_slice data, json_t **out)
{
    json_error_t je;
    unsigned long failed = gh_alloc_failures();

    *out = json_loadb(data.ptr == NULL ? "" : data.ptr, data.len, 0, &je);
    if (gh_alloc_failures() != failed) {
        json_decref(*out);
        *out = NULL;
        return GH_ERR_NOMEM;
    }
    return *out == NULL ? GH_ERR_INTERNAL : GH_OK;
}

/* The organization the caller's account belongs to. */
static enum gh_err
org_of(struct gh_call *c, struct gh_slice account, struct org *out)
{
    struct gh_store_rec r;
    json_t *j;
    enum gh_err err;
    struct gh_slice master;

    memset(out, 0, sizeof(*out));
    err = gh_store_rec_get(c->tx, c->arena, account, GH_S(KIND_MEMBER), GH_S("member"), &r, NULL);
    if (err != GH_OK)
        return err;
    master = r.data;
    if (master.len != 12)
        return GH_ERR_INTERNAL;
    if ((err = gh_store_rec_get(c->tx, c->arena, master, GH_S(KIND_ORG), GH_S("org"), &r, NULL)) !=
        GH_OK)
        return err;
    if ((err = rec_json(r.data, &j)) != GH_OK)
        return err;
    (void)snprintf(out->id, sizeof(out->id), "%s", json_string_value(json_object_get(j, "Id")));
    (void)snprintf(out->root_id, sizeof(out->root_id), "%s",
                   json_string_value(json_object_get(j, "RootId")));
    (void)snprintf(out->feature_set, sizeof(out->feature_set), "%s",
                   json_string_value(json_object_get(j, "FeatureSet")));
    memcpy(out->master, master.ptr, 12);
    out->master[12] = '\0';
    out->created = r.created;
    json_decref(j);
    return GH_OK;
}

static char *
email_of(struct gh_call *c, const char *account)
{
    /* gatehouse keeps no mailbox for accounts it bootstraps; this address
     * is reserved (RFC 2606 .invalid) so it can never reach anyone. */
    return gh_arena_printf(c->arena, "root+%s@accounts.gatehouse.invalid", account);
}

static json_t *
org_json(struct gh_call *c, const struct org *o)
{
    char arn[128], marn[160];

    (void)snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:organization/%s", o->master, o->id);
    (void)snprintf(marn, sizeof(marn), "arn:aws:organizations::%s:account/%s/%s", o->master, o->id,
                   o->master);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}", "Id", o->id, "Arn", arn,
                     "FeatureSet", o->feature_set, "MasterAccountArn", marn, "MasterAccountId",
                     o->master, "MasterAccountEmail", email_of(c, o->master),
                     "AvailablePolicyTypes", "Type", "SERVICE_CONTROL_POLICY", "Status", "ENABLED");
}

static enum gh_err
set_out(struct gh_call *c, json_t *o)
{
    if (o == NULL)
        return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
    c->out = o;
    return GH_OK;
}

static enum gh_err
random_lower(size_t n, char *out)
{
    enum gh_err err = gh_random_string("abcdefghijklmnopqrstuvwxyz0123456789", n, out);

    out[n] = '\0';
    return err;
}

static const char *
str_in(struct gh_call *c, const char *name)
{
    json_t *v = json_object_get(c->in, name);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static enum gh_err
authorize(struct gh_call *c, const char *action, const char *resource)
{
    return gh_call_authorize(c, action, gh_slice_from_cstr(resource));
}

static enum gh_err
create_organization(struct gh_call *c)
{
    const char *fs = str_in(c, "FeatureSet");
    struct org o, existing;
    struct gh_store_rec r;
    json_t *data;
    char *text;
    enum gh_err err;

    if (fs != NULL && strcmp(fs, "ALL") != 0 && strcmp(fs, "CONSOLIDATED_BILLING") != 0)
        return fail(c, GH_ERR_VALIDATION, "InvalidInputException",
                    "You provided a value that does not match the required pattern.");
    if ((err = authorize(c, "organizations:CreateOrganization", "*")) != GH_OK)
        return err;
    err = org_of(c, acct(c), &existing);
    if (err == GH_OK)
        return fail(c, GH_ERR_EXISTS, "AlreadyInOrganizationException",
                    "The AWS account is already a member of an organization.");
    if (err != GH_ERR_NOT_FOUND)
        return gh_call_fail(c, err, "The organization could not be read.");
    memset(&o, 0, sizeof(o));
    memcpy(o.id, "o-", 2);
    memcpy(o.root_id, "r-", 2);
    if ((err = random_lower(10, o.id + 2)) != GH_OK ||
        (err = random_lower(4, o.root_id + 2)) != GH_OK)
        return gh_call_fail(c, err, "The organization could not be created.");
    memcpy(o.master, c->caller->account, 13);
    (void)snprintf(o.feature_set, sizeof(o.feature_set), "%s", fs == NULL ? "ALL" : fs);
    o.created = c->now;
    data =
        json_pack("{s:s, s:s, s:s}", "Id", o.id, "RootId", o.root_id, "FeatureSet", o.feature_set);
    text = data == NULL ? NULL : json_dumps(data, JSON_COMPACT);
    json_decref(data);
    if (text == NULL)
        return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
    memset(&r, 0, sizeof(r));
    r.account = acct(c);
    r.kind = GH_S(KIND_ORG);
    r.id = GH_S("org");
    r.owner = GH_S("");
    r.created = c->now;
    r.data = gh_slice_from_cstr(text);
    err = gh_store_rec_put(c->tx, &r, NULL, false);
    if (err == GH_OK) {
        /* The management account is a member too, and listed among the accounts. */
        r.kind = GH_S(KIND_MEMBER);
        r.id = GH_S("member");
        r.data = acct(c);
        err = gh_store_rec_put(c->tx, &r, NULL, false);
    }
    free(text);
    if (err == GH_OK) {
        json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "Name", "management", "Email",
                              email_of(c, o.master), "JoinedMethod", "CREATED", "Status", "ACTIVE");
        char *at = a == NULL ? NULL : json_dumps(a, JSON_COMPACT);
        json_decref(a);
        if (at == NULL)
            return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
        r.kind = GH_S(KIND_ACCOUNT);
        r.id = acct(c);
        r.data = gh_slice_from_cstr(at);
        err = gh_store_rec_put(c->tx, &r, NULL, false);
        free(at);
    }
    if (err != GH_OK)
        return gh_call_fail(c, err, "The organization could not be saved.");
    return set_out(c, json_pack("{s:o}", "Organization", org_json(c, &o)));
}

static enum gh_err
describe_organization(struct gh_call *c)
{
    struct org o;
    enum gh_err err;

    if ((err = authorize(c, "organizations:DescribeOrganization", "*")) != GH_OK)
        return err;
    if ((err = org_of(c, acct(c), &o)) == GH_ERR_NOT_FOUND)
        return not_in_use(c);
    if (err != GH_OK)
        return gh_call_fail(c, err, "The organization could not be read.");
    return set_out(c, json_pack("{s:o}", "Organization", org_json(c, &o)));
}

/* Only the management account may manage the organization. */
static enum gh_err
management(struct gh_call *c, const char *action, struct org *o)
{
    enum gh_err err;

    if ((err = authorize(c, action, "*")) != GH_OK)
        return err;
    if ((err = org_of(c, acct(c), o)) == GH_ERR_NOT_FOUND)
        return not_in_use(c);
    if (err != GH_OK)
        return gh_call_fail(c, err, "The organization could not be read.");
    if (strcmp(o->master, c->caller->account) != 0)
        return fail(c, GH_ERR_ACCESS_DENIED, "AccessDeniedException",
                    "You don't have permissions to access this resource.");
    return GH_OK;
}

static enum gh_err
delete_organization(struct gh_call *c)
{
    struct org o;
    struct gh_store_rec *accts;
    size_t n;
    enum gh_err err;

    if ((err = management(c, "organizations:DeleteOrganization", &o)) != GH_OK)
        return err;
    if ((err = gh_store_rec_list(c->tx, c->arena, acct(c), GH_S(KIND_ACCOUNT), GH_SLICE_NULL,
                                 &accts, &n)) != GH_OK)
        return gh_call_fail(c, err, "The organization could not be read.");
    if (n > 1)
        return fail(c, GH_ERR_VALIDATION, "OrganizationNotEmptyException",
                    "To delete an organization you must first remove all member accounts "
                    "(except the management account).");
    if ((err = gh_store_rec_delete(c->tx, acct(c), GH_S(KIND_ORG), GH_S("org"))) != GH_OK ||
        (err = gh_store_rec_delete(c->tx, acct(c), GH_S(KIND_MEMBER), GH_S("member"))) != GH_OK ||
        (err = gh_store_rec_delete(c->tx, acct(c), GH_S(KIND_ACCOUNT), acct(c))) != GH_OK)
        return gh_call_fail(c, err, "The organization could not be deleted.");
    return GH_OK;
}

static enum gh_err
list_roots(struct gh_call *c)
{
    struct org o;
    char arn[160];
    enum gh_err err;

    if ((err = authorize(c, "organizations:ListRoots", "*")) != GH_OK)
        return err;
    if ((err = org_of(c, acct(c), &o)) == GH_ERR_NOT_FOUND)
        return not_in_use(c);
    if (err != GH_OK)
        return gh_call_fail(c, err, "The organization could not be read.");
    (void)snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:root/%s/%s", o.master, o.id,
                   o.root_id);
    return set_out(c, json_pack("{s:[{s:s, s:s, s:s, s:[{s:s, s:s}]}]}", "Roots", "Id", o.root_id,
                                "Arn", arn, "Name", "Root", "PolicyTypes", "Type",
                                "SERVICE_CONTROL_POLICY", "Status", "ENABLED"));
}

static bool
valid_email(const char *e)
{
    /* AWS Organizations Email: [^\s@]+@[^\s@]+\.[^\s@]+, 6..64 characters. */
    const char *at = strchr(e, '@'), *dot;
    size_t n = strlen(e);

    if (n < 6 || n > 64 || at == NULL || at == e || strchr(at + 1, '@') != NULL)
        return false;
    for (const char *p = e; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            return false;
    dot = strrchr(at + 1, '.');
    return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

static bool
valid_role_name(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > 64)
        return false;
    return gh_slice_is_charset(gh_slice_from_cstr(s), "_+=,.@-");
}

/* The role AWS puts in every created account: the management account's root may assume it. */
static enum gh_err
create_access_role(struct gh_call *c, const char *account, const char *master,
                   const char *role_name)
{
    struct gh_role role;
    char id[22], *trust;
    enum gh_err err;

    if ((err = gh_random_id("AROA", 21, id)) != GH_OK)
        return err;
    trust = gh_arena_printf(c->arena,
                            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                            "\"Principal\":{\"AWS\":\"arn:aws:iam::%s:root\"},"
                            "\"Action\":\"sts:AssumeRole\"}]}",
                            master);
    if (trust == NULL)
        return GH_ERR_NOMEM;
    memset(&role, 0, sizeof(role));
    role.account = gh_slice_from_cstr(account);
    role.name = gh_slice_from_cstr(role_name);
    role.path = GH_S("/");
    role.id = gh_slice_from_cstr(id);
    role.trust_policy = gh_slice_from_cstr(trust);
    role.description = GH_S("");
    role.boundary_arn = GH_S("");
    role.max_session_s = 3600;
    role.created = c->now;
    if ((err = gh_store_role_create(c->tx, &role)) != GH_OK)
        return err;
    /* AWS Organizations: "the role has full administrator permissions". */
    return gh_store_attach(c->tx, role.id, GH_S("arn:aws:iam::aws:policy/AdministratorAccess"));
}

static json_t *
car_json(const char *id, const char *name, const char *state, int64_t requested, int64_t completed,
         const char *account, const char *reason)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "Id", id, "AccountName", name, "State", state,
                          "RequestedTimestamp", (json_int_t)requested);

    if (o == NULL)
        return NULL;
    if (completed > 0)
        json_object_set_new(o, "CompletedTimestamp", json_integer(completed));
    if (account != NULL)
        json_object_set_new(o, "AccountId", json_string(account));
    if (reason != NULL)
        json_object_set_new(o, "FailureReason", json_string(reason));
    return o;
}

static enum gh_err
put_car(struct gh_call *c, const char *car, json_t *status)
{
    struct gh_store_rec r;
    char *text = json_dumps(status, JSON_COMPACT);
    enum gh_err err;

    if (text == NULL)
        return GH_ERR_NOMEM;
    memset(&r, 0, sizeof(r));
    r.account = acct(c);
    r.kind = GH_S(KIND_CAR);
    r.id = gh_slice_from_cstr(car);
    r.owner = GH_S("");
    r.created = c->now;
    r.data = gh_slice_from_cstr(text);
    err = gh_store_rec_put(c->tx, &r, NULL, false);
    free(text);
    return err;
}

static enum gh_err
create_account(struct gh_call *c)
{
    const char *email = str_in(c, "Email"), *name = str_in(c, "AccountName");
    const char *role = str_in(c, "RoleName");
    struct org o;
    struct gh_store_rec *accts, r;
    char car[37], account[13];
    json_t *status = NULL, *adata;
    char *atext;
    size_t n;
    enum gh_err err;
    bool taken = false;

    if (email == NULL || name == NULL)
        return fail(c, GH_ERR_VALIDATION, "InvalidInputException",
                    "You must specify a value for both Email and AccountName.");
    if (!valid_email(email) || strlen(name) < 1 || strlen(name) > 50 ||
        (role != NULL && !valid_role_name(role)))
        return fail(c, GH_ERR_VALIDATION, "InvalidInputException",
                    "You provided a value that does not match the required pattern.");
    if ((err = management(c, "organizations:CreateAccount", &o)) != GH_OK)
        return err;
    if ((err = gh_store_rec_list(c->tx, c->arena, acct(c), GH_S(KIND_ACCOUNT), GH_SLICE_NULL,
                                 &accts, &n)) != GH_OK)
        return gh_call_fail(c, err, "The organization could not be read.");
    memcpy(car, "car-", 4);
    if ((err = random_lower(32, car + 4)) != GH_OK)
        return gh_call_fail(c, err, "The request could not be created.");
    for (size_t i = 0; i < n; i++) {
        json_t *a;
        const char *e;

        if ((err = rec_json(accts[i].data, &a)) == GH_ERR_NOMEM)
            return gh_call_fail(c, err, "The organization could not be read.");
        e = a == NULL ? NULL : json_string_value(json_object_get(a, "Email"));
        if (e != NULL && strcasecmp(e, email) == 0)
            taken = true;
        json_decref(a);
    }
    if (taken || n >= ORG_ACCOUNTS_MAX) {
        /* AWS reports these as a FAILED request, not as an error of the call. */
        status = car_json(car, name, "FAILED", c->now, c->now, NULL,
                          taken ? "EMAIL_ALREADY_EXISTS" : "ACCOUNT_LIMIT_EXCEEDED");
    } else {
        do {
            if ((err = gh_random_account_id(account)) != GH_OK)
                return gh_call_fail(c, err, "The account could not be created.");
            err = gh_store_account_exists(c->tx, account);
        } while (err == GH_OK);
        if (err != GH_ERR_NOT_FOUND)
            return gh_call_fail(c, err, "The account could not be created.");
        if ((err = gh_store_account_create(c->tx, account, c->now)) != GH_OK ||
            (err = create_access_role(c, account, o.master,
                                      role == NULL ? "OrganizationAccountAccessRole" : role)) !=
                GH_OK)
            return gh_call_fail(c, err, "The account could not be created.");
        memset(&r, 0, sizeof(r));
        r.account = gh_slice_from_cstr(account);
        r.kind = GH_S(KIND_MEMBER);
        r.id = GH_S("member");
        r.owner = GH_S("");
        r.created = c->now;
        r.data = acct(c);
        if ((err = gh_store_rec_put(c->tx, &r, NULL, false)) != GH_OK)
            return gh_call_fail(c, err, "The account could not be created.");
        adata = json_pack("{s:s, s:s, s:s, s:s}", "Name", name, "Email", email, "JoinedMethod",
                          "CREATED", "Status", "ACTIVE");
        atext = adata == NULL ? NULL : json_dumps(adata, JSON_COMPACT);
        json_decref(adata);
        if (atext == NULL)
            return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
        r.account = acct(c);
        r.kind = GH_S(KIND_ACCOUNT);
        r.id = gh_slice_from_cstr(account);
        r.data = gh_slice_from_cstr(atext);
        err = gh_store_rec_put(c->tx, &r, NULL, false);
        free(atext);
        if (err != GH_OK)
            return gh_call_fail(c, err, "The account could not be created.");
        status = car_json(car, name, "SUCCEEDED", c->now, c->now, account, NULL);
    }
    if (status == NULL)
        return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
    if ((err = put_car(c, car, status)) != GH_OK) {
        json_decref(status);
        return gh_call_fail(c, err, "The request could not be saved.");
    }
    /*
     * AWS answers CreateAccount with the request IN_PROGRESS and clients
     * poll DescribeCreateAccountStatus; gatehouse has finished by then, so
     * the stored status is final and the answer shows the request as AWS does.
     */
    json_t *first = car_json(car, name, "IN_PROGRESS", c->now, 0, NULL, NULL);
    json_decref(status);
    return set_out(c, first == NULL ? NULL : json_pack("{s:o}", "CreateAccountStatus", first));
}

static enum gh_err
describe_create_account_status(struct gh_call *c)
{
    const char *id = str_in(c, "CreateAccountRequestId");
    struct org o;
    struct gh_store_rec r;
    json_t *j;
    enum gh_err err;

    if (id == NULL)
        return fail(c, GH_ERR_VALIDATION, "InvalidInputException",
                    "You must specify a value for CreateAccountRequestId.");
    if ((err = management(c, "organizations:DescribeCreateAccountStatus", &o)) != GH_OK)
        return err;
    err = gh_store_rec_get(c->tx, c->arena, acct(c), GH_S(KIND_CAR), gh_slice_from_cstr(id), &r,
                           NULL);
    if (err == GH_ERR_NOT_FOUND)
        return fail(c, GH_ERR_NOT_FOUND, "CreateAccountStatusNotFoundException",
                    "We can't find an create account request with the CreateAccountRequestId "
                    "that you specified.");
    if (err != GH_OK || (err = rec_json(r.data, &j)) != GH_OK)
        return gh_call_fail(c, err, "The request could not be read.");
    return set_out(c, json_pack("{s:o}", "CreateAccountStatus", j));
}

static enum gh_err
list_create_account_status(struct gh_call *c)
{
    struct org o;
    struct gh_store_rec *rs;
    size_t n;
    json_t *arr;
    enum gh_err err;

    if ((err = management(c, "organizations:ListCreateAccountStatus", &o)) != GH_OK)
        return err;
    if ((err = gh_store_rec_list(c->tx, c->arena, acct(c), GH_S(KIND_CAR), GH_SLICE_NULL, &rs,
                                 &n)) != GH_OK)
        return gh_call_fail(c, err, "The requests could not be read.");
    if ((arr = json_array()) == NULL)
        return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
    for (size_t i = 0; i < n; i++) {
        json_t *j;

        if ((err = rec_json(rs[i].data, &j)) == GH_ERR_NOMEM) {
            json_decref(arr);
            return gh_call_fail(c, err, "The requests could not be read.");
        }
        if (j != NULL)
            json_array_append_new(arr, j);
    }
    return set_out(c, json_pack("{s:o}", "CreateAccountStatuses", arr));
}

static json_t *
account_json(const struct org *o, const struct gh_store_rec *r)
{
    json_t *d, *out;
    char arn[160], id[13];

    if (rec_json(r->data, &d) != GH_OK || r->id.len != 12) {
        json_decref(d);
        return NULL;
    }
    memcpy(id, r->id.ptr, 12);
    id[12] = '\0';
    (void)snprintf(arn, sizeof(arn), "arn:aws:organizations::%s:account/%s/%s", o->master, o->id,
                   id);
    out = json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:I}", "Id", id, "Arn", arn, "Email",
                    json_object_get(d, "Email"), "Name", json_object_get(d, "Name"), "Status",
                    json_object_get(d, "Status"), "JoinedMethod",
                    json_object_get(d, "JoinedMethod"), "JoinedTimestamp", (json_int_t)r->created);
    json_decref(d);
    return out;
}

static enum gh_err
list_accounts(struct gh_call *c)
{
    struct org o;
    struct gh_store_rec *rs;
    size_t n, start = 0, max = LIST_MAX;
    json_t *arr, *out, *v;
    enum gh_err err;

    if ((err = management(c, "organizations:ListAccounts", &o)) != GH_OK)
        return err;
    if ((v = json_object_get(c->in, "MaxResults")) != NULL) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > LIST_MAX)
            return fail(c, GH_ERR_VALIDATION, "InvalidInputException",
                        "You specified an invalid value for MaxResults.");
        max = (size_t)json_integer_value(v);
    }
    if ((v = json_object_get(c->in, "NextToken")) != NULL) {
        uint64_t s = 0;
        if (!json_is_string(v) ||
            gh_parse_u64(gh_slice_from_cstr(json_string_value(v)), 1000000, &s) != GH_OK)
            return fail(c, GH_ERR_VALIDATION, "InvalidInputException",
                        "You specified an invalid value for nextToken.");
        start = (size_t)s;
    }
    if ((err = gh_store_rec_list(c->tx, c->arena, acct(c), GH_S(KIND_ACCOUNT), GH_SLICE_NULL, &rs,
                                 &n)) != GH_OK)
        return gh_call_fail(c, err, "The accounts could not be read.");
    if ((arr = json_array()) == NULL)
        return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
    for (size_t i = start; i < n && i < start + max; i++) {
        json_t *a = account_json(&o, &rs[i]);
        if (a != NULL)
            json_array_append_new(arr, a);
    }
    out = json_pack("{s:o}", "Accounts", arr);
    if (out != NULL && start + max < n) {
        char tok[24];
        (void)snprintf(tok, sizeof(tok), "%zu", start + max);
        json_object_set_new(out, "NextToken", json_string(tok));
    }
    return set_out(c, out);
}

static enum gh_err
describe_account(struct gh_call *c)
{
    const char *id = str_in(c, "AccountId");
    struct org o;
    struct gh_store_rec r;
    json_t *a;
    enum gh_err err;

    if (id == NULL)
        return fail(c, GH_ERR_VALIDATION, "InvalidInputException",
                    "You must specify a value for AccountId.");
    if ((err = management(c, "organizations:DescribeAccount", &o)) != GH_OK)
        return err;
    err = gh_store_rec_get(c->tx, c->arena, acct(c), GH_S(KIND_ACCOUNT), gh_slice_from_cstr(id), &r,
                           NULL);
    if (err == GH_ERR_NOT_FOUND)
        return fail(c, GH_ERR_NOT_FOUND, "AccountNotFoundException",
                    "You specified an account that doesn't exist.");
    if (err != GH_OK || (a = account_json(&o, &r)) == NULL)
        return gh_call_fail(c, err == GH_OK ? GH_ERR_INTERNAL : err,
                            "The account could not be read.");
    return set_out(c, json_pack("{s:o}", "Account", a));
}

static const struct gh_action actions[] = {
    {"CreateAccount", create_account, GH_ACTION_WRITE},
    {"CreateOrganization", create_organization, GH_ACTION_WRITE},
    {"DeleteOrganization", delete_organization, GH_ACTION_WRITE},
    {"DescribeAccount", describe_account, 0},
    {"DescribeCreateAccountStatus", describe_create_account_status, 0},
    {"DescribeOrganization", describe_organization, 0},
    {"ListAccounts", list_accounts, 0},
    {"ListCreateAccountStatus", list_create_account_status, 0},
    {"ListRoots", list_roots, 0},
};

const struct gh_service gh_org_service = {
    .name = "organizations",
    .protocol = GH_PROTO_JSON,
    .target_prefix = "AWSOrganizationsV20161128",
    .version = "2016-11-28",
    .xmlns = "",
    .actions = actions,
    .nactions = GH_ARRAY_LEN(actions),
};
