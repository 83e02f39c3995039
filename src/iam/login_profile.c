/*
 * login_profile.c: console passwords: CreateLoginProfile,
 * GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile and
 * ChangePassword. Passwords are kept only as argon2id hashes, checked
 * against the account's password policy before they are accepted.
 */
#include <argon2.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "iam/iam_ext.h"

/* argon2id cost: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane). */
#define PW_T_COST 2
#define PW_M_COST_KIB 19456
#define PW_LANES 1
#define PW_SALT_LEN 16
#define PW_HASH_LEN 32
#define PW_HISTORY_MAX 24 /* AWS IAM: PasswordReusePrevention is at most 24 */

/* AWS IAM passwordType: [\u0009\u000A\u000D\u0020-\u00FF]+, 1..128 characters. */
static const struct gh_param_rule shape_password = {
    NULL, 1, 128, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", gh_iam_is_policy_document};

/* The argon2id encoding of `pw` into the arena. */
static enum gh_err
pw_hash(struct gh_call *c, struct gh_slice pw, struct gh_slice *out)
{
    uint8_t salt[PW_SALT_LEN];
    size_t len = argon2_encodedlen(PW_T_COST, PW_M_COST_KIB, PW_LANES, PW_SALT_LEN, PW_HASH_LEN,
                                   Argon2_id);
    char *enc = gh_arena_alloc(c->arena, len + 1);
    enum gh_err err;

    *out = GH_SLICE_NULL;
    if (enc == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_random(salt, sizeof(salt))) != GH_OK)
        return err;
    if (argon2id_hash_encoded(PW_T_COST, PW_M_COST_KIB, PW_LANES, pw.ptr, pw.len, salt,
                              sizeof(salt), PW_HASH_LEN, enc, len + 1) != ARGON2_OK)
        return GH_ERR_NOMEM; /* argon2 fails only on allocation with these parameters */
    *out = gh_slice_from_cstr(enc);
    return GH_OK;
}

static enum gh_err
profile_get(struct gh_call *c, const struct gh_user *u, struct gh_store_rec *r)
{
    enum gh_err err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c),
                                       GH_S(GH_IAM_REC_LOGIN), u->id, r, NULL);

    if (err == GH_ERR_NOT_FOUND)
        /* AWS IAM: NoSuchEntity "Login Profile for User X cannot be found." */
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "Login Profile for User %.*s cannot be found.",
                            GH_SP(u->name));
    return err;
}

/*
 * Sets the profile's password (hash, history, date) in `o`, after the
 * policy check; the caller writes the record.
 */
static enum gh_err
password_set(struct gh_call *c, json_t *o, struct gh_slice pw)
{
    json_t *history = json_object_get(o, "history");
    struct gh_slice hash;
    int64_t reuse;
    enum gh_err err;

    if ((err = gh_iam_password_check(c, pw, history)) != GH_OK)
        return err;
    if ((err = gh_iam_password_reuse(c, &reuse)) != GH_OK)
        return err;
    if ((err = pw_hash(c, pw, &hash)) != GH_OK)
        return err;
    if (!json_is_array(history)) {
        history = json_array();
        if (history == NULL || json_object_set_new(o, "history", history) != 0)
            return GH_ERR_NOMEM;
    }
    if (json_array_append_new(history, json_string(hash.ptr)) != 0)
        return GH_ERR_NOMEM;
    /* Keep only what the reuse rule can look at. */
    while (json_array_size(history) > (size_t)(reuse > 0 ? reuse : 1) ||
           json_array_size(history) > PW_HISTORY_MAX)
        if (json_array_remove(history, 0) != 0)
            return GH_ERR_INTERNAL;
    if (json_object_set_new(o, "hash", json_string(hash.ptr)) != 0 ||
        json_object_set_new(o, "changed", json_integer(c->now)) != 0)
        return GH_ERR_NOMEM;
    return GH_OK;
}

static void
profile_render(struct gh_call *c, const struct gh_user *u, int64_t created, bool reset)
{
    gh_xml_open(c->result, "LoginProfile");
    gh_xml_elem(c->result, "UserName", u->name);
    gh_xml_elem_time(c->result, "CreateDate", created);
    gh_xml_elem_bool(c->result, "PasswordResetRequired", reset);
    gh_xml_close(c->result, "LoginProfile");
}

enum gh_err
gh_iam_CreateLoginProfile(struct gh_call *c)
{
    struct gh_slice name, pw, data;
    struct gh_store_rec r;
    struct gh_user u;
    bool reset = false, present;
    json_t *o = NULL;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    gh_iam_str(c, "Password", &shape_password, true, &pw);
    gh_call_bool(c, "PasswordResetRequired", &reset, &present);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, "iam:CreateLoginProfile", name, false, &u)) != GH_OK)
        return err;
    err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_LOGIN), u.id, &r,
                           NULL);
    if (err == GH_OK)
        /* AWS IAM: EntityAlreadyExists "Login Profile for user X already exists." */
        return gh_call_fail(c, GH_ERR_EXISTS, "Login Profile for user %.*s already exists.",
                            GH_SP(u.name));
    if (err != GH_ERR_NOT_FOUND)
        return err;
    if ((o = json_pack("{s:b}", "reset", present && reset)) == NULL)
        return GH_ERR_NOMEM;
    if ((err = password_set(c, o, pw)) != GH_OK || (err = gh_iam_json_dump(c, o, &data)) != GH_OK)
        goto done;
    r = (struct gh_store_rec){
        .account = gh_iam_account(c),
        .kind = GH_S(GH_IAM_REC_LOGIN),
        .id = u.id,
        .owner = u.id,
        .created = c->now,
        .updated = c->now,
        .data = data,
    };
    if ((err = gh_store_rec_put(c->tx, &r, NULL, false)) != GH_OK)
        goto done;
    profile_render(c, &u, r.created, present && reset);
    err = gh_buf_status(c->result);
done:
    json_decref(o);
    return err;
}

enum gh_err
gh_iam_GetLoginProfile(struct gh_call *c)
{
    struct gh_slice name;
    struct gh_store_rec r;
    struct gh_user u;
    json_t *o = NULL;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, "iam:GetLoginProfile", name, false, &u)) != GH_OK)
        return err;
    if ((err = profile_get(c, &u, &r)) != GH_OK || (err = gh_iam_rec_json(&r, &o)) != GH_OK)
        return err;
    profile_render(c, &u, r.created, json_is_true(json_object_get(o, "reset")));
    json_decref(o);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_UpdateLoginProfile(struct gh_call *c)
{
    struct gh_slice name, pw;
    struct gh_store_rec r;
    struct gh_user u;
    bool reset = false, present;
    json_t *o = NULL;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    gh_iam_str(c, "Password", &shape_password, false, &pw);
    gh_call_bool(c, "PasswordResetRequired", &reset, &present);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, "iam:UpdateLoginProfile", name, false, &u)) != GH_OK)
        return err;
    if ((err = profile_get(c, &u, &r)) != GH_OK || (err = gh_iam_rec_json(&r, &o)) != GH_OK)
        return err;
    if (pw.ptr != NULL && (err = password_set(c, o, pw)) != GH_OK)
        goto done;
    if (present && json_object_set_new(o, "reset", json_boolean(reset)) != 0) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = gh_iam_json_dump(c, o, &r.data)) != GH_OK)
        goto done;
    r.updated = c->now;
    err = gh_store_rec_put(c->tx, &r, NULL, true);
done:
    json_decref(o);
    return err;
}

enum gh_err
gh_iam_DeleteLoginProfile(struct gh_call *c)
{
    struct gh_slice name;
    struct gh_store_rec r;
    struct gh_user u;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_user_name, true, &name);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, "iam:DeleteLoginProfile", name, false, &u)) != GH_OK)
        return err;
    if ((err = profile_get(c, &u, &r)) != GH_OK)
        return err;
    return gh_store_rec_delete(c->tx, gh_iam_account(c), GH_S(GH_IAM_REC_LOGIN), u.id);
}

enum gh_err
gh_iam_ChangePassword(struct gh_call *c)
{
    struct gh_slice old_pw, new_pw;
    struct gh_store_rec r;
    struct gh_user u;
    json_t *o = NULL;
    const char *hash;
    bool allowed;
    enum gh_err err;

    gh_iam_str(c, "OldPassword", &shape_password, true, &old_pw);
    gh_iam_str(c, "NewPassword", &shape_password, true, &new_pw);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if (c->caller->type != GH_PRINCIPAL_USER)
        /* AWS IAM: only an IAM user changes its own password this way. */
        return gh_call_fail(c, GH_IAM_ERR_USER_TYPE,
                            "Only IAM Users can change their own password.");
    if ((err = gh_iam_password_allows_change(c, &allowed)) != GH_OK)
        return err;
    if (allowed) {
        /* AWS IAM: AllowUsersToChangePassword lets every user change its own password. */
        err = gh_store_user_get(c->tx, c->arena, gh_iam_account(c), c->caller->name, &u);
        if (err != GH_OK)
            return err == GH_ERR_NOT_FOUND
                       ? gh_call_fail(c, GH_ERR_NOT_FOUND,
                                      "The user with name %.*s cannot be found.",
                                      GH_SP(c->caller->name))
                       : err;
    } else if ((err = gh_iam_target_user(c, "iam:ChangePassword", c->caller->name, false, &u)) !=
               GH_OK) {
        return err;
    }
    if ((err = profile_get(c, &u, &r)) != GH_OK || (err = gh_iam_rec_json(&r, &o)) != GH_OK)
        return err;
    hash = json_string_value(json_object_get(o, "hash"));
    if (hash == NULL || argon2id_verify(hash, old_pw.ptr, old_pw.len) != ARGON2_OK) {
        /* AWS IAM: a wrong old password is refused before any policy check. */
        err = gh_call_fail(c, GH_ERR_INVALID_INPUT, "The old password was incorrect.");
        goto done;
    }
    if ((err = password_set(c, o, new_pw)) != GH_OK)
        goto done;
    if (json_object_set_new(o, "reset", json_false()) != 0) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = gh_iam_json_dump(c, o, &r.data)) != GH_OK)
        goto done;
    r.updated = c->now;
    err = gh_store_rec_put(c->tx, &r, NULL, true);
done:
    json_decref(o);
    return err;
}

enum gh_err
gh_iam_user_credentials_conflict(struct gh_call *c, const struct gh_user *u)
{
    struct gh_store_rec r, *v;
    size_t n;
    enum gh_err err;

    /* AWS IAM DeleteUser: the password, then signing certificates, SSH keys and MFA devices
     * must go before the user. */
    err = gh_store_rec_get(c->tx, c->arena, u->account, GH_S(GH_IAM_REC_LOGIN), u->id, &r, NULL);
    if (err == GH_OK)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must delete login profile first.");
    if (err != GH_ERR_NOT_FOUND)
        return err;
    if ((err = gh_store_rec_list(c->tx, c->arena, u->account, GH_S(GH_IAM_REC_CERT), u->id, &v,
                                 &n)) != GH_OK)
        return err;
    if (n > 0)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must delete signing certificates first.");
    if ((err = gh_store_rec_list(c->tx, c->arena, u->account, GH_S(GH_IAM_REC_SSH), u->id, &v,
                                 &n)) != GH_OK)
        return err;
    if (n > 0)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must delete SSH public keys first.");
    if ((err = gh_store_rec_list(c->tx, c->arena, u->account, GH_S(GH_IAM_REC_MFA), u->id, &v,
                                 &n)) != GH_OK)
        return err;
    if (n > 0)
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "Cannot delete entity, must delete MFA device first.");
    return GH_OK;
}
