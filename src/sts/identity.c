/*
 * identity.c: GetCallerIdentity: who the request's credentials belong to.
 */
#include "sts/sts_int.h"

/*
 * AWS STS: GetCallerIdentity needs no permission; "No permissions are
 * required to perform this operation" (API reference), so it never calls
 * gh_call_authorize. Elements in AWS's order: Arn, UserId, Account.
 */
enum gh_err
gh_sts_get_caller_identity(struct gh_call *c)
{
    const struct gh_principal *p = c->caller;

    gh_xml_elem(c->result, "Arn", p->arn);
    gh_xml_elem(c->result, "UserId", p->user_id);
    gh_xml_elem_cstr(c->result, "Account", p->account);
    return GH_OK;
}
