/*
 * policy.c: managed policies (this account's and AWS's) and their versions.
 * Attachment and boundary-usage counts are computed, never stored.
 */
#include <string.h>

#include "store/store_int.h"

#define POLICY_COLS                                                                                \
    "p.account, p.name, p.path, p.id, p.arn, p.description, p.default_version, p.created,"         \
    " p.updated, p.attachable,"                                                                    \
    " (SELECT count(*) FROM attachments a WHERE a.policy_id = p.id),"                              \
    " (SELECT count(*) FROM users u WHERE u.boundary_arn = p.arn)"                                 \
    " + (SELECT count(*) FROM roles r WHERE r.boundary_arn = p.arn)"

static enum gh_err
policy_row(struct gh_arena *a, sqlite3_stmt *st, void *out)
{
    struct gh_policy_rec *p = out;
    enum gh_err err;

    if ((err = store_col(a, st, 0, &p->account)) != GH_OK ||
        (err = store_col(a, st, 1, &p->name)) != GH_OK ||
        (err = store_col(a, st, 2, &p->path)) != GH_OK ||
        (err = store_col(a, st, 3, &p->id)) != GH_OK ||
        (err = store_col(a, st, 4, &p->arn)) != GH_OK ||
        (err = store_col(a, st, 5, &p->description)) != GH_OK ||
        (err = store_col(a, st, 6, &p->default_version)) != GH_OK)
        return err;
    p->created = sqlite3_column_int64(st, 7);
    p->updated = sqlite3_column_int64(st, 8);
    p->attachable = sqlite3_column_int(st, 9) != 0;
    p->attachment_count = sqlite3_column_int64(st, 10);
    p->boundary_usage_count = sqlite3_column_int64(st, 11);
    return GH_OK;
}

enum gh_err
gh_store_policy_create(struct gh_store_tx *tx, const struct gh_policy_rec *p,
                       struct gh_slice document)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "INSERT INTO policies(account, name, path, id, arn, description,"
                          " default_version, created, updated, attachable)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'v1', ?7, ?8, ?9)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, p->account)) != GH_OK ||
        (err = store_bind(st, 2, p->name)) != GH_OK ||
        (err = store_bind(st, 3, p->path.len > 0 ? p->path : GH_S("/"))) != GH_OK ||
        (err = store_bind(st, 4, p->id)) != GH_OK || (err = store_bind(st, 5, p->arn)) != GH_OK ||
        (err = store_bind(st, 6, p->description)) != GH_OK ||
        (err = store_bind_i64(st, 7, p->created)) != GH_OK ||
        (err = store_bind_i64(st, 8, p->updated != 0 ? p->updated : p->created)) != GH_OK ||
        (err = store_bind_i64(st, 9, 1)) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) != GH_OK)
        goto done;
    store_stmt_done(st);
    if ((err = store_stmt(tx->c,
                          "INSERT INTO policy_versions(policy_id, version_id, document, created)"
                          " VALUES (?1, 'v1', ?2, ?3)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, p->id)) != GH_OK || (err = store_bind(st, 2, document)) != GH_OK ||
        (err = store_bind_i64(st, 3, p->created)) != GH_OK)
        goto done;
    err = store_step_done(st);
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_policy_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice arn,
                    struct gh_policy_rec *out)
{
    return store_get(tx, a, "SELECT " POLICY_COLS " FROM policies p WHERE p.arn = ?1", &arn, 1,
                     policy_row, out, sizeof(*out));
}

enum gh_err
gh_store_policy_delete(struct gh_store_tx *tx, struct gh_slice arn)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "DELETE FROM tags WHERE entity_id ="
                          " (SELECT id FROM policies WHERE arn = ?1)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) == GH_OK)
        err = store_step_done(st);
    store_stmt_done(st);
    if (err != GH_OK)
        return err;
    /* Versions and attachments go by ON DELETE CASCADE. */
    if ((err = store_stmt(tx->c, "DELETE FROM policies WHERE arn = ?1", &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) == GH_OK && (err = store_step_done(st)) == GH_OK &&
        store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_policy_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                     enum gh_policy_scope scope, enum gh_policy_use use,
                     struct gh_slice path_prefix, const struct gh_store_page *page,
                     struct gh_policy_rec **out, size_t *count, struct gh_store_more *more)
{
    /* Sort key (name, account): a local policy may share an AWS policy's name. */
    static const struct store_list q = {
        "SELECT " POLICY_COLS " FROM policies p WHERE (p.account = ?1 OR p.account = ?2)"
        " AND substr(p.path, 1, length(?3)) = ?3"
        " AND (?4 = '' OR (?4 = 'p' AND EXISTS (SELECT 1 FROM attachments a"
        "   WHERE a.policy_id = p.id)) OR (?4 = 'b' AND (EXISTS (SELECT 1 FROM users u"
        "   WHERE u.boundary_arn = p.arn) OR EXISTS (SELECT 1 FROM roles r"
        "   WHERE r.boundary_arn = p.arn))))"
        " AND (p.name > ?5 OR (p.name = ?5 AND p.account > ?6))"
        " ORDER BY p.name, p.account LIMIT ?7",
        sizeof(struct gh_policy_rec), policy_row, 1, 0};
    const struct gh_slice args[] = {
        scope == GH_SCOPE_AWS ? GH_S("") : account,
        scope == GH_SCOPE_LOCAL ? GH_S("") : GH_S(STORE_AWS_ACCOUNT),
        path_prefix,
        /* ?4: '' lists unused policies too; in SQL, so that every page is full */
        use == GH_POLICY_USE_PERMISSIONS ? GH_S("p")
        : use == GH_POLICY_USE_BOUNDARY  ? GH_S("b")
                                         : GH_S(""),
    };

    return store_list_run(tx, a, &q, args, GH_ARRAY_LEN(args), page, (void **)out, count, more);
}

/*
 * AWS managed policies the catalog has are read from it, every version AWS
 * published; the store's copies of their documents (snapshots taken on
 * attach) serve only once a catalog drops the policy.
 */
static enum gh_err
catalog_version_get(const struct gh_aws_catalog *c, const struct store_catalog_policy *p,
                    struct gh_arena *a, struct gh_slice version_id, struct gh_policy_version *out)
{
    struct gh_policy_version v;
    enum gh_err err;

    for (size_t j = 0; j < p->nversions; j++) {
        if ((err = store_catalog_version(c, p, j, a, false, &v)) != GH_OK)
            return err;
        if (gh_slice_eq(v.version_id, version_id))
            return store_catalog_version(c, p, j, a, true, out);
    }
    return GH_ERR_NOT_FOUND;
}

static enum gh_err
catalog_version_list(const struct gh_aws_catalog *c, const struct store_catalog_policy *p,
                     struct gh_arena *a, bool with_documents, struct gh_policy_version **out,
                     size_t *count)
{
    struct gh_policy_version *v = gh_arena_alloc(a, p->nversions * sizeof(*v));
    enum gh_err err;

    if (v == NULL)
        return GH_ERR_NOMEM;
    for (size_t j = 0; j < p->nversions; j++)
        if ((err = store_catalog_version(c, p, j, a, with_documents, &v[j])) != GH_OK)
            return err;
    *out = v;
    *count = p->nversions;
    return GH_OK;
}

enum gh_err
gh_store_policy_version_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice arn,
                            struct gh_slice version_id, struct gh_policy_version *out)
{
    struct store_catalog_policy cp;
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    memset(out, 0, sizeof(*out));
    if (store_catalog_find(tx->s->catalog, arn, &cp))
        return catalog_version_get(tx->s->catalog, &cp, a, version_id, out);
    if ((err = store_stmt(tx->c,
                          "SELECT v.version_id, v.document, v.version_id = p.default_version,"
                          " v.created FROM policy_versions v JOIN policies p ON p.id = v.policy_id"
                          " WHERE p.arn = ?1 AND v.version_id = ?2",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) != GH_OK || (err = store_bind(st, 2, version_id)) != GH_OK ||
        (err = store_step(st, &row)) != GH_OK)
        goto done;
    if (!row) {
        err = GH_ERR_NOT_FOUND;
        goto done;
    }
    if ((err = store_col(a, st, 0, &out->version_id)) != GH_OK ||
        (err = store_col(a, st, 1, &out->document)) != GH_OK)
        goto done;
    out->is_default = sqlite3_column_int(st, 2) != 0;
    out->created = sqlite3_column_int64(st, 3);
done:
    store_stmt_done(st);
    if (err != GH_OK)
        memset(out, 0, sizeof(*out));
    return err;
}

enum gh_err
gh_store_policy_set_default(struct gh_store_tx *tx, struct gh_slice arn, struct gh_slice version_id,
                            int64_t now)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "UPDATE policies SET default_version = ?2, updated = ?3"
                          " WHERE arn = ?1 AND EXISTS (SELECT 1 FROM policy_versions v"
                          "   WHERE v.policy_id = policies.id AND v.version_id = ?2)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) != GH_OK || (err = store_bind(st, 2, version_id)) != GH_OK ||
        (err = store_bind_i64(st, 3, now)) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_policy_version_add(struct gh_store_tx *tx, struct gh_slice arn,
                            const struct gh_policy_version *v)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "INSERT INTO policy_versions(policy_id, version_id, document, created)"
                          " SELECT id, ?2, ?3, ?4 FROM policies WHERE arn = ?1",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) != GH_OK ||
        (err = store_bind(st, 2, v->version_id)) != GH_OK ||
        (err = store_bind(st, 3, v->document)) != GH_OK ||
        (err = store_bind_i64(st, 4, v->created)) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
done:
    store_stmt_done(st);
    if (err == GH_OK && v->is_default)
        err = gh_store_policy_set_default(tx, arn, v->version_id, v->created);
    return err;
}

enum gh_err
gh_store_policy_version_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice arn,
                             bool with_documents, struct gh_policy_version **out, size_t *count)
{
    struct store_catalog_policy cp;
    sqlite3_stmt *st = NULL;
    struct gh_policy_version *v = NULL;
    size_t n = 0, cap = 0;
    enum gh_err err;
    bool row;

    *out = NULL;
    *count = 0;
    if (store_catalog_find(tx->s->catalog, arn, &cp))
        return catalog_version_list(tx->s->catalog, &cp, a, with_documents, out, count);
    /* Newest first, as ListPolicyVersions answers. */
    if ((err = store_stmt(tx->c,
                          "SELECT v.version_id, v.document, v.version_id = p.default_version,"
                          " v.created FROM policies p LEFT JOIN policy_versions v"
                          " ON v.policy_id = p.id WHERE p.arn = ?1"
                          " ORDER BY CAST(substr(v.version_id, 2) AS INTEGER) DESC",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) != GH_OK)
        goto done;
    for (bool found = false;;) {
        if ((err = store_step(st, &row)) != GH_OK)
            goto done;
        if (!row) {
            if (!found)
                err = GH_ERR_NOT_FOUND;
            break;
        }
        found = true;
        if (sqlite3_column_type(st, 0) == SQLITE_NULL)
            continue; /* a policy with no versions (cannot happen, but is not an error) */
        if ((err = store_grow(a, (void **)&v, &cap, n, sizeof(*v))) != GH_OK)
            goto done;
        memset(&v[n], 0, sizeof(v[n]));
        if ((err = store_col(a, st, 0, &v[n].version_id)) != GH_OK ||
            (with_documents && (err = store_col(a, st, 1, &v[n].document)) != GH_OK))
            goto done;
        v[n].is_default = sqlite3_column_int(st, 2) != 0;
        v[n].created = sqlite3_column_int64(st, 3);
        n++;
    }
    if (err != GH_OK)
        goto done;
    *out = v;
    *count = n;
done:
    store_stmt_done(st);
    if (err != GH_OK) {
        *out = NULL;
        *count = 0;
    }
    return err;
}

enum gh_err
gh_store_policy_version_delete(struct gh_store_tx *tx, struct gh_slice arn,
                               struct gh_slice version_id)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(tx->c,
                          "DELETE FROM policy_versions WHERE version_id = ?2"
                          " AND policy_id = (SELECT id FROM policies WHERE arn = ?1)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) != GH_OK || (err = store_bind(st, 2, version_id)) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
done:
    store_stmt_done(st);
    return err;
}
