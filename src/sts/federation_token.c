/*
 * federation_token.c: GetFederationToken (a federated user session for a
 * proxy application, with the calling IAM user's permissions narrowed by
 * the session policies) and GetAccessKeyInfo.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "sts/sts_int.h"

/*
 * AWS STS GetFederationToken: called with an IAM user's long-term keys
 * (the root user may, limited to one hour); Name 2..32; 900..129600 s,
 * default 43200; "If you do not pass a policy to this operation, the
 * resulting federated user session has no permissions"; the caller needs
 * sts:GetFederationToken on arn:aws:sts::ACCOUNT:federated-user/NAME.
 */
enum gh_err
gh_sts_get_federation_token(struct gh_call *c)
{
    const struct gh_principal *p = c->caller;
    struct gh_session s;
    struct gh_slice name;
    int64_t duration = 0;
    bool has_duration = false;
    int packed = -1;
    char *resource;
    enum gh_err err;

    memset(&s, 0, sizeof(s));
    gh_call_str(c, "Name", &gh_sts_shape_federated_name, true, &name);
    gh_call_int(c, "DurationSeconds", "durationSeconds", GH_STS_SESSION_MIN_S,
                GH_STS_USER_SESSION_MAX_S, false, &duration, &has_duration);
    if ((err = gh_sts_session_params(c, &s, true)) != GH_OK)
        return err;
    if (p->session_info != NULL)
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "Cannot call GetFederationToken with session credentials");
    if (p->type != GH_PRINCIPAL_USER && p->type != GH_PRINCIPAL_ROOT)
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED,
                            "Cannot call GetFederationToken with these credentials");
    resource = gh_arena_printf(c->arena, "arn:aws:sts::%s:federated-user/%.*s", p->account,
                               GH_SP(name));
    if (resource == NULL)
        return gh_call_fail(c, GH_ERR_NOMEM, "The service is out of memory.");
    if ((err = gh_call_authorize(c, "sts:GetFederationToken", gh_slice_from_cstr(resource))) !=
        GH_OK)
        return err;
    if ((err = gh_sts_session_policies_check(c, &s, &packed)) != GH_OK)
        return err;
    if (!has_duration)
        duration = p->type == GH_PRINCIPAL_ROOT ? GH_STS_ROOT_SESSION_MAX_S
                                                : GH_STS_USER_SESSION_DEFAULT_S;
    if (p->type == GH_PRINCIPAL_ROOT && duration > GH_STS_ROOT_SESSION_MAX_S)
        duration = GH_STS_ROOT_SESSION_MAX_S;

    s.type = GH_PRINCIPAL_FEDERATED_USER;
    memcpy(s.account, p->account, sizeof(s.account));
    s.name = name;
    /* The IAM user whose permissions the session narrows (account id for root). */
    s.entity_id = p->user_id;
    s.path = GH_S("");
    s.session_name = GH_S("");
    if (s.source_identity.ptr == NULL)
        s.source_identity = GH_S("");
    s.issued = c->now;
    s.expires = c->now + duration;
    if ((err = gh_sts_mint(c, &s)) != GH_OK)
        return gh_call_fail(c, err, "The credentials could not be created.");
    if ((err = gh_sts_credentials_render(c, &s)) == GH_OK) {
        gh_xml_open(c->result, "FederatedUser");
        gh_buf_putf(c->result, "<FederatedUserId>%s:%.*s</FederatedUserId>", s.account,
                    GH_SP(name));
        gh_xml_elem_cstr(c->result, "Arn", resource);
        gh_xml_close(c->result, "FederatedUser");
        if (packed >= 0)
            gh_xml_elem_int(c->result, "PackedPolicySize", packed);
    }
    gh_secret_wipe(&s.secret);
    return err;
}

static bool
is_word(struct gh_slice v)
{
    for (size_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return false;
    }
    return true;
}

/*
 * AWS STS GetAccessKeyInfo: the account an access key id belongs to,
 * decoded from the id itself as AWS does (ids made before ids carried
 * their account are looked up instead).
 */
enum gh_err
gh_sts_get_access_key_info(struct gh_call *c)
{
    static const struct gh_param_rule rule = {"accessKeyId", 16, 128, "[\\w]*", is_word};
    struct gh_slice id;
    struct gh_access_key key;
    char account[13];
    enum gh_err err;

    gh_call_str(c, "AccessKeyId", &rule, true, &id);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "sts:GetAccessKeyInfo", GH_S("*"))) != GH_OK)
        return err;
    if (gh_store_access_key_get(c->tx, c->arena, id, &key, NULL) == GH_OK && key.account.len == 12) {
        memcpy(account, key.account.ptr, 12);
        account[12] = '\0';
    } else if (gh_key_id_account(id, account) != GH_OK) {
        return gh_call_fail(c, GH_ERR_INVALID_PARAM, "The access key ID %.*s is not valid.",
                            GH_SP(id));
    }
    gh_xml_elem_cstr(c->result, "Account", account);
    return GH_OK;
}
