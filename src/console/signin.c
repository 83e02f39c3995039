/*
 * signin.c: POST /console/signin and /console/signout. A sign-in checks
 * the account (id or alias), the user's password (argon2id) and, when the
 * user has an MFA device, a TOTP code, then mints temporary credentials as
 * GetSessionToken does (12 h, MFA flag when used). Every failure gets one
 * message; attempts are counted per client address, user and account.
 * Sign-out stores the session's key as refused until it expires (the api
 * publishes it at once; a restart keeps it).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "console/console_int.h"
#include "crypto/crypto.h"
#include "iam/iam.h"

/*
 * The IAM records this reads (see src/iam/iam_ext.h, which only src/iam
 * may include): login profiles by user id, the password policy, MFA
 * devices by owner, account aliases.
 */
#define REC_LOGIN "login"
#define REC_PWPOLICY "pwpolicy"
#define REC_PWPOLICY_ID "policy"
#define REC_MFA "mfa"
#define REC_ALIAS "alias"

/* AWS console: one message for every wrong account, user, password or code. */
#define MSG_WRONG "Your authentication information is incorrect. Please try again."
#define MSG_THROTTLED "Too many failed sign-in attempts. Wait a few minutes and try again."

/* A session limited to changing the password, for an expired or reset one. */
static const char change_only_policy[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
    "\"iam:ChangePassword\",\"iam:GetAccountPasswordPolicy\",\"iam:GetUser\"],"
    "\"Resource\":\"*\"}]}";

/* What the stored login says about one sign-in. */
struct login {
    char account[13];
    struct gh_user user; /* zero for root */
    bool root;
    const char *hash; /* NULL: no password (never matches) */
    bool change_required;
    struct gh_store_rec *mfa; /* enabled devices */
    size_t nmfa;
};

static bool
is_digits(struct gh_slice s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return s.len > 0;
}

/*
 * The JSON object of a stored record, NULL when it is not JSON.
 * GH_ERR_NOMEM when jansson ran out of memory parsing it, whatever
 * json_loadb returned: it may then drop a character or a digit (core.h
 * gh_alloc_counted).
 */
static enum gh_err
rec_json(struct gh_slice data, json_t **out)
{
    unsigned long failed = gh_alloc_failures();

    *out = json_loadb(data.ptr == NULL ? "" : data.ptr, data.len, 0, NULL);
    if (gh_alloc_failures() != failed) {
        json_decref(*out);
        *out = NULL;
        return GH_ERR_NOMEM;
    }
    return GH_OK;
}

/* Integer member `key` of the JSON object in `data` (0 when absent or unreadable). */
static enum gh_err
json_int_of(struct gh_slice data, const char *key, int64_t *out)
{
    json_t *o;
    enum gh_err err = rec_json(data, &o);

    *out = o != NULL ? (int64_t)json_integer_value(json_object_get(o, key)) : 0;
    json_decref(o);
    return err;
}

/* The account id for an id or an alias; GH_ERR_NOT_FOUND when neither. */
static enum gh_err
account_resolve(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice given, char out[13])
{
    struct gh_store_rec r;
    enum gh_err err;

    if (given.len == 12 && is_digits(given)) {
        memcpy(out, given.ptr, 12);
        out[12] = '\0';
        return gh_store_account_exists(tx, out);
    }
    /* AWS IAM: aliases are lower-case letters, digits and hyphens, 3..63. */
    if (given.len < 3 || given.len > 63)
        return GH_ERR_NOT_FOUND;
    err = gh_store_rec_get(tx, a, GH_S(""), GH_S(REC_ALIAS), given, &r, NULL);
    if (err != GH_OK)
        return err;
    if (r.owner.len != 12 || !is_digits(r.owner))
        return GH_ERR_NOT_FOUND;
    memcpy(out, r.owner.ptr, 12);
    out[12] = '\0';
    return GH_OK;
}

/* Loads what the sign-in needs; GH_ERR_NOT_FOUND for no such user or login. */
static enum gh_err
login_load(struct gh_console *c, struct gh_arena *a, struct gh_slice account, struct gh_slice user,
           int64_t now, struct login *out)
{
    struct gh_store_tx *tx = NULL;
    struct gh_store_rec r, pol, *devs = NULL;
    size_t ndevs = 0;
    json_t *o = NULL;
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    if ((err = gh_store_tx_begin(c->store, false, &tx)) != GH_OK)
        return err;
    if ((err = account_resolve(tx, a, account, out->account)) != GH_OK)
        goto done;
    struct gh_slice acct = {out->account, 12};
    if (user.len == 0) {
        char key[64];
        struct gh_slice hash;
        out->root = true;
        gh_console_root_key(acct, key);
        if ((err = gh_store_meta_get(tx, a, key, &hash)) != GH_OK)
            goto done;
        out->hash = gh_arena_strndup(a, hash);
        err = out->hash == NULL ? GH_ERR_NOMEM : GH_OK;
        goto done;
    }
    if ((err = gh_store_user_get(tx, a, acct, user, &out->user)) != GH_OK ||
        (err = gh_store_rec_get(tx, a, acct, GH_S(REC_LOGIN), out->user.id, &r, NULL)) != GH_OK)
        goto done;
    if ((err = rec_json(r.data, &o)) != GH_OK)
        goto done;
    if (o == NULL) {
        err = GH_ERR_INTERNAL;
        goto done;
    }
    const char *h = json_string_value(json_object_get(o, "hash"));
    if (h != NULL && (out->hash = gh_arena_strndup(a, gh_slice_from_cstr(h))) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    /* AWS IAM: PasswordResetRequired, or a password older than MaxPasswordAge days. */
    out->change_required = json_is_true(json_object_get(o, "reset"));
    int64_t changed = (int64_t)json_integer_value(json_object_get(o, "changed"));
    if (changed == 0)
        changed = r.created;
    err = gh_store_rec_get(tx, a, acct, GH_S(REC_PWPOLICY), GH_S(REC_PWPOLICY_ID), &pol, NULL);
    if (err == GH_OK) {
        int64_t age_days;
        if ((err = json_int_of(pol.data, "age", &age_days)) != GH_OK)
            goto done;
        if (age_days > 0 && now >= changed + age_days * 86400)
            out->change_required = true;
    } else if (err != GH_ERR_NOT_FOUND) {
        goto done;
    }
    if ((err = gh_store_rec_list(tx, a, acct, GH_S(REC_MFA), out->user.id, &devs, &ndevs)) != GH_OK)
        goto done;
    out->mfa = devs;
    out->nmfa = ndevs;
done:
    json_decref(o);
    gh_store_tx_rollback(tx);
    return err;
}

/* True when `code` verifies against one of the user's devices (consumes it). */
static enum gh_err
mfa_check(struct gh_console *c, const struct login *l, struct gh_slice code, int64_t now)
{
    struct gh_store_tx *tx = NULL;
    enum gh_err err = GH_ERR_ACCESS_DENIED;

    if (code.len != 6 || !is_digits(code))
        return GH_ERR_ACCESS_DENIED;
    for (size_t i = 0; i < l->nmfa && err == GH_ERR_ACCESS_DENIED; i++) {
        if ((err = gh_store_tx_begin(c->store, true, &tx)) != GH_OK)
            return err;
        err = gh_iam_mfa_verify(tx, (struct gh_slice){l->account, 12}, l->mfa[i].id, l->user.name,
                                code, now);
        if (err == GH_OK)
            err = gh_store_tx_commit(tx); /* the step is recorded: a code works once */
        else
            gh_store_tx_rollback(tx);
    }
    return err;
}

/* Mints and seals the session; writes the JSON answer. */
static enum gh_err
session_issue(struct gh_console *c, struct gh_arena *a, const struct login *l, bool mfa,
              int64_t now, struct gh_http_resp *resp)
{
    struct gh_session s;
    struct gh_buf token;
    struct gh_api_snap *snap = NULL;
    char sk[41], exp[21];
    const char *arn;
    json_t *o = NULL;
    char *text = NULL;
    enum gh_err err;

    memset(&s, 0, sizeof(s));
    gh_buf_init(&token, GH_SESSION_TOKEN_MAX * 2);
    if ((err = gh_random_id("ASIA", 20, s.access_key_id)) != GH_OK ||
        (err = gh_random_secret_key(sk)) != GH_OK ||
        (err = gh_secret_set(&s.secret, sk, 40)) != GH_OK)
        goto done;
    s.type = l->root ? GH_PRINCIPAL_ROOT : GH_PRINCIPAL_USER;
    memcpy(s.account, l->account, sizeof(s.account));
    s.name = l->root ? GH_S("") : l->user.name;
    s.path = l->root ? GH_S("") : l->user.path;
    s.entity_id = l->root ? (struct gh_slice){l->account, 12} : l->user.id;
    s.session_name = GH_S("");
    s.source_identity = GH_S("");
    s.policy = l->change_required ? GH_S(change_only_policy) : GH_S("");
    s.issued = now;
    s.expires = now + GH_CONSOLE_SESSION_S;
    s.mfa = mfa;
    s.mfa_time = mfa ? now : 0;
    s.console = true; /* a console session, like AWS's: IAM is reachable without MFA */
    /* The current key ring: `gatehouse keys rotate` reaches sign-in too. */
    snap = gh_api_snap_get(c->api);
    if ((err = gh_session_seal(gh_api_snap_keyring(snap), &s, &token)) != GH_OK)
        goto done;
    arn = l->root ? gh_arena_printf(a, "arn:aws:iam::%s:root", l->account)
                  : gh_arena_printf(a, "arn:aws:iam::%s:user%.*s%.*s", l->account,
                                    GH_SP(l->user.path), GH_SP(l->user.name));
    if (arn == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    gh_time_iso8601(s.expires, exp);
    o = json_pack("{s:s, s:s%, s:s%, s:s, s:s, s:s, s:s%, s:b, s:b, s:b}", "accessKeyId",
                  s.access_key_id, "secretAccessKey", sk, (size_t)40, "sessionToken", token.ptr,
                  token.len, "expiration", exp, "accountId", l->account, "arn", arn, "userName",
                  l->root ? "" : l->user.name.ptr, l->root ? 0 : l->user.name.len, "root", l->root,
                  "mfa", mfa, "passwordChangeRequired", l->change_required);
    if (o == NULL || (text = json_dumps(o, JSON_COMPACT)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    resp->status = 200;
    resp->content_type = "application/json";
    gh_buf_puts(&resp->body, text);
    err = gh_buf_status(&resp->body);
done:
    if (text != NULL) {
        OPENSSL_cleanse(text, strlen(text));
        free(text);
    }
    if (o != NULL) {
        json_t *secret = json_object_get(o, "secretAccessKey");
        if (secret != NULL && json_string_length(secret) == 40)
            OPENSSL_cleanse((char *)json_string_value(secret), 40);
        json_decref(o);
    }
    OPENSSL_cleanse(sk, sizeof(sk));
    gh_secret_wipe(&s.secret);
    gh_buf_cleanup(&token);
    gh_api_snap_unref(snap);
    return err;
}

/* "u:ACCOUNT-AS-GIVEN:user-lower-case" into the arena. */
static struct gh_slice
user_key(struct gh_arena *a, struct gh_slice account, struct gh_slice user)
{
    char *k = gh_arena_printf(a, "u:%.*s:%.*s", GH_SP(account), GH_SP(user));

    if (k == NULL)
        return GH_SLICE_NULL;
    for (char *p = k; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return gh_slice_from_cstr(k);
}

void
gh_console_signin(struct gh_console *c, struct gh_http_req *req, struct gh_http_resp *resp,
                  int64_t now)
{
    struct gh_params params;
    struct gh_diag diag;
    struct gh_slice account, user, password, code, ukey, akey, ckey;
    struct login l;
    enum gh_err err;
    char *addr;

    if (gh_form_parse(req->arena, req->body, true, &params, &diag) != GH_OK) {
        gh_console_error(resp, 400, "InvalidInput", "The sign-in form could not be read.");
        return;
    }
    account = gh_slice_trim(gh_params_get(&params, "account"));
    user = gh_slice_trim(gh_params_get(&params, "username"));
    password = gh_params_get(&params, "password");
    code = gh_slice_trim(gh_params_get(&params, "mfaCode"));
    if (account.len == 0 || account.len > 63 || user.len > 64 || password.len == 0 ||
        password.len > GH_CONSOLE_PASSWORD_MAX || code.len > 6 || !gh_utf8_is_valid(user) ||
        !gh_utf8_is_valid(account)) {
        gh_console_error(resp, 401, "SignInFailed", MSG_WRONG);
        return;
    }
    err = login_load(c, req->arena, account, user, now, &l);
    if (err != GH_OK && err != GH_ERR_NOT_FOUND) {
        gh_console_error(resp, 500, "ServiceFailure", "The sign-in could not be checked.");
        return;
    }
    /* Counted under the account's id once resolved, so an alias is no second allowance. */
    if (l.account[0] != '\0')
        account = gh_slice_from_cstr(l.account);
    addr = gh_arena_printf(req->arena, "a:%s", req->remote_addr);
    ukey = user_key(req->arena, account, user.len == 0 ? GH_S("(root)") : user);
    ckey = gh_slice_from_cstr(gh_arena_printf(req->arena, "c:%.*s", GH_SP(account)));
    if (addr == NULL || ukey.ptr == NULL || ckey.ptr == NULL) {
        gh_console_error(resp, 500, "InternalFailure", "The service is out of memory.");
        return;
    }
    akey = gh_slice_from_cstr(addr);
    const struct gh_console_limit_key keys[] = {
        {akey, GH_CONSOLE_FAILS_PER_ADDR},
        {ukey, GH_CONSOLE_FAILS_PER_USER},
        {ckey, GH_CONSOLE_FAILS_PER_ACCOUNT},
    };
    /* Counted before the check, so parallel guesses cannot all pass it. */
    if (!gh_console_limit_take(&c->limit, keys, GH_ARRAY_LEN(keys), now)) {
        gh_console_error(resp, 429, "Throttling", MSG_THROTTLED);
        return;
    }
    /*
     * Unknown accounts and users cost an argon2 verification too, so the
     * answer's timing does not tell which part was wrong.
     */
    bool ok = false;
    if (err == GH_OK && l.hash != NULL)
        ok = gh_console_password_ok(l.hash, password);
    else if (gh_console_password_ok(c->dummy_hash, password))
        ok = false; /* the dummy hash is of random bytes; it only spends the time */
    if (!ok) {
        gh_console_error(resp, 401, "SignInFailed", MSG_WRONG); /* the attempt stays counted */
        return;
    }
    if (l.nmfa > 0 && code.len == 0) {
        /* AWS console: the MFA code is asked for once the password is right. */
        for (size_t i = 0; i < GH_ARRAY_LEN(keys); i++)
            gh_console_limit_give_back(&c->limit, keys[i].key, now);
        gh_console_error(resp, 401, "MFARequired", "Enter the code from your MFA device.");
        return;
    }
    if (l.nmfa > 0) {
        err = mfa_check(c, &l, code, now);
        if (err == GH_ERR_ACCESS_DENIED) {
            gh_console_error(resp, 401, "SignInFailed", MSG_WRONG);
            return;
        }
        if (err != GH_OK) {
            gh_console_error(resp, 500, "ServiceFailure", "The MFA code could not be checked.");
            return;
        }
    }
    gh_console_limit_give_back(&c->limit, akey, now);
    gh_console_limit_give_back(&c->limit, ckey, now);
    gh_console_limit_clear(&c->limit, ukey);
    if (session_issue(c, req->arena, &l, l.nmfa > 0, now, resp) != GH_OK) {
        gh_buf_reset(&resp->body);
        gh_console_error(resp, 500, "ServiceFailure", "The session could not be created.");
    }
}

void
gh_console_signout(struct gh_console *c, struct gh_http_req *req, struct gh_http_resp *resp,
                   int64_t now)
{
    struct gh_params params;
    struct gh_diag diag;
    struct gh_session s;
    struct gh_slice token;
    struct gh_api_snap *snap;
    enum gh_err err;

    if (gh_form_parse(req->arena, req->body, true, &params, &diag) != GH_OK) {
        gh_console_error(resp, 400, "InvalidInput", "The sign-out form could not be read.");
        return;
    }
    token = gh_params_get(&params, "sessionToken");
    memset(&s, 0, sizeof(s));
    snap = gh_api_snap_get(c->api);
    err = token.len == 0 || token.len > GH_SESSION_TOKEN_MAX
              ? GH_ERR_INVALID_TOKEN_ID
              : gh_session_open(gh_api_snap_keyring(snap), token, req->arena, &s);
    gh_api_snap_unref(snap);
    gh_secret_wipe(&s.secret);
    if (err != GH_OK) {
        gh_console_error(resp, 400, "InvalidClientTokenId",
                         "The security token included in the request is invalid.");
        return;
    }
    err = gh_api_sign_out(c->api, &s, now);
    if (err != GH_OK) {
        gh_console_error(resp, 503, "ServiceUnavailable",
                         "The session could not be signed out; try again.");
        return;
    }
    resp->status = 200;
    resp->content_type = "application/json";
    gh_buf_puts(&resp->body, "{\"signedOut\":true}\n");
}
