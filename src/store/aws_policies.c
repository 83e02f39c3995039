/*
 * aws_policies.c: the AWS managed policies gatehouse ships, as AWS
 * publishes them (name, id, path, description, default version, document),
 * and the migration step that seeds them under the account "aws".
 *
 * Sources (AWS Managed Policy Reference Guide, one page per policy):
 *   https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html
 * for the documents, descriptions, default versions and creation/edit
 * times (minute precision there; seconds where `aws iam get-policy` output
 * published in public repositories gives them). Policy ids (ANPA...) are
 * from public `aws iam get-policy` / `list-policies` output.
 * They are attachable but not deletable; the IAM layer enforces that.
 */
#include <assert.h>
#include <stdio.h>

#include "store/store_int.h"

struct aws_policy {
    const char *name;
    const char *id;
    const char *description;
    const char *version; /* default version id */
    int64_t created;
    int64_t updated;
    const char *document;
};

static const struct aws_policy aws_policies[] = {
    {
        "AdministratorAccess",
        "ANPAIWMBCKSKIEE64ZLYK",
        "Provides full access to AWS services and resources.",
        "v1",
        1423247986, /* 2015-02-06T18:39:46Z */
        1423247986,
        "{\n"
        "  \"Version\" : \"2012-10-17\",\n"
        "  \"Statement\" : [\n"
        "    {\n"
        "      \"Effect\" : \"Allow\",\n"
        "      \"Action\" : \"*\",\n"
        "      \"Resource\" : \"*\"\n"
        "    }\n"
        "  ]\n"
        "}",
    },
    {
        "PowerUserAccess",
        "ANPAJYRXTHIB4FOVS3ZXS",
        "Provides full access to AWS services and resources, but does not allow management of "
        "Users and groups.",
        "v12",
        1423247987, /* 2015-02-06T18:39:47Z */
        1770919140, /* 2026-02-12T17:59Z */
        "{\n"
        "  \"Version\" : \"2012-10-17\",\n"
        "  \"Statement\" : [\n"
        "    {\n"
        "      \"Effect\" : \"Allow\",\n"
        "      \"NotAction\" : [\n"
        "        \"iam:*\",\n"
        "        \"organizations:*\",\n"
        "        \"account:*\"\n"
        "      ],\n"
        "      \"Resource\" : \"*\"\n"
        "    },\n"
        "    {\n"
        "      \"Effect\" : \"Allow\",\n"
        "      \"Action\" : [\n"
        "        \"account:GetAccountInformation\",\n"
        "        \"account:GetGovCloudAccountInformation\",\n"
        "        \"account:GetPrimaryEmail\",\n"
        "        \"account:ListRegions\",\n"
        "        \"iam:CreateServiceLinkedRole\",\n"
        "        \"iam:DeleteServiceLinkedRole\",\n"
        "        \"iam:ListRoles\",\n"
        "        \"organizations:DescribeEffectivePolicy\",\n"
        "        \"organizations:DescribeOrganization\"\n"
        "      ],\n"
        "      \"Resource\" : \"*\"\n"
        "    }\n"
        "  ]\n"
        "}",
    },
    {
        /*
         * AWS's ReadOnlyAccess lists read actions of every AWS service
         * (thousands of lines, v119 and later). gatehouse serves only iam,
         * sts, s3 and organizations, so only AWS's entries for those
         * services are kept here; the others could never match a request.
         * Its edit time changes with every AWS release and is not recorded.
         */
        "ReadOnlyAccess",
        "ANPAILL3HVNFSB6DCOWYQ",
        "Provides read-only access to AWS services and resources.",
        "v119",
        1423247988, /* 2015-02-06T18:39:48Z */
        1423247988,
        "{\n"
        "  \"Version\" : \"2012-10-17\",\n"
        "  \"Statement\" : [\n"
        "    {\n"
        "      \"Sid\" : \"ReadOnlyActions\",\n"
        "      \"Effect\" : \"Allow\",\n"
        "      \"Action\" : [\n"
        "        \"iam:Generate*\",\n"
        "        \"iam:Get*\",\n"
        "        \"iam:List*\",\n"
        "        \"iam:Simulate*\",\n"
        "        \"organizations:Describe*\",\n"
        "        \"organizations:List*\",\n"
        "        \"s3:Describe*\",\n"
        "        \"s3:Get*\",\n"
        "        \"s3:List*\",\n"
        "        \"s3-object-lambda:Get*\",\n"
        "        \"s3-object-lambda:List*\"\n"
        "      ],\n"
        "      \"Resource\" : \"*\"\n"
        "    }\n"
        "  ]\n"
        "}",
    },
    {
        "IAMFullAccess",
        "ANPAI7XKCFMBPM3QQRRVQ",
        "Provides full access to IAM via the AWS Management Console.",
        "v2",
        1423248000, /* 2015-02-06T18:40Z */
        1561146000, /* 2019-06-21T19:40Z */
        "{\n"
        "  \"Version\" : \"2012-10-17\",\n"
        "  \"Statement\" : [\n"
        "    {\n"
        "      \"Effect\" : \"Allow\",\n"
        "      \"Action\" : [\n"
        "        \"iam:*\",\n"
        "        \"organizations:DescribeAccount\",\n"
        "        \"organizations:DescribeOrganization\",\n"
        "        \"organizations:DescribeOrganizationalUnit\",\n"
        "        \"organizations:DescribePolicy\",\n"
        "        \"organizations:ListChildren\",\n"
        "        \"organizations:ListParents\",\n"
        "        \"organizations:ListPoliciesForTarget\",\n"
        "        \"organizations:ListRoots\",\n"
        "        \"organizations:ListPolicies\",\n"
        "        \"organizations:ListTargetsForPolicy\"\n"
        "      ],\n"
        "      \"Resource\" : \"*\"\n"
        "    }\n"
        "  ]\n"
        "}",
    },
    {
        "IAMReadOnlyAccess",
        "ANPAJKSO7NDY4T57MWDSQ",
        "Provides read only access to IAM via the AWS Management Console.",
        "v4",
        1423248000, /* 2015-02-06T18:40Z */
        1516907460, /* 2018-01-25T19:11Z */
        "{\n"
        "  \"Version\" : \"2012-10-17\",\n"
        "  \"Statement\" : [\n"
        "    {\n"
        "      \"Effect\" : \"Allow\",\n"
        "      \"Action\" : [\n"
        "        \"iam:GenerateCredentialReport\",\n"
        "        \"iam:GenerateServiceLastAccessedDetails\",\n"
        "        \"iam:Get*\",\n"
        "        \"iam:List*\",\n"
        "        \"iam:SimulateCustomPolicy\",\n"
        "        \"iam:SimulatePrincipalPolicy\"\n"
        "      ],\n"
        "      \"Resource\" : \"*\"\n"
        "    }\n"
        "  ]\n"
        "}",
    },
    {
        "AmazonS3FullAccess",
        "ANPAIFIR6V6BVTRAHWINE",
        "Provides full access to all buckets via the AWS Management Console.",
        "v2",
        1423248058, /* 2015-02-06T18:40:58Z */
        1632773797, /* 2021-09-27T20:16:37Z */
        "{\n"
        "  \"Version\" : \"2012-10-17\",\n"
        "  \"Statement\" : [\n"
        "    {\n"
        "      \"Effect\" : \"Allow\",\n"
        "      \"Action\" : [\n"
        "        \"s3:*\",\n"
        "        \"s3-object-lambda:*\"\n"
        "      ],\n"
        "      \"Resource\" : \"*\"\n"
        "    }\n"
        "  ]\n"
        "}",
    },
    {
        "AmazonS3ReadOnlyAccess",
        "ANPAIZTJ4DXE7G6AGAE6M",
        "Provides read only access to all buckets via the AWS Management Console.",
        "v3",
        1423248059, /* 2015-02-06T18:40:59Z */
        1691703099, /* 2023-08-10T21:31:39Z */
        "{\n"
        "  \"Version\" : \"2012-10-17\",\n"
        "  \"Statement\" : [\n"
        "    {\n"
        "      \"Effect\" : \"Allow\",\n"
        "      \"Action\" : [\n"
        "        \"s3:Get*\",\n"
        "        \"s3:List*\",\n"
        "        \"s3:Describe*\",\n"
        "        \"s3-object-lambda:Get*\",\n"
        "        \"s3-object-lambda:List*\"\n"
        "      ],\n"
        "      \"Resource\" : \"*\"\n"
        "    }\n"
        "  ]\n"
        "}",
    },
};

static enum gh_err
seed_one(struct store_conn *c, const struct aws_policy *p)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    /* AWS IAM: AWS managed policies live at path "/" with ARN
     * arn:aws:iam::aws:policy/NAME. */
    if ((err = store_stmt(c,
                          "INSERT INTO policies(id, account, name, path, arn, description,"
                          " default_version, created, updated, attachable)"
                          " VALUES (?1, '" STORE_AWS_ACCOUNT "', ?2, '/',"
                          " 'arn:aws:iam::aws:policy/' || ?2, ?3, ?4, ?5, ?6, 1)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, gh_slice_from_cstr(p->id))) != GH_OK ||
        (err = store_bind(st, 2, gh_slice_from_cstr(p->name))) != GH_OK ||
        (err = store_bind(st, 3, gh_slice_from_cstr(p->description))) != GH_OK ||
        (err = store_bind(st, 4, gh_slice_from_cstr(p->version))) != GH_OK ||
        (err = store_bind_i64(st, 5, p->created)) != GH_OK ||
        (err = store_bind_i64(st, 6, p->updated)) != GH_OK)
        goto done;
    if ((err = store_step_done(st)) != GH_OK)
        goto done;
    store_stmt_done(st);
    /* Only the default version is kept: earlier AWS versions are not published. */
    if ((err = store_stmt(c,
                          "INSERT INTO policy_versions(policy_id, version_id, document, created)"
                          " VALUES (?1, ?2, ?3, ?4)",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, gh_slice_from_cstr(p->id))) != GH_OK ||
        (err = store_bind(st, 2, gh_slice_from_cstr(p->version))) != GH_OK ||
        (err = store_bind(st, 3, gh_slice_from_cstr(p->document))) != GH_OK ||
        (err = store_bind_i64(st, 4, p->updated)) != GH_OK)
        goto done;
    err = store_step_done(st);
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
store_aws_policies_seed(struct store_conn *c)
{
    enum gh_err err = GH_OK;

    for (size_t i = 0; i < GH_ARRAY_LEN(aws_policies) && err == GH_OK; i++)
        err = seed_one(c, &aws_policies[i]);
    return err;
}

static const struct aws_policy *
builtin_find(struct gh_slice name)
{
    for (size_t i = 0; i < GH_ARRAY_LEN(aws_policies); i++)
        if (gh_slice_eq_cstr(name, aws_policies[i].name))
            return &aws_policies[i];
    return NULL;
}

/* Back to the shipped document and default version (a catalog had moved them). */
static enum gh_err
builtin_restore(struct store_conn *c, const struct aws_policy *p)
{
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    if ((err = store_stmt(c,
                          "UPDATE policies SET default_version = ?2, created = ?3, updated = ?4,"
                          " attachable = 1 WHERE account = '" STORE_AWS_ACCOUNT "' AND name = ?1",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, gh_slice_from_cstr(p->name))) != GH_OK ||
        (err = store_bind(st, 2, gh_slice_from_cstr(p->version))) != GH_OK ||
        (err = store_bind_i64(st, 3, p->created)) != GH_OK ||
        (err = store_bind_i64(st, 4, p->updated)) != GH_OK || (err = store_step_done(st)) != GH_OK)
        goto done;
    store_stmt_done(st);
    if ((err = store_stmt(c,
                          "INSERT OR REPLACE INTO policy_versions(policy_id, version_id, document,"
                          " created) SELECT id, ?2, ?3, ?4 FROM policies"
                          " WHERE account = '" STORE_AWS_ACCOUNT "' AND name = ?1",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, gh_slice_from_cstr(p->name))) != GH_OK ||
        (err = store_bind(st, 2, gh_slice_from_cstr(p->version))) != GH_OK ||
        (err = store_bind(st, 3, gh_slice_from_cstr(p->document))) != GH_OK ||
        (err = store_bind_i64(st, 4, p->updated)) != GH_OK)
        goto done;
    err = store_step_done(st);
done:
    store_stmt_done(st);
    return err;
}

enum gh_err
store_catalog_snapshot(struct store_conn *conn, const struct gh_aws_catalog *c, struct gh_arena *a,
                       struct gh_slice arn)
{
    struct store_catalog_policy p;
    struct gh_policy_version v;
    sqlite3_stmt *st = NULL;
    enum gh_err err = GH_OK;
    size_t j;

    if (!store_catalog_find(c, arn, &p))
        return GH_OK;
    for (j = 0; j < p.nversions; j++) {
        if ((err = store_catalog_version(c, &p, j, a, false, &v)) != GH_OK)
            return err;
        if (v.is_default)
            break;
    }
    assert(j < p.nversions); /* checked when the catalog was opened */
    if ((err = store_catalog_version(c, &p, j, a, true, &v)) != GH_OK)
        return err;
    if ((err = store_stmt(conn,
                          "INSERT OR IGNORE INTO policy_versions(policy_id, version_id, document,"
                          " created) SELECT id, ?2, ?3, ?4 FROM policies WHERE arn = ?1",
                          &st)) != GH_OK)
        return err;
    if ((err = store_bind(st, 1, arn)) == GH_OK &&
        (err = store_bind(st, 2, v.version_id)) == GH_OK &&
        (err = store_bind(st, 3, v.document)) == GH_OK &&
        (err = store_bind_i64(st, 4, v.created)) == GH_OK)
        err = store_step_done(st);
    store_stmt_done(st);
    return err;
}

enum gh_err
store_catalog_keep(struct gh_store_tx *tx, struct gh_slice arn)
{
    struct gh_arena a;
    enum gh_err err;

    if (tx->s->catalog == NULL || arn.len == 0)
        return GH_OK;
    gh_arena_init(&a);
    err = store_catalog_snapshot(tx->c, tx->s->catalog, &a, arn);
    gh_arena_cleanup(&a);
    return err;
}

/* Lists the catalog's policies in the store, or updates their rows. */
static enum gh_err
catalog_upsert(struct store_conn *conn, const struct gh_aws_catalog *c)
{
    char id[STORE_AWS_POLICY_ID_LEN + 1];
    char version[16];
    enum gh_err err = GH_OK;

    for (size_t i = 0; i < gh_store_catalog_count(c) && err == GH_OK; i++) {
        struct store_catalog_policy p;
        sqlite3_stmt *st = NULL;

        store_catalog_policy(c, i, &p);
        store_catalog_policy_id(p.arn, id);
        (void)snprintf(version, sizeof(version), "v%u", p.default_version);
        /* A row the store has keeps its id (the built-in ones have AWS's). */
        if ((err = store_stmt(conn,
                              "INSERT INTO policies(id, account, name, path, arn, description,"
                              " default_version, created, updated, attachable)"
                              " VALUES (?1, '" STORE_AWS_ACCOUNT "', ?2, ?3, ?4, '', ?5, ?6, ?7, 1)"
                              " ON CONFLICT(arn) DO UPDATE SET name = excluded.name,"
                              " path = excluded.path, default_version = excluded.default_version,"
                              " created = excluded.created, updated = excluded.updated,"
                              " attachable = 1",
                              &st)) != GH_OK)
            return err;
        if ((err = store_bind(st, 1, gh_slice_from_cstr(id))) == GH_OK &&
            (err = store_bind(st, 2, p.name)) == GH_OK &&
            (err = store_bind(st, 3, p.path)) == GH_OK &&
            (err = store_bind(st, 4, p.arn)) == GH_OK &&
            (err = store_bind(st, 5, gh_slice_from_cstr(version))) == GH_OK &&
            (err = store_bind_i64(st, 6, p.created)) == GH_OK &&
            (err = store_bind_i64(st, 7, p.updated)) == GH_OK)
            err = store_step_done(st);
        store_stmt_done(st);
    }
    return err;
}

struct aws_row {
    struct gh_slice arn, name;
    bool used; /* attached, or some user's or role's permissions boundary */
};

static enum gh_err
aws_rows(struct store_conn *conn, struct gh_arena *a, struct aws_row **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    struct aws_row *r = NULL;
    size_t n = 0, cap = 0;
    enum gh_err err;
    bool row;

    *out = NULL;
    *count = 0;
    if ((err = store_stmt(conn,
                          "SELECT p.arn, p.name,"
                          " EXISTS (SELECT 1 FROM attachments t WHERE t.policy_id = p.id)"
                          " OR EXISTS (SELECT 1 FROM users u WHERE u.boundary_arn = p.arn)"
                          " OR EXISTS (SELECT 1 FROM roles r WHERE r.boundary_arn = p.arn)"
                          " FROM policies p WHERE p.account = '" STORE_AWS_ACCOUNT "'",
                          &st)) != GH_OK)
        return err;
    for (;;) {
        if ((err = store_step(st, &row)) != GH_OK || !row)
            break;
        if ((err = store_grow(a, (void **)&r, &cap, n, sizeof(*r))) != GH_OK ||
            (err = store_col(a, st, 0, &r[n].arn)) != GH_OK ||
            (err = store_col(a, st, 1, &r[n].name)) != GH_OK)
            break;
        r[n].used = sqlite3_column_int(st, 2) != 0;
        n++;
    }
    store_stmt_done(st);
    if (err == GH_OK) {
        *out = r;
        *count = n;
    }
    return err;
}

/* Brings the AWS policy rows in line with `c` (NULL: the built-in seven). */
static enum gh_err
catalog_sync(struct gh_store_tx *tx, const struct gh_aws_catalog *c, struct gh_arena *a)
{
    struct store_catalog_policy p;
    struct aws_row *rows;
    size_t n;
    enum gh_err err;

    if ((err = catalog_upsert(tx->c, c)) != GH_OK || (err = aws_rows(tx->c, a, &rows, &n)) != GH_OK)
        return err;
    for (size_t i = 0; i < n && err == GH_OK; i++) {
        const struct gh_slice arg[] = {rows[i].arn};
        const struct aws_policy *b;

        if (store_catalog_find(c, rows[i].arn, &p)) {
            /* In use: its current default version goes into the store too, so
             * it stays readable should a later catalog drop the policy. */
            if (rows[i].used)
                err = store_catalog_snapshot(tx->c, c, a, rows[i].arn);
        } else if ((b = builtin_find(rows[i].name)) != NULL) {
            err = builtin_restore(tx->c, b);
        } else if (rows[i].used) {
            /* AWS IAM: a deprecated AWS managed policy stays attached to the
             * entities that have it, but nothing new can attach it. */
            err = store_run(tx, "UPDATE policies SET attachable = 0 WHERE arn = ?1", arg, 1, false);
        } else {
            err = store_run(tx, "DELETE FROM policies WHERE arn = ?1", arg, 1, false);
        }
    }
    return err;
}

enum gh_err
gh_store_catalog_use(struct gh_store *s, const struct gh_aws_catalog *c)
{
    const struct gh_slice digest = gh_slice_from_cstr(store_catalog_digest(c));
    struct gh_store_tx *tx = NULL;
    struct gh_arena a;
    struct gh_slice seen;
    sqlite3_stmt *st = NULL;
    enum gh_err err;

    gh_arena_init(&a);
    if ((err = gh_store_tx_begin(s, true, &tx)) != GH_OK)
        goto done;
    err = gh_store_meta_get(tx, &a, STORE_CATALOG_KEY, &seen);
    if ((err == GH_OK && gh_slice_eq(seen, digest)) || (err == GH_ERR_NOT_FOUND && c == NULL)) {
        /* Already in line with this catalog; or never had one: the seeded seven stand. */
        gh_store_tx_rollback(tx);
        err = GH_OK;
        goto done;
    }
    if ((err != GH_OK && err != GH_ERR_NOT_FOUND) || (err = catalog_sync(tx, c, &a)) != GH_OK ||
        (err = store_stmt(tx->c,
                          "INSERT INTO meta(key, value) VALUES ('" STORE_CATALOG_KEY "', ?1)"
                          " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                          &st)) != GH_OK) {
        gh_store_tx_rollback(tx);
        goto done;
    }
    if ((err = store_bind(st, 1, digest)) == GH_OK)
        err = store_step_done(st);
    store_stmt_done(st);
    if (err != GH_OK) {
        gh_store_tx_rollback(tx);
        goto done;
    }
    err = gh_store_tx_commit(tx);
done:
    if (err == GH_OK)
        s->catalog = c;
    gh_arena_cleanup(&a);
    return err;
}
