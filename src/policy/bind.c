/*
 * bind.c: principal bindings of stored resource-based policies: which
 * user and role ARNs a policy names, the stored form of ARN -> unique id,
 * and the rewrite that shows a bound principal under its current ARN or,
 * once it is gone, its unique id. The store lookups are the caller's.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

bool
gh_policy_arn_is_user_or_role(struct gh_slice arn)
{
    static const size_t acct = 13, kind = 13 + 12 + 1; /* "arn:aws:iam::", "ACCT:" */
    struct gh_slice rest;

    if (arn.len <= kind + 5 || !gh_slice_starts_with(arn, GH_S("arn:aws:iam::")) ||
        arn.ptr[kind - 1] != ':')
        return false;
    for (size_t i = acct; i < kind - 1; i++)
        if (arn.ptr[i] < '0' || arn.ptr[i] > '9')
            return false;
    rest = gh_slice_sub(arn, kind, arn.len - kind);
    return gh_slice_starts_with(rest, GH_S("user/")) || gh_slice_starts_with(rest, GH_S("role/"));
}

enum gh_err
gh_policy_principal_arns(const struct gh_policy *p, struct gh_arena *a, struct gh_slice **out,
                         size_t *count)
{
    size_t total = 0, n = 0;
    struct gh_slice *v;

    *out = NULL;
    *count = 0;
    for (uint32_t i = 0; i < p->nstmt; i++)
        total += p->stmts[i].nprin;
    if (total == 0)
        return GH_OK;
    if ((v = gh_arena_alloc(a, total * sizeof(*v))) == NULL)
        return GH_ERR_NOMEM;
    for (uint32_t i = 0; i < p->nstmt; i++) {
        const struct gh_stmt *st = &p->stmts[i];
        for (uint32_t j = 0; j < st->nprin; j++) {
            const struct gh_pentry *e = &st->principals[j];
            bool seen = false;

            if (e->kind != GH_PE_ARN || !gh_policy_arn_is_user_or_role(e->value))
                continue;
            for (size_t k = 0; k < n && !seen; k++)
                seen = gh_slice_eq(v[k], e->value);
            if (!seen)
                v[n++] = e->value;
        }
    }
    *out = v;
    *count = n;
    return GH_OK;
}

/* json_dumps output copied into the arena; frees it. */
static enum gh_err
dump(json_t *root, size_t flags, struct gh_arena *a, struct gh_slice *out)
{
    char *text = json_dumps(root, flags);
    enum gh_err err;

    if (text == NULL)
        return GH_ERR_NOMEM;
    err = gh_arena_dup(a, gh_slice_from_cstr(text), out);
    free(text);
    return err;
}

enum gh_err
gh_policy_bind_encode(const struct gh_policy_bind *b, size_t n, struct gh_arena *a,
                      struct gh_slice *out)
{
    json_t *root = NULL;
    enum gh_err err = GH_ERR_NOMEM;

    *out = GH_S("");
    if (n == 0)
        return GH_OK;
    if ((root = json_object()) == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        char *key = gh_arena_strndup(a, b[i].arn);
        json_t *id = json_stringn(b[i].id.ptr, b[i].id.len);

        if (key == NULL || id == NULL || json_object_set_new(root, key, id) != 0) {
            json_decref(id);
            goto done;
        }
    }
    err = dump(root, JSON_COMPACT, a, out);
done:
    json_decref(root);
    return err;
}

enum gh_err
gh_policy_bind_parse(struct gh_slice text, struct gh_arena *a, struct gh_policy_bind **out,
                     size_t *count)
{
    json_t *root, *v;
    const char *k;
    struct gh_policy_bind *b;
    size_t n = 0;
    enum gh_err err = GH_ERR_INVALID_INPUT;

    *out = NULL;
    *count = 0;
    unsigned long failed = gh_alloc_failures();

    if (text.len == 0)
        return GH_OK;
    root = json_loadb(text.ptr, text.len, JSON_REJECT_DUPLICATES, NULL);
    /* Out of memory inside jansson may drop a character of a string (jansson
     * issue #362): an ARN that lost one would be left unbound and match by
     * name, so any allocation failure during the parse refuses it. */
    if (gh_alloc_failures() != failed) {
        json_decref(root);
        return GH_ERR_NOMEM;
    }
    if (root == NULL)
        return GH_ERR_INVALID_INPUT;
    if (!json_is_object(root))
        goto done;
    if (json_object_size(root) == 0) { /* "{}": bound, nothing to bind */
        err = GH_OK;
        goto done;
    }
    if ((b = gh_arena_alloc(a, json_object_size(root) * sizeof(*b))) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    json_object_foreach(root, k, v)
    {
        struct gh_slice arn = gh_slice_from_cstr(k);
        struct gh_slice id = {json_string_value(v), json_string_length(v)};

        if (!json_is_string(v) || id.len == 0 || !gh_policy_arn_is_user_or_role(arn))
            goto done;
        if ((err = gh_arena_dup(a, arn, &b[n].arn)) != GH_OK ||
            (err = gh_arena_dup(a, id, &b[n].id)) != GH_OK)
            goto done;
        err = GH_ERR_INVALID_INPUT;
        n++;
    }
    *out = b;
    *count = n;
    err = GH_OK;
done:
    json_decref(root);
    return err;
}

/* Replaces the strings of one "AWS" value (a string or an array of them). */
static int
rewrite_value(json_t *aws, const struct gh_policy_bind *map, size_t n)
{
    size_t len = json_is_array(aws) ? json_array_size(aws) : 1;

    for (size_t i = 0; i < len; i++) {
        json_t *s = json_is_array(aws) ? json_array_get(aws, i) : aws;
        struct gh_slice v = {json_string_value(s), json_string_length(s)};

        if (!json_is_string(s))
            continue;
        for (size_t j = 0; j < n; j++) {
            if (!gh_slice_eq(v, map[j].arn))
                continue;
            if (json_string_setn(s, map[j].id.ptr, map[j].id.len) != 0)
                return -1;
            break;
        }
    }
    return 0;
}

enum gh_err
gh_policy_principals_rewrite(struct gh_slice json, const struct gh_policy_bind *map, size_t n,
                             struct gh_arena *a, struct gh_slice *out)
{
    static const char *const elems[] = {"Principal", "NotPrincipal"};
    json_t *root, *stmts;
    size_t len;
    enum gh_err err = GH_ERR_NOMEM;

    unsigned long failed = gh_alloc_failures();

    *out = GH_SLICE_NULL;
    root = json_loadb(json.ptr == NULL ? "" : json.ptr, json.len, JSON_REJECT_DUPLICATES, NULL);
    if (gh_alloc_failures() != failed) { /* jansson issue #362, as above */
        json_decref(root);
        return GH_ERR_NOMEM;
    }
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return GH_ERR_INVALID_INPUT;
    }
    stmts = json_object_get(root, "Statement");
    len = json_is_array(stmts) ? json_array_size(stmts) : stmts != NULL;
    for (size_t i = 0; i < len; i++) {
        json_t *st = json_is_array(stmts) ? json_array_get(stmts, i) : stmts;

        for (size_t e = 0; e < GH_ARRAY_LEN(elems) && json_is_object(st); e++) {
            json_t *aws = json_object_get(json_object_get(st, elems[e]), "AWS");
            if (aws != NULL && rewrite_value(aws, map, n) != 0)
                goto done;
        }
    }
    /* Fifteen digits print a JSON number such as 0.1 as written. */
    err = dump(root, JSON_COMPACT | JSON_REAL_PRECISION(15), a, out);
done:
    json_decref(root);
    return err;
}
