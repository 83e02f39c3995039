/*
 * store.c: the SQLite store's lifecycle and transactions: one writer
 * connection serialised by a mutex, a small pool of read connections, and
 * the generation number bumped by every committed write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "store/store_int.h"

static enum gh_err
db_path(const char *dir, char *out, size_t n)
{
    int w = snprintf(out, n, "%s/gatehouse.db", dir);

    return (w < 0 || (size_t)w >= n) ? GH_ERR_TOO_LARGE : GH_OK;
}

static enum gh_err
generation_read(struct store_conn *c, uint64_t *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    *out = 0;
    if ((err = store_stmt(c, "SELECT value FROM meta WHERE key = '" STORE_GEN_KEY "'", &st)) !=
        GH_OK)
        return err;
    if ((err = store_step(st, &row)) == GH_OK && row) {
        sqlite3_int64 v = sqlite3_column_int64(st, 0);
        *out = v > 0 ? (uint64_t)v : 0;
    }
    store_stmt_done(st);
    return err;
}

enum gh_err
gh_store_open(const char *dir, const struct gh_secret *master, struct gh_store **out)
{
    struct gh_store *s = NULL;
    char path[4096];
    enum gh_err err;
    uint64_t gen = 0;
    size_t opened = 0;
    bool locks = false;

    *out = NULL;
    if (master == NULL || master->len != GH_AEAD_KEY_LEN)
        return GH_ERR_INVALID_PARAM;
    if ((err = db_path(dir, path, sizeof(path))) != GH_OK)
        return err;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return GH_ERR_NOMEM;
    memcpy(&s->master, master, sizeof(s->master));
    if (pthread_mutex_init(&s->write_lock, NULL) != 0) {
        err = GH_ERR_INTERNAL;
        goto done;
    }
    if (pthread_mutex_init(&s->pool_lock, NULL) != 0) {
        pthread_mutex_destroy(&s->write_lock);
        err = GH_ERR_INTERNAL;
        goto done;
    }
    if (pthread_cond_init(&s->pool_cond, NULL) != 0) {
        pthread_mutex_destroy(&s->pool_lock);
        pthread_mutex_destroy(&s->write_lock);
        err = GH_ERR_INTERNAL;
        goto done;
    }
    locks = true;
    if ((err = store_conn_open(&s->writer, path, true)) != GH_OK)
        goto done;
    if ((err = store_migrate(&s->writer)) != GH_OK)
        goto done;
    for (; opened < STORE_READERS; opened++)
        if ((err = store_conn_open(&s->readers[opened], path, false)) != GH_OK)
            goto done;
    if ((err = generation_read(&s->writer, &gen)) != GH_OK)
        goto done;
    atomic_store(&s->generation, gen);
    *out = s;
    s = NULL;
done:
    if (s != NULL) {
        for (size_t i = 0; i < opened; i++)
            store_conn_close(&s->readers[i]);
        store_conn_close(&s->writer);
        if (locks) {
            pthread_cond_destroy(&s->pool_cond);
            pthread_mutex_destroy(&s->pool_lock);
            pthread_mutex_destroy(&s->write_lock);
        }
        OPENSSL_cleanse(&s->master, sizeof(s->master));
        free(s);
    }
    return err;
}

void
gh_store_close(struct gh_store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < STORE_READERS; i++)
        store_conn_close(&s->readers[i]);
    store_conn_close(&s->writer);
    pthread_cond_destroy(&s->pool_cond);
    pthread_mutex_destroy(&s->pool_lock);
    pthread_mutex_destroy(&s->write_lock);
    OPENSSL_cleanse(&s->master, sizeof(s->master));
    free(s);
}

enum gh_err
gh_store_refresh(struct gh_store *s, bool *changed)
{
    struct gh_store_tx *tx = NULL;
    uint64_t gen = 0, cur;
    enum gh_err err;

    *changed = false;
    if ((err = gh_store_tx_begin(s, false, &tx)) != GH_OK)
        return err;
    err = generation_read(tx->c, &gen);
    gh_store_tx_rollback(tx);
    if (err != GH_OK)
        return err;
    /* Another process (a CLI on the same data directory) committed: its
     * writes bumped the persisted generation; make caches see it. */
    cur = atomic_load(&s->generation);
    while (gen > cur) {
        if (atomic_compare_exchange_weak(&s->generation, &cur, gen)) {
            *changed = true;
            break;
        }
    }
    /* What it changed is unknown here: every account's policies. */
    if (*changed)
        atomic_fetch_add(&s->policy_epoch, 1);
    return GH_OK;
}

static size_t
acct_slot(struct gh_slice account)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (size_t i = 0; i < account.len; i++) {
        h ^= (unsigned char)account.ptr[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h % STORE_ACCT_GENS);
}

uint64_t
gh_store_policy_generation(const struct gh_store *s, struct gh_slice account)
{
    struct gh_store *m = (struct gh_store *)s;

    /* Both only rise, so the sum changes whenever either does. */
    return atomic_load(&m->policy_epoch) + atomic_load(&m->acct_gen[acct_slot(account)]);
}

void
gh_store_tx_scope_account(struct gh_store_tx *tx, struct gh_slice account)
{
    if (tx == NULL || !tx->write)
        return;
    if (account.len == 0 || account.len >= sizeof(tx->account)) {
        tx->scope = STORE_SCOPE_WIDE;
        return;
    }
    switch (tx->scope) {
    case STORE_SCOPE_ALL:
    case STORE_SCOPE_META:
        memcpy(tx->account, account.ptr, account.len);
        tx->account[account.len] = '\0';
        tx->scope = STORE_SCOPE_ACCOUNT;
        break;
    case STORE_SCOPE_ACCOUNT:
        if (!gh_slice_eq_cstr(account, tx->account))
            tx->scope = STORE_SCOPE_WIDE;
        break;
    case STORE_SCOPE_WIDE:
        break;
    }
}

bool
gh_store_tx_is_write(const struct gh_store_tx *tx)
{
    return tx->write;
}

void
gh_store_tx_scope_metadata(struct gh_store_tx *tx)
{
    if (tx != NULL && tx->write && tx->scope == STORE_SCOPE_ALL)
        tx->scope = STORE_SCOPE_META;
}

uint64_t
gh_store_page_reads(struct gh_store *s)
{
    struct store_conn *conns[STORE_READERS + 1];
    uint64_t total = 0;

    conns[0] = &s->writer;
    for (size_t i = 0; i < STORE_READERS; i++)
        conns[i + 1] = &s->readers[i];
    for (size_t i = 0; i < GH_ARRAY_LEN(conns); i++) {
        int cur = 0, hi = 0;
        if (conns[i]->db == NULL)
            continue;
        if (sqlite3_db_status(conns[i]->db, SQLITE_DBSTATUS_CACHE_HIT, &cur, &hi, 0) == SQLITE_OK)
            total += (uint64_t)cur;
        if (sqlite3_db_status(conns[i]->db, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 0) == SQLITE_OK)
            total += (uint64_t)cur;
    }
    return total;
}

uint64_t
gh_store_generation(const struct gh_store *s)
{
    return atomic_load_explicit((_Atomic uint64_t *)&s->generation, memory_order_acquire);
}

static struct store_conn *
reader_checkout(struct gh_store *s)
{
    struct store_conn *c = NULL;

    pthread_mutex_lock(&s->pool_lock);
    for (;;) {
        for (size_t i = 0; i < STORE_READERS; i++) {
            if (!s->readers[i].busy) {
                c = &s->readers[i];
                c->busy = true;
                break;
            }
        }
        if (c != NULL)
            break;
        pthread_cond_wait(&s->pool_cond, &s->pool_lock);
    }
    pthread_mutex_unlock(&s->pool_lock);
    return c;
}

static void
reader_return(struct gh_store *s, struct store_conn *c)
{
    pthread_mutex_lock(&s->pool_lock);
    c->busy = false;
    pthread_cond_signal(&s->pool_cond);
    pthread_mutex_unlock(&s->pool_lock);
}

/*
 * Runs a transaction-control statement ("BEGIN DEFERRED", "COMMIT" ...,
 * a string literal) from the connection's cache: sqlite3_exec would parse
 * it again on every request.
 */
static enum gh_err
tx_exec(struct store_conn *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(c, sql, &st)) != GH_OK)
        return err;
    err = store_step_done(st);
    store_stmt_done(st);
    return err;
}

static void
tx_release(struct gh_store_tx *tx)
{
    if (tx->write)
        pthread_mutex_unlock(&tx->s->write_lock);
    else
        reader_return(tx->s, tx->c);
    free(tx);
}

enum gh_err
gh_store_tx_begin(struct gh_store *s, bool write, struct gh_store_tx **out)
{
    struct gh_store_tx *tx;
    enum gh_err err;

    *out = NULL;
    if ((tx = calloc(1, sizeof(*tx))) == NULL)
        return GH_ERR_NOMEM;
    tx->s = s;
    tx->write = write;
    if (write) {
        pthread_mutex_lock(&s->write_lock);
        tx->c = &s->writer;
        /* IMMEDIATE: take the write lock now, so the tx cannot fail later
         * with SQLITE_BUSY on its first write. */
        err = tx_exec(tx->c, "BEGIN IMMEDIATE");
    } else {
        tx->c = reader_checkout(s);
        err = tx_exec(tx->c, "BEGIN DEFERRED");
    }
    if (err != GH_OK) {
        tx_release(tx);
        return err;
    }
    *out = tx;
    return GH_OK;
}

/* Bumps the persisted generation inside the transaction; *gen gets the new value. */
static enum gh_err
generation_bump(struct store_conn *c, uint64_t *gen)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(c, "UPDATE meta SET value = value + 1 WHERE key = '" STORE_GEN_KEY "'",
                          &st)) != GH_OK)
        return err;
    err = store_step_done(st);
    store_stmt_done(st);
    if (err != GH_OK)
        return err;
    return generation_read(c, gen);
}

enum gh_err
gh_store_tx_commit(struct gh_store_tx *tx)
{
    enum gh_err err = GH_OK;
    uint64_t gen = 0;

    if (tx->write)
        err = generation_bump(tx->c, &gen);
    if (err == GH_OK)
        err = tx_exec(tx->c, "COMMIT");
    if (err != GH_OK) {
        /* Nothing was written: undo whatever the failed COMMIT left open. */
        if (!sqlite3_get_autocommit(tx->c->db) && tx_exec(tx->c, "ROLLBACK") != GH_OK)
            (void)sqlite3_exec(tx->c->db, "ROLLBACK", NULL, NULL, NULL);
    } else if (tx->write) {
        struct gh_store *s = tx->s;
        /* Another process committed since this one last looked (the
         * persisted generation moved by more than this commit): what it
         * changed is unknown, so every account's policies are. */
        bool external = gen != atomic_load(&s->generation) + 1;
        /* Published after the commit is durable, and before the writer lock
         * is released, so generations rise in commit order. The store-wide
         * generation first: a cache that sees the policy generation move
         * then sees it too (api/ relies on this to validate a load). */
        atomic_store_explicit(&s->generation, gen, memory_order_release);
        if (external || tx->scope == STORE_SCOPE_ALL || tx->scope == STORE_SCOPE_WIDE)
            atomic_fetch_add(&s->policy_epoch, 1);
        else if (tx->scope == STORE_SCOPE_ACCOUNT)
            atomic_fetch_add(&s->acct_gen[acct_slot(gh_slice_from_cstr(tx->account))], 1);
    }
    tx_release(tx);
    return err;
}

void
gh_store_tx_rollback(struct gh_store_tx *tx)
{
    if (tx == NULL)
        return;
    if (!sqlite3_get_autocommit(tx->c->db) && tx_exec(tx->c, "ROLLBACK") != GH_OK)
        (void)sqlite3_exec(tx->c->db, "ROLLBACK", NULL, NULL, NULL); /* cache full, or no memory */
    tx_release(tx);
}
