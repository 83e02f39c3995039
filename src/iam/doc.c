/*
 * doc.c: the checks every action that takes a policy document makes
 * before storing it: AWS's size quotas, then the grammar.
 */
#include <string.h>

#include "iam/iam_int.h"

size_t
gh_iam_doc_chars(struct gh_slice doc)
{
    /* AWS IAM: "IAM doesn't count white space when calculating the size of a policy";
     * sizes are in characters, so UTF-8 continuation bytes do not count. */
    size_t n = 0;

    for (size_t i = 0; i < doc.len; i++) {
        unsigned char ch = (unsigned char)doc.ptr[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || (ch & 0xC0) == 0x80)
            continue;
        n++;
    }
    return n;
}

/*
 * The grammar check: the policy engine's own compiler, so what is stored
 * is exactly what will be evaluated, and MalformedPolicyDocument carries
 * the engine's AWS wording ("Syntax errors in policy.", "Policy document
 * should not specify a principal.", "Missing required field Principal" ...).
 */
static enum gh_err
doc_validate(struct gh_call *c, enum gh_iam_doc_kind kind, struct gh_slice doc)
{
    /* AWS IAM: a trust policy is a resource-based policy of the role; every
     * other document stored here (inline, managed, boundary) is identity-shaped,
     * and a managed one must also be of Version 2012-10-17. */
    enum gh_policy_kind pk = kind == GH_IAM_DOC_TRUST     ? GH_POLICY_TRUST
                             : kind == GH_IAM_DOC_MANAGED ? GH_POLICY_MANAGED
                                                          : GH_POLICY_IDENTITY;
    struct gh_policy *p = NULL;
    struct gh_diag diag;
    enum gh_err err;

    gh_diag_clear(&diag);
    err = gh_policy_compile(doc, pk, &diag, &p);
    gh_policy_unref(p);
    if (err != GH_ERR_MALFORMED_POLICY)
        return err;
    /* AWS IAM words a JSON syntax error by action: CreateRole (a trust policy)
     * says "This policy contains invalid Json" (AWSCookbook/Security#2), while
     * CreatePolicy and PutUserPolicy say "Syntax errors in policy."
     * (aws/aws-cli#4555, aws-samples/amazon-ecs-firelens-examples#50). */
    if (pk != GH_POLICY_TRUST &&
        (diag.text[0] == '\0' || strcmp(diag.text, "This policy contains invalid Json") == 0))
        return gh_call_fail(c, err, "Syntax errors in policy.");
    return gh_call_fail(c, err, "%s",
                        diag.text[0] != '\0' ? diag.text : "Syntax errors in policy.");
}

enum gh_err
gh_iam_doc_check(struct gh_call *c, enum gh_iam_doc_kind kind, struct gh_slice doc,
                 size_t others_chars, struct gh_slice entity)
{
    size_t chars = gh_iam_doc_chars(doc) + others_chars;

    switch (kind) {
    case GH_IAM_DOC_USER_INLINE:
        /* AWS IAM: a user's inline policies share 2048 characters:
         * LimitExceeded "Maximum policy size of 2048 bytes exceeded for user NAME". */
        if (chars > GH_IAM_USER_INLINE_BYTES)
            return gh_call_fail(c, GH_ERR_LIMIT,
                                "Maximum policy size of %d bytes exceeded for user %.*s",
                                GH_IAM_USER_INLINE_BYTES, GH_SP(entity));
        break;
    case GH_IAM_DOC_ROLE_INLINE:
        /* AWS IAM: "Maximum policy size of 10240 bytes exceeded for role NAME". */
        if (chars > GH_IAM_ROLE_INLINE_BYTES)
            return gh_call_fail(c, GH_ERR_LIMIT,
                                "Maximum policy size of %d bytes exceeded for role %.*s",
                                GH_IAM_ROLE_INLINE_BYTES, GH_SP(entity));
        break;
    case GH_IAM_DOC_GROUP_INLINE:
        /* AWS IAM: "Maximum policy size of 5120 bytes exceeded for group NAME". */
        if (chars > GH_IAM_GROUP_INLINE_BYTES)
            return gh_call_fail(c, GH_ERR_LIMIT,
                                "Maximum policy size of %d bytes exceeded for group %.*s",
                                GH_IAM_GROUP_INLINE_BYTES, GH_SP(entity));
        break;
    case GH_IAM_DOC_MANAGED:
        /* AWS IAM: LimitExceeded "Cannot exceed quota for PolicySize: 6144". */
        if (chars > GH_IAM_MANAGED_POLICY_BYTES)
            return gh_call_fail(c, GH_ERR_LIMIT, "Cannot exceed quota for PolicySize: %d",
                                GH_IAM_MANAGED_POLICY_BYTES);
        break;
    case GH_IAM_DOC_TRUST:
        /* AWS IAM: LimitExceeded "Cannot exceed quota for ACLSizePerRole: 2048". */
        if (chars > GH_IAM_TRUST_POLICY_BYTES)
            return gh_call_fail(c, GH_ERR_LIMIT, "Cannot exceed quota for ACLSizePerRole: %d",
                                GH_IAM_TRUST_POLICY_BYTES);
        break;
    }
    return doc_validate(c, kind, doc);
}
