/*
 * saml.c: AssumeRoleWithSAML (unsigned, as in AWS): a SAML response signed
 * by an IAM SAML provider's IdP buys a session for a role the assertion's
 * Role attribute names, when the role's trust policy allows the provider.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "federation/federation.h"
#include "iam/iam.h"
#include "sts/sts_int.h"

#define ATTR_ROLE "https://aws.amazon.com/SAML/Attributes/Role"
#define ATTR_SESSION_NAME "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
#define ATTR_DURATION "https://aws.amazon.com/SAML/Attributes/SessionDuration"
#define ATTR_TAG "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
#define ATTR_TRANSITIVE "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
#define ATTR_SOURCE_IDENTITY "https://aws.amazon.com/SAML/Attributes/SourceIdentity"

static bool
is_assertion(struct gh_slice v)
{
    for (size_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            return false;
    }
    return true;
}

/* botocore sts/2011-06-15: SAMLAssertionType 4..100000, arnType 20..2048. */
static const struct gh_param_rule shape_assertion = {
    "sAMLAssertion", 4, GH_FED_SAML_MAX, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", is_assertion};

/* AWS IAM "Available keys for SAML-based federation": attribute OIDs -> SAML: keys. */
static const struct {
    const char *oid;
    const char *key;
} oid_keys[] = {
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "SAML:edupersonaffiliation"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "SAML:edupersonassurance"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "SAML:edupersonentitlement"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "SAML:edupersonnickname"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "SAML:edupersonorgdn"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "SAML:edupersonorgunitdn"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.5", "SAML:edupersonprimaryaffiliation"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.8", "SAML:edupersonprimaryorgunitdn"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "SAML:edupersonprincipalname"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "SAML:edupersonscopedaffiliation"},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "SAML:edupersontargetedid"},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "SAML:eduorghomepageuri"},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.3", "SAML:eduorgidentityauthnpolicyuri"},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "SAML:eduorglegalname"},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "SAML:eduorgsuperioruri"},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "SAML:eduorgwhitepagesuri"},
    {"urn:oid:2.5.4.3", "SAML:cn"},
    {"urn:oid:0.9.2342.19200300.100.1.3", "SAML:mail"},
    {"urn:oid:2.5.4.42", "SAML:givenName"},
    {"urn:oid:2.5.4.4", "SAML:surname"},
    {"urn:oid:0.9.2342.19200300.100.1.1", "SAML:uid"},
    {"urn:oid:2.5.4.45", "SAML:x500UniqueIdentifier"},
    {"urn:oid:1.3.6.1.4.1.25178.1.2.9", "SAML:organizationStatus"},
};

/* Does a Role attribute value ("role-arn,provider-arn", either order) name both? */
static bool
role_pair(struct gh_slice v, struct gh_slice role_arn, struct gh_slice provider_arn)
{
    struct gh_slice a, b = v;

    if (!gh_slice_split(&b, ',', &a))
        return false;
    a = gh_slice_trim(a);
    b = gh_slice_trim(b);
    return (gh_slice_eq(a, role_arn) && gh_slice_eq(b, provider_arn)) ||
           (gh_slice_eq(b, role_arn) && gh_slice_eq(a, provider_arn));
}

static bool
is_session_name(struct gh_slice v)
{
    if (v.len < 2 || v.len > 64)
        return false;
    return gh_slice_is_charset(v, "_+=,.@-");
}

static struct gh_slice
sub_type(struct gh_slice format)
{
    /* AWS IAM: SAML:sub_type is persistent, transient, or the full Format URI. */
    if (gh_slice_eq_cstr(format, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"))
        return GH_S("persistent");
    if (gh_slice_eq_cstr(format, "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"))
        return GH_S("transient");
    return format;
}

/* AWS IAM: NameQualifier = Base64(SHA1(Issuer + AccountID + "/" + ProviderName)). */
static enum gh_err
name_qualifier(struct gh_call *c, struct gh_slice issuer, struct gh_slice account,
               struct gh_slice provider_name, struct gh_slice *out)
{
    struct gh_buf in, b64;
    unsigned char md[SHA_DIGEST_LENGTH];
    enum gh_err err;

    gh_buf_init(&in, 0);
    gh_buf_init(&b64, 0);
    gh_buf_put(&in, issuer);
    gh_buf_put(&in, account);
    gh_buf_puts(&in, "/");
    gh_buf_put(&in, provider_name);
    if ((err = gh_buf_status(&in)) == GH_OK) {
        SHA1((const unsigned char *)in.ptr, in.len, md);
        if ((err = gh_base64_encode(&b64, md, sizeof(md))) == GH_OK)
            err = gh_arena_dup(c->arena, gh_buf_slice(&b64), out);
    }
    gh_buf_cleanup(&in);
    gh_buf_cleanup(&b64);
    return err;
}

/* SHA-256 of issuer, NUL, assertion ID: the assertion's identity for the
 * replay check (IDs are unique per issuer; a digest bounds the key). */
static enum gh_err
replay_key(struct gh_call *c, const struct gh_fed_saml *sa, struct gh_slice *out)
{
    uint8_t *md = gh_arena_alloc(c->arena, GH_SHA256_LEN);
    struct gh_sha256_ctx h;
    enum gh_err err;

    *out = GH_SLICE_NULL;
    if (md == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_sha256_init(&h)) != GH_OK)
        return err;
    gh_sha256_update(&h, sa->issuer.ptr, sa->issuer.len);
    gh_sha256_update(&h, "", 1);
    gh_sha256_update(&h, sa->assertion_id.ptr, sa->assertion_id.len);
    gh_sha256_final(&h, md);
    gh_sha256_cleanup(&h);
    *out = (struct gh_slice){(const char *)md, GH_SHA256_LEN};
    return GH_OK;
}

enum gh_err
gh_sts_assume_role_with_saml(struct gh_call *c)
{
    static const char action[] = "sts:AssumeRoleWithSAML";
    struct gh_session s;
    struct gh_slice role_arn, principal_arn, assertion, account, path, name, entity, nq, pname,
        audience;
    struct gh_iam_provider prov;
    struct gh_fed_saml sa;
    struct gh_policy_principal pp;
    struct gh_policy_ctx ctx;
    struct gh_fed_grant g = {0};
    struct gh_fed_tag *tags = NULL;
    const struct gh_fed_claim *attr;
    struct gh_diag diag;
    int64_t duration = 0;
    bool has_duration = false, role_ok = false;
    size_t ntags = 0;
    long slash;
    enum gh_err err;

    memset(&s, 0, sizeof(s));
    gh_call_str(c, "RoleArn", &gh_sts_shape_role_arn, true, &role_arn);
    {
        struct gh_param_rule r = gh_sts_shape_role_arn;
        r.member = "principalArn";
        gh_call_str(c, "PrincipalArn", &r, true, &principal_arn);
    }
    gh_call_str(c, "SAMLAssertion", &shape_assertion, true, &assertion);
    gh_call_int(c, "DurationSeconds", "durationSeconds", GH_STS_SESSION_MIN_S, 43200, false,
                &duration, &has_duration);
    if ((err = gh_sts_session_params(c, &s, false)) != GH_OK)
        return err;
    if (gh_sts_fed_role_arn(role_arn, &account, &path, &name) != GH_OK)
        return gh_call_fail(c, GH_ERR_VALIDATION, "%.*s is invalid", GH_SP(role_arn));

    err = gh_iam_provider_get(c->tx, c->arena, account, principal_arn, &prov);
    /* AWS IAM "Troubleshoot SAML federation": "Specified provider doesn't exist." */
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !prov.saml))
        return gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN, "Specified provider doesn't exist.");
    if (err != GH_OK)
        return gh_call_fail(c, err, "The identity provider could not be read.");
    if ((err = gh_fed_saml_verify(c->arena, assertion, prov.metadata, &sa, &diag)) != GH_OK)
        return gh_call_fail(c, err, "%s", diag.text);
    /* The assertion's Issuer must be the IdP the metadata describes. AWS IAM
     * "Troubleshoot SAML federation": "Issuer not present in specified provider"
     * (STS reports it as InvalidIdentityToken). */
    if (gh_fed_saml_metadata_entity(c->arena, prov.metadata, &entity) != GH_OK ||
        !gh_slice_eq(entity, sa.issuer))
        return gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN,
                            "Issuer not present in specified provider");
    if ((err = gh_fed_saml_check(&sa, c->now, &diag)) != GH_OK)
        return gh_call_fail(c, err, "%s", diag.text);

    /* AWS STS: the Role attribute must pair the requested role with this provider. */
    if ((attr = gh_fed_saml_attr(&sa, ATTR_ROLE)) != NULL)
        for (size_t i = 0; i < attr->nvalues; i++)
            role_ok = role_ok || role_pair(attr->values[i], role_arn, principal_arn);
    if (!role_ok)
        return gh_call_fail(c, GH_ERR_ACCESS_DENIED, "Not authorized to perform %s", action);
    /* AWS IAM "Troubleshoot SAML federation": "RoleSessionName is required in
     * AuthnResponse" and "RoleSessionName in AuthnResponse must match
     * [a-zA-Z_0-9+=,.@-]{2,64}" (InvalidIdentityToken). */
    attr = gh_fed_saml_attr(&sa, ATTR_SESSION_NAME);
    if (attr == NULL || attr->nvalues != 1)
        return gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN,
                            "RoleSessionName is required in AuthnResponse");
    if (!is_session_name(attr->values[0]))
        return gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN,
                            "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}");
    s.session_name = attr->values[0];
    /* AWS documents no message for a bad SessionDuration attribute; this one
     * follows the RoleSessionName messages' form. */
    if (!has_duration && (attr = gh_fed_saml_attr(&sa, ATTR_DURATION)) != NULL) {
        uint64_t d;
        if (attr->nvalues != 1 || gh_parse_u64(attr->values[0], 43200, &d) != GH_OK ||
            d < GH_STS_SESSION_MIN_S)
            return gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN,
                                "SessionDuration in AuthnResponse must be between 900 and 43200 "
                                "seconds");
        duration = (int64_t)d;
        has_duration = true;
    }
    /* AWS STS: the session lasts for the duration asked, or until the
     * AuthnStatement's SessionNotOnOrAfter, whichever is shorter. */
    if (sa.session_not_on_or_after != 0) {
        int64_t left = sa.session_not_on_or_after - c->now;
        if (left <= 0)
            return gh_call_fail(c, GH_ERR_EXPIRED_TOKEN_EXCEPTION,
                                "The web identity token that was passed is expired or is not "
                                "valid. Get a new identity token from the identity provider and "
                                "then retry the request.");
        if (!has_duration)
            duration = GH_STS_ROLE_DEFAULT_S;
        if (left < duration)
            duration = left;
        has_duration = true;
    }
    /* AWS IAM "Configure SAML assertions": the SourceIdentity attribute sets
     * the session's source identity (sts:SetSourceIdentity in the trust
     * policy), with AssumeRole's SourceIdentity rules. AWS IAM "Troubleshoot
     * SAML federation": "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64}
     * and not begin with \"aws:\"" (InvalidIdentityToken). */
    if ((attr = gh_fed_saml_attr(&sa, ATTR_SOURCE_IDENTITY)) != NULL) {
        if (attr->nvalues != 1 || !is_session_name(attr->values[0]))
            return gh_call_fail(c, GH_ERR_INVALID_IDENTITY_TOKEN,
                                "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not "
                                "begin with \"aws:\"");
        s.source_identity = attr->values[0];
    }
    /* Session tags: PrincipalTag:KEY attributes and TransitiveTagKeys. */
    if (sa.nattrs > 0 && (tags = gh_arena_alloc(c->arena, sa.nattrs * sizeof(*tags))) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < sa.nattrs; i++) {
        struct gh_slice n = sa.attrs[i].name;
        if (gh_slice_starts_with(n, GH_S(ATTR_TAG)) && sa.attrs[i].nvalues == 1) {
            tags[ntags].key = gh_slice_sub(n, sizeof(ATTR_TAG) - 1, n.len);
            tags[ntags].value = sa.attrs[i].values[0];
            ntags++;
        }
    }
    attr = gh_fed_saml_attr(&sa, ATTR_TRANSITIVE);
    if ((err = gh_sts_fed_tags(c, tags, ntags, attr == NULL ? NULL : attr->values,
                               attr == NULL ? 0 : attr->nvalues, &s)) != GH_OK)
        return err;

    slash = gh_slice_index(principal_arn, '/');
    pname = slash < 0 ? principal_arn : gh_slice_sub(principal_arn, (size_t)slash + 1,
                                                     principal_arn.len);
    if ((err = name_qualifier(c, sa.issuer, account, pname, &nq)) != GH_OK)
        return gh_call_fail(c, err, "The service is out of memory.");
    audience = sa.recipient.len > 0 ? sa.recipient
                                    : sa.naudiences > 0 ? sa.audiences[0] : GH_S("");

    gh_policy_ctx_init(&ctx, c->arena);
    memset(&pp, 0, sizeof(pp));
    pp.type = GH_PRINCIPAL_SAML;
    pp.provider = principal_arn;
    pp.account = account;
    pp.arn = principal_arn;
    gh_policy_ctx_set_principal(&ctx, &pp);
    /* AWS IAM "Available keys for SAML-based federation". */
    err = gh_sts_fed_key(c, &ctx, GH_S("SAML:"), "aud", audience);
    if (err == GH_OK)
        err = gh_sts_fed_key(c, &ctx, GH_S("SAML:"), "iss", sa.issuer);
    if (err == GH_OK)
        err = gh_sts_fed_key(c, &ctx, GH_S("SAML:"), "sub", sa.name_id);
    if (err == GH_OK && sa.name_id_format.len > 0)
        err = gh_sts_fed_key(c, &ctx, GH_S("SAML:"), "sub_type", sub_type(sa.name_id_format));
    if (err == GH_OK)
        err = gh_sts_fed_key(c, &ctx, GH_S("SAML:"), "namequalifier", nq);
    if (err == GH_OK)
        err = gh_sts_fed_key(c, &ctx, GH_S("SAML:"), "doc",
                             gh_slice_from_cstr(gh_arena_printf(c->arena, "%.*s/%.*s",
                                                                GH_SP(account), GH_SP(pname))));
    for (size_t i = 0; err == GH_OK && i < sa.nattrs; i++)
        for (size_t k = 0; k < GH_ARRAY_LEN(oid_keys); k++)
            if (gh_slice_eq_cstr(sa.attrs[i].name, oid_keys[k].oid))
                for (size_t v = 0; err == GH_OK && v < sa.attrs[i].nvalues; v++)
                    err = gh_sts_fed_key(c, &ctx, GH_S(""), oid_keys[k].key,
                                         sa.attrs[i].values[v]);
    if (err == GH_OK)
        err = gh_policy_ctx_add(&ctx, GH_S("aws:FederatedProvider"), GH_PT_STRING, principal_arn);
    if (err == GH_OK)
        err = gh_sts_fed_request_keys(c, &ctx, &s);
    if (err != GH_OK)
        return gh_call_fail(c, err == GH_ERR_NOMEM ? err : GH_ERR_INVALID_IDENTITY_TOKEN,
                            "The assertion's attributes could not be read.");

    if ((err = replay_key(c, &sa, &g.use_once_key)) != GH_OK)
        return gh_call_fail(c, err, "The service is out of memory.");
    g.action = action;
    g.role_arn = role_arn;
    g.duration_s = has_duration ? duration : GH_STS_ROLE_DEFAULT_S;
    g.ctx = &ctx;
    /* Kept for as long as gh_fed_saml_check would still accept it. */
    g.use_once_until = sa.not_on_or_after + GH_FED_SKEW_S;
    if ((err = gh_sts_fed_finish(c, &g, &s)) != GH_OK)
        goto done;
    gh_xml_elem(c->result, "Subject", sa.name_id);
    gh_xml_elem(c->result, "SubjectType", sub_type(sa.name_id_format));
    gh_xml_elem(c->result, "Issuer", sa.issuer);
    gh_xml_elem(c->result, "Audience", audience);
    gh_xml_elem(c->result, "NameQualifier", nq);
    if (s.source_identity.len > 0)
        gh_xml_elem(c->result, "SourceIdentity", s.source_identity);
done:
    gh_secret_wipe(&s.secret);
    return err;
}
