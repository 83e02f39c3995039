/*
 * schema.c: the versioned schema. Migration N -> N+1 is entry N of the
 * table below (SQL, or a C step for data such as the AWS managed
 * policies); all pending ones run in one transaction, and PRAGMA
 * user_version records how far a database has come.
 */
#include <stdio.h>

#include "store/store_int.h"

struct migration {
    const char *sql;                          /* run first when non-NULL */
    enum gh_err (*step)(struct store_conn *); /* then this, when non-NULL */
};

/*
 * Every entity row carries its account; names are unique per account
 * case-insensitively (AWS IAM), hence COLLATE NOCASE on name columns, which
 * also makes comparisons and ORDER BY case-insensitive. Attachments,
 * inline policies and tags are keyed by the owner's unique id, so a rename
 * keeps them.
 */
static const char schema_v1[] =
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value BLOB NOT NULL);"
    "INSERT INTO meta(key, value) VALUES ('" STORE_GEN_KEY "', 0);"
    "CREATE TABLE accounts ("
    "  id TEXT PRIMARY KEY,"
    "  created INTEGER NOT NULL);"
    "INSERT INTO accounts(id, created) VALUES ('" STORE_AWS_ACCOUNT "', 0);"
    "CREATE TABLE users ("
    "  id TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL COLLATE NOCASE,"
    "  path TEXT NOT NULL,"
    "  boundary_arn TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL,"
    "  password_last_used INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX users_name ON users(account, name);"
    "CREATE TABLE access_keys ("
    "  id TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES accounts(id),"
    "  user_id TEXT NOT NULL," /* '' = the account root */
    "  status INTEGER NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  last_used INTEGER NOT NULL DEFAULT 0,"
    "  last_used_service TEXT NOT NULL DEFAULT '',"
    "  last_used_region TEXT NOT NULL DEFAULT '',"
    "  sealed BLOB NOT NULL);" /* AES-256-GCM under the master key, AAD = id */
    "CREATE INDEX access_keys_owner ON access_keys(account, user_id, created);"
    "CREATE TABLE roles ("
    "  id TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL COLLATE NOCASE,"
    "  path TEXT NOT NULL,"
    "  trust_policy TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  boundary_arn TEXT NOT NULL DEFAULT '',"
    "  max_session_s INTEGER NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  last_used INTEGER NOT NULL DEFAULT 0,"
    "  last_used_region TEXT NOT NULL DEFAULT '');"
    "CREATE UNIQUE INDEX roles_name ON roles(account, name);"
    "CREATE TABLE policies ("
    "  id TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL COLLATE NOCASE,"
    "  path TEXT NOT NULL,"
    "  arn TEXT NOT NULL COLLATE NOCASE,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  default_version TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  attachable INTEGER NOT NULL DEFAULT 1);"
    "CREATE UNIQUE INDEX policies_name ON policies(account, name);"
    "CREATE UNIQUE INDEX policies_arn ON policies(arn);"
    "CREATE TABLE policy_versions ("
    "  policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
    "  version_id TEXT NOT NULL,"
    "  document TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  PRIMARY KEY (policy_id, version_id));"
    "CREATE TABLE attachments ("
    "  seq INTEGER PRIMARY KEY,"
    "  entity_id TEXT NOT NULL,"
    "  policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
    "  UNIQUE (entity_id, policy_id));"
    "CREATE INDEX attachments_policy ON attachments(policy_id);"
    "CREATE TABLE inline_policies ("
    "  entity_id TEXT NOT NULL,"
    "  name TEXT NOT NULL COLLATE NOCASE,"
    "  document TEXT NOT NULL,"
    "  PRIMARY KEY (entity_id, name));"
    "CREATE TABLE tags ("
    "  seq INTEGER PRIMARY KEY," /* insertion order */
    "  entity_id TEXT NOT NULL,"
    "  key TEXT NOT NULL COLLATE NOCASE,"
    "  value TEXT NOT NULL,"
    "  UNIQUE (entity_id, key));";

/*
 * Migration 3: groups with their members, and instance profiles with
 * their role (store/group.c, store/instance_profile.c). Memberships and
 * profile roles go with the user, group, role or profile they name (ON
 * DELETE CASCADE), so no row ever points at nothing.
 */
static const char schema_v3[] =
    "CREATE TABLE IF NOT EXISTS groups ("
    "  id TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL COLLATE NOCASE,"
    "  path TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS groups_name ON groups(account, name);"
    "CREATE TABLE IF NOT EXISTS group_members ("
    "  seq INTEGER PRIMARY KEY,"
    "  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  UNIQUE (group_id, user_id));"
    "CREATE INDEX IF NOT EXISTS group_members_user ON group_members(user_id);"
    "CREATE TABLE IF NOT EXISTS instance_profiles ("
    "  id TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL COLLATE NOCASE,"
    "  path TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS instance_profiles_name ON instance_profiles(account, name);"
    "CREATE TABLE IF NOT EXISTS instance_profile_roles ("
    "  seq INTEGER PRIMARY KEY,"
    "  profile_id TEXT NOT NULL REFERENCES instance_profiles(id) ON DELETE CASCADE,"
    "  role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,"
    "  UNIQUE (profile_id, role_id));"
    "CREATE INDEX IF NOT EXISTS instance_profile_roles_role ON instance_profile_roles(role_id);";

/*
 * Migration 4: generic IAM records (store/record.c): MFA devices, login
 * profiles, password policy, identity providers, account aliases, SSH
 * keys, signing certificates, credential reports, deletion tasks.
 * Idempotent (IF NOT EXISTS) so it stays safe whichever order migration 3
 * landed in on a developer's database.
 */
static const char schema_v4[] =
    "CREATE TABLE IF NOT EXISTS records ("
    "  account TEXT NOT NULL," /* '' for store-global rows (account aliases) */
    "  kind TEXT NOT NULL,"
    "  id TEXT NOT NULL COLLATE NOCASE,"
    "  owner TEXT NOT NULL DEFAULT '',"
    "  status INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL DEFAULT 0,"
    "  data TEXT NOT NULL DEFAULT '',"
    "  sealed BLOB," /* AES-256-GCM under the master key, AAD = account, kind, id */
    "  PRIMARY KEY (account, kind, id));"
    "CREATE INDEX IF NOT EXISTS records_owner ON records(account, owner);";

/*
 * Migration 5: the S3-compatible service (store/s3.c): buckets (names are
 * global), objects keyed by (bucket, key) in byte order as S3 lists them,
 * multipart uploads and their parts. Object bytes live in files under
 * the data directory; rows name them by data_id.
 */
static const char schema_v5[] =
    "CREATE TABLE IF NOT EXISTS s3_buckets ("
    "  name TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  policy TEXT NOT NULL DEFAULT '',"
    "  tags TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX IF NOT EXISTS s3_buckets_account ON s3_buckets(account, name);"
    "CREATE TABLE IF NOT EXISTS s3_objects ("
    "  bucket TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  data_id TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  etag TEXT NOT NULL,"
    "  content_type TEXT NOT NULL,"
    "  meta TEXT NOT NULL,"
    "  tags TEXT NOT NULL,"
    "  modified INTEGER NOT NULL,"
    "  PRIMARY KEY (bucket, key)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS s3_objects_data ON s3_objects(data_id);"
    "CREATE TABLE IF NOT EXISTS s3_uploads ("
    "  id TEXT PRIMARY KEY,"
    "  bucket TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  content_type TEXT NOT NULL,"
    "  meta TEXT NOT NULL,"
    "  tags TEXT NOT NULL,"
    "  initiator TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS s3_uploads_bucket ON s3_uploads(bucket, key, id);"
    "CREATE TABLE IF NOT EXISTS s3_parts ("
    "  upload_id TEXT NOT NULL REFERENCES s3_uploads(id) ON DELETE CASCADE,"
    "  part INTEGER NOT NULL,"
    "  data_id TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  etag TEXT NOT NULL,"
    "  modified INTEGER NOT NULL,"
    "  PRIMARY KEY (upload_id, part)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS s3_parts_data ON s3_parts(data_id);";

/*
 * Migration 6: S3 flexible checksums for multipart uploads. An upload
 * remembers the algorithm CreateMultipartUpload named, and each part the
 * checksum UploadPart verified, so CompleteMultipartUpload can check the
 * parts' values and compute the object's checksum of checksums.
 */
static const char schema_v6[] =
    "ALTER TABLE s3_uploads ADD COLUMN checksum_algorithm TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE s3_parts ADD COLUMN checksum_algorithm TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE s3_parts ADD COLUMN checksum TEXT NOT NULL DEFAULT '';";

/*
 * Migration 7: signed-out sessions (store/signout.c). Console sign-out
 * refuses a session's temporary key before it expires; the row lives until
 * that expiry, so a restart keeps refusing it, and rows past it are pruned.
 */
static const char schema_v7[] =
    "CREATE TABLE IF NOT EXISTS session_signouts ("
    "  access_key_id TEXT PRIMARY KEY,"
    "  account TEXT NOT NULL,"
    "  expires INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS session_signouts_expires ON session_signouts(expires);";

/*
 * Migration 8: the federated assertions already accepted (store/assertion.c),
 * by a digest of issuer and assertion ID, until they expire (unix seconds),
 * so a SAML response is exchanged for credentials only once.
 */
static const char schema_v8[] =
    "CREATE TABLE IF NOT EXISTS used_assertions ("
    "  key BLOB PRIMARY KEY,"
    "  expires INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS used_assertions_expires ON used_assertions(expires);";

/*
 * Migration 9: principal bindings of stored resource-based policies. AWS
 * IAM "Principal": a user or role ARN in a saved policy is bound to that
 * entity's unique id, so a principal deleted and re-created under the same
 * name is not trusted. Each column holds the policy's ARN -> unique id
 * bindings (policy/bind.c's form); '' = none (documents saved before).
 */
static const char schema_v9[] =
    "ALTER TABLE roles ADD COLUMN trust_bind TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE s3_buckets ADD COLUMN policy_bind TEXT NOT NULL DEFAULT '';";

static const struct migration migrations[] = {
    {schema_v1, NULL},
    {NULL, store_aws_policies_seed},
    {schema_v3, NULL},
    {schema_v4, NULL},
    {schema_v5, NULL},
    {schema_v6, NULL},
    {schema_v7, NULL},
    {schema_v8, NULL},
    {schema_v9, NULL},
};

static enum gh_err
user_version(struct store_conn *c, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;
    bool row;

    *out = 0;
    if ((err = store_stmt(c, "PRAGMA user_version", &st)) != GH_OK)
        return err;
    if ((err = store_step(st, &row)) == GH_OK && row)
        *out = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return err;
}

enum gh_err
store_migrate(struct store_conn *c)
{
    const int64_t latest = (int64_t)GH_ARRAY_LEN(migrations);
    char pragma[64];
    enum gh_err err;
    int64_t v;

    if ((err = store_exec(c, "BEGIN IMMEDIATE")) != GH_OK)
        return err;
    if ((err = user_version(c, &v)) != GH_OK)
        goto done;
    if (v > latest || v < 0) {
        err = GH_ERR_INTERNAL; /* written by a newer gatehouse: refuse, never guess */
        goto done;
    }
    for (; v < latest; v++) {
        const struct migration *m = &migrations[v];

        if (m->sql != NULL && (err = store_exec(c, m->sql)) != GH_OK)
            goto done;
        if (m->step != NULL && (err = m->step(c)) != GH_OK)
            goto done;
    }
    /* PRAGMA takes no parameters; the value is our own integer. */
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %lld", (long long)latest);
    err = store_exec(c, pragma);
done:
    if (err == GH_OK)
        err = store_exec(c, "COMMIT");
    if (err != GH_OK && !sqlite3_get_autocommit(c->db))
        (void)sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}
