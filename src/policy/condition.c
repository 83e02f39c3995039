/*
 * condition.c: the Condition element: operator names resolved once to an
 * operator, a Not flag, IfExists and the ForAnyValue/ForAllValues set
 * qualifier; policy values compiled to their type; and evaluation against
 * the request context with AWS's rules for missing keys, empty sets and
 * multi-valued keys.
 */
#include <string.h>

#include "policy/policy_int.h"

/* AWS IAM "IAM JSON policy elements: Condition operators". */
static const struct {
    const char *name;
    enum gh_cond_op op;
    bool negate;
} ops[] = {
    {"StringEquals", GH_OP_STRING_EQUALS, false},
    {"StringNotEquals", GH_OP_STRING_EQUALS, true},
    {"StringEqualsIgnoreCase", GH_OP_STRING_EQUALS_IC, false},
    {"StringNotEqualsIgnoreCase", GH_OP_STRING_EQUALS_IC, true},
    {"StringLike", GH_OP_STRING_LIKE, false},
    {"StringNotLike", GH_OP_STRING_LIKE, true},
    {"NumericEquals", GH_OP_NUMERIC_EQ, false},
    {"NumericNotEquals", GH_OP_NUMERIC_EQ, true},
    {"NumericLessThan", GH_OP_NUMERIC_LT, false},
    {"NumericLessThanEquals", GH_OP_NUMERIC_LE, false},
    {"NumericGreaterThan", GH_OP_NUMERIC_GT, false},
    {"NumericGreaterThanEquals", GH_OP_NUMERIC_GE, false},
    {"DateEquals", GH_OP_DATE_EQ, false},
    {"DateNotEquals", GH_OP_DATE_EQ, true},
    {"DateLessThan", GH_OP_DATE_LT, false},
    {"DateLessThanEquals", GH_OP_DATE_LE, false},
    {"DateGreaterThan", GH_OP_DATE_GT, false},
    {"DateGreaterThanEquals", GH_OP_DATE_GE, false},
    {"Bool", GH_OP_BOOL, false},
    {"BinaryEquals", GH_OP_BINARY_EQUALS, false},
    {"IpAddress", GH_OP_IP_ADDRESS, false},
    {"NotIpAddress", GH_OP_IP_ADDRESS, true},
    {"ArnEquals", GH_OP_ARN_LIKE, false},
    {"ArnLike", GH_OP_ARN_LIKE, false},
    {"ArnNotEquals", GH_OP_ARN_LIKE, true},
    {"ArnNotLike", GH_OP_ARN_LIKE, true},
    {"Null", GH_OP_NULL, false},
};

bool
gh_cond_op_parse(struct gh_slice name, struct gh_cond *out)
{
    const struct gh_slice any = GH_S("ForAnyValue:"), all = GH_S("ForAllValues:");
    const struct gh_slice ifx = GH_S("IfExists");

    memset(out, 0, sizeof(*out));
    if (gh_slice_starts_with(name, any)) {
        out->set = GH_SET_ANY;
        name = gh_slice_sub(name, any.len, name.len);
    } else if (gh_slice_starts_with(name, all)) {
        out->set = GH_SET_ALL;
        name = gh_slice_sub(name, all.len, name.len);
    }
    if (gh_slice_ends_with(name, ifx)) {
        out->if_exists = true;
        name.len -= ifx.len;
    }
    for (size_t i = 0; i < GH_ARRAY_LEN(ops); i++) {
        if (gh_slice_eq_cstr(name, ops[i].name)) {
            /* AWS IAM: IfExists applies to every operator but Null. */
            if (ops[i].op == GH_OP_NULL && (out->if_exists || out->set != GH_SET_NONE))
                return false;
            out->op = (uint8_t)ops[i].op;
            out->negate = ops[i].negate;
            return true;
        }
    }
    return false;
}

enum gh_err
gh_cond_value_compile(struct gh_arena *a, const struct gh_cond *c, struct gh_slice text, bool vars,
                      struct gh_cval *out)
{
    unsigned vf = vars ? GH_PAT_VARS : 0;

    memset(out, 0, sizeof(*out));
    out->raw = text;
    out->ok = true;
    switch ((enum gh_cond_op)c->op) {
    case GH_OP_STRING_EQUALS:
        return gh_pat_compile(a, text, vf, &out->u.pat);
    case GH_OP_STRING_EQUALS_IC:
        return gh_pat_compile(a, text, vf | GH_PAT_LOWER, &out->u.pat);
    case GH_OP_STRING_LIKE:
        return gh_pat_compile(a, text, vf | GH_PAT_WILD, &out->u.pat);
    case GH_OP_ARN_LIKE:
        /* AWS IAM: "Each of the six colon-delimited components of the ARN
         * is checked separately and each can include wildcards." */
        return gh_pat_compile(a, text, vf | GH_PAT_WILD | GH_PAT_ARN, &out->u.pat);
    case GH_OP_NUMERIC_EQ:
    case GH_OP_NUMERIC_LT:
    case GH_OP_NUMERIC_LE:
    case GH_OP_NUMERIC_GT:
    case GH_OP_NUMERIC_GE:
        out->ok = gh_parse_number(text, &out->u.num);
        return GH_OK;
    case GH_OP_DATE_EQ:
    case GH_OP_DATE_LT:
    case GH_OP_DATE_LE:
    case GH_OP_DATE_GT:
    case GH_OP_DATE_GE:
        return gh_parse_date(text, &out->u.date) ? GH_OK : GH_ERR_MALFORMED_POLICY;
    case GH_OP_BOOL:
    case GH_OP_NULL:
        out->ok = gh_parse_bool(text, &out->u.b);
        return GH_OK;
    case GH_OP_IP_ADDRESS:
        out->ok = gh_parse_ip(text, true, &out->u.ip);
        return GH_OK;
    case GH_OP_BINARY_EQUALS: {
        struct gh_buf b;
        enum gh_err err = GH_OK;

        gh_buf_init(&b, text.len + 16);
        if (gh_base64_decode(text, false, &b) == GH_OK)
            err = gh_arena_dup(a, gh_buf_slice(&b), &out->u.bin);
        else
            out->ok = false;
        gh_buf_cleanup(&b);
        return err;
    }
    }
    return GH_ERR_INTERNAL;
}

static bool
ip_in(const struct gh_ip *net, const struct gh_ip *ip)
{
    unsigned full, rem;

    if (net->family != ip->family)
        return false;
    full = net->prefix / 8;
    rem = net->prefix % 8;
    if (memcmp(net->addr, ip->addr, full) != 0)
        return false;
    if (rem != 0) {
        uint8_t mask = (uint8_t)(0xffu << (8 - rem));
        if ((net->addr[full] & mask) != (ip->addr[full] & mask))
            return false;
    }
    return true;
}

static int
cmp_num(double a, double b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static int
cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static bool
ordered(enum gh_cond_op op, int cmp)
{
    switch (op) {
    case GH_OP_NUMERIC_EQ:
    case GH_OP_DATE_EQ:
        return cmp == 0;
    case GH_OP_NUMERIC_LT:
    case GH_OP_DATE_LT:
        return cmp < 0;
    case GH_OP_NUMERIC_LE:
    case GH_OP_DATE_LE:
        return cmp <= 0;
    case GH_OP_NUMERIC_GT:
    case GH_OP_DATE_GT:
        return cmp > 0;
    case GH_OP_NUMERIC_GE:
    case GH_OP_DATE_GE:
        return cmp >= 0;
    default:
        return false;
    }
}

/* Does the request value `v` match policy value `pv` (the positive form)? */
static bool
value_match(const struct gh_cond *cd, const struct gh_cval *pv, const struct gh_policy_ctx_val *v,
            const struct gh_policy_ctx *c)
{
    enum gh_cond_op op = (enum gh_cond_op)cd->op;

    if (!pv->ok)
        return false;
    switch (op) {
    case GH_OP_STRING_EQUALS:
    case GH_OP_STRING_LIKE:
        return gh_pat_match(&pv->u.pat, v->str, false, c);
    case GH_OP_STRING_EQUALS_IC:
        return gh_pat_match(&pv->u.pat, v->str, true, c);
    case GH_OP_ARN_LIKE:
        return gh_pat_match(&pv->u.pat, v->str, false, c);
    case GH_OP_NUMERIC_EQ:
    case GH_OP_NUMERIC_LT:
    case GH_OP_NUMERIC_LE:
    case GH_OP_NUMERIC_GT:
    case GH_OP_NUMERIC_GE: {
        double d;
        if (v->type == GH_PT_NUMBER && v->ok)
            d = v->u.num;
        else if (!gh_parse_number(v->str, &d))
            return false;
        return ordered(op, cmp_num(d, pv->u.num));
    }
    case GH_OP_DATE_EQ:
    case GH_OP_DATE_LT:
    case GH_OP_DATE_LE:
    case GH_OP_DATE_GT:
    case GH_OP_DATE_GE: {
        int64_t t;
        if (v->type == GH_PT_DATE && v->ok)
            t = v->u.date;
        else if (!gh_parse_date(v->str, &t))
            return false;
        return ordered(op, cmp_i64(t, pv->u.date));
    }
    case GH_OP_BOOL: {
        bool b;
        if (v->type == GH_PT_BOOL && v->ok)
            b = v->u.b;
        else if (!gh_parse_bool(v->str, &b))
            return false;
        return b == pv->u.b;
    }
    case GH_OP_BINARY_EQUALS:
        if (v->type == GH_PT_BINARY && v->ok)
            return gh_slice_eq(v->u.bin, pv->u.bin);
        return gh_slice_eq(v->str, pv->raw);
    case GH_OP_IP_ADDRESS: {
        struct gh_ip ip;
        if (v->type == GH_PT_IP && v->ok)
            ip = v->u.ip;
        else if (!gh_parse_ip(v->str, false, &ip))
            return false;
        return ip_in(&pv->u.ip, &ip);
    }
    case GH_OP_NULL:
        return false;
    }
    return false;
}

static bool
any_policy_value(const struct gh_cond *cd, const struct gh_policy_ctx_val *v,
                 const struct gh_policy_ctx *c)
{
    for (uint32_t i = 0; i < cd->nval; i++)
        if (value_match(cd, &cd->vals[i], v, c))
            return true;
    return false;
}

static void
note_missing(struct gh_policy_result *res, struct gh_slice key)
{
    if (res == NULL)
        return;
    for (size_t i = 0; i < res->missing_count; i++)
        if (gh_slice_case_eq(res->missing[i], key))
            return;
    if (res->missing_count < GH_POLICY_MISSING_MAX)
        res->missing[res->missing_count++] = key;
}

static bool
cond_holds(const struct gh_cond *cd, const struct gh_policy_ctx *c, struct gh_policy_result *res)
{
    const struct gh_policy_ctx_key *k = gh_ctx_key_find(c, cd->key, cd->key_hash);
    bool present = k != NULL && k->count > 0;

    if (cd->op == GH_OP_NULL) {
        /* AWS IAM "Condition operator to check existence of condition
         * keys": "true" matches an absent key, "false" a present one. */
        for (uint32_t i = 0; i < cd->nval; i++)
            if (cd->vals[i].ok && cd->vals[i].u.b == !present)
                return true;
        return false;
    }
    if (!present) {
        if (k == NULL)
            note_missing(res, cd->key);
        /* AWS IAM: IfExists passes when the key is absent. ForAllValues
         * is true on a missing key or empty set, ForAnyValue false. Other
         * operators are false, except negated ones ("the condition is
         * true if ... the key is not present"). */
        if (cd->if_exists || cd->set == GH_SET_ALL)
            return true;
        if (cd->set == GH_SET_ANY)
            return false;
        return cd->negate;
    }
    {
        bool any = false, all = true;

        for (uint32_t vi = k->first; vi != 0; vi = c->vals[vi - 1].next) {
            bool m = any_policy_value(cd, &c->vals[vi - 1], c);

            if (cd->negate)
                m = !m;
            any = any || m;
            all = all && m;
            if (cd->set == GH_SET_ALL ? !all : (cd->set == GH_SET_ANY && any))
                break;
        }
        switch ((enum gh_cond_set)cd->set) {
        case GH_SET_ALL:
            return all;
        case GH_SET_ANY:
            return any;
        case GH_SET_NONE:
            /* A plain operator on a multi-valued key: the positive form
             * holds when any request value matches; the Not form when
             * none does. */
            return cd->negate ? all : any;
        }
    }
    return false;
}

bool
gh_cond_eval(const struct gh_cond *conds, size_t n, const struct gh_policy_ctx *c,
             struct gh_policy_result *res)
{
    bool ok = true;

    for (size_t i = 0; i < n; i++) {
        if (!cond_holds(&conds[i], c, res)) {
            ok = false;
            /* Keep going only to report every missing key. */
            if (res == NULL)
                break;
        }
    }
    return ok;
}
