/*
 * common.c: what the STS actions share: the model's parameter shapes,
 * minting temporary credentials into a sealed session token, session
 * tags and session policies, and the Credentials XML.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "iam/iam.h"
#include "sts/sts_int.h"

static bool
is_session_name(struct gh_slice v)
{
    /* [\w+=,.@-]* */
    return gh_slice_is_charset(v, "_+=,.@-");
}

static bool
is_external_id(struct gh_slice v)
{
    /* [\w+=,.@:\/-]* */
    return gh_slice_is_charset(v, "_+=,.@:/-");
}

static bool
is_serial(struct gh_slice v)
{
    /* [\w+=/:,.@-]* */
    return gh_slice_is_charset(v, "_+=/:,.@-");
}

static bool
is_digits(struct gh_slice v)
{
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] < '0' || v.ptr[i] > '9')
            return false;
    return true;
}

static bool
is_arn_text(struct gh_slice v)
{
    /* [\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-...]+: no other controls. */
    for (size_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            return false;
        if (ch == 0x7F)
            return false;
    }
    return true;
}

static bool
is_session_policy(struct gh_slice v)
{
    /* [\u0009\u000A\u000D\u0020-\u00FF]+ */
    for (size_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            return false;
    }
    return true;
}

static bool
is_tag_key(struct gh_slice v)
{
    /* [\p{L}\p{Z}\p{N}_.:/=+\-@]+ : ASCII part checked; non-ASCII letters allowed. */
    for (size_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        if (ch >= 0x80)
            continue;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr(" _.:/=+-@", ch) != NULL))
            return false;
    }
    return true;
}

/* botocore sts/2011-06-15 shapes. */
const struct gh_param_rule gh_sts_shape_role_arn = {
    "roleArn", 20, 2048,
    "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
    is_arn_text};
const struct gh_param_rule gh_sts_shape_session_name = {"roleSessionName", 2, 64, "[\\w+=,.@-]*",
                                                        is_session_name};
const struct gh_param_rule gh_sts_shape_source_identity = {"sourceIdentity", 2, 64, "[\\w+=,.@-]*",
                                                           is_session_name};
const struct gh_param_rule gh_sts_shape_external_id = {"externalId", 2, 1224, "[\\w+=,.@:\\/-]*",
                                                       is_external_id};
const struct gh_param_rule gh_sts_shape_serial = {"serialNumber", 9, 256, "[\\w+=/:,.@-]*",
                                                  is_serial};
const struct gh_param_rule gh_sts_shape_token_code = {"tokenCode", 6, 6, "[\\d]*", is_digits};
const struct gh_param_rule gh_sts_shape_policy = {
    "policy", 1, 2048, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", is_session_policy};
const struct gh_param_rule gh_sts_shape_federated_name = {"name", 2, 32, "[\\w+=,.@-]*",
                                                          is_session_name};
static const struct gh_param_rule tag_key_rule = {NULL, 1, 128, "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
                                                  is_tag_key};
static const struct gh_param_rule tag_value_rule = {NULL, 0, 256, "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
                                                    is_tag_key};

enum gh_err
gh_sts_session_params(struct gh_call *c, struct gh_session *s, bool allow_tags)
{
    struct gh_tag *tags = NULL;
    size_t ntags = 0, narns = 0, ntrans = 0;
    struct gh_slice *trans = NULL;
    char key[96];
    enum gh_err err;

    gh_call_str(c, "Policy", &gh_sts_shape_policy, false, &s->policy);
    if (s->policy.ptr == NULL)
        s->policy = GH_S("");
    /* PolicyArns.member.N.arn: at most 10 (AWS STS quota). */
    for (;;) {
        (void)snprintf(key, sizeof(key), "PolicyArns.member.%zu.arn", narns + 1);
        if (!gh_params_has(c->params, key) || narns > GH_FORM_PARAMS_MAX)
            break;
        narns++;
    }
    if (narns > 0) {
        if ((s->policy_arns = gh_arena_alloc(c->arena, narns * sizeof(*s->policy_arns))) == NULL)
            return GH_ERR_NOMEM;
        for (size_t i = 0; i < narns; i++) {
            struct gh_param_rule r = gh_sts_shape_role_arn;
            char member[64];
            (void)snprintf(key, sizeof(key), "PolicyArns.member.%zu.arn", i + 1);
            (void)snprintf(member, sizeof(member), "policyArns.%zu.member.arn", i + 1);
            r.member = member;
            gh_call_str(c, key, &r, true, &s->policy_arns[i]);
        }
        s->npolicy_arns = narns;
    }
    if ((err = gh_call_tags(c, "Tags", &tags, &ntags)) != GH_OK)
        return err;
    if ((err = gh_call_list(c, "TransitiveTagKeys", "transitiveTagKeys", 50, &trans, &ntrans)) !=
        GH_OK)
        return err;
    if (ntags > 50) {
        gh_api_validation_add(c, GH_S("[...]"), false, "tags",
                              "Member must have length less than or equal to 50");
        ntags = 0;
    }
    for (size_t i = 0; i < ntags; i++) {
        char member[64];
        struct gh_param_rule kr = tag_key_rule, vr = tag_value_rule;
        (void)snprintf(member, sizeof(member), "tags.%zu.member.key", i + 1);
        kr.member = member;
        gh_call_check_str(c, tags[i].key, &kr);
        (void)snprintf(member, sizeof(member), "tags.%zu.member.value", i + 1);
        vr.member = member;
        if (tags[i].value.ptr != NULL)
            gh_call_check_str(c, tags[i].value, &vr);
    }
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if (narns > 10)
        return gh_call_fail(c, GH_ERR_VALIDATION,
                            "1 validation error detected: Value at 'policyArns' failed to "
                            "satisfy constraint: Member must have length less than or equal to 10");
    if (!allow_tags && ntags > 0)
        return gh_call_fail(c, GH_ERR_INVALID_PARAM, "Session tags are not supported here.");
    /* AWS STS: tag keys are case-insensitively unique within a request. */
    for (size_t i = 0; i < ntags; i++)
        for (size_t j = i + 1; j < ntags; j++)
            if (gh_slice_case_eq(tags[i].key, tags[j].key))
                return gh_call_fail(c, GH_ERR_INVALID_PARAM,
                                    "Duplicate tag keys found. Please note that Tag keys are "
                                    "case insensitive.");
    for (size_t i = 0; i < ntrans; i++) {
        bool found = false;
        for (size_t j = 0; j < ntags; j++)
            if (gh_slice_case_eq(trans[i], tags[j].key))
                found = true;
        if (!found)
            return gh_call_fail(c, GH_ERR_INVALID_PARAM,
                                "The specified transitive tag key must be included in the "
                                "requested tags.");
    }
    if (ntags > 0) {
        if ((s->tags = gh_arena_alloc(c->arena, ntags * sizeof(*s->tags))) == NULL)
            return GH_ERR_NOMEM;
        for (size_t i = 0; i < ntags; i++) {
            s->tags[i].key = tags[i].key;
            s->tags[i].value = tags[i].value.ptr == NULL ? GH_S("") : tags[i].value;
        }
        s->ntags = ntags;
    }
    s->transitive = trans;
    s->ntransitive = ntrans;
    return GH_OK;
}

enum gh_err
gh_sts_session_policies_check(struct gh_call *c, const struct gh_session *s, int *packed_pct)
{
    struct gh_policy *p = NULL;
    struct gh_diag diag;
    size_t packed = 0;
    enum gh_err err;

    *packed_pct = -1;
    if (s->policy.len > 0) {
        err = gh_api_policy_compiled(c->api_cache, s->policy, GH_POLICY_SESSION, &diag, &p);
        if (err == GH_ERR_MALFORMED_POLICY)
            return gh_call_fail(c, err, "%s", diag.text);
        if (err != GH_OK)
            return gh_call_fail(c, err, "The session policy could not be read.");
        gh_policy_unref(p);
        packed += gh_policy_doc_chars(s->policy);
    }
    for (size_t i = 0; i < s->npolicy_arns; i++) {
        struct gh_policy_rec rec;
        err = gh_store_policy_get(c->tx, c->arena, s->policy_arns[i], &rec);
        if (err == GH_ERR_NOT_FOUND)
            return gh_call_fail(c, GH_ERR_INVALID_PARAM, "Policy %.*s does not exist.",
                                GH_SP(s->policy_arns[i]));
        if (err != GH_OK)
            return gh_call_fail(c, err, "The session policy could not be read.");
        packed += s->policy_arns[i].len;
    }
    for (size_t i = 0; i < s->ntags; i++)
        packed += s->tags[i].key.len + s->tags[i].value.len;
    if (s->policy.len == 0 && s->npolicy_arns == 0 && s->ntags == 0)
        return GH_OK;
    /*
     * AWS STS packs session policies, policy ARNs and session tags into a
     * compressed binary form with its own limit and reports its use as a
     * percentage (PackedPolicySize). The packing is AWS's own; gatehouse
     * counts the characters as AWS counts policy size (no whitespace) and
     * takes 2048 of them as 100%, so a lone maximal Policy just fits and
     * tags added to it can overflow, as they can on AWS.
     */
    *packed_pct = (int)((packed * 100 + 2047) / 2048);
    if (*packed_pct > 100)
        return gh_call_fail(c, GH_ERR_PACKED_POLICY,
                            "Packed policy consumes %d%% of allotted space, please use smaller "
                            "policy.",
                            *packed_pct);
    return GH_OK;
}

enum gh_err
gh_sts_mint(struct gh_call *c, struct gh_session *s)
{
    char sk[41];
    enum gh_err err;

    if ((err = gh_random_key_id("ASIA", s->account, s->access_key_id)) != GH_OK)
        return err;
    if ((err = gh_random_secret_key(sk)) != GH_OK)
        return err;
    err = gh_secret_set(&s->secret, sk, 40);
    OPENSSL_cleanse(sk, sizeof(sk));
    (void)c;
    return err;
}

enum gh_err
gh_sts_credentials_render(struct gh_call *c, const struct gh_session *s)
{
    struct gh_buf token;
    enum gh_err err;

    gh_buf_init(&token, GH_SESSION_TOKEN_MAX * 2);
    if ((err = gh_session_seal(c->keyring, s, &token)) != GH_OK) {
        gh_buf_cleanup(&token);
        return gh_call_fail(c, err, "The session could not be sealed.");
    }
    gh_xml_open(c->result, "Credentials");
    gh_xml_elem_cstr(c->result, "AccessKeyId", s->access_key_id);
    gh_xml_elem(c->result, "SecretAccessKey",
                (struct gh_slice){(const char *)s->secret.bytes, s->secret.len});
    gh_xml_elem(c->result, "SessionToken", gh_buf_slice(&token));
    gh_xml_elem_time(c->result, "Expiration", s->expires);
    gh_xml_close(c->result, "Credentials");
    gh_buf_cleanup(&token);
    return GH_OK;
}

enum gh_err
gh_sts_mfa_check(struct gh_call *c, struct gh_slice serial, struct gh_slice code)
{
    const struct gh_principal *p = c->caller;
    struct gh_store_tx *tx = NULL;
    struct gh_slice user = GH_S("");
    enum gh_err err;

    /* The device must be the calling IAM user's (or the root user's). */
    if (p->type == GH_PRINCIPAL_USER)
        user = p->name;
    else if (p->type != GH_PRINCIPAL_ROOT)
        goto refused;
    /* Its own write transaction: a used code is recorded so it cannot be
     * replayed, without making every AssumeRole a write. */
    if ((err = gh_store_tx_begin(c->store, true, &tx)) != GH_OK)
        return gh_call_fail(c, err, "The MFA code could not be checked.");
    err = gh_iam_mfa_verify(tx, gh_slice_from_cstr(p->account), serial, user, code, c->now);
    if (err == GH_OK)
        return (err = gh_store_tx_commit(tx)) == GH_OK
                   ? GH_OK
                   : gh_call_fail(c, err, "The MFA code could not be checked.");
    gh_store_tx_rollback(tx);
    if (err != GH_ERR_ACCESS_DENIED)
        return gh_call_fail(c, err, "The MFA code could not be checked.");
refused:
    /* AWS STS wording for a code or device that does not verify. */
    return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                        "MultiFactorAuthentication failed with invalid MFA one time pass code.");
}

enum gh_err
gh_sts_inherit_tags(struct gh_call *c, const struct gh_session *prev, struct gh_session *s)
{
    size_t n = s->ntags + prev->ntransitive, k = s->ntags, nt = s->ntransitive;
    struct gh_session_tag *tags;
    struct gh_slice *trans;

    if ((tags = gh_arena_alloc(c->arena, n * sizeof(*tags))) == NULL ||
        (trans = gh_arena_alloc(c->arena, (nt + prev->ntransitive) * sizeof(*trans))) == NULL)
        return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
    if (s->ntags > 0)
        memcpy(tags, s->tags, s->ntags * sizeof(*tags));
    if (nt > 0)
        memcpy(trans, s->transitive, nt * sizeof(*trans));
    for (size_t i = 0; i < prev->ntransitive; i++) {
        struct gh_slice key = prev->transitive[i];
        /* AWS STS: a transitive tag of the chain cannot be set again. */
        for (size_t j = 0; j < s->ntags; j++)
            if (gh_slice_case_eq(s->tags[j].key, key))
                return gh_call_fail(c, GH_ERR_INVALID_PARAM,
                                    "One or more of the specified session tag keys conflict "
                                    "with transitive session tags of the calling session.");
        for (size_t j = 0; j < prev->ntags; j++) {
            if (gh_slice_case_eq(prev->tags[j].key, key)) {
                tags[k++] = prev->tags[j];
                break;
            }
        }
        trans[nt++] = key;
    }
    s->tags = tags;
    s->ntags = k;
    s->transitive = trans;
    s->ntransitive = nt;
    return GH_OK;
}
