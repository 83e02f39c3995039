/*
 * store_int.h: what the SQLite backend's files share: the store and
 * transaction structs, per-connection statement caches, bind/column
 * helpers, error mapping, list markers and the schema migrations.
 */
#ifndef GH_STORE_INT_H
#define GH_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "store/store.h"

/* Read connections in the pool; a reader waits when all are checked out. */
#define STORE_READERS 4
/* Distinct SQL statements cached per connection (one per call site). */
#define STORE_STMTS_MAX 256
/* sqlite3_busy_timeout for every connection. */
#define STORE_BUSY_MS 10000
/* Account that owns the AWS managed policies. */
#define STORE_AWS_ACCOUNT "aws"
/* ARNs of AWS managed policies start with this, then "/PATH/NAME". */
#define STORE_AWS_ARN_HEAD "arn:aws:iam::aws:policy"
#define STORE_AWS_ARN_HEAD_LEN (sizeof(STORE_AWS_ARN_HEAD) - 1)
/* ANPA + 17 Base32 characters, as AWS's policy ids. */
#define STORE_AWS_POLICY_ID_LEN 21
/* meta key of the catalog the AWS policy rows were last brought in line with. */
#define STORE_CATALOG_KEY "store.aws_catalog"
/* meta key of the persisted generation (reserved: meta_set refuses "store."). */
#define STORE_GEN_KEY "store.generation"
/* Per-account policy generations: accounts hash into this many counters
 * (two accounts sharing one only invalidate each other's caches). */
#define STORE_ACCT_GENS 1024

struct store_stmt_slot {
    const char *sql; /* identity is the pointer: each call site has its own literal */
    sqlite3_stmt *st;
};

struct store_conn {
    sqlite3 *db;
    struct store_stmt_slot stmts[STORE_STMTS_MAX];
    size_t nstmts;
    bool busy; /* checked out (readers only; guarded by pool_lock) */
};

struct gh_store {
    struct gh_secret master;
    struct store_conn writer;
    pthread_mutex_t write_lock; /* held for the whole of a write transaction */
    struct store_conn readers[STORE_READERS];
    pthread_mutex_t pool_lock; /* guards readers[].busy only */
    pthread_cond_t pool_cond;
    _Atomic uint64_t generation;
    /* AWS managed policy documents (NULL: the built-in ones in the store);
     * set once by gh_store_catalog_use before the store is shared. */
    const struct gh_aws_catalog *catalog;
    _Atomic uint64_t policy_epoch;              /* every account's policies */
    _Atomic uint64_t acct_gen[STORE_ACCT_GENS]; /* one account's (hashed) */
};

/* What a write transaction may change (gh_store_tx_scope_*). */
enum store_scope {
    STORE_SCOPE_ALL = 0, /* undeclared: any account's policies */
    STORE_SCOPE_META,    /* no policy at all */
    STORE_SCOPE_ACCOUNT, /* one account's (tx->account) */
    STORE_SCOPE_WIDE,    /* declared, but more than one account */
};

struct gh_store_tx {
    struct gh_store *s;
    struct store_conn *c;
    bool write;
    enum store_scope scope;
    char account[13];
};

/* ---- conn.c ---- */

/* SQLITE_NOMEM -> NOMEM, unique/primary key -> EXISTS, foreign key ->
 * NOT_FOUND, anything else -> IO. */
enum gh_err store_rc_err(int rc);
GH_MUST_CHECK enum gh_err store_conn_open(struct store_conn *c, const char *path, bool writer);
void store_conn_close(struct store_conn *c);
GH_MUST_CHECK enum gh_err store_exec(struct store_conn *c, const char *sql);
/* The cached statement for `sql` (a string literal), reset and unbound. */
GH_MUST_CHECK enum gh_err store_stmt(struct store_conn *c, const char *sql, sqlite3_stmt **out);
/* Resets and unbinds; call before the bound slices go away. NULL is fine. */
void store_stmt_done(sqlite3_stmt *st);
/* Text bound by pointer and length (no copy: valid until store_stmt_done). */
GH_MUST_CHECK enum gh_err store_bind(sqlite3_stmt *st, int i, struct gh_slice v);
GH_MUST_CHECK enum gh_err store_bind_blob(sqlite3_stmt *st, int i, struct gh_slice v);
GH_MUST_CHECK enum gh_err store_bind_i64(sqlite3_stmt *st, int i, int64_t v);
GH_MUST_CHECK enum gh_err store_bind_null(sqlite3_stmt *st, int i);
/* Steps once: *row true on SQLITE_ROW, false on SQLITE_DONE. */
GH_MUST_CHECK enum gh_err store_step(sqlite3_stmt *st, bool *row);
/* Steps a statement that returns no row. */
GH_MUST_CHECK enum gh_err store_step_done(sqlite3_stmt *st);
/* Copies column i into the arena (empty slice for NULL). */
GH_MUST_CHECK enum gh_err store_col(struct gh_arena *a, sqlite3_stmt *st, int i,
                                    struct gh_slice *out);
/* Rows changed by the last statement on the connection. */
int store_changes(struct store_conn *c);
/*
 * Runs `sql` (a string literal), which returns no row, with `args` bound
 * as text ?1..?nargs; with `one`, NOT_FOUND when it changed no row.
 */
GH_MUST_CHECK enum gh_err store_run(struct gh_store_tx *tx, const char *sql,
                                    const struct gh_slice *args, size_t nargs, bool one);
/*
 * Reads the first row of `sql` (a string literal) with `args` bound as
 * text ?1..?nargs into `out` (`size` bytes, zeroed first) with `row`;
 * NOT_FOUND when there is none. `out` is zeroed again on any failure.
 */
GH_MUST_CHECK enum gh_err store_get(struct gh_store_tx *tx, struct gh_arena *a, const char *sql,
                                    const struct gh_slice *args, size_t nargs,
                                    enum gh_err (*row)(struct gh_arena *, sqlite3_stmt *, void *),
                                    void *out, size_t size);

/* ---- page.c ---- */

/* Rows to return for `page` (NULL = no limit); VALIDATION when out of range. */
GH_MUST_CHECK enum gh_err store_page_limit(const struct gh_store_page *page, int64_t *limit);
/* The marker's sort key (k1, k2); both empty for the start. */
GH_MUST_CHECK enum gh_err store_marker_decode(struct gh_arena *a, const struct gh_store_page *page,
                                              struct gh_slice *k1, struct gh_slice *k2);
/* Makes room for element n of an arena array of `size`-byte elements. */
GH_MUST_CHECK enum gh_err store_grow(struct gh_arena *a, void **v, size_t *cap, size_t n,
                                     size_t size);
GH_MUST_CHECK enum gh_err store_marker_encode(struct gh_arena *a, struct gh_slice k1,
                                              struct gh_slice k2, struct gh_slice *out);

/*
 * Steps a bound statement, reading each row into an arena array of
 * `size`-byte elements with `row` (which fills one zeroed element from
 * the current row; the arena owns its slices). With `limit` >= 0 the
 * statement's LIMIT must be `limit` + 1: a row past `limit` sets
 * more->truncated, and more->next_marker encodes column `key_col` (and
 * `key2_col` when >= 0) of the last row returned. With `limit` < 0 every row is read, `key_col` is
 * ignored and `more` may be NULL. *out and *count are set on success only.
 */
GH_MUST_CHECK enum gh_err
store_rows_read(struct gh_arena *a, sqlite3_stmt *st, int64_t limit, size_t size,
                enum gh_err (*row)(struct gh_arena *, sqlite3_stmt *, void *), int key_col,
                int key2_col, void **out, size_t *count, struct gh_store_more *more);

/*
 * A Marker/MaxItems list: `sql` (a string literal: the statement cache
 * keys on its address) binds the caller's args as ?1..?nargs, then the
 * marker's sort key (one part, or two when key2_col >= 0), then LIMIT.
 */
struct store_list {
    const char *sql;
    size_t size; /* of one element */
    enum gh_err (*row)(struct gh_arena *a, sqlite3_stmt *st, void *out);
    int key_col;  /* column of the marker's first part */
    int key2_col; /* column of its second part, or -1 */
};

/* Runs `q` for `page` (NULL = all rows); out-params cleared on entry and on
 * failure; `more` may be NULL. */
GH_MUST_CHECK enum gh_err store_list_run(struct gh_store_tx *tx, struct gh_arena *a,
                                         const struct store_list *q, const struct gh_slice *args,
                                         size_t nargs, const struct gh_store_page *page, void **out,
                                         size_t *count, struct gh_store_more *more);

/* ---- schema.c / aws_policies.c ---- */

/* Brings the schema to the latest version in one transaction. */
GH_MUST_CHECK enum gh_err store_migrate(struct store_conn *c);
/* Inserts the AWS managed policies (a migration step). */
GH_MUST_CHECK enum gh_err store_aws_policies_seed(struct store_conn *c);

/* ---- catalog.c ---- */

/* One policy of the catalog (slices point into the mapped file). */
struct store_catalog_policy {
    struct gh_slice arn, path, name;
    uint32_t first_version, nversions;
    uint32_t default_version; /* N of "vN" */
    int64_t created, updated;
};

void store_catalog_policy(const struct gh_aws_catalog *c, size_t i,
                          struct store_catalog_policy *out);
/* The catalog's policy with `arn` (ASCII case ignored, as the store's ARNs);
 * false when absent or `c` is NULL. */
bool store_catalog_find(const struct gh_aws_catalog *c, struct gh_slice arn,
                        struct store_catalog_policy *out);
/* Version `j` (0 is the newest) of `p`, its document inflated into `a`
 * when `with_document`. IO when the compressed document is damaged. */
GH_MUST_CHECK enum gh_err store_catalog_version(const struct gh_aws_catalog *c,
                                                const struct store_catalog_policy *p, size_t j,
                                                struct gh_arena *a, bool with_document,
                                                struct gh_policy_version *out);
/* The policy id of a catalog policy new to the store: a function of its ARN. */
void store_catalog_policy_id(struct gh_slice arn, char out[STORE_AWS_POLICY_ID_LEN + 1]);
/* Hex SHA-256 of the catalog, or "built-in" for NULL. */
const char *store_catalog_digest(const struct gh_aws_catalog *c);
/* Copies the default version of catalog policy `arn` into the store so it
 * stays readable if a later catalog drops the policy (AWS deprecation). */
GH_MUST_CHECK enum gh_err store_catalog_snapshot(struct store_conn *conn,
                                                 const struct gh_aws_catalog *c, struct gh_arena *a,
                                                 struct gh_slice arn);

/* store_catalog_snapshot for a permissions boundary `arn` being set
 * (nothing when empty, not a catalog policy, or no catalog is served). */
GH_MUST_CHECK enum gh_err store_catalog_keep(struct gh_store_tx *tx, struct gh_slice arn);

/* ---- entity helpers shared by the files ---- */

/* The columns store_user_row and store_role_row read, in order, each
 * prefixed with `t` (a table alias such as "u.", or ""). */
#define STORE_USER_COLS(t)                                                                         \
    t "account, " t "name, " t "path, " t "id, " t "boundary_arn, " t "created, " t                \
      "password_last_used"
#define STORE_ROLE_COLS(t)                                                                         \
    t "account, " t "name, " t "path, " t "id, " t "trust_policy, " t "description, " t            \
      "boundary_arn, " t "max_session_s, " t "created, " t "last_used, " t "last_used_region, " t  \
      "trust_bind"

/* A struct gh_user (`out`) from a row of STORE_USER_COLS; arena owns its slices. */
GH_MUST_CHECK enum gh_err store_user_row(struct gh_arena *a, sqlite3_stmt *st, void *out);
/* A struct gh_role (`out`) from a row of STORE_ROLE_COLS; arena owns its slices. */
GH_MUST_CHECK enum gh_err store_role_row(struct gh_arena *a, sqlite3_stmt *st, void *out);

#define STORE_ID_MAX 128
/* A user's unique id by (account, name), NUL-terminated into `id`;
 * NOT_FOUND when absent. */
/*
 * Renames and/or moves entity (account, name) with `sql` (a literal:
 * "UPDATE t SET name = coalesce(?3, name), path = coalesce(?4, path)
 * WHERE account = ?1 AND name = ?2"); an empty new_name or new_path keeps
 * the old one. NOT_FOUND when absent, EXISTS when the new name is taken.
 */
GH_MUST_CHECK enum gh_err store_rename(struct gh_store_tx *tx, const char *sql,
                                       struct gh_slice account, struct gh_slice name,
                                       struct gh_slice new_name, struct gh_slice new_path);
GH_MUST_CHECK enum gh_err store_user_id(struct gh_store_tx *tx, struct gh_slice account,
                                        struct gh_slice name, char id[STORE_ID_MAX]);

#endif
