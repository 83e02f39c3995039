/*
 * saml.c: SAML 2.0 responses for AssumeRoleWithSAML: libxml2 parsing with
 * no DTD, no entities and no network, xmlsec signature verification
 * against the provider metadata's signing certificates, and claims read
 * from the signed element only, so a wrapped (moved or duplicated)
 * assertion is never believed.
 */
#include <pthread.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "federation/federation.h"

#define NS_P "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_A "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_MD "urn:oasis:names:tc:SAML:2.0:metadata"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"

/* AWS STS API reference: InvalidIdentityToken / ExpiredTokenException. */
#define MSG_INVALID                                                                                \
    "The web identity token that was passed could not be validated by AWS. Get a new identity "   \
    "token from the identity provider and then retry the request."
/* AWS IAM "Troubleshoot SAML federation": "Response signature invalid" and
 * "Response does not contain the required audience." (InvalidIdentityToken). */
#define MSG_SIGNATURE "Response signature invalid"
#define MSG_AUDIENCE "Response does not contain the required audience."
#define MSG_EXPIRED                                                                                \
    "The web identity token that was passed is expired or is not valid. Get a new identity "      \
    "token from the identity provider and then retry the request."

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool init_ok;

static void
quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void
init(void)
{
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, quiet);
    init_ok = xmlSecInit() >= 0 && xmlSecCryptoAppInit(NULL) >= 0 && xmlSecCryptoInit() >= 0;
    xmlSecErrorsSetCallback(NULL);
    xmlSecErrorsDefaultCallbackEnableOutput(0);
}

static enum gh_err
invalid(struct gh_diag *d, const char *msg)
{
    gh_diag_set(d, "%s", msg);
    return GH_ERR_INVALID_IDENTITY_TOKEN;
}

static bool
is(const xmlNode *n, const char *ns, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           xmlStrcmp(n->ns->href, (const xmlChar *)ns) == 0 &&
           xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

static xmlNode *
child(const xmlNode *n, const char *ns, const char *name)
{
    for (xmlNode *c = n == NULL ? NULL : n->children; c != NULL; c = c->next)
        if (is(c, ns, name))
            return c;
    return NULL;
}

static size_t
count_children(const xmlNode *n, const char *ns, const char *name)
{
    size_t k = 0;

    for (xmlNode *c = n->children; c != NULL; c = c->next)
        if (is(c, ns, name))
            k++;
    return k;
}

/* Element nesting within the cap; entity references and DTD nodes refused. */
static bool
shape_ok(const xmlNode *n, int depth)
{
    if (depth > GH_FED_XML_DEPTH_MAX)
        return false;
    for (const xmlNode *c = n; c != NULL; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE || c->type == XML_ENTITY_NODE ||
            c->type == XML_DTD_NODE || c->type == XML_ENTITY_DECL)
            return false;
        if (c->type == XML_ELEMENT_NODE && c->children != NULL && !shape_ok(c->children, depth + 1))
            return false;
    }
    return true;
}

/* An element's text or attribute into the arena. */
static enum gh_err
text_dup(struct gh_arena *a, xmlChar *s, struct gh_slice *out)
{
    enum gh_err err;

    *out = GH_S("");
    if (s == NULL)
        return GH_OK;
    err = gh_arena_dup(a, gh_slice_trim(gh_slice_from_cstr((const char *)s)), out);
    xmlFree(s);
    return err;
}

static enum gh_err
attr_dup(struct gh_arena *a, const xmlNode *n, const char *name, struct gh_slice *out)
{
    return text_dup(a, xmlGetProp(n, (const xmlChar *)name), out);
}

/* Base64 with whitespace allowed (as IdPs wrap it). */
static enum gh_err
b64_loose(struct gh_slice in, size_t max, struct gh_buf *out)
{
    struct gh_buf clean;
    enum gh_err err;

    gh_buf_init(&clean, max + 1);
    for (size_t i = 0; i < in.len; i++) {
        char ch = in.ptr[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        gh_buf_put(&clean, (struct gh_slice){&in.ptr[i], 1});
    }
    if ((err = gh_buf_status(&clean)) == GH_OK)
        err = gh_base64_decode(gh_buf_slice(&clean), false, out);
    gh_buf_cleanup(&clean);
    return err;
}

static xmlDoc *
parse_xml(struct gh_slice xml)
{
    xmlDoc *doc;

    /* No DOCTYPE at all: no DTD, no entities (billion laughs, XXE). */
    for (size_t i = 0; i + 2 <= xml.len; i++)
        if (xml.ptr[i] == '<' && xml.ptr[i + 1] == '!' && i + 2 < xml.len &&
            xml.ptr[i + 2] != '-' && xml.ptr[i + 2] != '[')
            return NULL;
    if (xml.len > INT32_MAX)
        return NULL;
    doc = xmlReadMemory(xml.ptr, (int)xml.len, "saml.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return NULL;
    if (doc->intSubset != NULL || doc->extSubset != NULL || xmlDocGetRootElement(doc) == NULL ||
        !shape_ok(xmlDocGetRootElement(doc), 0)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

/* Registers the ID attribute of `n` as an XML ID; false when absent or duplicate. */
static bool
register_id(xmlDoc *doc, xmlNode *n)
{
    xmlAttr *attr = xmlHasProp(n, (const xmlChar *)"ID");
    xmlChar *v;
    bool ok;

    if (attr == NULL)
        return false;
    if ((v = xmlNodeListGetString(doc, attr->children, 1)) == NULL)
        return false;
    ok = v[0] != '\0' && xmlGetID(doc, v) == NULL && xmlAddID(NULL, doc, v, attr) != NULL;
    xmlFree(v);
    return ok;
}

/*
 * The signing certificates of SAML metadata, as DER, into keys[] (*nkeys of
 * them). GH_ERR_NOMEM when decoding one ran out of memory: the key is not
 * skipped, so our failure never reads as the caller's bad signature.
 */
static enum gh_err
metadata_keys(struct gh_slice metadata, xmlSecKeyPtr *keys, size_t max, size_t *nkeys)
{
    xmlDoc *md = parse_xml(metadata);
    xmlNode *root;
    size_t n = 0;
    enum gh_err err = GH_OK;

    *nkeys = 0;
    if (md == NULL)
        return GH_OK;
    root = xmlDocGetRootElement(md);
    /* EntityDescriptor, or the first one of an EntitiesDescriptor. */
    if (is(root, NS_MD, "EntitiesDescriptor"))
        root = child(root, NS_MD, "EntityDescriptor");
    for (xmlNode *sso = root == NULL ? NULL : root->children; sso != NULL; sso = sso->next) {
        if (!is(sso, NS_MD, "IDPSSODescriptor"))
            continue;
        for (xmlNode *kd = sso->children; kd != NULL && n < max; kd = kd->next) {
            xmlChar *use;
            xmlNode *ki, *xd;
            bool signing;

            if (!is(kd, NS_MD, "KeyDescriptor"))
                continue;
            use = xmlGetProp(kd, (const xmlChar *)"use");
            signing = use == NULL || xmlStrcmp(use, (const xmlChar *)"signing") == 0;
            xmlFree(use);
            if (!signing || (ki = child(kd, NS_DS, "KeyInfo")) == NULL)
                continue;
            for (xd = ki->children; xd != NULL && n < max; xd = xd->next) {
                xmlNode *xc;
                if (!is(xd, NS_DS, "X509Data"))
                    continue;
                for (xc = xd->children; xc != NULL && n < max && err != GH_ERR_NOMEM;
                     xc = xc->next) {
                    xmlChar *b64;
                    struct gh_buf der;
                    if (!is(xc, NS_DS, "X509Certificate"))
                        continue;
                    b64 = xmlNodeGetContent(xc);
                    gh_buf_init(&der, 64 * 1024);
                    if (b64 != NULL &&
                        (err = b64_loose(gh_slice_from_cstr((const char *)b64), 128 * 1024,
                                         &der)) == GH_OK &&
                        der.len > 0) {
                        keys[n] = xmlSecCryptoAppKeyLoadMemory(
                            (const xmlSecByte *)der.ptr, (xmlSecSize)der.len,
                            xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
                        if (keys[n] != NULL)
                            n++;
                    }
                    xmlFree(b64);
                    gh_buf_cleanup(&der);
                }
            }
        }
    }
    xmlFreeDoc(md);
    *nkeys = n;
    return err == GH_ERR_NOMEM ? err : GH_OK;
}

/*
 * Verifies the enveloped signature `sig` over its parent `signed_el` with
 * one of `keys`: exactly one Reference, whose URI is "#" + the parent's
 * ID, same-document only, standard transforms only.
 */
static bool
verify_one(xmlNode *sig, xmlNode *signed_el, xmlSecKeyPtr *keys, size_t nkeys)
{
    xmlNode *si = child(sig, NS_DS, "SignedInfo"), *ref;
    xmlChar *uri, *id;
    bool match;

    if (si == NULL || count_children(si, NS_DS, "Reference") != 1)
        return false;
    ref = child(si, NS_DS, "Reference");
    uri = xmlGetProp(ref, (const xmlChar *)"URI");
    id = xmlGetProp(signed_el, (const xmlChar *)"ID");
    match = uri != NULL && id != NULL && uri[0] == '#' && xmlStrcmp(uri + 1, id) == 0;
    xmlFree(uri);
    xmlFree(id);
    if (!match)
        return false;
    for (size_t i = 0; i < nkeys; i++) {
        xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
        bool ok;

        if (ctx == NULL)
            return false;
        ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
        if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId) < 0 ||
            xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
            xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NWithCommentsId) < 0 ||
            xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformInclC14NId) < 0 ||
            xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha1Id) < 0 ||
            xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id) < 0 ||
            xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha384Id) < 0 ||
            xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha512Id) < 0 ||
            xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
            xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformInclC14NId) < 0 ||
            xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha1Id) < 0 ||
            xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha256Id) < 0 ||
            xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha384Id) < 0 ||
            xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha512Id) < 0 ||
            xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha256Id) < 0 ||
            xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha384Id) < 0) {
            xmlSecDSigCtxDestroy(ctx);
            return false;
        }
        /* The key comes from the metadata; KeyInfo in the message is never trusted. */
        ctx->signKey = xmlSecKeyDuplicate(keys[i]);
        ok = ctx->signKey != NULL && xmlSecDSigCtxVerify(ctx, sig) >= 0 &&
             ctx->status == xmlSecDSigStatusSucceeded &&
             xmlSecPtrListGetSize(&ctx->signedInfoReferences) == 1;
        xmlSecDSigCtxDestroy(ctx);
        if (ok)
            return true;
    }
    return false;
}

static enum gh_err
values_of(struct gh_arena *a, xmlNode *attr, struct gh_fed_claim *out)
{
    size_t n = count_children(attr, NS_A, "AttributeValue"), k = 0;
    enum gh_err err;

    if (n > GH_FED_VALUES_MAX)
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    if ((err = attr_dup(a, attr, "Name", &out->name)) != GH_OK)
        return err;
    if (n > 0 && (out->values = gh_arena_alloc(a, n * sizeof(*out->values))) == NULL)
        return GH_ERR_NOMEM;
    for (xmlNode *v = attr->children; v != NULL; v = v->next)
        if (is(v, NS_A, "AttributeValue"))
            if ((err = text_dup(a, xmlNodeGetContent(v), &out->values[k++])) != GH_OK)
                return err;
    out->nvalues = k;
    return GH_OK;
}

static enum gh_err
time_attr(struct gh_arena *a, const xmlNode *n, const char *name, int64_t *out)
{
    struct gh_slice v;
    enum gh_err err;

    *out = 0;
    if ((err = attr_dup(a, n, name, &v)) != GH_OK)
        return err;
    if (v.len == 0)
        return GH_OK;
    return gh_time_parse_iso8601(v, out) == GH_OK ? GH_OK : GH_ERR_INVALID_IDENTITY_TOKEN;
}

/* The claims of the (signed) assertion. */
static enum gh_err
extract(struct gh_arena *a, xmlNode *as, struct gh_fed_saml *out)
{
    xmlNode *subj = child(as, NS_A, "Subject"), *nid, *cond, *st;
    xmlChar *id = xmlGetProp(as, (const xmlChar *)"ID");
    enum gh_err err;
    size_t na = 0;

    /* As given, not trimmed: the replay check keys on the signed value. */
    err = id == NULL || id[0] == '\0'
              ? GH_ERR_INVALID_IDENTITY_TOKEN
              : gh_arena_dup(a, gh_slice_from_cstr((const char *)id), &out->assertion_id);
    xmlFree(id);
    if (err != GH_OK)
        return err;

    if ((err = text_dup(a, xmlNodeGetContent(child(as, NS_A, "Issuer")), &out->issuer)) != GH_OK)
        return err;
    if (child(as, NS_A, "Issuer") == NULL || subj == NULL)
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    if ((nid = child(subj, NS_A, "NameID")) != NULL) {
        if ((err = text_dup(a, xmlNodeGetContent(nid), &out->name_id)) != GH_OK ||
            (err = attr_dup(a, nid, "Format", &out->name_id_format)) != GH_OK)
            return err;
    }
    /* AWS: a bearer SubjectConfirmation with NotOnOrAfter. */
    for (xmlNode *sc = subj->children; sc != NULL; sc = sc->next) {
        xmlNode *scd;
        int64_t t;
        if (!is(sc, NS_A, "SubjectConfirmation") || (scd = child(sc, NS_A,
                                                                 "SubjectConfirmationData")) == NULL)
            continue;
        if ((err = attr_dup(a, scd, "Recipient", &out->recipient)) != GH_OK ||
            (err = time_attr(a, scd, "NotOnOrAfter", &t)) != GH_OK)
            return err;
        if (t != 0 && (out->not_on_or_after == 0 || t < out->not_on_or_after))
            out->not_on_or_after = t;
        break;
    }
    if ((cond = child(as, NS_A, "Conditions")) != NULL) {
        int64_t t;
        size_t k = 0, naud = 0;
        if ((err = time_attr(a, cond, "NotBefore", &out->not_before)) != GH_OK ||
            (err = time_attr(a, cond, "NotOnOrAfter", &t)) != GH_OK)
            return err;
        if (t != 0 && (out->not_on_or_after == 0 || t < out->not_on_or_after))
            out->not_on_or_after = t;
        for (xmlNode *ar = cond->children; ar != NULL; ar = ar->next)
            if (is(ar, NS_A, "AudienceRestriction"))
                naud += count_children(ar, NS_A, "Audience");
        if (naud > GH_FED_VALUES_MAX)
            return GH_ERR_INVALID_IDENTITY_TOKEN;
        if (naud > 0 && (out->audiences = gh_arena_alloc(a, naud * sizeof(struct gh_slice))) ==
                            NULL)
            return GH_ERR_NOMEM;
        for (xmlNode *ar = cond->children; ar != NULL; ar = ar->next)
            if (is(ar, NS_A, "AudienceRestriction"))
                for (xmlNode *au = ar->children; au != NULL; au = au->next)
                    if (is(au, NS_A, "Audience") &&
                        (err = text_dup(a, xmlNodeGetContent(au), &out->audiences[k++])) != GH_OK)
                        return err;
        out->naudiences = k;
    }
    /* AWS STS: the session ends at SessionNotOnOrAfter when that comes first. */
    for (st = as->children; st != NULL; st = st->next) {
        int64_t t;
        if (!is(st, NS_A, "AuthnStatement"))
            continue;
        if ((err = time_attr(a, st, "SessionNotOnOrAfter", &t)) != GH_OK)
            return err;
        if (t != 0 && (out->session_not_on_or_after == 0 || t < out->session_not_on_or_after))
            out->session_not_on_or_after = t;
    }
    for (st = as->children; st != NULL; st = st->next)
        if (is(st, NS_A, "AttributeStatement"))
            na += count_children(st, NS_A, "Attribute");
    if (na > GH_FED_ATTRS_MAX)
        return GH_ERR_INVALID_IDENTITY_TOKEN;
    if (na > 0 && (out->attrs = gh_arena_alloc(a, na * sizeof(*out->attrs))) == NULL)
        return GH_ERR_NOMEM;
    for (st = as->children; st != NULL; st = st->next)
        if (is(st, NS_A, "AttributeStatement"))
            for (xmlNode *at = st->children; at != NULL; at = at->next)
                if (is(at, NS_A, "Attribute") &&
                    (err = values_of(a, at, &out->attrs[out->nattrs++])) != GH_OK)
                    return err;
    return GH_OK;
}

enum gh_err
gh_fed_saml_verify(struct gh_arena *a, struct gh_slice saml_b64, struct gh_slice metadata,
                   struct gh_fed_saml *out, struct gh_diag *diag)
{
    struct gh_buf xml;
    xmlDoc *doc = NULL;
    xmlNode *resp, *as, *rsig, *asig, *status, *code;
    xmlSecKeyPtr keys[8];
    size_t nkeys = 0;
    bool signed_ok = false;
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    gh_diag_clear(diag);
    pthread_once(&init_once, init);
    if (!init_ok)
        return GH_ERR_INTERNAL;
    if (saml_b64.len > GH_FED_SAML_MAX)
        return invalid(diag, MSG_INVALID);
    gh_buf_init(&xml, GH_FED_SAML_MAX);
    if ((err = b64_loose(saml_b64, GH_FED_SAML_MAX, &xml)) != GH_OK || xml.len == 0) {
        gh_buf_cleanup(&xml);
        return err == GH_ERR_NOMEM ? err : invalid(diag, MSG_INVALID);
    }
    doc = parse_xml(gh_buf_slice(&xml));
    gh_buf_cleanup(&xml);
    if (doc == NULL)
        return invalid(diag, MSG_INVALID);
    resp = xmlDocGetRootElement(doc);
    err = GH_ERR_INVALID_IDENTITY_TOKEN;
    /* One Response holding exactly one (unencrypted) Assertion. */
    if (!is(resp, NS_P, "Response") || count_children(resp, NS_A, "Assertion") != 1 ||
        child(resp, NS_A, "EncryptedAssertion") != NULL)
        goto fail;
    status = child(resp, NS_P, "Status");
    code = child(status, NS_P, "StatusCode");
    {
        xmlChar *v = code == NULL ? NULL : xmlGetProp(code, (const xmlChar *)"Value");
        bool ok = v != NULL &&
                  xmlStrcmp(v, (const xmlChar *)"urn:oasis:names:tc:SAML:2.0:status:Success") == 0;
        xmlFree(v);
        if (!ok) {
            err = GH_ERR_IDP_REJECTED_CLAIM;
            gh_diag_set(diag, "%s", "The identity provider (IdP) reported that authentication "
                                    "failed.");
            goto done;
        }
    }
    as = child(resp, NS_A, "Assertion");
    /* Only these two elements carry IDs a Reference may name. */
    if (!register_id(doc, resp) || !register_id(doc, as))
        goto fail;
    rsig = child(resp, NS_DS, "Signature");
    asig = child(as, NS_DS, "Signature");
    if (count_children(resp, NS_DS, "Signature") > 1 || count_children(as, NS_DS, "Signature") > 1)
        goto fail;
    if (rsig == NULL && asig == NULL) {
        gh_diag_set(diag, "%s", "The SAML response is not signed.");
        goto done;
    }
    if ((err = metadata_keys(metadata, keys, GH_ARRAY_LEN(keys), &nkeys)) != GH_OK)
        goto done;
    err = GH_ERR_INVALID_IDENTITY_TOKEN;
    if (nkeys == 0) {
        gh_diag_set(diag, "%s", "The SAML provider's metadata has no signing certificate.");
        goto done;
    }
    /* Every signature present must verify; the Assertion is inside both. */
    if ((rsig != NULL && !verify_one(rsig, resp, keys, nkeys)) ||
        (asig != NULL && !verify_one(asig, as, keys, nkeys))) {
        err = invalid(diag, MSG_SIGNATURE);
        goto done;
    }
    signed_ok = true;
    if ((err = extract(a, as, out)) != GH_OK)
        goto fail;
    err = GH_OK;
    goto done;
fail:
    if (err != GH_ERR_NOMEM)
        err = invalid(diag, MSG_INVALID);
done:
    (void)signed_ok;
    for (size_t i = 0; i < nkeys; i++)
        xmlSecKeyDestroy(keys[i]);
    xmlFreeDoc(doc);
    if (err != GH_OK)
        memset(out, 0, sizeof(*out));
    return err;
}

static bool
aws_audience(struct gh_slice v)
{
    /* AWS IAM: the SAML audience is https://signin.aws.amazon.com/saml (or a
     * regional sign-in endpoint), or urn:amazon:webservices. */
    return gh_slice_eq_cstr(v, "urn:amazon:webservices") ||
           (gh_slice_starts_with(v, GH_S("https://")) &&
            gh_slice_ends_with(v, GH_S("signin.aws.amazon.com/saml")));
}

enum gh_err
gh_fed_saml_check(const struct gh_fed_saml *s, int64_t now, struct gh_diag *diag)
{
    bool aud = false;

    gh_diag_clear(diag);
    for (size_t i = 0; i < s->naudiences; i++)
        if (aws_audience(s->audiences[i]))
            aud = true;
    if (!aud)
        return invalid(diag, MSG_AUDIENCE);
    if (s->recipient.len > 0 && !aws_audience(s->recipient))
        return invalid(diag, MSG_INVALID);
    if (s->not_on_or_after == 0)
        return invalid(diag, MSG_INVALID);
    if (now >= s->not_on_or_after + GH_FED_SKEW_S) {
        gh_diag_set(diag, "%s", MSG_EXPIRED);
        return GH_ERR_EXPIRED_TOKEN_EXCEPTION;
    }
    if (s->not_before != 0 && now + GH_FED_SKEW_S < s->not_before)
        return invalid(diag, MSG_INVALID);
    return GH_OK;
}

const struct gh_fed_claim *
gh_fed_saml_attr(const struct gh_fed_saml *s, const char *name)
{
    for (size_t i = 0; i < s->nattrs; i++)
        if (gh_slice_eq_cstr(s->attrs[i].name, name))
            return &s->attrs[i];
    return NULL;
}

enum gh_err
gh_fed_saml_metadata_entity(struct gh_arena *a, struct gh_slice metadata, struct gh_slice *out)
{
    xmlDoc *md;
    xmlNode *root;
    enum gh_err err = GH_ERR_INVALID_INPUT;

    *out = GH_SLICE_NULL;
    pthread_once(&init_once, init);
    if ((md = parse_xml(metadata)) == NULL)
        return err;
    root = xmlDocGetRootElement(md);
    if (is(root, NS_MD, "EntitiesDescriptor"))
        root = child(root, NS_MD, "EntityDescriptor");
    if (is(root, NS_MD, "EntityDescriptor"))
        err = attr_dup(a, root, "entityID", out);
    xmlFreeDoc(md);
    return err;
}

/* ---- signing (test IdP) ---- */

static xmlNode *
find_id(xmlNode *n, const char *id)
{
    for (; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            xmlChar *v = xmlGetProp(n, (const xmlChar *)"ID");
            bool hit = v != NULL && xmlStrcmp(v, (const xmlChar *)id) == 0;
            xmlNode *d;
            xmlFree(v);
            if (hit)
                return n;
            if ((d = find_id(n->children, id)) != NULL)
                return d;
        }
    }
    return NULL;
}

enum gh_err
gh_fed_saml_sign(struct gh_slice xml, const char *id, struct gh_slice key_pem,
                 struct gh_slice cert_pem, struct gh_buf *out)
{
    xmlDoc *doc = NULL;
    xmlNode *el, *sig, *ref, *ki, *issuer;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlChar *mem = NULL;
    int len = 0;
    char uri[160];
    enum gh_err err = GH_ERR_INVALID_INPUT;

    pthread_once(&init_once, init);
    if (!init_ok)
        return GH_ERR_INTERNAL;
    if (strlen(id) > 100 || (doc = parse_xml(xml)) == NULL)
        return GH_ERR_INVALID_INPUT;
    if ((el = find_id(xmlDocGetRootElement(doc), id)) == NULL || !register_id(doc, el))
        goto done;
    sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id,
                                    NULL);
    if (sig == NULL)
        goto done;
    /* SAML core: the Signature follows the Issuer. */
    issuer = child(el, NS_A, "Issuer");
    if (issuer != NULL)
        xmlAddNextSibling(issuer, sig);
    else if (el->children != NULL)
        xmlAddPrevSibling(el->children, sig);
    else
        xmlAddChild(el, sig);
    (void)snprintf(uri, sizeof(uri), "#%s", id);
    if ((ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL,
                                               (const xmlChar *)uri, NULL)) == NULL ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == NULL ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == NULL ||
        (ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) == NULL ||
        xmlSecTmplKeyInfoAddX509Data(ki) == NULL)
        goto done;
    if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    ctx->signKey = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)key_pem.ptr,
                                                (xmlSecSize)key_pem.len, xmlSecKeyDataFormatPem,
                                                NULL, NULL, NULL);
    if (ctx->signKey == NULL ||
        xmlSecCryptoAppKeyCertLoadMemory(ctx->signKey, (const xmlSecByte *)cert_pem.ptr,
                                         (xmlSecSize)cert_pem.len, xmlSecKeyDataFormatPem) < 0)
        goto done;
    if (xmlSecDSigCtxSign(ctx, sig) < 0)
        goto done;
    xmlDocDumpMemory(doc, &mem, &len);
    if (mem == NULL || len < 0) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    err = gh_buf_append(out, mem, (size_t)len);
done:
    xmlFree(mem);
    if (ctx != NULL)
        xmlSecDSigCtxDestroy(ctx);
    xmlFreeDoc(doc);
    return err;
}
