/*
 * policy_int.h: the compiled form of a policy and the helpers the policy
 * engine's files share. Only src/policy/ and its unit tests include this.
 */
#ifndef GH_POLICY_INT_H
#define GH_POLICY_INT_H

#include <jansson.h>
#include <stdatomic.h>

#include "core/core.h"
#include "policy/policy.h"

/* ---- patterns: wildcard strings split once at compile time ---- */

enum gh_tok_kind {
    GH_TOK_LIT = 0, /* literal text (lower-cased when the pattern is case-insensitive) */
    GH_TOK_STAR,    /* '*': any run of characters */
    GH_TOK_QMARK,   /* '?': exactly one character */
    GH_TOK_VAR,     /* ${key} or ${key, 'default'}: literal text from the context */
};

struct gh_tok {
    uint8_t kind;
    bool has_def;
    uint16_t var_idx;     /* VAR: ordinal among the pattern's variables */
    struct gh_slice text; /* LIT: the text; VAR: the key name */
    struct gh_slice def;  /* VAR: the default value */
};

/* How many resolved variables one match keeps on the stack. */
#define GH_PAT_VARS_CACHED 16
/* ARN segments: arn:partition:service:region:account:resource. */
#define GH_ARN_SEGS 6

struct gh_pat {
    struct gh_tok *toks;
    uint32_t ntok;
    uint16_t nvar;
    bool wild;                     /* has STAR or QMARK tokens */
    bool any;                      /* the pattern is exactly "*" */
    uint8_t nseg;                  /* ARN patterns: segments; 0 = match the whole string */
    uint32_t seg[GH_ARN_SEGS + 1]; /* token index where each segment starts */
    struct gh_slice raw;
};

/* Flags for gh_pat_compile. */
#define GH_PAT_WILD 1u  /* '*' and '?' are wildcards (else literal) */
#define GH_PAT_VARS 2u  /* ${...} are policy variables (Version 2012-10-17) */
#define GH_PAT_LOWER 4u /* lower-case the literals (case-insensitive matching) */
#define GH_PAT_ARN 8u   /* split into ARN segments at the first five ':' */

GH_MUST_CHECK enum gh_err gh_pat_compile(struct gh_arena *a, struct gh_slice text, unsigned flags,
                                         struct gh_pat *out);
/*
 * Matches `s` against `p`; `ci` compares ASCII case-insensitively. Variables
 * resolve from `c` (NULL: no variable resolves). Work is bounded by
 * pattern length x subject length.
 */
bool gh_pat_match(const struct gh_pat *p, struct gh_slice s, bool ci,
                  const struct gh_policy_ctx *c);
/* Matches an ARN subject whose first colons are at `colon` (n of them). */
bool gh_pat_match_arn(const struct gh_pat *p, struct gh_slice s, const uint16_t *colon,
                      size_t ncolon, const struct gh_policy_ctx *c);
/* Splits `s` at its first five colons: offsets into colon[], count returned. */
size_t gh_arn_colons(struct gh_slice s, uint16_t colon[5]);
/*
 * The plain wildcard matcher over a pattern given as text ('*' and '?'
 * are wildcards, nothing else is special), for tests and tools; it
 * allocates, so it is not for the hot path. False on NOMEM.
 */
bool gh_policy_wild_match(struct gh_slice pattern, struct gh_slice subject);

/* ---- conditions ---- */

enum gh_cond_op {
    GH_OP_STRING_EQUALS = 0,
    GH_OP_STRING_EQUALS_IC,
    GH_OP_STRING_LIKE,
    GH_OP_NUMERIC_EQ,
    GH_OP_NUMERIC_LT,
    GH_OP_NUMERIC_LE,
    GH_OP_NUMERIC_GT,
    GH_OP_NUMERIC_GE,
    GH_OP_DATE_EQ,
    GH_OP_DATE_LT,
    GH_OP_DATE_LE,
    GH_OP_DATE_GT,
    GH_OP_DATE_GE,
    GH_OP_BOOL,
    GH_OP_BINARY_EQUALS,
    GH_OP_IP_ADDRESS,
    GH_OP_ARN_LIKE, /* ArnEquals and ArnLike behave alike */
    GH_OP_NULL,
};

enum gh_cond_set { GH_SET_NONE = 0, GH_SET_ANY, GH_SET_ALL };

struct gh_ip {
    uint8_t addr[16];
    uint8_t family; /* 4 or 6 */
    uint8_t prefix; /* CIDR prefix length */
};

struct gh_cval {
    struct gh_slice raw;
    bool ok; /* the value parsed as its operator's type; if not, it matches nothing */
    union {
        struct gh_pat pat; /* String*, Arn* */
        double num;
        int64_t date;
        bool b; /* Bool, Null */
        struct gh_ip ip;
        struct gh_slice bin; /* BinaryEquals: decoded bytes */
    } u;
};

struct gh_cond {
    uint8_t op;  /* enum gh_cond_op */
    uint8_t set; /* enum gh_cond_set */
    bool negate; /* the Not form */
    bool if_exists;
    uint32_t key_hash;
    struct gh_slice key;
    struct gh_cval *vals;
    uint32_t nval;
};

/* Parses an operator name ("ForAnyValue:StringNotLikeIfExists"); false if unknown. */
bool gh_cond_op_parse(struct gh_slice name, struct gh_cond *out);
/*
 * Compiles one policy value of `c` from its text. A value that does not
 * parse as the operator's type gets ok=false (it matches nothing), except
 * dates: AWS refuses those ("The policy failed legacy parsing"), reported
 * as GH_ERR_MALFORMED_POLICY.
 */
GH_MUST_CHECK enum gh_err gh_cond_value_compile(struct gh_arena *a, const struct gh_cond *c,
                                                struct gh_slice text, bool vars,
                                                struct gh_cval *out);

/*
 * True when every condition of a block holds (AWS IAM: operators are
 * ANDed, keys within an operator ANDed, values of a key ORed). Keys the
 * block needs and `c` lacks are added to res->missing (res may be NULL).
 */
bool gh_cond_eval(const struct gh_cond *conds, size_t n, const struct gh_policy_ctx *c,
                  struct gh_policy_result *res);

/* ---- principals ---- */

enum gh_pe_kind {
    GH_PE_ALL = 0, /* "*" */
    GH_PE_ACCOUNT, /* account id or arn:aws:iam::ACCT:root */
    GH_PE_ARN,     /* user, role, assumed-role, federated-user ARN */
    GH_PE_SERVICE,
    GH_PE_FEDERATED,
    GH_PE_CANONICAL,
};

struct gh_pentry {
    uint8_t kind;
    struct gh_slice value;
};

/* How a Principal element matched (stronger is larger). */
enum gh_pmatch {
    GH_PM_NONE = 0,
    GH_PM_ACCOUNT,  /* named the account: the account's own policies decide */
    GH_PM_WILDCARD, /* "*" */
    GH_PM_ROLE,     /* named the role whose session calls */
    GH_PM_DIRECT,   /* named the caller itself */
};

/* A policy's principal bindings (gh_policy_src.bind); NULL = none. */
struct gh_policy_binds {
    const struct gh_policy_bind *v;
    size_t n;
};

enum gh_pmatch gh_principal_match(const struct gh_pentry *e, size_t n,
                                  const struct gh_policy_principal *p,
                                  const struct gh_policy_binds *b);
/* NotPrincipal: true when the statement applies to `p`. */
bool gh_principal_not_match(const struct gh_pentry *e, size_t n,
                            const struct gh_policy_principal *p, const struct gh_policy_binds *b);

/* ---- statements and policies ---- */

struct gh_stmt {
    bool deny;
    bool not_action;
    bool not_resource;
    bool has_principal; /* Principal or NotPrincipal present */
    bool not_principal;
    bool res_any; /* Resource contains "*" */
    struct gh_slice sid;
    struct gh_policy_pos start, end;
    struct gh_pat *actions;
    uint32_t nact;
    uint32_t *act_order; /* indexed statements: action patterns grouped by service */
    struct gh_pat *resources;
    uint32_t nres;
    struct gh_pentry *principals;
    uint32_t nprin;
    struct gh_cond *conds;
    uint32_t ncond;
};

/* One statement naming a service: the run of its action patterns that name it. */
struct gh_svc_hit {
    uint32_t stmt;
    uint32_t first, n; /* into stmts[stmt].act_order */
};

/* Statements whose Action names this service (lower-case), in order. */
struct gh_svc_index {
    struct gh_slice service;
    uint32_t hash; /* gh_key_hash(service) */
    struct gh_svc_hit *hits;
    uint32_t n;
};

struct gh_policy {
    atomic_uint refs;
    enum gh_policy_kind kind;
    struct gh_arena arena; /* everything below lives here */
    struct gh_slice text;  /* copy of the document */
    struct gh_slice version;
    bool vars; /* Version 2012-10-17: variables are substituted */
    struct gh_stmt *stmts;
    uint32_t nstmt;
    struct gh_svc_index *svc;
    uint32_t nsvc;
    uint32_t *svc_slots; /* open-addressing table of svc index + 1, 0 = empty */
    uint32_t svc_mask;   /* slots - 1 (a power of two) */
    uint64_t svc_bloom;  /* bit (hash & 63) set for each indexed service's hash */
    uint32_t *any_stmts; /* statements that may match any service (NotAction, "*") */
    uint32_t nany;
};

/*
 * Checks a parsed document against AWS's grammar for `kind`, in AWS's
 * order, and puts AWS's MalformedPolicyDocument message in diag->text
 * (validate.c). GH_OK or GH_ERR_MALFORMED_POLICY.
 */
GH_MUST_CHECK enum gh_err gh_policy_validate(json_t *root, enum gh_policy_kind kind,
                                             struct gh_diag *diag);
/* The statements of a valid document as an array (borrowed or new: decref it). */
json_t *gh_policy_statements(json_t *root);

/* The service index entry of `svc` (lower-case, hash gh_key_hash(svc)), or NULL. */
const struct gh_svc_index *gh_policy_svc_find(const struct gh_policy *p, struct gh_slice svc,
                                              uint32_t hash);

/* Records positions of each statement's braces (position.c). */
void gh_policy_positions(struct gh_policy *p);

/* ---- context internals ---- */

struct gh_policy_ctx_val {
    struct gh_slice str;
    uint32_t next; /* index+1 of the key's next value, 0 = end */
    uint8_t type;
    bool ok; /* the typed form below is valid */
    union {
        double num;
        int64_t date;
        bool b;
        struct gh_ip ip;
        struct gh_slice bin;
    } u;
};

struct gh_policy_ctx_key {
    struct gh_slice name;
    uint32_t hash;
    uint8_t type;
    uint32_t first, last; /* index+1 into vals, 0 = none */
    uint32_t count;
};

/* Case-insensitive hash of a key name (FNV-1a over lower-cased bytes). */
uint32_t gh_key_hash(struct gh_slice s);
const struct gh_policy_ctx_key *gh_ctx_key_find(const struct gh_policy_ctx *c, struct gh_slice name,
                                                uint32_t hash);
/* A variable's value: its key's single value, else the default; false when neither. */
bool gh_ctx_var(const struct gh_policy_ctx *c, const struct gh_tok *t, struct gh_slice *out);

/* Value parsers shared by the context and the condition compiler. */
bool gh_parse_number(struct gh_slice s, double *out);
bool gh_parse_date(struct gh_slice s, int64_t *out);
bool gh_parse_ip(struct gh_slice s, bool cidr, struct gh_ip *out);
bool gh_parse_bool(struct gh_slice s, bool *out);

#endif
