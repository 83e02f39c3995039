/*
 * assertion.c: the federated assertions (SAML) already exchanged for
 * credentials, kept until they expire so that none is accepted twice
 * (SAML 2.0 Profiles 4.1.4.5), across restarts and by every server
 * sharing the database.
 */
#include "store/store_int.h"

enum gh_err
gh_store_assertion_use(struct gh_store *s, struct gh_slice key, int64_t expires, int64_t now)
{
    struct store_conn *c = &s->writer;
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if (key.len == 0 || key.len > GH_STORE_ASSERTION_KEY_MAX)
        return GH_ERR_INVALID_PARAM;
    /* Its own short write transaction on the writer, without a generation
     * bump: no cached decision depends on this table. */
    pthread_mutex_lock(&s->write_lock);
    if ((err = store_exec(c, "BEGIN IMMEDIATE")) != GH_OK)
        goto unlock;
    if ((err = store_stmt(c, "DELETE FROM used_assertions WHERE expires <= ?1", &st)) == GH_OK) {
        if ((err = store_bind_i64(st, 1, now)) == GH_OK)
            err = store_step_done(st);
        store_stmt_done(st);
    }
    /* The primary key makes a second use fail (GH_ERR_EXISTS), even when two
     * requests carry the same assertion at once. */
    if (err == GH_OK &&
        (err = store_stmt(c, "INSERT INTO used_assertions(key, expires) VALUES (?1, ?2)", &st)) ==
            GH_OK) {
        if ((err = store_bind_blob(st, 1, key)) == GH_OK &&
            (err = store_bind_i64(st, 2, expires)) == GH_OK)
            err = store_step_done(st);
        store_stmt_done(st);
    }
    if (err == GH_OK)
        err = store_exec(c, "COMMIT");
    if (err != GH_OK && !sqlite3_get_autocommit(c->db))
        (void)sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
unlock:
    pthread_mutex_unlock(&s->write_lock);
    return err;
}
