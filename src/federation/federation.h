/*
 * federation.h: identities from outside: OIDC tokens (JWT parsing, claim
 * checks, signatures against the issuer's JWKS found by discovery and
 * cached) and SAML responses (parsing without DTDs or entities, XML
 * signature verification against the provider's metadata, claims of the
 * signed element only). Errors carry AWS STS's codes and messages.
 */
#ifndef GH_FEDERATION_H
#define GH_FEDERATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

/* AWS STS: WebIdentityToken is at most 20000 characters (clientTokenType). */
#define GH_FED_JWT_MAX 20000
/* AWS STS: SAMLAssertion is at most 100000 characters (SAMLAssertionType). */
#define GH_FED_SAML_MAX 100000
/* Clock skew allowed on exp/nbf/iat and SAML NotBefore/NotOnOrAfter:
 * AWS STS documents none; 5 minutes is what AWS's own SDK-side checks and
 * most IdPs use. */
#define GH_FED_SKEW_S 300
/* Issuer fetches (discovery + JWKS together) give up after this. */
#define GH_FED_FETCH_TIMEOUT_MS 5000
/* Largest discovery document or JWKS accepted. */
#define GH_FED_FETCH_BODY_MAX ((size_t)256 * 1024)
/* AWS IAM: an OIDC provider's JWKS may hold up to 100 keys. */
#define GH_FED_JWKS_KEYS_MAX 100
/* How long a JWKS is kept when the issuer sends no max-age, and at most. */
#define GH_FED_JWKS_TTL_DEFAULT_S 3600
#define GH_FED_JWKS_TTL_MAX_S 86400
/* After a failed fetch an issuer is not asked again for this long. */
#define GH_FED_FETCH_BACKOFF_MS 2000
/* A token naming a kid the cached JWKS lacks forces a re-fetch (a key
 * rotation) at most once per issuer in this interval: the request is
 * unauthenticated, so without a cap every token with a made-up kid would
 * cost the issuer a discovery and a JWKS fetch. */
#define GH_FED_JWKS_REFRESH_MIN_MS 60000
/* Issuers whose keys are cached at once. */
#define GH_FED_ISSUERS_MAX 64
/* Values of one claim or attribute, attributes of one assertion. */
#define GH_FED_VALUES_MAX 64
#define GH_FED_ATTRS_MAX 128
/* XML element nesting accepted in a SAML response. */
#define GH_FED_XML_DEPTH_MAX 32

/* A claim or attribute with its values (a string claim has one). */
struct gh_fed_claim {
    struct gh_slice name;
    struct gh_slice *values;
    size_t nvalues;
};

struct gh_fed_tag {
    struct gh_slice key;
    struct gh_slice value;
};

/* ---- OIDC tokens ---- */

/* A parsed (not yet trusted) JWT; slices are arena-owned. */
struct gh_fed_jwt {
    struct gh_slice compact; /* the token as given */
    struct gh_slice alg;     /* RS256, RS384, RS512, ES256, ES384 */
    struct gh_slice kid;     /* empty when absent */
    struct gh_slice iss;
    struct gh_slice sub;
    struct gh_slice azp;     /* empty when absent */
    struct gh_slice *aud;
    size_t naud;
    struct gh_slice *amr;
    size_t namr;
    int64_t exp, nbf, iat;
    bool has_nbf, has_iat;
    /* The https://aws.amazon.com/tags claim: principal_tags, transitive_tag_keys. */
    struct gh_fed_tag *tags;
    size_t ntags;
    struct gh_slice *transitive;
    size_t ntransitive;
};

/*
 * Parses a compact JWS: size (GH_FED_JWT_MAX), three base64url parts,
 * header and claims as JSON objects, an accepted `alg` (RS256/384/512,
 * ES256/384; `none` and HMAC refused), `iss` and `exp` present, `aud` a
 * string or array of strings. No signature check. GH_OK or
 * GH_ERR_INVALID_IDENTITY_TOKEN with AWS's message in diag; GH_ERR_NOMEM.
 */
GH_MUST_CHECK enum gh_err gh_fed_jwt_parse(struct gh_arena *a, struct gh_slice token,
                                           struct gh_fed_jwt *out, struct gh_diag *diag);

/* What STS knows of the IAM OIDC provider the token's issuer names. */
struct gh_fed_oidc_provider {
    struct gh_slice url; /* "https://host/path" or "host/path" */
    const struct gh_slice *client_ids;
    size_t nclient_ids;
};

/*
 * Checks the claims of a verified token: `iss` is the provider's URL,
 * an audience (`aud`, or `azp` when no `aud` matches) is in its client-ID
 * list, `exp` not passed and `nbf`/`iat` not in the future (GH_FED_SKEW_S
 * of tolerance). GH_ERR_INVALID_IDENTITY_TOKEN or
 * GH_ERR_EXPIRED_TOKEN_EXCEPTION with AWS's message in diag. `*audience`
 * gets the matching client ID.
 */
GH_MUST_CHECK enum gh_err gh_fed_jwt_check_claims(const struct gh_fed_jwt *t,
                                                  const struct gh_fed_oidc_provider *p,
                                                  int64_t now, struct gh_slice *audience,
                                                  struct gh_diag *diag);

/* A JWKS: public keys by kid (immutable once parsed, shared by reference). */
struct gh_fed_jwks;

/*
 * Parses a JWKS document ({"keys": [...]}); keys of other types or uses
 * ("use": "enc") are skipped, at most GH_FED_JWKS_KEYS_MAX are kept.
 * GH_ERR_INVALID_INPUT when it is not a JWKS; *out holds one reference.
 */
GH_MUST_CHECK enum gh_err gh_fed_jwks_parse(struct gh_slice json, struct gh_fed_jwks **out);
struct gh_fed_jwks *gh_fed_jwks_ref(struct gh_fed_jwks *k);
void gh_fed_jwks_unref(struct gh_fed_jwks *k);
size_t gh_fed_jwks_count(const struct gh_fed_jwks *k);
/* True when some key has `kid` (any key when the token names none). */
bool gh_fed_jwks_has_kid(const struct gh_fed_jwks *k, struct gh_slice kid);

/*
 * Verifies the signature of `t` with the key of its kid in `k` (the key's
 * type must fit the algorithm). GH_OK, or GH_ERR_INVALID_IDENTITY_TOKEN
 * with AWS's message; GH_ERR_NOT_FOUND when no key has the kid.
 */
GH_MUST_CHECK enum gh_err gh_fed_jwt_verify_sig(const struct gh_fed_jwt *t,
                                                const struct gh_fed_jwks *k, struct gh_diag *diag);

/* ---- the issuer-key cache (one per server; thread-safe) ---- */

struct gh_fed;

/*
 * A federation context: JWKS cache, and the extra CA certificates
 * (`ca_file`, PEM, may be NULL) trusted for issuers besides the system
 * store. Call once at start-up (initialises libcurl and xmlsec).
 */
GH_MUST_CHECK enum gh_err gh_fed_new(const char *ca_file, struct gh_fed **out);
void gh_fed_free(struct gh_fed *f);

/*
 * The keys of issuer `iss` (an https URL): from the cache while fresh,
 * otherwise by OIDC discovery (ISS/.well-known/openid-configuration ->
 * jwks_uri) over verified HTTPS, bounded by GH_FED_FETCH_TIMEOUT_MS.
 * `refresh` forces a fetch (an unknown kid), at most once per issuer per
 * GH_FED_JWKS_REFRESH_MIN_MS: a refresh asked sooner gets the cached keys.
 * `iss` must be https://HOST[:PORT][/PATH] with no user-info, query or
 * fragment. GH_ERR_IDP_COMMUNICATION when the issuer cannot be reached or
 * answers garbage (diag says why), GH_ERR_NOMEM. *out holds one reference.
 */
GH_MUST_CHECK enum gh_err gh_fed_jwks_get(struct gh_fed *f, struct gh_slice iss, bool refresh,
                                          struct gh_fed_jwks **out, struct gh_diag *diag);

/*
 * The whole token check but the provider lookup: signature against the
 * issuer's keys (re-fetched once when the kid is unknown), then
 * gh_fed_jwt_check_claims.
 */
GH_MUST_CHECK enum gh_err gh_fed_jwt_verify(struct gh_fed *f, const struct gh_fed_jwt *t,
                                            const struct gh_fed_oidc_provider *p, int64_t now,
                                            struct gh_slice *audience, struct gh_diag *diag);

/* "https://host/path/" -> "host/path": the provider URL as IAM ARNs and
 * condition keys spell it. Borrows from `url`. */
struct gh_slice gh_fed_url_host_path(struct gh_slice url);

/* ---- SAML ---- */

/* What the signed element of a SAML response says; arena-owned slices. */
struct gh_fed_saml {
    struct gh_slice assertion_id; /* the Assertion's ID attribute (never empty) */
    struct gh_slice issuer;
    struct gh_slice name_id;        /* Subject/NameID */
    struct gh_slice name_id_format; /* its Format URI; empty when absent */
    struct gh_slice *audiences;
    size_t naudiences;
    struct gh_slice recipient;      /* SubjectConfirmationData@Recipient */
    int64_t not_before;             /* Conditions@NotBefore; 0 when absent */
    int64_t not_on_or_after;        /* earliest of Conditions and SubjectConfirmationData */
    int64_t session_not_on_or_after; /* earliest AuthnStatement@SessionNotOnOrAfter; 0 when absent */
    struct gh_fed_claim *attrs;
    size_t nattrs;
};

/*
 * Decodes (base64) and parses a SAMLResponse with libxml2 (no network, no
 * DTD, no entities, depth-capped), verifies the XML signature on the
 * Response or the Assertion with xmlsec against a signing certificate of
 * the provider's `metadata` (SAML metadata XML), and fills `out` from the
 * signed element only. GH_ERR_INVALID_IDENTITY_TOKEN with AWS's message
 * for anything malformed, unsigned or wrongly signed; GH_ERR_NOMEM.
 * Claims (issuer, audience, times, role) are the caller's to check:
 * see gh_fed_saml_check.
 */
GH_MUST_CHECK enum gh_err gh_fed_saml_verify(struct gh_arena *a, struct gh_slice saml_b64,
                                             struct gh_slice metadata, struct gh_fed_saml *out,
                                             struct gh_diag *diag);

/*
 * Checks times and audience of `s` at `now`: the audience
 * https://signin.aws.amazon.com/saml, the recipient (when present) an AWS
 * sign-in endpoint, NotBefore/NotOnOrAfter with GH_FED_SKEW_S.
 * GH_ERR_EXPIRED_TOKEN_EXCEPTION or GH_ERR_INVALID_IDENTITY_TOKEN.
 */
GH_MUST_CHECK enum gh_err gh_fed_saml_check(const struct gh_fed_saml *s, int64_t now,
                                            struct gh_diag *diag);

/* The values of attribute `name`, or NULL. */
const struct gh_fed_claim *gh_fed_saml_attr(const struct gh_fed_saml *s, const char *name);

/* The entityID of SAML metadata (arena copy); GH_ERR_INVALID_INPUT when unreadable. */
GH_MUST_CHECK enum gh_err gh_fed_saml_metadata_entity(struct gh_arena *a, struct gh_slice metadata,
                                                      struct gh_slice *out);

/* ---- test issuers (CLI and tests): signing ---- */

/*
 * Signs the JSON object `claims_json` as a compact JWS with the private
 * JWK `jwk_json` (RSA -> RS256, EC P-256 -> ES256; `alg` overrides when not
 * NULL), its kid in the header. Appended to `out`.
 */
GH_MUST_CHECK enum gh_err gh_fed_jwt_sign(struct gh_slice jwk_json, const char *alg,
                                          struct gh_slice claims_json, struct gh_buf *out);

/*
 * Signs the element with attribute ID=`id` in XML document `xml` with an
 * enveloped RSA-SHA256 signature (exclusive c14n), the Signature inserted
 * after that element's Issuer child, using PEM `key_pem` and its
 * certificate `cert_pem`. The signed document is appended to `out`.
 */
GH_MUST_CHECK enum gh_err gh_fed_saml_sign(struct gh_slice xml, const char *id,
                                           struct gh_slice key_pem, struct gh_slice cert_pem,
                                           struct gh_buf *out);

/*
 * A new key and X.509 certificate (PEM appended to key_out / cert_out) for
 * test issuers: RSA 2048 when `rsa`, else EC P-256; CN `cn`; `san` a
 * subjectAltName ("IP:127.0.0.1,DNS:localhost") or NULL; self-signed when
 * `ca_key_pem` is empty, else signed by that CA; a CA itself when `is_ca`.
 */
GH_MUST_CHECK enum gh_err gh_fed_pki_issue(const char *cn, const char *san, bool is_ca, bool rsa,
                                           struct gh_slice ca_key_pem, struct gh_slice ca_cert_pem,
                                           int days, struct gh_buf *key_out,
                                           struct gh_buf *cert_out);

#endif
