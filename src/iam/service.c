/*
 * service.c: the IAM service's action table for the api/ framework.
 */
#include "iam/iam_int.h"

#define GH_IAM_ENTRY(n, f) {#n, gh_iam_##n, (f)},
static const struct gh_action actions[] = {
    GH_IAM_ACTIONS(GH_IAM_ENTRY) GH_IAM_ACTIONS_GROUPS(GH_IAM_ENTRY)};
#undef GH_IAM_ENTRY

const struct gh_service gh_iam_service = {
    .name = "iam",
    .version = "2010-05-08",
    .xmlns = "https://iam.amazonaws.com/doc/2010-05-08/",
    .actions = actions,
    .nactions = GH_ARRAY_LEN(actions),
};
