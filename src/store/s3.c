/*
 * s3.c: metadata of the S3-compatible service: buckets, objects,
 * multipart uploads and parts (migration 5; their checksums, 6). Object
 * bytes are files the s3 module manages; rows only name them.
 *
 * Statements come from the connection's cache (store_stmt): preparing
 * them per call was a quarter of a GetObject's CPU time. Each function
 * finishes its statement before the next one starts, so a cached
 * statement is never re-entered.
 */
#include <string.h>

#include "store/store_int.h"

/* `sql` is a string literal: the cache knows a statement by its pointer. */
static enum gh_err
prep(struct gh_store_tx *tx, const char *sql, sqlite3_stmt **st)
{
    return store_stmt(tx->c, sql, st);
}

/* Resets and unbinds the cached statement (it stays prepared). */
static void
fin(sqlite3_stmt *st)
{
    store_stmt_done(st);
}

/* ---- buckets ---- */

#define BUCKET_COLS "name, account, region, created, policy, tags, policy_bind"

static enum gh_err
bucket_row(struct gh_arena *a, sqlite3_stmt *st, struct gh_s3_bucket_rec *b)
{
    enum gh_err err;

    if ((err = store_col(a, st, 0, &b->name)) != GH_OK ||
        (err = store_col(a, st, 1, &b->account)) != GH_OK ||
        (err = store_col(a, st, 2, &b->region)) != GH_OK ||
        (err = store_col(a, st, 4, &b->policy)) != GH_OK ||
        (err = store_col(a, st, 5, &b->tags)) != GH_OK ||
        (err = store_col(a, st, 6, &b->policy_bind)) != GH_OK)
        return err;
    b->created = sqlite3_column_int64(st, 3);
    return GH_OK;
}

enum gh_err
gh_store_s3_bucket_create(struct gh_store_tx *tx, const struct gh_s3_bucket_rec *b)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err =
             prep(tx, "INSERT INTO s3_buckets(" BUCKET_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                  &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, b->name)) == GH_OK &&
        (err = store_bind(st, 2, b->account)) == GH_OK &&
        (err = store_bind(st, 3, b->region)) == GH_OK &&
        (err = store_bind_i64(st, 4, b->created)) == GH_OK &&
        (err = store_bind(st, 5, b->policy.ptr ? b->policy : GH_S(""))) == GH_OK &&
        (err = store_bind(st, 6, b->tags.ptr ? b->tags : GH_S(""))) == GH_OK &&
        (err = store_bind(st, 7, b->policy_bind.ptr ? b->policy_bind : GH_S(""))) == GH_OK)
        err = store_step_done(st);
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_bucket_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice name,
                       struct gh_s3_bucket_rec *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row = false;

    memset(out, 0, sizeof(*out));
    if ((err = prep(tx, "SELECT " BUCKET_COLS " FROM s3_buckets WHERE name = ?1", &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, name)) == GH_OK && (err = store_step(st, &row)) == GH_OK)
        err = row ? bucket_row(a, st, out) : GH_ERR_NOT_FOUND;
    fin(st);
    return err;
}

/* Runs one statement binding text parameters 1..n. */
static enum gh_err
exec_text(struct gh_store_tx *tx, const char *sql, const struct gh_slice *args, int n)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = prep(tx, sql, &st)) != GH_OK)
        return err;
    for (int i = 0; i < n && err == GH_OK; i++)
        err = store_bind(st, i + 1, args[i].ptr != NULL ? args[i] : GH_S(""));
    if (err == GH_OK)
        err = store_step_done(st);
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_bucket_delete(struct gh_store_tx *tx, struct gh_slice name)
{
    enum gh_err err = exec_text(tx, "DELETE FROM s3_buckets WHERE name = ?1", &name, 1);

    if (err == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    return err;
}

/* The buckets `sql` selects (BUCKET_COLS), ?1 bound to `arg` unless NULL. */
static enum gh_err
bucket_rows(struct gh_store_tx *tx, struct gh_arena *a, const char *sql, const struct gh_slice *arg,
            struct gh_s3_bucket_rec **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    struct gh_s3_bucket_rec *v = NULL;
    size_t n = 0, cap = 0;
    enum gh_err err;
    bool row;

    *out = NULL;
    *count = 0;
    if ((err = prep(tx, sql, &st)) != GH_OK)
        return err;
    if (arg != NULL && (err = store_bind(st, 1, *arg)) != GH_OK)
        goto done;
    for (;;) {
        if ((err = store_step(st, &row)) != GH_OK || !row)
            break;
        if ((err = store_grow(a, (void **)&v, &cap, n, sizeof(*v))) != GH_OK ||
            (err = bucket_row(a, st, &v[n])) != GH_OK)
            break;
        n++;
    }
    if (err == GH_OK) {
        *out = v;
        *count = n;
    }
done:
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_bucket_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice account,
                        struct gh_s3_bucket_rec **out, size_t *count)
{
    return bucket_rows(tx, a,
                       "SELECT " BUCKET_COLS " FROM s3_buckets WHERE account = ?1 ORDER BY name",
                       &account, out, count);
}

enum gh_err
gh_store_s3_bucket_list_unbound(struct gh_store_tx *tx, struct gh_arena *a,
                                struct gh_s3_bucket_rec **out, size_t *count)
{
    return bucket_rows(tx, a,
                       "SELECT " BUCKET_COLS " FROM s3_buckets"
                       " WHERE policy <> '' AND policy_bind = '' ORDER BY name",
                       NULL, out, count);
}

static enum gh_err
bucket_set(struct gh_store_tx *tx, const char *sql, struct gh_slice name, struct gh_slice v)
{
    struct gh_slice args[2] = {name, v};
    enum gh_err err = exec_text(tx, sql, args, 2);

    if (err == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    return err;
}

enum gh_err
gh_store_s3_bucket_set_policy(struct gh_store_tx *tx, struct gh_slice name, struct gh_slice json,
                              struct gh_slice bind)
{
    struct gh_slice args[3] = {name, json, bind};
    enum gh_err err = exec_text(
        tx, "UPDATE s3_buckets SET policy = ?2, policy_bind = ?3 WHERE name = ?1", args, 3);

    if (err == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    return err;
}

enum gh_err
gh_store_s3_bucket_set_tags(struct gh_store_tx *tx, struct gh_slice name, struct gh_slice tags)
{
    return bucket_set(tx, "UPDATE s3_buckets SET tags = ?2 WHERE name = ?1", name, tags);
}

enum gh_err
gh_store_s3_bucket_is_empty(struct gh_store_tx *tx, struct gh_slice name, bool *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row = false;

    *out = false;
    if ((err = prep(tx,
                    "SELECT EXISTS(SELECT 1 FROM s3_objects WHERE bucket = ?1)"
                    " OR EXISTS(SELECT 1 FROM s3_uploads WHERE bucket = ?1)",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, name)) == GH_OK && (err = store_step(st, &row)) == GH_OK && row)
        *out = sqlite3_column_int64(st, 0) == 0;
    fin(st);
    return err;
}

/* ---- objects ---- */

#define OBJECT_COLS "bucket, key, data_id, size, etag, content_type, meta, tags, modified"

static enum gh_err
object_row(struct gh_arena *a, sqlite3_stmt *st, struct gh_s3_object_rec *o)
{
    enum gh_err err;

    if ((err = store_col(a, st, 0, &o->bucket)) != GH_OK ||
        (err = store_col(a, st, 1, &o->key)) != GH_OK ||
        (err = store_col(a, st, 2, &o->data_id)) != GH_OK ||
        (err = store_col(a, st, 4, &o->etag)) != GH_OK ||
        (err = store_col(a, st, 5, &o->content_type)) != GH_OK ||
        (err = store_col(a, st, 6, &o->meta)) != GH_OK ||
        (err = store_col(a, st, 7, &o->tags)) != GH_OK)
        return err;
    o->size = (uint64_t)sqlite3_column_int64(st, 3);
    o->modified = sqlite3_column_int64(st, 8);
    return GH_OK;
}

/* The data_id column of the row selected by `sql` with text args; empty when no row. */
static enum gh_err
select_data_id(struct gh_store_tx *tx, struct gh_arena *a, const char *sql,
               const struct gh_slice *args, int n, struct gh_slice *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row = false;

    *out = GH_S("");
    if ((err = prep(tx, sql, &st)) != GH_OK)
        return err;
    for (int i = 0; i < n && err == GH_OK; i++)
        err = store_bind(st, i + 1, args[i]);
    if (err == GH_OK && (err = store_step(st, &row)) == GH_OK && row)
        err = store_col(a, st, 0, out);
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_object_put(struct gh_store_tx *tx, struct gh_arena *a, const struct gh_s3_object_rec *o,
                       struct gh_slice *old_data_id)
{
    struct gh_slice k[2] = {o->bucket, o->key};
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err =
             select_data_id(tx, a, "SELECT data_id FROM s3_objects WHERE bucket = ?1 AND key = ?2",
                            k, 2, old_data_id)) != GH_OK)
        return err;
    if ((err = prep(tx,
                    "INSERT OR REPLACE INTO s3_objects(" OBJECT_COLS
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, o->bucket)) == GH_OK &&
        (err = store_bind(st, 2, o->key)) == GH_OK &&
        (err = store_bind(st, 3, o->data_id)) == GH_OK &&
        (err = store_bind_i64(st, 4, (int64_t)o->size)) == GH_OK &&
        (err = store_bind(st, 5, o->etag)) == GH_OK &&
        (err = store_bind(st, 6, o->content_type.ptr ? o->content_type : GH_S(""))) == GH_OK &&
        (err = store_bind(st, 7, o->meta.ptr ? o->meta : GH_S(""))) == GH_OK &&
        (err = store_bind(st, 8, o->tags.ptr ? o->tags : GH_S(""))) == GH_OK &&
        (err = store_bind_i64(st, 9, o->modified)) == GH_OK)
        err = store_step_done(st);
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_object_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice bucket,
                       struct gh_slice key, struct gh_s3_object_rec *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row = false;

    memset(out, 0, sizeof(*out));
    if ((err = prep(tx, "SELECT " OBJECT_COLS " FROM s3_objects WHERE bucket = ?1 AND key = ?2",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, bucket)) == GH_OK && (err = store_bind(st, 2, key)) == GH_OK &&
        (err = store_step(st, &row)) == GH_OK)
        err = row ? object_row(a, st, out) : GH_ERR_NOT_FOUND;
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_object_delete(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice bucket,
                          struct gh_slice key, struct gh_slice *old_data_id)
{
    struct gh_slice k[2] = {bucket, key};
    enum gh_err err;

    if ((err =
             select_data_id(tx, a, "SELECT data_id FROM s3_objects WHERE bucket = ?1 AND key = ?2",
                            k, 2, old_data_id)) != GH_OK)
        return err;
    if (old_data_id->len == 0)
        return GH_ERR_NOT_FOUND;
    return exec_text(tx, "DELETE FROM s3_objects WHERE bucket = ?1 AND key = ?2", k, 2);
}

enum gh_err
gh_store_s3_object_set_tags(struct gh_store_tx *tx, struct gh_slice bucket, struct gh_slice key,
                            struct gh_slice tags)
{
    struct gh_slice args[3] = {bucket, key, tags};
    enum gh_err err =
        exec_text(tx, "UPDATE s3_objects SET tags = ?3 WHERE bucket = ?1 AND key = ?2", args, 3);

    if (err == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    return err;
}

enum gh_err
gh_store_s3_object_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice bucket,
                        struct gh_slice prefix, struct gh_slice after, size_t limit,
                        struct gh_s3_object_rec **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    struct gh_s3_object_rec *v = NULL;
    size_t n = 0, cap = 0;
    enum gh_err err;
    bool row;

    *out = NULL;
    *count = 0;
    /* Byte order (BINARY collation is memcmp): S3 lists keys in UTF-8 binary order.
     * substr() counts characters, so the prefix test compares bytes with CAST. */
    if ((err = prep(tx,
                    "SELECT " OBJECT_COLS " FROM s3_objects WHERE bucket = ?1 AND key > ?2"
                    " AND key >= ?3 AND substr(CAST(key AS BLOB), 1, length(CAST(?3 AS BLOB)))"
                    " = CAST(?3 AS BLOB) ORDER BY key LIMIT ?4",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, bucket)) != GH_OK ||
        (err = store_bind(st, 2, after.ptr ? after : GH_S(""))) != GH_OK ||
        (err = store_bind(st, 3, prefix.ptr ? prefix : GH_S(""))) != GH_OK ||
        (err = store_bind_i64(st, 4, (int64_t)limit)) != GH_OK)
        goto done;
    for (;;) {
        if ((err = store_step(st, &row)) != GH_OK || !row)
            break;
        if ((err = store_grow(a, (void **)&v, &cap, n, sizeof(*v))) != GH_OK ||
            (err = object_row(a, st, &v[n])) != GH_OK)
            break;
        n++;
    }
    if (err == GH_OK) {
        *out = v;
        *count = n;
    }
done:
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_data_referenced(struct gh_store_tx *tx, struct gh_slice data_id, bool *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row = false;

    *out = true; /* when in doubt, keep the file */
    if ((err = prep(tx,
                    "SELECT EXISTS(SELECT 1 FROM s3_objects WHERE data_id = ?1)"
                    " OR EXISTS(SELECT 1 FROM s3_parts WHERE data_id = ?1)",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, data_id)) == GH_OK && (err = store_step(st, &row)) == GH_OK && row)
        *out = sqlite3_column_int64(st, 0) != 0;
    fin(st);
    return err;
}

/* ---- multipart uploads ---- */

#define UPLOAD_COLS                                                                                \
    "id, bucket, key, content_type, meta, tags, initiator, created, checksum_algorithm"

static enum gh_err
upload_row(struct gh_arena *a, sqlite3_stmt *st, struct gh_s3_upload_rec *u)
{
    enum gh_err err;

    if ((err = store_col(a, st, 0, &u->id)) != GH_OK ||
        (err = store_col(a, st, 1, &u->bucket)) != GH_OK ||
        (err = store_col(a, st, 2, &u->key)) != GH_OK ||
        (err = store_col(a, st, 3, &u->content_type)) != GH_OK ||
        (err = store_col(a, st, 4, &u->meta)) != GH_OK ||
        (err = store_col(a, st, 5, &u->tags)) != GH_OK ||
        (err = store_col(a, st, 6, &u->initiator)) != GH_OK ||
        (err = store_col(a, st, 8, &u->checksum_algorithm)) != GH_OK)
        return err;
    u->created = sqlite3_column_int64(st, 7);
    return GH_OK;
}

enum gh_err
gh_store_s3_upload_create(struct gh_store_tx *tx, const struct gh_s3_upload_rec *u)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = prep(tx,
                    "INSERT INTO s3_uploads(" UPLOAD_COLS
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, u->id)) == GH_OK &&
        (err = store_bind(st, 2, u->bucket)) == GH_OK &&
        (err = store_bind(st, 3, u->key)) == GH_OK &&
        (err = store_bind(st, 4, u->content_type.ptr ? u->content_type : GH_S(""))) == GH_OK &&
        (err = store_bind(st, 5, u->meta.ptr ? u->meta : GH_S(""))) == GH_OK &&
        (err = store_bind(st, 6, u->tags.ptr ? u->tags : GH_S(""))) == GH_OK &&
        (err = store_bind(st, 7, u->initiator.ptr ? u->initiator : GH_S(""))) == GH_OK &&
        (err = store_bind_i64(st, 8, u->created)) == GH_OK &&
        (err = store_bind(st, 9, u->checksum_algorithm.ptr ? u->checksum_algorithm : GH_S(""))) ==
            GH_OK)
        err = store_step_done(st);
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_upload_get(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice id,
                       struct gh_s3_upload_rec *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row = false;

    memset(out, 0, sizeof(*out));
    if ((err = prep(tx, "SELECT " UPLOAD_COLS " FROM s3_uploads WHERE id = ?1", &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, id)) == GH_OK && (err = store_step(st, &row)) == GH_OK)
        err = row ? upload_row(a, st, out) : GH_ERR_NOT_FOUND;
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_upload_delete(struct gh_store_tx *tx, struct gh_slice id)
{
    enum gh_err err = exec_text(tx, "DELETE FROM s3_parts WHERE upload_id = ?1", &id, 1);

    if (err == GH_OK)
        err = exec_text(tx, "DELETE FROM s3_uploads WHERE id = ?1", &id, 1);
    if (err == GH_OK && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    return err;
}

enum gh_err
gh_store_s3_upload_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice bucket,
                        struct gh_slice prefix, struct gh_slice key_marker,
                        struct gh_slice id_marker, size_t limit, struct gh_s3_upload_rec **out,
                        size_t *count)
{
    sqlite3_stmt *st = NULL;
    struct gh_s3_upload_rec *v = NULL;
    size_t n = 0, cap = 0;
    enum gh_err err;
    bool row;

    *out = NULL;
    *count = 0;
    if ((err = prep(tx,
                    "SELECT " UPLOAD_COLS " FROM s3_uploads WHERE bucket = ?1"
                    " AND (key > ?2 OR (key = ?2 AND id > ?3))"
                    " AND substr(CAST(key AS BLOB), 1, length(CAST(?4 AS BLOB))) = CAST(?4 AS BLOB)"
                    " ORDER BY key, created, id LIMIT ?5",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, bucket)) != GH_OK ||
        (err = store_bind(st, 2, key_marker.ptr ? key_marker : GH_S(""))) != GH_OK ||
        (err = store_bind(st, 3, id_marker.ptr ? id_marker : GH_S(""))) != GH_OK ||
        (err = store_bind(st, 4, prefix.ptr ? prefix : GH_S(""))) != GH_OK ||
        (err = store_bind_i64(st, 5, (int64_t)limit)) != GH_OK)
        goto done;
    for (;;) {
        if ((err = store_step(st, &row)) != GH_OK || !row)
            break;
        if ((err = store_grow(a, (void **)&v, &cap, n, sizeof(*v))) != GH_OK ||
            (err = upload_row(a, st, &v[n])) != GH_OK)
            break;
        n++;
    }
    if (err == GH_OK) {
        *out = v;
        *count = n;
    }
done:
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_part_put(struct gh_store_tx *tx, struct gh_arena *a, const struct gh_s3_part_rec *p,
                     struct gh_slice *old_data_id)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row = false;

    *old_data_id = GH_S("");
    if ((err = prep(tx, "SELECT data_id FROM s3_parts WHERE upload_id = ?1 AND part = ?2", &st)) !=
        GH_OK)
        return err;
    if ((err = store_bind(st, 1, p->upload_id)) == GH_OK &&
        (err = store_bind_i64(st, 2, p->part)) == GH_OK && (err = store_step(st, &row)) == GH_OK &&
        row)
        err = store_col(a, st, 0, old_data_id);
    fin(st);
    if (err != GH_OK)
        return err;
    if ((err = prep(tx,
                    "INSERT OR REPLACE INTO s3_parts(upload_id, part, data_id, size, etag,"
                    " modified, checksum_algorithm, checksum)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, p->upload_id)) == GH_OK &&
        (err = store_bind_i64(st, 2, p->part)) == GH_OK &&
        (err = store_bind(st, 3, p->data_id)) == GH_OK &&
        (err = store_bind_i64(st, 4, (int64_t)p->size)) == GH_OK &&
        (err = store_bind(st, 5, p->etag)) == GH_OK &&
        (err = store_bind_i64(st, 6, p->modified)) == GH_OK &&
        (err = store_bind(st, 7, p->checksum_algorithm.ptr ? p->checksum_algorithm : GH_S(""))) ==
            GH_OK &&
        (err = store_bind(st, 8, p->checksum.ptr ? p->checksum : GH_S(""))) == GH_OK)
        err = store_step_done(st);
    fin(st);
    return err;
}

enum gh_err
gh_store_s3_part_list(struct gh_store_tx *tx, struct gh_arena *a, struct gh_slice upload_id,
                      int64_t after, size_t limit, struct gh_s3_part_rec **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    struct gh_s3_part_rec *v = NULL;
    size_t n = 0, cap = 0;
    enum gh_err err;
    bool row;

    *out = NULL;
    *count = 0;
    if ((err = prep(tx,
                    "SELECT upload_id, part, data_id, size, etag, modified, checksum_algorithm,"
                    " checksum FROM s3_parts"
                    " WHERE upload_id = ?1 AND part > ?2 ORDER BY part LIMIT ?3",
                    &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, upload_id)) != GH_OK ||
        (err = store_bind_i64(st, 2, after)) != GH_OK ||
        (err = store_bind_i64(st, 3, (int64_t)limit)) != GH_OK)
        goto done;
    for (;;) {
        if ((err = store_step(st, &row)) != GH_OK || !row)
            break;
        if ((err = store_grow(a, (void **)&v, &cap, n, sizeof(*v))) != GH_OK ||
            (err = store_col(a, st, 0, &v[n].upload_id)) != GH_OK ||
            (err = store_col(a, st, 2, &v[n].data_id)) != GH_OK ||
            (err = store_col(a, st, 4, &v[n].etag)) != GH_OK ||
            (err = store_col(a, st, 6, &v[n].checksum_algorithm)) != GH_OK ||
            (err = store_col(a, st, 7, &v[n].checksum)) != GH_OK)
            break;
        v[n].part = sqlite3_column_int64(st, 1);
        v[n].size = (uint64_t)sqlite3_column_int64(st, 3);
        v[n].modified = sqlite3_column_int64(st, 5);
        n++;
    }
    if (err == GH_OK) {
        *out = v;
        *count = n;
    }
done:
    fin(st);
    return err;
}
