/*
 * password_policy.c: UpdateAccountPasswordPolicy,
 * GetAccountPasswordPolicy, DeleteAccountPasswordPolicy, and the check
 * every new console password passes (gh_iam_password_check).
 */
#include <argon2.h>
#include <string.h>

#include "iam/iam_ext.h"

#define POLICY_ID "policy"

/* The policy's fields as stored; `set` false when the account has none. */
struct pwpolicy {
    bool set;
    int64_t min_len, max_age, reuse;
    bool symbols, numbers, upper, lower, allow_change, hard_expiry;
};

static enum gh_err
policy_load(struct gh_call *c, struct pwpolicy *p)
{
    struct gh_store_rec r;
    json_t *o = NULL;
    enum gh_err err;

    memset(p, 0, sizeof(*p));
    err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_PWPOLICY),
                           GH_S(POLICY_ID), &r, NULL);
    if (err == GH_ERR_NOT_FOUND)
        return GH_OK;
    if (err != GH_OK || (err = gh_iam_rec_json(&r, &o)) != GH_OK)
        return err;
    p->set = true;
    p->min_len = gh_iam_json_int(o, "min");
    p->max_age = gh_iam_json_int(o, "age");
    p->reuse = gh_iam_json_int(o, "reuse");
    p->symbols = json_is_true(json_object_get(o, "sym"));
    p->numbers = json_is_true(json_object_get(o, "num"));
    p->upper = json_is_true(json_object_get(o, "upper"));
    p->lower = json_is_true(json_object_get(o, "lower"));
    p->allow_change = json_is_true(json_object_get(o, "change"));
    p->hard_expiry = json_is_true(json_object_get(o, "hard"));
    json_decref(o);
    return GH_OK;
}

/* AWS IAM: the symbols a password policy counts. */
static bool
is_symbol(char ch)
{
    return ch != '\0' && strchr("!@#$%^&*()_+-=[]{}|'", ch) != NULL;
}

enum gh_err
gh_iam_password_reuse(struct gh_call *c, int64_t *out)
{
    struct pwpolicy p;
    enum gh_err err = policy_load(c, &p);

    *out = err == GH_OK ? p.reuse : 0;
    return err;
}

enum gh_err
gh_iam_password_check(struct gh_call *c, struct gh_slice pw, json_t *history)
{
    struct pwpolicy p;
    bool up = false, low = false, num = false, sym = false;
    int classes;
    enum gh_err err;

    if ((err = policy_load(c, &p)) != GH_OK)
        return err;
    for (size_t i = 0; i < pw.len; i++) {
        char ch = pw.ptr[i];
        up |= ch >= 'A' && ch <= 'Z';
        low |= ch >= 'a' && ch <= 'z';
        num |= ch >= '0' && ch <= '9';
        sym |= is_symbol(ch);
    }
    if (!p.set) {
        /* AWS IAM default password policy: at least 8 characters and three of upper case,
         * lower case, numbers and symbols. */
        classes = (int)up + (int)low + (int)num + (int)sym;
        if (pw.len < 8 || classes < 3)
            return gh_call_fail(c, GH_IAM_ERR_PASSWORD_POLICY,
                                "Password does not conform to the account password policy.");
        return GH_OK;
    }
    /* AWS IAM: PasswordPolicyViolation names the first rule broken. */
    if ((int64_t)pw.len < p.min_len)
        return gh_call_fail(c, GH_IAM_ERR_PASSWORD_POLICY,
                            "Password should have a minimum length of %lld", (long long)p.min_len);
    if (p.upper && !up)
        return gh_call_fail(c, GH_IAM_ERR_PASSWORD_POLICY,
                            "Password should have at least one uppercase letter");
    if (p.lower && !low)
        return gh_call_fail(c, GH_IAM_ERR_PASSWORD_POLICY,
                            "Password should have at least one lowercase letter");
    if (p.numbers && !num)
        return gh_call_fail(c, GH_IAM_ERR_PASSWORD_POLICY,
                            "Password should have at least one number");
    if (p.symbols && !sym)
        return gh_call_fail(c, GH_IAM_ERR_PASSWORD_POLICY,
                            "Password should have at least one symbol");
    if (p.reuse > 0 && json_is_array(history)) {
        size_t n = json_array_size(history);

        for (size_t i = n > (size_t)p.reuse ? n - (size_t)p.reuse : 0; i < n; i++) {
            const char *h = json_string_value(json_array_get(history, i));
            if (h != NULL && argon2id_verify(h, pw.ptr, pw.len) == ARGON2_OK)
                return gh_call_fail(c, GH_IAM_ERR_PASSWORD_POLICY,
                                    "Password should not be one of your previous %lld passwords.",
                                    (long long)p.reuse);
        }
    }
    return GH_OK;
}

enum gh_err
gh_iam_UpdateAccountPasswordPolicy(struct gh_call *c)
{
    static const char *const bools[] = {"RequireSymbols", "RequireNumbers",
                                        "RequireUppercaseCharacters", "RequireLowercaseCharacters",
                                        "AllowUsersToChangePassword", "HardExpiry"};
    static const char *const keys[] = {"sym", "num", "upper", "lower", "change", "hard"};
    int64_t min_len = 6, age = 0, reuse = 0;
    bool present, v;
    struct gh_store_rec r;
    struct gh_slice data;
    json_t *o = NULL;
    enum gh_err err;

    /* AWS IAM: MinimumPasswordLength defaults to 6; the others to off. */
    gh_call_int(c, "MinimumPasswordLength", "minimumPasswordLength", 6, 128, false, &min_len,
                &present);
    if (!present)
        min_len = 6;
    gh_call_int(c, "MaxPasswordAge", "maxPasswordAge", 1, 1095, false, &age, &present);
    if (!present)
        age = 0;
    gh_call_int(c, "PasswordReusePrevention", "passwordReusePrevention", 1, 24, false, &reuse,
                &present);
    if (!present)
        reuse = 0;
    if ((o = json_pack("{s:I,s:I,s:I}", "min", (json_int_t)min_len, "age", (json_int_t)age,
                       "reuse", (json_int_t)reuse)) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < GH_ARRAY_LEN(bools); i++) {
        v = false;
        gh_call_bool(c, bools[i], &v, &present);
        if (json_object_set_new(o, keys[i], json_boolean(present && v)) != 0) {
            err = GH_ERR_NOMEM;
            goto done;
        }
    }
    if ((err = gh_call_validated(c)) != GH_OK)
        goto done;
    if ((err = gh_call_authorize(c, "iam:UpdateAccountPasswordPolicy", GH_S("*"))) != GH_OK)
        goto done;
    if ((err = gh_iam_json_dump(c, o, &data)) != GH_OK)
        goto done;
    r = (struct gh_store_rec){
        .account = gh_iam_account(c),
        .kind = GH_S(GH_IAM_REC_PWPOLICY),
        .id = GH_S(POLICY_ID),
        .owner = GH_S(""),
        .created = c->now,
        .updated = c->now,
        .data = data,
    };
    err = gh_store_rec_put(c->tx, &r, NULL, true);
done:
    json_decref(o);
    return err;
}

enum gh_err
gh_iam_GetAccountPasswordPolicy(struct gh_call *c)
{
    struct pwpolicy p;
    enum gh_err err;

    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:GetAccountPasswordPolicy", GH_S("*"))) != GH_OK)
        return err;
    if ((err = policy_load(c, &p)) != GH_OK)
        return err;
    if (!p.set)
        /* AWS IAM: NoSuchEntity while no policy is set. */
        return gh_call_fail(c, GH_ERR_NOT_FOUND,
                            "The Password Policy with domain name %s cannot be found.",
                            c->caller->account);
    /* AWS IAM: the PasswordPolicy shape's order; optional numbers only when set. */
    gh_xml_open(c->result, "PasswordPolicy");
    gh_xml_elem_int(c->result, "MinimumPasswordLength", p.min_len);
    gh_xml_elem_bool(c->result, "RequireSymbols", p.symbols);
    gh_xml_elem_bool(c->result, "RequireNumbers", p.numbers);
    gh_xml_elem_bool(c->result, "RequireUppercaseCharacters", p.upper);
    gh_xml_elem_bool(c->result, "RequireLowercaseCharacters", p.lower);
    gh_xml_elem_bool(c->result, "AllowUsersToChangePassword", p.allow_change);
    gh_xml_elem_bool(c->result, "ExpirePasswords", p.max_age > 0);
    if (p.max_age > 0)
        gh_xml_elem_int(c->result, "MaxPasswordAge", p.max_age);
    if (p.reuse > 0)
        gh_xml_elem_int(c->result, "PasswordReusePrevention", p.reuse);
    if (p.hard_expiry)
        gh_xml_elem_bool(c->result, "HardExpiry", true);
    gh_xml_close(c->result, "PasswordPolicy");
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_DeleteAccountPasswordPolicy(struct gh_call *c)
{
    enum gh_err err;

    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:DeleteAccountPasswordPolicy", GH_S("*"))) != GH_OK)
        return err;
    err = gh_store_rec_delete(c->tx, gh_iam_account(c), GH_S(GH_IAM_REC_PWPOLICY),
                              GH_S(POLICY_ID));
    if (err == GH_ERR_NOT_FOUND)
        return gh_call_fail(c, GH_ERR_NOT_FOUND,
                            "The account policy with name PasswordPolicy cannot be found.");
    return err;
}

enum gh_err
gh_iam_password_allows_change(struct gh_call *c, bool *out)
{
    struct pwpolicy p;
    enum gh_err err = policy_load(c, &p);

    *out = err == GH_OK && p.set && p.allow_change;
    return err;
}
