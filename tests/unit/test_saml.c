/*
 * test_saml.c: SAML responses for AssumeRoleWithSAML, as a table of AWS
 * cases: signed Response, Assertion or both; unsigned; signed by another
 * key; signature wrapping (a second Assertion, the signed one moved, its
 * ID duplicated); DOCTYPE and entities; deep nesting; oversized input;
 * expiry; wrong Audience or Recipient; a failed Status; bad base64. Each
 * row names the AWS error code it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"

#include "federation/federation.h"

#define NOW 1800000000LL
#define ENTITY "https://idp.example.com/saml"
#define AWS_AUD "https://signin.aws.amazon.com/saml"
#define ROLE "arn:aws:iam::123456789012:role/admin,arn:aws:iam::123456789012:saml-provider/Idp"

struct pki {
    struct gh_buf key, cert;             /* the IdP's */
    struct gh_buf other_key, other_cert; /* somebody else's */
    struct gh_buf metadata;
};

static struct pki P;

static void
pem_body(struct gh_slice pem, struct gh_buf *out)
{
    struct gh_slice line;

    while (gh_slice_split(&pem, '\n', &line))
        if (line.len > 0 && line.ptr[0] != '-')
            gh_buf_put(out, gh_slice_trim(line));
}

static int
setup(void **state)
{
    gh_buf_init(&P.key, 0);
    gh_buf_init(&P.cert, 0);
    gh_buf_init(&P.other_key, 0);
    gh_buf_init(&P.other_cert, 0);
    gh_buf_init(&P.metadata, 0);
    assert_int_equal(
        gh_fed_pki_issue("idp", NULL, false, true, GH_S(""), GH_S(""), 30, &P.key, &P.cert), GH_OK);
    assert_int_equal(gh_fed_pki_issue("other", NULL, false, true, GH_S(""), GH_S(""), 30,
                                      &P.other_key, &P.other_cert),
                     GH_OK);
    gh_buf_puts(&P.metadata, "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:"
                             "metadata\" entityID=\"" ENTITY "\"><md:IDPSSODescriptor "
                             "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
                             "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"http://"
                             "www.w3.org/2000/09/xmldsig#\"><ds:X509Data><ds:X509Certificate>");
    pem_body(gh_buf_slice(&P.cert), &P.metadata);
    gh_buf_puts(&P.metadata, "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
                             "</md:IDPSSODescriptor></md:EntityDescriptor>");
    assert_int_equal(gh_buf_status(&P.metadata), GH_OK);
    (void)state;
    return 0;
}

static int
teardown(void **state)
{
    gh_buf_cleanup(&P.key);
    gh_buf_cleanup(&P.cert);
    gh_buf_cleanup(&P.other_key);
    gh_buf_cleanup(&P.other_cert);
    gh_buf_cleanup(&P.metadata);
    (void)state;
    return 0;
}

enum sign { SIGN_NONE, SIGN_ASSERTION, SIGN_RESPONSE, SIGN_BOTH, SIGN_OTHER_KEY };

enum mutate {
    M_NONE,
    M_SECOND_ASSERTION, /* an unsigned forged Assertion beside the signed one */
    M_MOVED,            /* signed Assertion moved into Extensions, forgery in its place */
    M_ID_DUP,           /* forgery in place carrying the signed Assertion's ID */
    M_ALTERED,          /* the subject changed under the signature */
    M_DOCTYPE,          /* internal DTD with an entity */
    M_ENTITY_REF,       /* a DOCTYPE declaring an external entity */
    M_BAD_B64,          /* not base64 at all */
    M_OVERSIZED,        /* over GH_FED_SAML_MAX characters */
    M_NOT_XML,          /* base64 of text that is no XML */
    M_WRONG_ROOT,       /* an Assertion alone, no Response */
};

struct params {
    const char *audience;
    const char *recipient;
    int64_t ttl_s;      /* NotOnOrAfter - NOW */
    int64_t not_before; /* Conditions@NotBefore - NOW */
    const char *status;
    int nest; /* extra element depth inside an AttributeValue */
};

/* The unsigned response the IdP would send. */
static void
response(struct gh_buf *x, const struct params *p)
{
    char nb[21], na[21], sna[21];

    gh_time_iso8601(NOW + p->not_before, nb);
    gh_time_iso8601(NOW + p->ttl_s, na);
    gh_time_iso8601(NOW + 1800, sna);
    gh_buf_putf(
        x,
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_resp1\" "
        "Version=\"2.0\" IssueInstant=\"%s\"><saml:Issuer>" ENTITY "</saml:Issuer>"
        "<samlp:Status><samlp:StatusCode Value=\"%s\"/></samlp:Status>"
        "<saml:Assertion ID=\"_assert1\" Version=\"2.0\" IssueInstant=\"%s\">"
        "<saml:Issuer>" ENTITY "</saml:Issuer><saml:Subject><saml:NameID "
        "Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent\">alice"
        "</saml:NameID><saml:SubjectConfirmation "
        "Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"><saml:SubjectConfirmationData "
        "NotOnOrAfter=\"%s\" Recipient=\"%s\"/></saml:SubjectConfirmation></saml:Subject>"
        "<saml:Conditions NotBefore=\"%s\" NotOnOrAfter=\"%s\"><saml:AudienceRestriction>"
        "<saml:Audience>%s</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        "<saml:AuthnStatement AuthnInstant=\"%s\" SessionNotOnOrAfter=\"%s\">"
        "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:"
        "classes:PasswordProtectedTransport</saml:AuthnContextClassRef>"
        "</saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute "
        "Name=\"https://aws.amazon.com/SAML/"
        "Attributes/Role\"><saml:AttributeValue>" ROLE "</saml:AttributeValue>"
        "</saml:Attribute><saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/"
        "RoleSessionName\"><saml:AttributeValue>",
        nb, p->status, nb, na, p->recipient, nb, na, p->audience, nb, sna);
    for (int i = 0; i < p->nest; i++)
        gh_buf_puts(x, "<n>");
    gh_buf_puts(x, "alice");
    for (int i = 0; i < p->nest; i++)
        gh_buf_puts(x, "</n>");
    gh_buf_puts(x, "</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>"
                   "</saml:Assertion></samlp:Response>");
    assert_int_equal(gh_buf_status(x), GH_OK);
}

static void
sign_id(struct gh_buf *x, const char *id, const struct gh_buf *key, const struct gh_buf *cert)
{
    struct gh_buf out;

    gh_buf_init(&out, 0);
    assert_int_equal(
        gh_fed_saml_sign(gh_buf_slice(x), id, gh_buf_slice(key), gh_buf_slice(cert), &out), GH_OK);
    gh_buf_reset(x);
    assert_int_equal(gh_buf_append_slice(x, gh_buf_slice(&out)), GH_OK);
    gh_buf_cleanup(&out);
}

/* `s` with [from, to) replaced by `with` (heap). */
static char *
splice(const char *s, size_t from, size_t to, const char *with)
{
    size_t n = strlen(s), w = strlen(with);
    char *r = malloc(n - (to - from) + w + 1);

    assert_non_null(r);
    memcpy(r, s, from);
    memcpy(r + from, with, w);
    memcpy(r + from + w, s + to, n - to + 1);
    return r;
}

static char *
replace1(const char *s, const char *old, const char *with)
{
    const char *p = strstr(s, old);

    assert_non_null(p);
    return splice(s, (size_t)(p - s), (size_t)(p - s) + strlen(old), with);
}

/* The signed Assertion's text (heap) and its bounds in `xml`. */
static char *
assertion_of(const char *xml, size_t *from, size_t *to)
{
    const char *a = strstr(xml, "<saml:Assertion"), *e = strstr(xml, "</saml:Assertion>");
    char *r;

    assert_non_null(a);
    assert_non_null(e);
    *from = (size_t)(a - xml);
    *to = (size_t)(e - xml) + strlen("</saml:Assertion>");
    r = malloc(*to - *from + 1);
    assert_non_null(r);
    memcpy(r, a, *to - *from);
    r[*to - *from] = '\0';
    return r;
}

/* A forged copy of the assertion: another subject, no Signature, id `id`. */
static char *
forge(const char *signed_as, const char *id)
{
    static const char *const forms[][2] = {{"<Signature", "</Signature>"},
                                           {"<ds:Signature", "</ds:Signature>"},
                                           {"<dsig:Signature", "</dsig:Signature>"}};
    char *f = replace1(signed_as, ">alice<", ">mallory<"), *g = NULL;
    char idattr[64];

    for (size_t i = 0; g == NULL && i < GH_ARRAY_LEN(forms); i++) {
        const char *s = strstr(f, forms[i][0]), *e = strstr(f, forms[i][1]);
        if (s != NULL && e != NULL)
            g = splice(f, (size_t)(s - f), (size_t)(e - f) + strlen(forms[i][1]), "");
    }
    if (g == NULL) /* the Response was the signed element */
        return f;
    free(f);
    (void)snprintf(idattr, sizeof(idattr), "ID=\"%s\"", id);
    f = replace1(g, "ID=\"_assert1\"", idattr);
    free(g);
    return f;
}

static char *
mutate(const char *xml, enum mutate m)
{
    size_t from, to;
    char *as, *forged, *r, *t;

    switch (m) {
    case M_SECOND_ASSERTION:
        as = assertion_of(xml, &from, &to);
        forged = forge(as, "_forged");
        r = splice(xml, to, to, forged);
        break;
    case M_MOVED:
    case M_ID_DUP: /* the signed assertion moved aside; the forgery new or reusing its ID */
        as = assertion_of(xml, &from, &to);
        forged = forge(as, m == M_MOVED ? "_forged" : "_assert1");
        t = malloc(strlen(forged) + strlen(as) + 64);
        assert_non_null(t);
        (void)snprintf(t, strlen(forged) + strlen(as) + 64,
                       "%s<samlp:Extensions>%s</samlp:Extensions>", forged, as);
        r = splice(xml, from, to, t);
        free(t);
        break;
    case M_ALTERED:
        return replace1(xml, ">alice<", ">mallory<");
    case M_DOCTYPE:
        return replace1(xml, "<samlp:Response",
                        "<!DOCTYPE samlp:Response [<!ENTITY who \"alice\">]><samlp:Response");
    case M_ENTITY_REF:
        t = replace1(xml, "<samlp:Response",
                     "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><samlp:Response");
        r = replace1(t, ">alice</saml:NameID>", ">&x;</saml:NameID>");
        free(t);
        return r;
    case M_WRONG_ROOT:
        as = assertion_of(xml, &from, &to);
        r = replace1(as, "<saml:Assertion",
                     "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"");
        free(as);
        return r;
    default:
        r = strdup(xml);
        assert_non_null(r);
        return r;
    }
    free(as);
    free(forged);
    return r;
}

struct row {
    const char *name;
    enum sign sign;
    enum mutate m;
    struct params p;
    const char *want_verify; /* AWS error code, NULL = accepted */
    const char *want_check;  /* after a successful verify; NULL = accepted */
    const char *want_text;   /* part of the verify message, or NULL */
};

#define OK_P                                                                                       \
    {                                                                                              \
        AWS_AUD, AWS_AUD, 300, -60, "urn:oasis:names:tc:SAML:2.0:status:Success", 0                \
    }

static const struct row rows[] = {
    {"signed assertion", SIGN_ASSERTION, M_NONE, OK_P, NULL, NULL, NULL},
    {"signed response", SIGN_RESPONSE, M_NONE, OK_P, NULL, NULL, NULL},
    {"both signed", SIGN_BOTH, M_NONE, OK_P, NULL, NULL, NULL},
    {"unsigned", SIGN_NONE, M_NONE, OK_P, "InvalidIdentityToken", NULL, "not signed"},
    {"signed by another key", SIGN_OTHER_KEY, M_NONE, OK_P, "InvalidIdentityToken", NULL,
     "Response signature invalid"},
    {"altered after signing", SIGN_ASSERTION, M_ALTERED, OK_P, "InvalidIdentityToken", NULL,
     "Response signature invalid"},
    {"altered under a response signature", SIGN_RESPONSE, M_ALTERED, OK_P, "InvalidIdentityToken",
     NULL, NULL},
    {"wrapping: second unsigned assertion", SIGN_ASSERTION, M_SECOND_ASSERTION, OK_P,
     "InvalidIdentityToken", NULL, NULL},
    {"wrapping: second assertion, response signed", SIGN_RESPONSE, M_SECOND_ASSERTION, OK_P,
     "InvalidIdentityToken", NULL, NULL},
    {"wrapping: signed assertion moved", SIGN_ASSERTION, M_MOVED, OK_P, "InvalidIdentityToken",
     NULL, NULL},
    {"wrapping: signed assertion's ID duplicated", SIGN_ASSERTION, M_ID_DUP, OK_P,
     "InvalidIdentityToken", NULL, NULL},
    {"DOCTYPE with an entity", SIGN_ASSERTION, M_DOCTYPE, OK_P, "InvalidIdentityToken", NULL, NULL},
    {"external entity reference", SIGN_NONE, M_ENTITY_REF, OK_P, "InvalidIdentityToken", NULL,
     "could not be validated"},
    /* Too deep to parse, so refused before the (missing) signature is looked for. */
    {"deep nesting",
     SIGN_NONE,
     M_NONE,
     {AWS_AUD, AWS_AUD, 300, -60, "urn:oasis:names:tc:SAML:2.0:status:Success", 40},
     "InvalidIdentityToken",
     NULL,
     "could not be validated"},
    {"nesting within the cap",
     SIGN_ASSERTION,
     M_NONE,
     {AWS_AUD, AWS_AUD, 300, -60, "urn:oasis:names:tc:SAML:2.0:status:Success", 10},
     NULL,
     NULL,
     NULL},
    {"oversized", SIGN_ASSERTION, M_OVERSIZED, OK_P, "InvalidIdentityToken", NULL, NULL},
    {"malformed base64", SIGN_ASSERTION, M_BAD_B64, OK_P, "InvalidIdentityToken", NULL, NULL},
    {"not XML", SIGN_NONE, M_NOT_XML, OK_P, "InvalidIdentityToken", NULL, NULL},
    {"assertion without a response", SIGN_ASSERTION, M_WRONG_ROOT, OK_P, "InvalidIdentityToken",
     NULL, NULL},
    {"IdP reports failure",
     SIGN_ASSERTION,
     M_NONE,
     {AWS_AUD, AWS_AUD, 300, -60, "urn:oasis:names:tc:SAML:2.0:status:Requester", 0},
     "IDPRejectedClaim",
     NULL,
     NULL},
    {"expired NotOnOrAfter",
     SIGN_ASSERTION,
     M_NONE,
     {AWS_AUD, AWS_AUD, -3600, -7200, "urn:oasis:names:tc:SAML:2.0:status:Success", 0},
     NULL,
     "ExpiredTokenException",
     NULL},
    {"expired within the skew",
     SIGN_ASSERTION,
     M_NONE,
     {AWS_AUD, AWS_AUD, -60, -7200, "urn:oasis:names:tc:SAML:2.0:status:Success", 0},
     NULL,
     NULL,
     NULL},
    {"NotBefore in the future",
     SIGN_ASSERTION,
     M_NONE,
     {AWS_AUD, AWS_AUD, 7200, 3600, "urn:oasis:names:tc:SAML:2.0:status:Success", 0},
     NULL,
     "InvalidIdentityToken",
     NULL},
    {"wrong Audience",
     SIGN_ASSERTION,
     M_NONE,
     {"https://evil.example.com/saml", AWS_AUD, 300, -60,
      "urn:oasis:names:tc:SAML:2.0:status:Success", 0},
     NULL,
     "InvalidIdentityToken",
     "required audience"},
    {"urn:amazon:webservices Audience",
     SIGN_ASSERTION,
     M_NONE,
     {"urn:amazon:webservices", AWS_AUD, 300, -60, "urn:oasis:names:tc:SAML:2.0:status:Success", 0},
     NULL,
     NULL,
     NULL},
    {"wrong Recipient",
     SIGN_ASSERTION,
     M_NONE,
     {AWS_AUD, "https://evil.example.com/acs", 300, -60,
      "urn:oasis:names:tc:SAML:2.0:status:Success", 0},
     NULL,
     "InvalidIdentityToken",
     NULL},
};

static void
run_row(const struct row *r)
{
    struct params p = r->p;
    struct gh_buf x, b64;
    struct gh_arena a;
    struct gh_fed_saml s;
    struct gh_diag d;
    enum gh_err err;
    char *m;

    gh_buf_init(&x, 0);
    gh_buf_init(&b64, 0);
    gh_arena_init(&a);
    response(&x, &p);
    switch (r->sign) {
    case SIGN_ASSERTION:
        sign_id(&x, "_assert1", &P.key, &P.cert);
        break;
    case SIGN_RESPONSE:
        sign_id(&x, "_resp1", &P.key, &P.cert);
        break;
    case SIGN_BOTH:
        sign_id(&x, "_assert1", &P.key, &P.cert);
        sign_id(&x, "_resp1", &P.key, &P.cert);
        break;
    case SIGN_OTHER_KEY:
        sign_id(&x, "_assert1", &P.other_key, &P.other_cert);
        break;
    case SIGN_NONE:
        break;
    }
    m = mutate(x.ptr, r->m);
    if (r->m == M_BAD_B64)
        gh_buf_puts(&b64, "PHNhbWxwOlJlc3BvbnNl!!!not*base64");
    else if (r->m == M_NOT_XML)
        assert_int_equal(gh_base64_encode(&b64, (const uint8_t *)"hello, world", 12), GH_OK);
    else
        assert_int_equal(gh_base64_encode(&b64, (const uint8_t *)m, strlen(m)), GH_OK);
    if (r->m == M_OVERSIZED)
        while (b64.len <= GH_FED_SAML_MAX)
            gh_buf_puts(&b64, "\n");
    assert_int_equal(gh_buf_status(&b64), GH_OK);

    err = gh_fed_saml_verify(&a, gh_buf_slice(&b64), gh_buf_slice(&P.metadata), &s, &d);
    if (r->want_verify != NULL) {
        if (err == GH_OK)
            fail_msg("%s: accepted, want %s", r->name, r->want_verify);
        if (strcmp(gh_err_info(err)->code, r->want_verify) != 0)
            fail_msg("%s: got %s (%s), want %s", r->name, gh_err_info(err)->code, d.text,
                     r->want_verify);
        assert_true(d.text[0] != '\0');
        if (r->want_text != NULL && strstr(d.text, r->want_text) == NULL)
            fail_msg("%s: message \"%s\" lacks \"%s\"", r->name, d.text, r->want_text);
        assert_int_equal(s.nattrs, 0); /* nothing half-built */
    } else {
        if (err != GH_OK)
            fail_msg("%s: refused with %s (%s)", r->name, gh_err_info(err)->code, d.text);
        /* Claims come from the signed assertion. */
        assert_true(gh_slice_eq_cstr(s.issuer, ENTITY));
        assert_true(gh_slice_eq_cstr(s.name_id, "alice"));
        assert_int_equal(s.session_not_on_or_after, NOW + 1800);
        assert_non_null(gh_fed_saml_attr(&s, "https://aws.amazon.com/SAML/Attributes/Role"));
        err = gh_fed_saml_check(&s, NOW, &d);
        if (r->want_check == NULL && err != GH_OK)
            fail_msg("%s: check refused with %s (%s)", r->name, gh_err_info(err)->code, d.text);
        if (r->want_check != NULL &&
            (err == GH_OK || strcmp(gh_err_info(err)->code, r->want_check) != 0))
            fail_msg("%s: check got %s, want %s", r->name,
                     err == GH_OK ? "OK" : gh_err_info(err)->code, r->want_check);
        if (r->want_check != NULL && r->want_text != NULL && strstr(d.text, r->want_text) == NULL)
            fail_msg("%s: message \"%s\" lacks \"%s\"", r->name, d.text, r->want_text);
    }
    free(m);
    gh_arena_cleanup(&a);
    gh_buf_cleanup(&x);
    gh_buf_cleanup(&b64);
}

static void
test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < GH_ARRAY_LEN(rows); i++)
        run_row(&rows[i]);
}

/* AWS STS: the messages a client sees for a bad and an expired assertion. */
static void
test_messages(void **state)
{
    struct gh_fed_saml s;
    struct gh_diag d;
    struct gh_arena a;

    (void)state;
    gh_arena_init(&a);
    assert_int_equal(
        gh_fed_saml_verify(&a, GH_S("bm90IHhtbA=="), gh_buf_slice(&P.metadata), &s, &d),
        GH_ERR_INVALID_IDENTITY_TOKEN);
    assert_non_null(strstr(d.text, "could not be validated"));
    memset(&s, 0, sizeof(s));
    s.audiences = &(struct gh_slice)GH_SLICE_INIT(AWS_AUD);
    s.naudiences = 1;
    s.not_on_or_after = NOW - 3600;
    assert_int_equal(gh_fed_saml_check(&s, NOW, &d), GH_ERR_EXPIRED_TOKEN_EXCEPTION);
    assert_true(d.text[0] != '\0');
    /* No NotOnOrAfter at all: AWS requires one. */
    s.not_on_or_after = 0;
    assert_int_equal(gh_fed_saml_check(&s, NOW, &d), GH_ERR_INVALID_IDENTITY_TOKEN);
    gh_arena_cleanup(&a);
}

/* The metadata's entityID, and metadata that is not metadata. */
static void
test_metadata_entity(void **state)
{
    struct gh_arena a;
    struct gh_slice e;

    (void)state;
    gh_arena_init(&a);
    assert_int_equal(gh_fed_saml_metadata_entity(&a, gh_buf_slice(&P.metadata), &e), GH_OK);
    assert_true(gh_slice_eq_cstr(e, ENTITY));
    assert_int_equal(gh_fed_saml_metadata_entity(&a, GH_S("<x/>"), &e), GH_ERR_INVALID_INPUT);
    assert_int_equal(gh_fed_saml_metadata_entity(&a, GH_S("<!DOCTYPE x><x/>"), &e),
                     GH_ERR_INVALID_INPUT);
    gh_arena_cleanup(&a);
}

static enum gh_err
saml_verify_once(void *ctx)
{
    const struct gh_buf *b64 = ctx;
    struct gh_arena a;
    struct gh_fed_saml s;
    struct gh_diag d;
    enum gh_err err;

    gh_arena_init(&a);
    err = gh_fed_saml_verify(&a, gh_buf_slice(b64), gh_buf_slice(&P.metadata), &s, &d);
    if (err == GH_OK) {
        assert_true(gh_slice_eq_cstr(s.name_id, "alice"));
        assert_non_null(gh_fed_saml_attr(&s, "https://aws.amazon.com/SAML/Attributes/Role"));
    } else {
        assert_int_equal(s.nattrs, 0); /* nothing half-built */
    }
    gh_arena_cleanup(&a);
    return err;
}

/*
 * CONTRIBUTING.md "Tests": each allocation of the SAML verifier fails in turn with
 * GH_ERR_NOMEM, never InvalidIdentityToken or a response missing a part.
 * libxml2's, xmlsec's and OpenSSL's own allocations are not failed (see
 * alloc_fail.h).
 */
static void
test_verify_nomem(void **state)
{
    struct params p = OK_P;
    struct gh_buf x, b64;

    (void)state;
    gh_buf_init(&x, 0);
    gh_buf_init(&b64, 0);
    response(&x, &p);
    sign_id(&x, "_assert1", &P.key, &P.cert);
    assert_int_equal(gh_base64_encode(&b64, (const uint8_t *)x.ptr, x.len), GH_OK);
    assert_true(af_torture("saml", saml_verify_once, &b64) > 0);
    gh_buf_cleanup(&x);
    gh_buf_cleanup(&b64);
}

static enum gh_err
metadata_entity_once(void *ctx)
{
    struct gh_arena a;
    struct gh_slice e;
    enum gh_err err;

    (void)ctx;
    gh_arena_init(&a);
    err = gh_fed_saml_metadata_entity(&a, gh_buf_slice(&P.metadata), &e);
    if (err == GH_OK)
        assert_true(gh_slice_eq_cstr(e, ENTITY));
    gh_arena_cleanup(&a);
    return err;
}

/* The same for reading a provider's metadata (CreateSAMLProvider). */
static void
test_metadata_entity_nomem(void **state)
{
    (void)state;
    assert_true(af_torture("saml metadata", metadata_entity_once, NULL) > 0);
}

/* Metadata with no signing certificate verifies nothing. */
static void
test_metadata_without_certificate(void **state)
{
    struct params p = OK_P;
    struct gh_buf x, b64;
    struct gh_arena a;
    struct gh_fed_saml s;
    struct gh_diag d;

    (void)state;
    gh_buf_init(&x, 0);
    gh_buf_init(&b64, 0);
    gh_arena_init(&a);
    response(&x, &p);
    sign_id(&x, "_assert1", &P.key, &P.cert);
    assert_int_equal(gh_base64_encode(&b64, (const uint8_t *)x.ptr, x.len), GH_OK);
    assert_int_equal(gh_fed_saml_verify(&a, gh_buf_slice(&b64),
                                        GH_S("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:"
                                             "SAML:2.0:metadata\" entityID=\"" ENTITY "\">"
                                             "<md:IDPSSODescriptor/></md:EntityDescriptor>"),
                                        &s, &d),
                     GH_ERR_INVALID_IDENTITY_TOKEN);
    assert_string_equal(d.text, "The SAML provider's metadata has no signing certificate.");
    assert_int_equal(s.nattrs, 0);
    gh_arena_cleanup(&a);
    gh_buf_cleanup(&x);
    gh_buf_cleanup(&b64);
}

int
main(void)
{
    af_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_metadata_entity),
        cmocka_unit_test(test_verify_nomem),
        cmocka_unit_test(test_metadata_without_certificate),
        cmocka_unit_test(test_metadata_entity_nomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
