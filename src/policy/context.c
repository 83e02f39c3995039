/*
 * context.c: the per-request context the engine decides on: action,
 * resource, principal and typed, possibly multi-valued condition keys,
 * all in the request's arena; plus the value parsers (number, date, IP,
 * bool) that conditions share.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

static char
lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

uint32_t
gh_key_hash(struct gh_slice s)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < s.len; i++) {
        h ^= (uint8_t)lower(s.ptr[i]);
        h *= 16777619u;
    }
    return h;
}

bool
gh_parse_number(struct gh_slice s, double *out)
{
    char buf[64];
    char *end = NULL;
    double v;

    if (s.len == 0 || s.len >= sizeof(buf))
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' ||
              ch == 'E'))
            return false;
    }
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    v = strtod(buf, &end);
    if (end != buf + s.len || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool
gh_parse_date(struct gh_slice s, int64_t *out)
{
    bool digits = s.len > 0 && s.len <= 18;

    for (size_t i = 0; i < s.len && digits; i++)
        digits = s.ptr[i] >= '0' && s.ptr[i] <= '9';
    if (digits) {
        uint64_t v;
        /* AWS IAM "Date condition operators": epoch (UNIX) time is accepted too. */
        if (gh_parse_u64(s, (uint64_t)INT64_MAX, &v) != GH_OK)
            return false;
        *out = (int64_t)v;
        return true;
    }
    /*
     * AWS IAM "Date condition operators": "You must use one of the W3C
     * implementations of the ISO 8601 date formats": YYYY (all digits, read
     * as epoch seconds above, as AWS reads it), YYYY-MM, YYYY-MM-DD and the
     * forms with a time. A year-month stands for its first instant.
     */
    if (s.len == 7 && s.ptr[4] == '-') {
        char full[10];

        memcpy(full, s.ptr, 7);
        memcpy(full + 7, "-01", 3);
        return gh_time_parse_iso8601((struct gh_slice){full, sizeof(full)}, out) == GH_OK;
    }
    return gh_time_parse_iso8601(s, out) == GH_OK;
}

bool
gh_parse_bool(struct gh_slice s, bool *out)
{
    if (gh_slice_case_eq(s, GH_S("true"))) {
        *out = true;
        return true;
    }
    if (gh_slice_case_eq(s, GH_S("false"))) {
        *out = false;
        return true;
    }
    return false;
}

bool
gh_parse_ip(struct gh_slice s, bool cidr, struct gh_ip *out)
{
    char buf[64];
    long slash = cidr ? gh_slice_index(s, '/') : -1;
    size_t alen = slash >= 0 ? (size_t)slash : s.len;
    unsigned maxp;

    memset(out, 0, sizeof(*out));
    if (alen == 0 || alen >= sizeof(buf))
        return false;
    memcpy(buf, s.ptr, alen);
    buf[alen] = '\0';
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = 4;
        maxp = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = 6;
        maxp = 128;
    } else {
        return false;
    }
    out->prefix = (uint8_t)maxp;
    if (slash >= 0) {
        uint64_t p;
        if (gh_parse_u64(gh_slice_sub(s, alen + 1, s.len - alen - 1), maxp, &p) != GH_OK)
            return false;
        out->prefix = (uint8_t)p;
    }
    return true;
}

void
gh_policy_ctx_init(struct gh_policy_ctx *c, struct gh_arena *a)
{
    memset(c, 0, sizeof(*c));
    c->arena = a;
}

enum gh_err
gh_policy_ctx_set_action(struct gh_policy_ctx *c, struct gh_slice action)
{
    long colon = gh_slice_index(action, ':');
    char *low;

    if (colon <= 0 || (size_t)colon + 1 >= action.len)
        return GH_ERR_INVALID_INPUT;
    low = gh_arena_alloc(c->arena, action.len + 1);
    if (low == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < action.len; i++)
        low[i] = lower(action.ptr[i]);
    c->action = action;
    c->action_lower = (struct gh_slice){low, action.len};
    c->service_len = (size_t)colon;
    c->service_hash = gh_key_hash(gh_slice_sub(c->action_lower, 0, c->service_len));
    return GH_OK;
}

enum gh_err
gh_policy_ctx_set_resource(struct gh_policy_ctx *c, struct gh_slice arn)
{
    if (arn.len > UINT16_MAX)
        return GH_ERR_INVALID_INPUT;
    c->resource = arn;
    c->res_ncolon = (uint8_t)gh_arn_colons(arn, c->res_colon);
    return GH_OK;
}

void
gh_policy_ctx_set_principal(struct gh_policy_ctx *c, const struct gh_policy_principal *p)
{
    c->principal = *p;
}

void
gh_policy_ctx_set_bounded(struct gh_policy_ctx *c, bool bounded)
{
    c->principal_bounded = bounded;
}

const struct gh_policy_ctx_key *
gh_ctx_key_find(const struct gh_policy_ctx *c, struct gh_slice name, uint32_t hash)
{
    for (size_t i = 0; i < c->nkeys; i++) {
        const struct gh_policy_ctx_key *k = &c->keys[i];
        /* Names are case-insensitive, but mostly written alike: try the cheap compare first. */
        if (k->hash == hash && (gh_slice_eq(k->name, name) || gh_slice_case_eq(k->name, name)))
            return k;
    }
    return NULL;
}

bool
gh_ctx_var(const struct gh_policy_ctx *c, const struct gh_tok *t, struct gh_slice *out)
{
    const struct gh_policy_ctx_key *k =
        c == NULL ? NULL : gh_ctx_key_find(c, t->text, gh_key_hash(t->text));

    /* AWS IAM "Policy variables": a multivalued key cannot be a variable;
     * a missing key takes the default when there is one. */
    if (k != NULL && k->count == 1) {
        *out = c->vals[k->first - 1].str;
        return true;
    }
    if (t->has_def) {
        *out = t->def;
        return true;
    }
    return false;
}

static enum gh_err
grow(struct gh_arena *a, void **arr, size_t *cap, size_t n, size_t elem)
{
    void *na;
    size_t ncap;

    if (n < *cap)
        return GH_OK;
    ncap = *cap == 0 ? 16 : *cap * 2;
    na = gh_arena_alloc(a, ncap * elem);
    if (na == NULL)
        return GH_ERR_NOMEM;
    if (*arr != NULL)
        memcpy(na, *arr, n * elem);
    *arr = na;
    *cap = ncap;
    return GH_OK;
}

static enum gh_err
key_get(struct gh_policy_ctx *c, struct gh_slice key, enum gh_policy_type type,
        struct gh_policy_ctx_key **out)
{
    uint32_t h = gh_key_hash(key);
    struct gh_policy_ctx_key *k = (struct gh_policy_ctx_key *)gh_ctx_key_find(c, key, h);
    enum gh_err err;

    if (key.len == 0)
        return GH_ERR_INVALID_INPUT;
    if (k == NULL) {
        if (c->nkeys >= 4096)
            return GH_ERR_LIMIT;
        err = grow(c->arena, (void **)&c->keys, &c->keys_cap, c->nkeys, sizeof(*c->keys));
        if (err != GH_OK)
            return err;
        k = &c->keys[c->nkeys++];
        memset(k, 0, sizeof(*k));
        k->name = key;
        k->hash = h;
        k->type = (uint8_t)type;
    }
    *out = k;
    return GH_OK;
}

static enum gh_err
value_parse(struct gh_arena *a, enum gh_policy_type type, struct gh_slice s,
            struct gh_policy_ctx_val *v)
{
    memset(v, 0, sizeof(*v));
    v->str = s;
    v->type = (uint8_t)type;
    v->ok = true;
    switch (type) {
    case GH_PT_STRING:
    case GH_PT_ARN:
        return GH_OK;
    case GH_PT_NUMBER:
        return gh_parse_number(s, &v->u.num) ? GH_OK : GH_ERR_INVALID_INPUT;
    case GH_PT_DATE:
        return gh_parse_date(s, &v->u.date) ? GH_OK : GH_ERR_INVALID_INPUT;
    case GH_PT_BOOL:
        return gh_parse_bool(s, &v->u.b) ? GH_OK : GH_ERR_INVALID_INPUT;
    case GH_PT_IP:
        return gh_parse_ip(s, false, &v->u.ip) ? GH_OK : GH_ERR_INVALID_INPUT;
    case GH_PT_BINARY: {
        struct gh_buf b;
        enum gh_err err;

        gh_buf_init(&b, s.len + 16);
        err = gh_base64_decode(s, false, &b);
        if (err == GH_OK)
            err = gh_arena_dup(a, gh_buf_slice(&b), &v->u.bin);
        else
            err = GH_ERR_INVALID_INPUT;
        gh_buf_cleanup(&b);
        return err;
    }
    }
    return GH_ERR_INVALID_INPUT;
}

enum gh_err
gh_policy_ctx_add(struct gh_policy_ctx *c, struct gh_slice key, enum gh_policy_type type,
                  struct gh_slice value)
{
    struct gh_policy_ctx_key *k;
    struct gh_policy_ctx_val v;
    enum gh_err err;

    if ((err = value_parse(c->arena, type, value, &v)) != GH_OK)
        return err;
    if ((err = key_get(c, key, type, &k)) != GH_OK)
        return err;
    if (c->nvals >= 65536)
        return GH_ERR_LIMIT;
    err = grow(c->arena, (void **)&c->vals, &c->vals_cap, c->nvals, sizeof(*c->vals));
    if (err != GH_OK)
        return err;
    c->vals[c->nvals++] = v;
    if (k->last != 0)
        c->vals[k->last - 1].next = (uint32_t)c->nvals;
    else
        k->first = (uint32_t)c->nvals;
    k->last = (uint32_t)c->nvals;
    k->count++;
    return GH_OK;
}

enum gh_err
gh_policy_ctx_add_empty(struct gh_policy_ctx *c, struct gh_slice key, enum gh_policy_type type)
{
    struct gh_policy_ctx_key *k;

    return key_get(c, key, type, &k);
}

long
gh_policy_ctx_count(const struct gh_policy_ctx *c, struct gh_slice key)
{
    const struct gh_policy_ctx_key *k = gh_ctx_key_find(c, key, gh_key_hash(key));

    return k == NULL ? -1 : (long)k->count;
}
