/*
 * bind.c: principal bindings of stored resource-based policies (role trust
 * policies, bucket policies): resolving the user and role ARNs a document
 * names to unique ids when it is saved, handing the bindings to the policy
 * engine, and showing a document under its principals' current ARNs (or
 * their ids, once deleted). The store is read here; the engine only gets
 * the bindings as data.
 */
#include <string.h>

#include "api/api_int.h"

/* The parts of a user or role ARN (gh_policy_arn_is_user_or_role holds). */
struct entity_arn {
    struct gh_slice account;
    bool role;
    struct gh_slice path; /* "/", "/team/" */
    struct gh_slice name; /* empty when the ARN ends with '/' */
};

static void
arn_split(struct gh_slice arn, struct entity_arn *out)
{
    /* arn:aws:iam::ACCOUNT:user/PATH/NAME: path runs from the kind's '/'
     * to the last '/', both included. */
    size_t kind = 13 + 12 + 1, last = kind + 4;

    out->account = gh_slice_sub(arn, 13, 12);
    out->role = arn.ptr[kind] == 'r';
    for (size_t i = kind + 4; i < arn.len; i++)
        if (arn.ptr[i] == '/')
            last = i;
    out->path = gh_slice_sub(arn, kind + 4, last + 1 - (kind + 4));
    out->name = gh_slice_sub(arn, last + 1, arn.len - (last + 1));
}

/*
 * The unique id of the user or role `arn` names; NOT_FOUND when none has
 * exactly that path and name (ARNs compare case-sensitively, though names
 * are unique case-insensitively). *hosted is false, and *id unset, when
 * the ARN's account is not one this store holds: it cannot be checked.
 */
static enum gh_err
resolve(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice arn, struct gh_slice *id,
        bool *hosted)
{
    struct entity_arn e;
    struct gh_user u;
    struct gh_role r;
    enum gh_err err;
    char *account;

    *hosted = false;
    arn_split(arn, &e);
    if ((account = gh_arena_strndup(a, e.account)) == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_store_account_exists(tx, account)) == GH_ERR_NOT_FOUND)
        return GH_OK;
    if (err != GH_OK)
        return err;
    *hosted = true;
    if (e.name.len == 0)
        return GH_ERR_NOT_FOUND;
    if (e.role) {
        if ((err = gh_store_role_get(tx, a, e.account, e.name, &r)) != GH_OK)
            return err;
        if (!gh_slice_eq(r.name, e.name) || !gh_slice_eq(r.path, e.path))
            return GH_ERR_NOT_FOUND;
        *id = r.id;
        return GH_OK;
    }
    if ((err = gh_store_user_get(tx, a, e.account, e.name, &u)) != GH_OK)
        return err;
    if (!gh_slice_eq(u.name, e.name) || !gh_slice_eq(u.path, e.path))
        return GH_ERR_NOT_FOUND;
    *id = u.id;
    return GH_OK;
}

/*
 * What a hosted ARN naming no user or role is bound to by the pass over
 * legacy documents: no caller's unique id (aws:userid: AIDA.../AROA...,
 * ACCOUNT:NAME, a 12-digit account) can equal it, so it trusts nobody.
 */
#define UNBOUND_ID "gatehouse:deleted-before-binding"

/* gh_api_principals_bind; `lenient` binds a missing hosted ARN to UNBOUND_ID. */
static enum gh_err
bind_policy(struct gh_store_tx *tx, struct gh_arena *a, const struct gh_policy *p, bool lenient,
            struct gh_slice *bind, struct gh_slice *bad)
{
    struct gh_slice *arns;
    struct gh_policy_bind *b;
    size_t n, nb = 0;
    enum gh_err err;

    /* "{}", never "": an empty binding marks a document saved before them. */
    *bind = GH_S("{}");
    *bad = GH_SLICE_NULL;
    if ((err = gh_policy_principal_arns(p, a, &arns, &n)) != GH_OK || n == 0)
        return err;
    if ((b = gh_arena_alloc(a, n * sizeof(*b))) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        bool hosted;

        err = resolve(tx, a, arns[i], &b[nb].id, &hosted);
        if (err == GH_ERR_NOT_FOUND && lenient) {
            b[nb].id = GH_S(UNBOUND_ID);
            err = GH_OK;
        }
        if (err == GH_ERR_NOT_FOUND) {
            /* A copy: `arns` points into `p`, which the caller may drop first. */
            if ((err = gh_arena_dup(a, arns[i], bad)) != GH_OK)
                return err;
            return GH_ERR_MALFORMED_POLICY;
        }
        if (err != GH_OK)
            return err;
        if (!hosted)
            continue;
        b[nb++].arn = arns[i];
    }
    if (nb == 0)
        return GH_OK;
    return gh_policy_bind_encode(b, nb, a, bind);
}

enum gh_err
gh_api_principals_bind(struct gh_store_tx *tx, struct gh_arena *a, const struct gh_policy *p,
                       struct gh_slice *bind, struct gh_slice *bad)
{
    return bind_policy(tx, a, p, false, bind, bad);
}

/* The bindings of stored document `doc` of `kind`, leniently; "" when it does not compile. */
static enum gh_err
bind_stored(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice doc,
            enum gh_policy_kind kind, struct gh_slice *bind)
{
    struct gh_policy *p = NULL;
    struct gh_diag diag;
    struct gh_slice bad;
    enum gh_err err;

    *bind = GH_S("");
    gh_diag_clear(&diag);
    if ((err = gh_policy_compile(doc, kind, &diag, &p)) != GH_OK)
        /* It grants nothing as it is (every use compiles it): left as found. */
        return err == GH_ERR_NOMEM ? err : GH_OK;
    err = bind_policy(tx, a, p, true, bind, &bad);
    gh_policy_unref(p);
    return err;
}

enum gh_err
gh_api_principals_bind_legacy(struct gh_store *store, size_t *count)
{
    struct gh_store_tx *tx = NULL;
    struct gh_arena a;
    struct gh_role *roles;
    struct gh_s3_bucket_rec *buckets;
    size_t nroles, nbuckets;
    enum gh_err err;

    *count = 0;
    gh_arena_init(&a);
    if ((err = gh_store_tx_begin(store, true, &tx)) != GH_OK)
        goto done;
    if ((err = gh_store_role_list_unbound(tx, &a, &roles, &nroles)) != GH_OK ||
        (err = gh_store_s3_bucket_list_unbound(tx, &a, &buckets, &nbuckets)) != GH_OK)
        goto done;
    for (size_t i = 0; i < nroles; i++) {
        if ((err = bind_stored(tx, &a, roles[i].trust_policy, GH_POLICY_TRUST,
                               &roles[i].trust_bind)) != GH_OK)
            goto done;
        if (roles[i].trust_bind.len == 0)
            continue;
        if ((err = gh_store_role_update(tx, &roles[i])) != GH_OK)
            goto done;
        (*count)++;
    }
    for (size_t i = 0; i < nbuckets; i++) {
        struct gh_slice bind;

        if ((err = bind_stored(tx, &a, buckets[i].policy, GH_POLICY_RESOURCE, &bind)) != GH_OK)
            goto done;
        if (bind.len == 0)
            continue;
        if ((err = gh_store_s3_bucket_set_policy(tx, buckets[i].name, buckets[i].policy, bind)) !=
            GH_OK)
            goto done;
        (*count)++;
    }
    err = gh_store_tx_commit(tx);
    tx = NULL;
done:
    if (tx != NULL)
        gh_store_tx_rollback(tx);
    gh_arena_cleanup(&a);
    return err;
}

enum gh_err
gh_api_principals_src(struct gh_arena *a, struct gh_slice bind, struct gh_policy_src *src)
{
    struct gh_policy_bind *b;
    size_t n;
    enum gh_err err;

    src->bind = NULL;
    src->bind_count = 0;
    if ((err = gh_policy_bind_parse(bind, a, &b, &n)) != GH_OK)
        return err == GH_ERR_NOMEM ? err : GH_ERR_INTERNAL;
    src->bind = b;
    src->bind_count = n;
    return GH_OK;
}

/* What bound principal `b` reads as now: its current ARN, or its id once gone. */
static enum gh_err
current(struct gh_store_tx *tx, struct gh_arena *a, const struct gh_policy_bind *b,
        struct gh_slice *out)
{
    struct entity_arn e;
    struct gh_slice path, name;
    struct gh_user u = {0};
    struct gh_role r = {0};
    enum gh_err err;
    char *s;

    arn_split(b->arn, &e);
    if (e.role) {
        err = gh_store_role_get_by_id(tx, a, e.account, b->id, &r);
        path = r.path;
        name = r.name;
    } else {
        err = gh_store_user_get_by_id(tx, a, e.account, b->id, &u);
        path = u.path;
        name = u.name;
    }
    if (err == GH_ERR_NOT_FOUND) {
        *out = b->id;
        return GH_OK;
    }
    if (err != GH_OK)
        return err;
    s = gh_arena_printf(a, "arn:aws:iam::%.*s:%s%.*s%.*s", GH_SP(e.account),
                        e.role ? "role" : "user", GH_SP(path), GH_SP(name));
    if (s == NULL)
        return GH_ERR_NOMEM;
    *out = gh_slice_from_cstr(s);
    return GH_OK;
}

enum gh_err
gh_api_principals_render(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice doc,
                         struct gh_slice bind, struct gh_slice *out)
{
    struct gh_policy_bind *b, *map;
    size_t n, nmap = 0;
    enum gh_err err;

    *out = doc;
    if ((err = gh_policy_bind_parse(bind, a, &b, &n)) != GH_OK)
        return err == GH_ERR_NOMEM ? err : GH_ERR_INTERNAL;
    if (n == 0)
        return GH_OK;
    if ((map = gh_arena_alloc(a, n * sizeof(*map))) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        struct gh_slice now;

        if ((err = current(tx, a, &b[i], &now)) != GH_OK)
            return err;
        if (gh_slice_eq(now, b[i].arn))
            continue;
        map[nmap].arn = b[i].arn;
        map[nmap++].id = now;
    }
    /* AWS IAM: the document reads as written while its principals exist. */
    if (nmap == 0)
        return GH_OK;
    if ((err = gh_policy_principals_rewrite(doc, map, nmap, a, out)) != GH_OK) {
        *out = doc;
        return err == GH_ERR_NOMEM ? err : GH_ERR_INTERNAL;
    }
    return GH_OK;
}
