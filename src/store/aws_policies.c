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
