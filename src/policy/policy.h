/*
 * policy.h: the policy engine: IAM policy JSON compiled once into an
 * immutable, shared form; a per-request context; and the decision over
 * every policy that applies to a request, as AWS evaluates it.
 *
 * The library depends only on core/ and jansson. Nothing here allocates
 * per statement while deciding: compiled policies hold pre-split patterns,
 * the request context lives in the caller's arena and the result is a
 * fixed-size value.
 */
#ifndef GH_POLICY_H
#define GH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ---- compiling ---- */

/*
 * What a document is, which decides what it may contain.
 * AWS IAM: "Policies and permissions in IAM": identity-based policies (and
 * permissions boundaries, session policies and SCPs, which are
 * identity-shaped) may not name a Principal; resource-based policies must;
 * a role trust policy must name one and may only grant STS actions, with
 * no Resource element.
 */
enum gh_policy_kind {
    GH_POLICY_IDENTITY = 0, /* managed or inline policy of a user, group or role */
    GH_POLICY_RESOURCE,     /* resource-based policy (bucket policy) */
    GH_POLICY_TRUST,        /* role trust policy (AssumeRolePolicyDocument) */
    GH_POLICY_BOUNDARY,     /* permissions boundary (a managed policy) */
    GH_POLICY_SESSION,      /* session policy passed to AssumeRole* / GetFederationToken */
    GH_POLICY_SCP,          /* organization service control policy */
    GH_POLICY_MANAGED,      /* a customer managed policy's document (CreatePolicy,
                               CreatePolicyVersion): identity-shaped, Version 2012-10-17 */
};

struct gh_policy; /* opaque; immutable once compiled */

/*
 * Parses and validates `json` as a policy of `kind` and compiles it.
 * On success *out holds one reference (release with gh_policy_unref).
 * On a bad document returns GH_ERR_MALFORMED_POLICY with AWS's
 * MalformedPolicyDocument message in diag->text ("This policy contains
 * invalid Json" with diag->line/column for JSON syntax errors, "Syntax
 * errors in policy.", "Policy statement must contain actions.", ...).
 * Other failures: GH_ERR_NOMEM, also when jansson ran out of memory while
 * parsing (seen through gh_alloc_counted, which the process installs as
 * jansson's allocator). `json` is copied; the caller keeps it.
 * Size quotas are the caller's (see gh_policy_doc_chars); this refuses
 * only documents over GH_IAM_POLICY_DOC_CHARS_MAX bytes * 4.
 */
GH_MUST_CHECK enum gh_err gh_policy_compile(struct gh_slice json, enum gh_policy_kind kind,
                                            struct gh_diag *diag, struct gh_policy **out);
/* Takes another reference (atomic); returns p. */
struct gh_policy *gh_policy_ref(struct gh_policy *p);
/* Drops a reference (atomic); the last one frees. NULL does nothing. */
void gh_policy_unref(struct gh_policy *p);

enum gh_policy_kind gh_policy_get_kind(const struct gh_policy *p);
size_t gh_policy_statement_count(const struct gh_policy *p);
/* The document's Version ("2012-10-17", "2008-10-17"; empty when absent). */
struct gh_slice gh_policy_version(const struct gh_policy *p);

/*
 * The size of a document as AWS counts it for its quotas: characters
 * (UTF-8 code points), not counting whitespace outside JSON strings.
 * AWS IAM quotas: "IAM doesn't count white space when calculating the
 * size of a policy against these quotas."
 */
size_t gh_policy_doc_chars(struct gh_slice json);

/* ---- the request context ---- */

/* The type of a condition key's values (SimulatePrincipalPolicy's ContextKeyType). */
enum gh_policy_type {
    GH_PT_STRING = 0,
    GH_PT_NUMBER,
    GH_PT_DATE,   /* ISO 8601 or epoch seconds */
    GH_PT_BOOL,   /* "true" / "false" */
    GH_PT_BINARY, /* base64 */
    GH_PT_IP,     /* IPv4 or IPv6 address */
    GH_PT_ARN,
};

/* Who makes the request, as policies see it. */
enum gh_principal_type {
    GH_PRINCIPAL_ANONYMOUS = 0,
    GH_PRINCIPAL_ROOT,           /* arn:aws:iam::ACCT:root */
    GH_PRINCIPAL_USER,           /* arn:aws:iam::ACCT:user/PATH/NAME */
    GH_PRINCIPAL_ROLE,           /* the role itself (rare: role ARN as caller) */
    GH_PRINCIPAL_ASSUMED_ROLE,   /* arn:aws:sts::ACCT:assumed-role/NAME/SESSION */
    GH_PRINCIPAL_FEDERATED_USER, /* arn:aws:sts::ACCT:federated-user/NAME */
    GH_PRINCIPAL_SERVICE,        /* "ec2.amazonaws.com" */
    GH_PRINCIPAL_WEB_IDENTITY,   /* AssumeRoleWithWebIdentity caller; provider set */
    GH_PRINCIPAL_SAML,           /* AssumeRoleWithSAML caller; provider set */
};

/* All slices borrowed; they must outlive the context. */
struct gh_policy_principal {
    enum gh_principal_type type;
    struct gh_slice arn;          /* the caller's ARN (session ARN for sessions) */
    struct gh_slice account;      /* 12-digit account id */
    struct gh_slice role_arn;     /* ASSUMED_ROLE: the role's full ARN, with its path */
    struct gh_slice service;      /* SERVICE: "ec2.amazonaws.com" */
    struct gh_slice provider;     /* WEB_IDENTITY/SAML: provider ARN or name
                                     ("accounts.google.com") */
    struct gh_slice canonical_id; /* S3 canonical user id, if any */
    struct gh_slice id;           /* unique id: USER its AIDA...; ROLE and ASSUMED_ROLE the
                                     role's AROA...; empty otherwise */
};

struct gh_policy_ctx_key;
struct gh_policy_ctx_val;

/*
 * One request's context. Fields are private to the engine; use the
 * functions below. Initialise with gh_policy_ctx_init; everything it
 * allocates comes from the arena given there.
 */
struct gh_policy_ctx {
    struct gh_arena *arena;
    struct gh_slice action;       /* as given */
    struct gh_slice action_lower; /* arena copy, lower-case */
    size_t service_len;           /* length of the service prefix in action_lower */
    uint32_t service_hash;        /* hash of that prefix, for the policies' service index */
    struct gh_slice resource;
    uint16_t res_colon[5]; /* offsets of the first 5 colons of resource */
    uint8_t res_ncolon;
    struct gh_policy_principal principal;
    bool principal_bounded; /* the principal has a permissions boundary */
    struct gh_policy_ctx_key *keys;
    size_t nkeys, keys_cap;
    struct gh_policy_ctx_val *vals;
    size_t nvals, vals_cap;
};

void gh_policy_ctx_init(struct gh_policy_ctx *c, struct gh_arena *a);
/*
 * The action, "service:Action" (case-insensitive, AWS IAM: "action names
 * are case insensitive"). GH_ERR_INVALID_INPUT without a vendor prefix.
 */
GH_MUST_CHECK enum gh_err gh_policy_ctx_set_action(struct gh_policy_ctx *c, struct gh_slice action);
/* The resource ARN (or "*"), borrowed; compared case-sensitively. */
GH_MUST_CHECK enum gh_err gh_policy_ctx_set_resource(struct gh_policy_ctx *c, struct gh_slice arn);
/* Copies the struct; its slices stay borrowed. */
void gh_policy_ctx_set_principal(struct gh_policy_ctx *c, const struct gh_policy_principal *p);
/*
 * Says whether the principal has a permissions boundary, for policies
 * evaluated without their set (gh_policy_eval); gh_policy_decide also
 * takes a boundary in its set as the principal's. AWS IAM: a Deny with
 * NotPrincipal always applies to a principal with a boundary.
 */
void gh_policy_ctx_set_bounded(struct gh_policy_ctx *c, bool bounded);
/*
 * Adds one value to condition key `key` (created on first use; names are
 * case-insensitive; calling again makes the key multi-valued). `key` and
 * `value` are borrowed. A value that does not parse as `type` (a NUMBER
 * that is not a number, an IP that is not an address, ...) fails with
 * GH_ERR_INVALID_INPUT and changes nothing. Variables such as
 * ${aws:username} and ${aws:PrincipalTag/team} resolve from these keys.
 */
GH_MUST_CHECK enum gh_err gh_policy_ctx_add(struct gh_policy_ctx *c, struct gh_slice key,
                                            enum gh_policy_type type, struct gh_slice value);
/*
 * Declares `key` present with an empty set of values (a multi-valued key
 * such as aws:TagKeys with no tags). AWS IAM: ForAllValues is true and
 * ForAnyValue false on an empty set.
 */
GH_MUST_CHECK enum gh_err gh_policy_ctx_add_empty(struct gh_policy_ctx *c, struct gh_slice key,
                                                  enum gh_policy_type type);
/* Number of values of `key`, or -1 when the key is absent. */
long gh_policy_ctx_count(const struct gh_policy_ctx *c, struct gh_slice key);

/* ---- deciding ---- */

/* What a verdict is; the zero value denies. */
enum gh_decision {
    GH_DENY_IMPLICIT = 0,
    GH_ALLOW,
    GH_DENY_EXPLICIT,
};

/* Where a policy comes from (for reporting). */
enum gh_policy_origin {
    GH_ORIGIN_MANAGED = 0, /* managed policy attached to the principal; id is its ARN */
    GH_ORIGIN_INLINE,      /* inline policy; id such as "user/NAME/POLICY" */
    GH_ORIGIN_GROUP_MANAGED,
    GH_ORIGIN_GROUP_INLINE,
    GH_ORIGIN_OTHER, /* resource, trust, session, SCP, custom ... */
};

/* Which part of the evaluation a policy plays. */
enum gh_policy_role {
    GH_ROLE_IDENTITY = 0,
    GH_ROLE_RESOURCE,
    GH_ROLE_BOUNDARY,
    GH_ROLE_SESSION,
    GH_ROLE_SCP,
};

/*
 * A user or role ARN named in a stored resource-based policy (trust
 * policy, bucket policy), bound to the unique id of the entity it named
 * when the policy was saved. AWS IAM "Principal" element: "When you save
 * the policy, AWS transforms the ARN to a unique principal ID. This helps
 * mitigate the risk of someone escalating their privileges by removing and
 * recreating the role or user."
 */
struct gh_policy_bind {
    struct gh_slice arn; /* as the document names it (decoded JSON string) */
    struct gh_slice id;  /* AIDA... / AROA... */
};

/* One policy offered to the decision: borrowed, must outlive the result. */
struct gh_policy_src {
    const struct gh_policy *policy;
    struct gh_slice id; /* policy ARN, or "user/NAME/inline-name" ... */
    enum gh_policy_origin origin;
    /*
     * The policy's principal bindings (NULL/0: none). A Principal or
     * NotPrincipal ARN listed here names only the caller whose unique id
     * (gh_policy_principal.id) is the bound one, whatever the caller's
     * ARN now reads; an ARN not listed matches by name.
     */
    const struct gh_policy_bind *bind;
    size_t bind_count;
};

/*
 * Every policy that applies to one request. Absent parts are NULL / 0.
 * AWS IAM "Policy evaluation logic": identity-based policies (the user's
 * and its groups', or the role's; managed and inline), the resource-based
 * policy (a role trust policy for sts:AssumeRole, a bucket policy),
 * whether the resource is in another account than the principal, the
 * permissions boundary, the session policies, and SCPs.
 */
struct gh_policy_set {
    const struct gh_policy_src *identity;
    size_t identity_count;
    const struct gh_policy_src *resource; /* NULL when the resource has none */
    bool cross_account;                   /* resource account != principal account */
    const struct gh_policy_src *boundary; /* NULL when none is set */
    const struct gh_policy_src *session;  /* session policies (their union applies) */
    size_t session_count;
    const struct gh_policy_src *scp; /* every SCP must allow, when any are given */
    size_t scp_count;
};

/* Why the decision is what it is; the zero value reads as an implicit deny. */
enum gh_policy_reason {
    GH_REASON_NO_IDENTITY_ALLOW = 0,
    GH_REASON_ALLOWED,
    GH_REASON_DENY_SCP,
    GH_REASON_NO_SCP_ALLOW,
    GH_REASON_DENY_RESOURCE,
    GH_REASON_NO_RESOURCE_ALLOW,
    GH_REASON_DENY_IDENTITY,
    GH_REASON_DENY_BOUNDARY,
    GH_REASON_NO_BOUNDARY_ALLOW,
    GH_REASON_DENY_SESSION,
    GH_REASON_NO_SESSION_ALLOW,
};

/* A place in a document: 1-based line and column (0 when unknown). */
struct gh_policy_pos {
    int line;
    int column;
};

/* A statement that decided (SimulatePrincipalPolicy's MatchedStatements). */
struct gh_policy_hit {
    struct gh_slice source_id; /* gh_policy_src.id */
    enum gh_policy_origin origin;
    enum gh_policy_role role;
    size_t statement;                /* 0-based index in the document */
    struct gh_slice sid;             /* empty when the statement has none */
    bool deny;                       /* its Effect */
    struct gh_policy_pos start, end; /* the statement's { and } */
};

#define GH_POLICY_HITS_MAX 16
#define GH_POLICY_MISSING_MAX 16

/*
 * A decision. Zero-initialised means an implicit deny. Slices point into
 * the policies (and their sources); they live as long as those do.
 */
struct gh_policy_result {
    enum gh_decision decision;
    enum gh_policy_reason reason;
    struct gh_policy_hit hits[GH_POLICY_HITS_MAX]; /* statements with the deciding effect */
    size_t hit_count;
    bool hits_truncated;
    /* Condition keys referenced by applicable statements but absent from
     * the context (SimulatePrincipalPolicy's MissingContextValues). */
    struct gh_slice missing[GH_POLICY_MISSING_MAX];
    size_t missing_count;
};

/*
 * Decides `c` (action, resource, principal, condition keys) over `set`
 * as AWS does: an explicit deny in any policy wins; SCPs, when given,
 * must allow; within one account a resource-based policy that names the
 * principal allows on its own, otherwise identity-based policies must
 * allow; across accounts both the resource-based and the identity-based
 * side must allow; a permissions boundary and session policies, when
 * present, must also allow. Fills *out (its decision, reason and counts
 * cleared first; entries past the counts are not meaningful). A returned error
 * (GH_ERR_INVALID_INPUT when the context has no action) leaves *out as an
 * implicit deny: fail closed.
 */
GH_MUST_CHECK enum gh_err gh_policy_decide(const struct gh_policy_set *set,
                                           const struct gh_policy_ctx *c,
                                           struct gh_policy_result *out);

/*
 * Evaluates one policy on its own: GH_DENY_EXPLICIT when a Deny statement
 * applies, GH_ALLOW when an Allow does, else GH_DENY_IMPLICIT; hits and
 * missing keys as in gh_policy_decide (role = `role`). For questions such
 * as "does this trust policy allow this principal to sts:AssumeRole".
 */
GH_MUST_CHECK enum gh_err gh_policy_eval(const struct gh_policy_src *src, enum gh_policy_role role,
                                         const struct gh_policy_ctx *c,
                                         struct gh_policy_result *out);

/*
 * Appends the end of AWS's AccessDenied message for a denied result:
 * "because no identity-based policy allows the ACTION action",
 * "with an explicit deny in an identity-based policy: POLICY-ARN",
 * "because no permissions boundary allows the ACTION action", ...
 * (AWS IAM: "Troubleshoot access denied error messages").
 */
void gh_policy_reason_write(const struct gh_policy_result *r, struct gh_slice action,
                            struct gh_buf *out);
/* "allowed", "explicitDeny", "implicitDeny" (SimulatePrincipalPolicy EvalDecision). */
const char *gh_policy_decision_str(enum gh_decision d);

/* ---- principal bindings (bind.c) ---- */

/*
 * The IAM user and role ARNs (arn:aws:iam::ACCT:user/... and :role/...)
 * that the Principal and NotPrincipal "AWS" values of `p` name, each once,
 * in document order. Arena-owned array; slices point into `p`.
 */
GH_MUST_CHECK enum gh_err gh_policy_principal_arns(const struct gh_policy *p, struct gh_arena *a,
                                                   struct gh_slice **out, size_t *count);
/* Does `arn` have the form of an IAM user or role ARN (arn:aws:iam::12 digits:user/ or role/)? */
bool gh_policy_arn_is_user_or_role(struct gh_slice arn);

/*
 * The stored form of bindings: a JSON object {"ARN": "UNIQUE-ID", ...}
 * (empty when n is 0). Arena-owned text in *out.
 */
GH_MUST_CHECK enum gh_err gh_policy_bind_encode(const struct gh_policy_bind *b, size_t n,
                                                struct gh_arena *a, struct gh_slice *out);
/*
 * Parses the stored form; empty text and "{}" give no bindings. Arena-owned array.
 * GH_ERR_INVALID_INPUT when the text is not that form (the caller fails
 * closed: a policy whose bindings cannot be read must trust nobody).
 */
GH_MUST_CHECK enum gh_err gh_policy_bind_parse(struct gh_slice text, struct gh_arena *a,
                                               struct gh_policy_bind **out, size_t *count);

/*
 * Rewrites the Principal and NotPrincipal "AWS" values of the policy JSON
 * `json`: each value equal to some map[i].arn becomes map[i].id (the
 * principal's current ARN, or its unique id once it is gone). Everything
 * else is kept, in order; the result is compact JSON, arena-owned.
 * GH_ERR_INVALID_INPUT when `json` does not parse.
 */
GH_MUST_CHECK enum gh_err gh_policy_principals_rewrite(struct gh_slice json,
                                                       const struct gh_policy_bind *map, size_t n,
                                                       struct gh_arena *a, struct gh_slice *out);

#endif
