/*
 * conn.c: one SQLite connection: opening it with the pragmas every
 * connection needs, its prepared-statement cache, and the bind/step/column
 * helpers that keep SQL free of user data and map SQLite codes to gh_err.
 */
#include <limits.h>
#include <string.h>

#include "store/store_int.h"

enum gh_err
store_rc_err(int rc)
{
    switch (rc) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return GH_OK;
    case SQLITE_NOMEM:
        return GH_ERR_NOMEM;
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return GH_ERR_EXISTS;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return GH_ERR_NOT_FOUND;
    default:
        return (rc & 0xff) == SQLITE_NOMEM ? GH_ERR_NOMEM : GH_ERR_IO;
    }
}

enum gh_err
store_exec(struct store_conn *c, const char *sql)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        rc = sqlite3_extended_errcode(c->db);
    return store_rc_err(rc);
}

enum gh_err
store_conn_open(struct store_conn *c, const char *path, bool writer)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    enum gh_err err;
    int rc;

    memset(c, 0, sizeof(*c));
    if (writer)
        flags |= SQLITE_OPEN_CREATE;
    rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        err = c->db == NULL ? GH_ERR_NOMEM : store_rc_err(rc);
        goto done;
    }
    sqlite3_extended_result_codes(c->db, 1);
    if ((rc = sqlite3_busy_timeout(c->db, STORE_BUSY_MS)) != SQLITE_OK) {
        err = store_rc_err(rc);
        goto done;
    }
    /* synchronous=FULL: a commit returns only after the WAL is fsynced, so
     * an acknowledged write survives power loss. */
    if ((err = store_exec(c, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;")) != GH_OK)
        goto done;
    if (writer)
        err = store_exec(c, "PRAGMA journal_mode=WAL;");
    else
        err = store_exec(c, "PRAGMA query_only=ON;");
done:
    if (err != GH_OK)
        store_conn_close(c);
    return err;
}

void
store_conn_close(struct store_conn *c)
{
    for (size_t i = 0; i < c->nstmts; i++)
        sqlite3_finalize(c->stmts[i].st);
    c->nstmts = 0;
    if (c->db != NULL)
        sqlite3_close(c->db);
    c->db = NULL;
}

enum gh_err
store_stmt(struct store_conn *c, const char *sql, sqlite3_stmt **out)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = NULL;
    for (size_t i = 0; i < c->nstmts; i++) {
        if (c->stmts[i].sql == sql) {
            *out = c->stmts[i].st;
            return GH_OK;
        }
    }
    rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return store_rc_err(sqlite3_extended_errcode(c->db));
    if (c->nstmts == STORE_STMTS_MAX) {
        sqlite3_finalize(st);
        return GH_ERR_INTERNAL; /* more call sites than slots: raise STORE_STMTS_MAX */
    }
    c->stmts[c->nstmts].sql = sql;
    c->stmts[c->nstmts].st = st;
    c->nstmts++;
    *out = st;
    return GH_OK;
}

void
store_stmt_done(sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

enum gh_err
store_bind(sqlite3_stmt *st, int i, struct gh_slice v)
{
    if (v.len > INT_MAX)
        return GH_ERR_TOO_LARGE;
    return store_rc_err(
        sqlite3_bind_text(st, i, v.ptr != NULL ? v.ptr : "", (int)v.len, SQLITE_STATIC));
}

enum gh_err
store_bind_blob(sqlite3_stmt *st, int i, struct gh_slice v)
{
    if (v.len > INT_MAX)
        return GH_ERR_TOO_LARGE;
    return store_rc_err(
        sqlite3_bind_blob(st, i, v.ptr != NULL ? v.ptr : "", (int)v.len, SQLITE_STATIC));
}

enum gh_err
store_bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
    return store_rc_err(sqlite3_bind_int64(st, i, v));
}

enum gh_err
store_bind_null(sqlite3_stmt *st, int i)
{
    return store_rc_err(sqlite3_bind_null(st, i));
}

enum gh_err
store_step(sqlite3_stmt *st, bool *row)
{
    int rc = sqlite3_step(st);

    *row = false;
    if (rc == SQLITE_ROW) {
        *row = true;
        return GH_OK;
    }
    if (rc == SQLITE_DONE)
        return GH_OK;
    return store_rc_err(sqlite3_extended_errcode(sqlite3_db_handle(st)));
}

enum gh_err
store_step_done(sqlite3_stmt *st)
{
    bool row;
    enum gh_err err = store_step(st, &row);

    if (err == GH_OK && row)
        err = GH_ERR_INTERNAL;
    return err;
}

enum gh_err
store_col(struct gh_arena *a, sqlite3_stmt *st, int i, struct gh_slice *out)
{
    const unsigned char *p = sqlite3_column_text(st, i);
    int n = sqlite3_column_bytes(st, i);

    *out = GH_SLICE_NULL;
    if (p == NULL) {
        if (sqlite3_column_type(st, i) != SQLITE_NULL)
            return GH_ERR_NOMEM;
        return gh_arena_dup(a, GH_S(""), out);
    }
    return gh_arena_dup(a, (struct gh_slice){(const char *)p, (size_t)n}, out);
}

int
store_changes(struct store_conn *c)
{
    return sqlite3_changes(c->db);
}

/* The cached statement for `sql` with `args` bound as ?1..?n; done with store_stmt_done. */
static enum gh_err
stmt_bound(struct gh_store_tx *tx, const char *sql, const struct gh_slice *args, size_t nargs,
           sqlite3_stmt **out)
{
    enum gh_err err;

    *out = NULL;
    if (nargs > INT_MAX)
        return GH_ERR_INTERNAL;
    if ((err = store_stmt(tx->c, sql, out)) != GH_OK)
        return err;
    for (size_t i = 0; i < nargs && err == GH_OK; i++)
        err = store_bind(*out, (int)i + 1, args[i]);
    if (err != GH_OK) {
        store_stmt_done(*out);
        *out = NULL;
    }
    return err;
}

enum gh_err
store_run(struct gh_store_tx *tx, const char *sql, const struct gh_slice *args, size_t nargs,
          bool one)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = stmt_bound(tx, sql, args, nargs, &st)) != GH_OK)
        return err;
    if ((err = store_step_done(st)) == GH_OK && one && store_changes(tx->c) == 0)
        err = GH_ERR_NOT_FOUND;
    store_stmt_done(st);
    return err;
}

enum gh_err
store_get(struct gh_store_tx *tx, struct gh_arena *a, const char *sql, const struct gh_slice *args,
          size_t nargs, enum gh_err (*row)(struct gh_arena *, sqlite3_stmt *, void *), void *out,
          size_t size)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool has;

    memset(out, 0, size);
    if ((err = stmt_bound(tx, sql, args, nargs, &st)) != GH_OK)
        return err;
    if ((err = store_step(st, &has)) == GH_OK)
        err = has ? row(a, st, out) : GH_ERR_NOT_FOUND;
    store_stmt_done(st);
    if (err != GH_OK)
        memset(out, 0, size);
    return err;
}
