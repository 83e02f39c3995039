/*
 * psnap.c: principal snapshots. For each user, role and account, by
 * unique id: that it exists, its name and path, its compiled identity
 * policies (its own, then its groups'), its permissions boundary and its
 * tags. Each is checked against its account's policy generation
 * (gh_store_policy_generation), which every write that can change them
 * moves before it is acknowledged, and which last-used touches leave
 * alone: a warm authorized request reads no database.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"

#define SHARDS 64
#define SHARD_MAX 256 /* snapshots per shard before the oldest is dropped */

struct entry {
    struct entry *next;
    struct gh_api_psnap *snap; /* a reference */
};

struct shard {
    pthread_mutex_t lock;
    struct entry *head;
    size_t count;
};

struct gh_api_psnaps {
    struct shard shards[SHARDS];
};

/* ---- policy lists ---- */

void
gh_api_list_release(struct policy_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        gh_policy_unref(l->owned[i]);
    l->count = 0;
}

enum gh_err
gh_api_list_add(const struct gh_api_loader *ld, struct policy_list *l, struct gh_slice doc,
                enum gh_policy_kind kind, struct gh_slice id, enum gh_policy_origin origin)
{
    struct gh_policy *p = NULL;
    struct gh_diag diag;
    enum gh_err err;

    if (l->count == GH_API_SRC_MAX)
        return GH_ERR_LIMIT;
    /* A call with no cache (unit tests, tools) compiles each time. */
    err = ld->cache != NULL ? gh_api_policy_compiled(ld->cache, doc, kind, &diag, &p)
                            : gh_policy_compile(doc, kind, &diag, &p);
    if (err != GH_OK)
        return err; /* a stored policy that no longer compiles denies */
    l->items[l->count] = (struct gh_policy_src){.policy = p, .id = id, .origin = origin};
    l->owned[l->count] = p;
    l->count++;
    return GH_OK;
}

enum gh_err
gh_api_managed_doc(const struct gh_api_loader *ld, struct gh_slice arn, struct gh_slice *doc)
{
    struct gh_policy_rec rec;
    struct gh_policy_version v;
    enum gh_err err;

    if ((err = gh_store_policy_get(ld->tx, ld->arena, arn, &rec)) != GH_OK)
        return err;
    if ((err = gh_store_policy_version_get(ld->tx, ld->arena, arn, rec.default_version, &v)) !=
        GH_OK)
        return err;
    *doc = v.document;
    return GH_OK;
}

enum gh_err
gh_api_entity_policies(const struct gh_api_loader *ld, struct policy_list *l, struct gh_slice id,
                       const char *inline_prefix, struct gh_slice name)
{
    struct gh_store_page page = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};
    struct gh_store_more more;
    struct gh_attached *att;
    struct gh_slice *names;
    size_t n;
    enum gh_err err;

    if ((err = gh_store_attached_list(ld->tx, ld->arena, id, GH_SLICE_NULL, &page, &att, &n,
                                      &more)) != GH_OK)
        return err;
    for (size_t i = 0; i < n; i++) {
        struct gh_slice doc;
        if ((err = gh_api_managed_doc(ld, att[i].policy_arn, &doc)) != GH_OK ||
            (err = gh_api_list_add(ld, l, doc, GH_POLICY_IDENTITY, att[i].policy_arn,
                                   GH_ORIGIN_MANAGED)) != GH_OK)
            return err;
    }
    if ((err = gh_store_inline_list(ld->tx, ld->arena, id, &page, &names, &n, &more)) != GH_OK)
        return err;
    for (size_t i = 0; i < n; i++) {
        struct gh_slice doc, sid;
        const char *s =
            gh_arena_printf(ld->arena, "%s/%.*s/%.*s", inline_prefix, GH_SP(name), GH_SP(names[i]));
        if (s == NULL)
            return GH_ERR_NOMEM;
        sid = gh_slice_from_cstr(s);
        if ((err = gh_store_inline_get(ld->tx, ld->arena, id, names[i], &doc)) != GH_OK ||
            (err = gh_api_list_add(ld, l, doc, GH_POLICY_IDENTITY, sid, GH_ORIGIN_INLINE)) != GH_OK)
            return err;
    }
    return GH_OK;
}

enum gh_err
gh_api_user_group_policies(const struct gh_api_loader *ld, struct policy_list *l,
                           struct gh_slice user_id)
{
    struct gh_group *gs;
    size_t ng;
    enum gh_err err;

    /* AWS IAM: a user also has the managed and inline policies of its groups
     * (at most 10 groups, so this is bounded). */
    if ((err = gh_store_user_groups(ld->tx, ld->arena, user_id, NULL, &gs, &ng, NULL)) != GH_OK)
        return err;
    for (size_t g = 0; g < ng; g++) {
        size_t first = l->count;
        if ((err = gh_api_entity_policies(ld, l, gs[g].id, "group", gs[g].name)) != GH_OK)
            return err;
        for (size_t k = first; k < l->count; k++)
            l->items[k].origin = l->items[k].origin == GH_ORIGIN_MANAGED ? GH_ORIGIN_GROUP_MANAGED
                                                                         : GH_ORIGIN_GROUP_INLINE;
    }
    return GH_OK;
}

struct gh_slice
gh_api_policy_account(struct gh_slice arn)
{
    static const struct gh_slice prefix = GH_SLICE_INIT("arn:aws:iam::");

    /* arn:aws:iam::ACCOUNT:policy/PATH/NAME */
    if (!gh_slice_starts_with(arn, prefix))
        return GH_SLICE_NULL;
    for (size_t i = prefix.len; i < arn.len; i++)
        if (arn.ptr[i] == ':')
            return gh_slice_sub(arn, prefix.len, i - prefix.len);
    return GH_SLICE_NULL;
}

/* ---- snapshots ---- */

void
gh_api_psnap_unref(struct gh_api_psnap *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    for (size_t i = 0; i < s->nowned; i++)
        gh_policy_unref(s->owned[i]);
    free(s);
}

static struct gh_api_psnap *
psnap_ref(struct gh_api_psnap *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

/* What a load read, in its own arena, before it is made compact. */
struct draft {
    struct policy_list *identity, *extra;
    size_t nown;
    struct gh_slice id, name, path;
    struct gh_store_tag *tags;
    size_t ntags;
};

static struct gh_slice
put(char **cursor, struct gh_slice s)
{
    struct gh_slice out = {*cursor, s.len};

    if (s.len > 0)
        memcpy(*cursor, s.ptr, s.len);
    (*cursor)[s.len] = '\0';
    *cursor += s.len + 1;
    return out;
}

/*
 * The snapshot of draft `d` in one allocation holding only what requests
 * read (not the policy documents); takes over the draft's references.
 */
static enum gh_err
compact(struct draft *d, struct gh_slice account, enum gh_api_psnap_kind kind, uint64_t gen,
        struct gh_api_psnap **out)
{
    size_t n = d->identity->count, nb = d->extra->count, bytes = 0, size;
    struct gh_api_psnap *s;
    char *cur;

    bytes += d->id.len + d->name.len + d->path.len + 3;
    for (size_t i = 0; i < n; i++)
        bytes += d->identity->items[i].id.len + 1;
    for (size_t i = 0; i < nb; i++)
        bytes += d->extra->items[i].id.len + 1;
    for (size_t i = 0; i < d->ntags; i++)
        bytes += d->tags[i].key.len + d->tags[i].value.len + 2;
    size = sizeof(*s) + n * sizeof(*s->identity) + (n + nb) * sizeof(*s->owned) +
           d->ntags * sizeof(*s->tags) + bytes;
    if ((s = calloc(1, size)) == NULL)
        return GH_ERR_NOMEM;
    atomic_init(&s->refs, 1);
    s->generation = gen;
    s->kind = kind;
    memcpy(s->account, account.ptr, account.len);
    s->identity = (struct gh_policy_src *)(s + 1);
    s->owned = (struct gh_policy **)(s->identity + n);
    s->tags = (struct gh_store_tag *)(s->owned + n + nb);
    cur = (char *)(s->tags + d->ntags);
    s->id = put(&cur, d->id);
    s->name = put(&cur, d->name);
    s->path = put(&cur, d->path);
    for (size_t i = 0; i < n; i++) {
        s->identity[i] = d->identity->items[i];
        s->identity[i].id = put(&cur, d->identity->items[i].id);
        s->owned[s->nowned++] = d->identity->owned[i];
    }
    s->nidentity = n;
    s->nown = d->nown;
    if (nb > 0) { /* the boundary */
        s->boundary_src = d->extra->items[0];
        s->boundary_src.id = put(&cur, d->extra->items[0].id);
        s->owned[s->nowned++] = d->extra->owned[0];
        s->boundary = &s->boundary_src;
    }
    for (size_t i = 0; i < d->ntags; i++) {
        s->tags[i].key = put(&cur, d->tags[i].key);
        s->tags[i].value = put(&cur, d->tags[i].value);
    }
    s->ntags = d->ntags;
    d->identity->count = 0; /* the references are the snapshot's now */
    d->extra->count = 0;
    *out = s;
    return GH_OK;
}

/* Loads the snapshot of `id` in its own read transaction. */
static enum gh_err
load(struct gh_api_cache *cache, struct gh_store *store, struct gh_slice account,
     enum gh_api_psnap_kind kind, struct gh_slice id, uint64_t gen, struct gh_api_psnap **out)
{
    struct gh_store_tx *tx = NULL;
    struct gh_api_loader ld;
    struct gh_arena arena;
    struct draft d;
    struct gh_slice boundary = GH_SLICE_NULL, entity = GH_SLICE_NULL;
    enum gh_err err;

    *out = NULL;
    if (account.len == 0 || account.len > 12)
        return GH_ERR_NOT_FOUND;
    memset(&d, 0, sizeof(d));
    gh_arena_init(&arena);
    d.id = id;
    if ((d.identity = gh_arena_alloc(&arena, sizeof(*d.identity))) == NULL ||
        (d.extra = gh_arena_alloc(&arena, sizeof(*d.extra))) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = gh_store_tx_begin(store, false, &tx)) != GH_OK)
        goto done;
    ld = (struct gh_api_loader){tx, &arena, cache};
    switch (kind) {
    case GH_API_PSNAP_POLICY: {
        struct gh_slice doc;
        if ((err = gh_api_managed_doc(&ld, id, &doc)) == GH_OK)
            err = gh_api_list_add(&ld, d.identity, doc, GH_POLICY_SESSION, id, GH_ORIGIN_MANAGED);
        d.nown = d.identity->count;
        break;
    }
    case GH_API_PSNAP_ACCOUNT: {
        char acct[13];
        if (account.len != 12) {
            err = GH_ERR_NOT_FOUND;
            break;
        }
        memcpy(acct, account.ptr, 12);
        acct[12] = '\0';
        err = gh_store_account_exists(tx, acct);
        break;
    }
    case GH_API_PSNAP_USER: {
        struct gh_user u;
        if ((err = gh_store_user_get_by_id(tx, &arena, account, id, &u)) != GH_OK ||
            (err = gh_api_entity_policies(&ld, d.identity, u.id, "user", u.name)) != GH_OK)
            break;
        d.nown = d.identity->count;
        err = gh_api_user_group_policies(&ld, d.identity, u.id);
        d.name = u.name;
        d.path = u.path;
        boundary = u.boundary_arn;
        entity = u.id;
        break;
    }
    case GH_API_PSNAP_ROLE: {
        struct gh_role r;
        if ((err = gh_store_role_get_by_id(tx, &arena, account, id, &r)) != GH_OK ||
            (err = gh_api_entity_policies(&ld, d.identity, r.id, "role", r.name)) != GH_OK)
            break;
        d.nown = d.identity->count;
        d.name = r.name;
        d.path = r.path;
        boundary = r.boundary_arn;
        entity = r.id;
        break;
    }
    default:
        err = GH_ERR_NOT_FOUND;
        break;
    }
    if (err == GH_OK && boundary.len > 0) {
        struct gh_slice doc;
        if ((err = gh_api_managed_doc(&ld, boundary, &doc)) == GH_OK)
            err =
                gh_api_list_add(&ld, d.extra, doc, GH_POLICY_BOUNDARY, boundary, GH_ORIGIN_MANAGED);
    }
    if (err == GH_OK && entity.len > 0)
        err = gh_store_tags_list(tx, &arena, entity, &d.tags, &d.ntags);
    gh_store_tx_rollback(tx);
    tx = NULL;
    if (err == GH_OK)
        err = compact(&d, account, kind, gen, out);
done:
    gh_store_tx_rollback(tx);
    if (d.identity != NULL)
        gh_api_list_release(d.identity);
    if (d.extra != NULL)
        gh_api_list_release(d.extra);
    gh_arena_cleanup(&arena);
    return err;
}

enum gh_err
gh_api_psnaps_new(struct gh_api_psnaps **out)
{
    struct gh_api_psnaps *p = calloc(1, sizeof(*p));

    *out = NULL;
    if (p == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < SHARDS; i++)
        pthread_mutex_init(&p->shards[i].lock, NULL);
    *out = p;
    return GH_OK;
}

void
gh_api_psnaps_free(struct gh_api_psnaps *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < SHARDS; i++) {
        struct entry *e = p->shards[i].head;
        while (e != NULL) {
            struct entry *next = e->next;
            gh_api_psnap_unref(e->snap);
            free(e);
            e = next;
        }
        pthread_mutex_destroy(&p->shards[i].lock);
    }
    free(p);
}

static uint64_t
hash(struct gh_slice account, struct gh_slice id)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (size_t i = 0; i < account.len; i++) {
        h ^= (unsigned char)account.ptr[i];
        h *= 1099511628211ULL;
    }
    for (size_t i = 0; i < id.len; i++) {
        h ^= (unsigned char)id.ptr[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static bool
same(const struct gh_api_psnap *s, struct gh_slice account, enum gh_api_psnap_kind kind,
     struct gh_slice id)
{
    return s->kind == kind && gh_slice_eq_cstr(account, s->account) && gh_slice_eq(id, s->id);
}

enum gh_err
gh_api_psnap_get(struct gh_api_cache *cache, struct gh_store *store, struct gh_slice account,
                 enum gh_api_psnap_kind kind, struct gh_slice id, struct gh_api_psnap **out)
{
    struct gh_api_psnaps *ps = gh_api_cache_psnaps(cache);
    struct shard *sh;
    struct entry *e, **pp;
    struct gh_api_psnap *fresh = NULL;
    uint64_t gen = gh_store_policy_generation(store, account);
    enum gh_err err;

    *out = NULL;
    if (ps == NULL) /* no cache: a fresh snapshot each time */
        return load(cache, store, account, kind, id, gen, out);
    sh = &ps->shards[hash(account, id) % SHARDS];
    pthread_mutex_lock(&sh->lock);
    for (e = sh->head; e != NULL; e = e->next)
        if (same(e->snap, account, kind, id) && e->snap->generation == gen) {
            *out = psnap_ref(e->snap);
            break;
        }
    pthread_mutex_unlock(&sh->lock);
    if (*out != NULL)
        return GH_OK;

    /* `gen` was read before the load's transaction began: a write the load
     * did not see moves the generation past it, so the snapshot is never
     * taken for newer than it is. */
    if ((err = load(cache, store, account, kind, id, gen, &fresh)) != GH_OK)
        return err; /* not cached: a missing entity is looked up again */
    if ((e = calloc(1, sizeof(*e))) == NULL) {
        *out = fresh; /* uncached, still usable */
        return GH_OK;
    }
    e->snap = psnap_ref(fresh);
    pthread_mutex_lock(&sh->lock);
    /* Replace any entry for the same principal; drop the oldest when full. */
    for (pp = &sh->head; *pp != NULL;) {
        struct entry *cur = *pp;
        if (same(cur->snap, account, kind, id)) {
            *pp = cur->next;
            gh_api_psnap_unref(cur->snap);
            free(cur);
            sh->count--;
        } else {
            pp = &cur->next;
        }
    }
    if (sh->count >= SHARD_MAX) {
        for (pp = &sh->head; (*pp)->next != NULL; pp = &(*pp)->next)
            ;
        gh_api_psnap_unref((*pp)->snap);
        free(*pp);
        *pp = NULL;
        sh->count--;
    }
    e->next = sh->head;
    sh->head = e;
    sh->count++;
    pthread_mutex_unlock(&sh->lock);
    *out = fresh;
    return GH_OK;
}

/* A cached, current snapshot of `id` of any kind, or NULL (no load). */
struct gh_api_psnap *
gh_api_psnap_peek(struct gh_api_cache *cache, struct gh_store *store, struct gh_slice account,
                  struct gh_slice id)
{
    struct gh_api_psnaps *ps = cache == NULL ? NULL : gh_api_cache_psnaps(cache);
    struct gh_api_psnap *found = NULL;
    struct shard *sh;
    uint64_t gen;

    if (ps == NULL || store == NULL)
        return NULL;
    gen = gh_store_policy_generation(store, account);
    sh = &ps->shards[hash(account, id) % SHARDS];
    pthread_mutex_lock(&sh->lock);
    for (struct entry *e = sh->head; e != NULL; e = e->next)
        if ((e->snap->kind == GH_API_PSNAP_USER || e->snap->kind == GH_API_PSNAP_ROLE) &&
            gh_slice_eq_cstr(account, e->snap->account) && gh_slice_eq(id, e->snap->id) &&
            e->snap->generation == gen) {
            found = psnap_ref(e->snap);
            break;
        }
    pthread_mutex_unlock(&sh->lock);
    return found;
}
