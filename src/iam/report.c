/*
 * report.c: the credential report (GenerateCredentialReport,
 * GetCredentialReport), GetAccessKeyLastUsed, and gh_iam_key_used, which
 * records an access key's use after authentication without a database
 * write on every request.
 */
#include <pthread.h>
#include <string.h>

#include "iam/iam_ext.h"

/* AWS IAM: a credential report is reused for 4 hours, then regenerated. */
#define REPORT_TTL_S (4 * 3600)
/* Largest report kept: far above 5000 users of a few hundred bytes each. */
#define REPORT_MAX ((size_t)8 * 1024 * 1024)
/* Recording a key's use more often than this tells nobody anything. */
#define TOUCH_INTERVAL_S 60
#define TOUCH_SHARDS 16
#define TOUCH_SLOTS 64 /* per shard; a direct-mapped cache of recent writes */
#define AKID_MAX 128

/* ---- the report ---- */

/* AWS IAM: credential report times read 2025-11-25T16:21:10+00:00. */
static void
csv_time(struct gh_buf *b, int64_t t)
{
    char iso[21];

    gh_time_iso8601(t, iso); /* 2025-11-25T16:21:10Z */
    gh_buf_putf(b, ",%.19s+00:00", iso);
}

static void
csv_str(struct gh_buf *b, struct gh_slice s)
{
    gh_buf_putf(b, ",%.*s", GH_SP(s));
}

/* The access_key_N_* columns of key `k` (NULL: no such key). */
static void
csv_key(struct gh_buf *b, const struct gh_access_key *k)
{
    if (k == NULL) {
        gh_buf_puts(b, ",false,N/A,N/A,N/A,N/A");
        return;
    }
    gh_buf_puts(b, k->status == GH_KEY_ACTIVE ? ",true" : ",false");
    csv_time(b, k->created);
    if (k->last_used == 0) {
        /* AWS IAM: N/A for a key never used. */
        gh_buf_puts(b, ",N/A,N/A,N/A");
        return;
    }
    csv_time(b, k->last_used);
    csv_str(b, k->last_used_region.len > 0 ? k->last_used_region : GH_S("N/A"));
    csv_str(b, k->last_used_service.len > 0 ? k->last_used_service : GH_S("N/A"));
}

static void
csv_cert(struct gh_buf *b, const struct gh_store_rec *r)
{
    if (r == NULL) {
        gh_buf_puts(b, ",false,N/A");
        return;
    }
    gh_buf_puts(b, r->status == GH_KEY_ACTIVE ? ",true" : ",false");
    csv_time(b, r->created);
}

/* Seconds of the password policy's MaxPasswordAge (0 = none). */
static enum gh_err
max_password_age_s(struct gh_call *c, int64_t *out)
{
    struct gh_store_rec r;
    json_t *o = NULL;
    enum gh_err err;

    *out = 0;
    err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_PWPOLICY),
                           GH_S("policy"), &r, NULL);
    if (err == GH_ERR_NOT_FOUND)
        return GH_OK;
    if (err != GH_OK || (err = gh_iam_rec_json(&r, &o)) != GH_OK)
        return err;
    *out = gh_iam_json_int(o, "age") * 86400;
    json_decref(o);
    return GH_OK;
}

static enum gh_err
user_row(struct gh_call *c, struct gh_buf *b, const struct gh_user *u, int64_t max_age_s)
{
    struct gh_slice arn = gh_iam_arn(c, u->account, "user", u->path, u->name);
    struct gh_access_key *keys;
    struct gh_store_rec login, *mfa, *certs;
    size_t nkeys, nmfa, ncerts;
    enum gh_err err;

    if (arn.ptr == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_store_access_key_list(c->tx, c->arena, u->account, u->name, &keys, &nkeys)) !=
            GH_OK ||
        (err = gh_store_rec_list(c->tx, c->arena, u->account, GH_S(GH_IAM_REC_MFA), u->id, &mfa,
                                 &nmfa)) != GH_OK ||
        (err = gh_store_rec_list(c->tx, c->arena, u->account, GH_S(GH_IAM_REC_CERT), u->id, &certs,
                                 &ncerts)) != GH_OK)
        return err;
    gh_buf_put(b, u->name);
    csv_str(b, arn);
    csv_time(b, u->created);
    err =
        gh_store_rec_get(c->tx, c->arena, u->account, GH_S(GH_IAM_REC_LOGIN), u->id, &login, NULL);
    if (err == GH_ERR_NOT_FOUND) {
        /* AWS IAM: without a password, its columns are N/A... */
        gh_buf_puts(b, ",false");
        if (u->password_last_used != 0)
            csv_time(b, u->password_last_used);
        else
            gh_buf_puts(b, ",N/A");
        gh_buf_puts(b, ",N/A,N/A");
    } else if (err == GH_OK) {
        json_t *o = NULL;
        int64_t changed;

        if ((err = gh_iam_rec_json(&login, &o)) != GH_OK)
            return err;
        changed = gh_iam_json_int(o, "changed");
        json_decref(o);
        if (changed == 0)
            changed = login.created;
        gh_buf_puts(b, ",true");
        /* ...and no_information for a password never used to sign in. */
        if (u->password_last_used != 0)
            csv_time(b, u->password_last_used);
        else
            gh_buf_puts(b, ",no_information");
        csv_time(b, changed);
        if (max_age_s > 0)
            csv_time(b, changed + max_age_s);
        else
            gh_buf_puts(b, ",N/A");
    } else {
        return err;
    }
    gh_buf_puts(b, nmfa > 0 ? ",true" : ",false");
    csv_key(b, nkeys > 0 ? &keys[0] : NULL);
    csv_key(b, nkeys > 1 ? &keys[1] : NULL);
    csv_cert(b, ncerts > 0 ? &certs[0] : NULL);
    csv_cert(b, ncerts > 1 ? &certs[1] : NULL);
    gh_buf_puts(b, "\n");
    return gh_buf_status(b);
}

/* The report's CSV into `b`: header, the root's row, then every user by name. */
static enum gh_err
report_build(struct gh_call *c, struct gh_buf *b)
{
    struct gh_store_page page = {GH_SLICE_NULL, GH_IAM_MAX_ITEMS_MAX};
    struct gh_store_more more = {0};
    struct gh_access_key *keys;
    struct gh_user *users;
    size_t nkeys, n;
    int64_t max_age_s, account_created = c->now;
    enum gh_err err;

    if ((err = max_password_age_s(c, &max_age_s)) != GH_OK)
        return err;
    /* AWS IAM: the columns of the credential report, in AWS's order. */
    gh_buf_puts(b, "user,arn,user_creation_time,password_enabled,password_last_used,"
                   "password_last_changed,password_next_rotation,mfa_active,"
                   "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
                   "access_key_1_last_used_region,access_key_1_last_used_service,"
                   "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
                   "access_key_2_last_used_region,access_key_2_last_used_service,"
                   "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n");
    if ((err = gh_store_access_key_list(c->tx, c->arena, gh_iam_account(c), GH_S(""), &keys,
                                        &nkeys)) != GH_OK)
        return err;
    /* The account's creation is the oldest root key's, when it has one. */
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i].created < account_created)
            account_created = keys[i].created;
    /* AWS IAM: the root row: its password columns are not_supported. */
    gh_buf_putf(b, "<root_account>,arn:aws:iam::%.*s:root", GH_SP(gh_iam_account(c)));
    csv_time(b, account_created);
    gh_buf_puts(b, ",not_supported,no_information,not_supported,not_supported,false");
    csv_key(b, nkeys > 0 ? &keys[0] : NULL);
    csv_key(b, nkeys > 1 ? &keys[1] : NULL);
    csv_cert(b, NULL);
    csv_cert(b, NULL);
    gh_buf_puts(b, "\n");
    do {
        if ((err = gh_store_user_list(c->tx, c->arena, gh_iam_account(c), GH_S(""), &page, &users,
                                      &n, &more)) != GH_OK)
            return err;
        for (size_t i = 0; i < n; i++)
            if ((err = user_row(c, b, &users[i], max_age_s)) != GH_OK)
                return err;
        page.marker = more.next_marker;
    } while (more.truncated);
    return gh_buf_status(b);
}

enum gh_err
gh_iam_GenerateCredentialReport(struct gh_call *c)
{
    struct gh_store_rec r;
    struct gh_buf csv;
    enum gh_err err;

    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:GenerateCredentialReport", GH_S("*"))) != GH_OK)
        return err;
    err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_REPORT),
                           GH_S("credential"), &r, NULL);
    if (err == GH_OK && c->now - r.created < REPORT_TTL_S) {
        /* AWS IAM: a report under 4 hours old is the answer: COMPLETE. */
        gh_xml_elem_cstr(c->result, "State", "COMPLETE");
        return gh_buf_status(c->result);
    }
    if (err != GH_OK && err != GH_ERR_NOT_FOUND)
        return err;
    gh_buf_init(&csv, REPORT_MAX);
    if ((err = report_build(c, &csv)) != GH_OK)
        goto done;
    r = (struct gh_store_rec){
        .account = gh_iam_account(c),
        .kind = GH_S(GH_IAM_REC_REPORT),
        .id = GH_S("credential"),
        .owner = GH_S(""),
        .created = c->now,
        .updated = c->now,
        .data = gh_buf_slice(&csv),
    };
    if ((err = gh_store_rec_put(c->tx, &r, NULL, true)) != GH_OK)
        goto done;
    /*
     * AWS IAM: the first call answers STARTED "No report exists. Starting
     * a new report generation task", the next COMPLETE. Here generation
     * ends within the call, so the report is ready as soon as STARTED is
     * seen (clients poll until COMPLETE).
     */
    gh_xml_elem_cstr(c->result, "State", "STARTED");
    gh_xml_elem_cstr(c->result, "Description",
                     "No report exists. Starting a new report generation task");
    err = gh_buf_status(c->result);
done:
    gh_buf_cleanup(&csv);
    return err;
}

enum gh_err
gh_iam_GetCredentialReport(struct gh_call *c)
{
    struct gh_store_rec r;
    enum gh_err err;

    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:GetCredentialReport", GH_S("*"))) != GH_OK)
        return err;
    err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_REPORT),
                           GH_S("credential"), &r, NULL);
    if (err == GH_ERR_NOT_FOUND)
        /* AWS IAM: ReportNotPresent (410), its documented description. */
        return gh_call_fail(c, GH_IAM_ERR_REPORT_NOT_PRESENT,
                            "The request was rejected because the credential report does not "
                            "exist. To generate a credential report, use "
                            "GenerateCredentialReport.");
    if (err != GH_OK)
        return err;
    if (c->now - r.created >= REPORT_TTL_S)
        /* AWS IAM: ReportExpired (410) once the report is over 4 hours old. */
        return gh_call_fail(c, GH_ERR_REPORT_EXPIRED,
                            "The request was rejected because the most recent credential report "
                            "has expired. To generate a new credential report, use "
                            "GenerateCredentialReport.");
    gh_iam_elem_base64(c, "Content", r.data.ptr, r.data.len);
    gh_xml_elem_cstr(c->result, "ReportFormat", "text/csv");
    gh_xml_elem_time(c->result, "GeneratedTime", r.created);
    return gh_buf_status(c->result);
}

/* ---- access key last used ---- */

enum gh_err
gh_iam_GetAccessKeyLastUsed(struct gh_call *c)
{
    struct gh_slice id, arn, account = gh_iam_account(c);
    struct gh_access_key k;
    struct gh_user u;
    enum gh_err err;

    gh_iam_str(c, "AccessKeyId", &gh_iam_shape_access_key_id, true, &id);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    err = gh_store_access_key_get(c->tx, c->arena, id, &k, NULL);
    if (err == GH_OK && !gh_slice_eq(k.account, account))
        err = GH_ERR_NOT_FOUND; /* another account's key is not this caller's business */
    if (err == GH_ERR_NOT_FOUND) {
        /* AWS IAM: authorized on the key's user; unknown keys on the account's users. */
        if ((err = gh_call_authorize(c, "iam:GetAccessKeyLastUsed", gh_iam_list_arn(c, "user"))) !=
            GH_OK)
            return err;
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "The Access Key with id %.*s cannot be found",
                            GH_SP(id));
    }
    if (err != GH_OK)
        return err;
    if (k.user_name.len > 0) {
        if ((err = gh_iam_user_load(c, "iam:GetAccessKeyLastUsed", k.user_name, &u, &arn)) != GH_OK)
            return err;
        gh_xml_elem(c->result, "UserName", u.name);
    } else {
        if ((err = gh_call_authorize(c, "iam:GetAccessKeyLastUsed", c->caller->arn)) != GH_OK)
            return err;
    }
    /* AWS IAM: Region and ServiceName are N/A, and no LastUsedDate, for a key never used. */
    gh_xml_open(c->result, "AccessKeyLastUsed");
    if (k.last_used != 0)
        gh_xml_elem_time(c->result, "LastUsedDate", k.last_used);
    gh_xml_elem(c->result, "ServiceName",
                k.last_used != 0 && k.last_used_service.len > 0 ? k.last_used_service
                                                                : GH_S("N/A"));
    gh_xml_elem(c->result, "Region",
                k.last_used != 0 && k.last_used_region.len > 0 ? k.last_used_region : GH_S("N/A"));
    gh_xml_close(c->result, "AccessKeyLastUsed");
    return gh_buf_status(c->result);
}

/*
 * The cache of recent writes: each shard a small direct-mapped table of
 * (key id, time written) behind its own lock, so no lock is shared by all
 * requests and a hit costs one hash and one compare.
 */
struct touch_slot {
    char id[AKID_MAX];
    size_t len;
    int64_t written;
};

struct touch_shard {
    pthread_mutex_t lock;
    struct touch_slot slots[TOUCH_SLOTS];
};

static struct touch_shard shards[TOUCH_SHARDS] = {
#define SHARD_INIT                                                                                 \
    {                                                                                              \
        .lock = PTHREAD_MUTEX_INITIALIZER                                                          \
    }
    SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT,
    SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT, SHARD_INIT,
#undef SHARD_INIT
};

static uint64_t
fnv1a(struct gh_slice s)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < s.len; i++) {
        h ^= (uint8_t)s.ptr[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* True when `akid` was written less than TOUCH_INTERVAL_S before `now`. */
static bool
touch_recent(struct gh_slice akid, int64_t now, struct touch_shard **shard,
             struct touch_slot **slot)
{
    uint64_t h = fnv1a(akid);
    struct touch_slot *s;
    bool recent;

    *shard = &shards[h % TOUCH_SHARDS];
    *slot = s = &(*shard)->slots[(h / TOUCH_SHARDS) % TOUCH_SLOTS];
    (void)pthread_mutex_lock(&(*shard)->lock);
    recent = s->len == akid.len && memcmp(s->id, akid.ptr, akid.len) == 0 &&
             now - s->written < TOUCH_INTERVAL_S && now >= s->written;
    (void)pthread_mutex_unlock(&(*shard)->lock);
    return recent;
}

static void
touch_remember(struct touch_shard *shard, struct touch_slot *s, struct gh_slice akid, int64_t when)
{
    (void)pthread_mutex_lock(&shard->lock);
    memcpy(s->id, akid.ptr, akid.len);
    s->len = akid.len;
    s->written = when;
    (void)pthread_mutex_unlock(&shard->lock);
}

enum gh_err
gh_iam_key_used(struct gh_store *s, struct gh_slice akid, struct gh_slice service,
                struct gh_slice region, int64_t now)
{
    struct touch_shard *shard;
    struct touch_slot *slot;
    struct gh_store_tx *tx = NULL;
    struct gh_access_key k;
    struct gh_arena arena;
    enum gh_err err;

    if (akid.len == 0 || akid.len > AKID_MAX)
        return GH_ERR_INVALID_INPUT;
    if (touch_recent(akid, now, &shard, &slot))
        return GH_OK;
    gh_arena_init(&arena);
    if ((err = gh_store_tx_begin(s, true, &tx)) != GH_OK)
        goto done;
    /* Another process may have written it, or this cache forgotten it: check the row. */
    err = gh_store_access_key_get(tx, &arena, akid, &k, NULL);
    if (err == GH_OK && k.last_used <= now && now - k.last_used < TOUCH_INTERVAL_S) {
        gh_store_tx_rollback(tx);
        tx = NULL;
        touch_remember(shard, slot, akid, k.last_used);
        goto done;
    }
    if (err == GH_OK) {
        /* Metadata: no principal's policies change, so no cache goes stale. */
        gh_store_tx_scope_metadata(tx);
        err = gh_store_access_key_touch(tx, akid, now, service, region);
    }
    if (err == GH_OK) {
        err = gh_store_tx_commit(tx);
        tx = NULL;
        if (err == GH_OK)
            touch_remember(shard, slot, akid, now);
    }
done:
    if (tx != NULL)
        gh_store_tx_rollback(tx);
    gh_arena_cleanup(&arena);
    return err;
}
