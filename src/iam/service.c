/*
 * service.c: the IAM service's action table for the api/ framework.
 */
#include "iam/iam_ext.h"
#include "iam/iam_int.h"

/*
 * Every action goes through gh_iam_role_guard first, which refuses the
 * role actions AWS keeps to itself on service-linked roles and returns at
 * once for every other action.
 */
#define GH_IAM_GUARDED(n, f)                                                                       \
    static enum gh_err guarded_##n(struct gh_call *c)                                              \
    {                                                                                              \
        enum gh_err err = gh_iam_role_guard(c);                                                    \
        return err != GH_OK ? err : gh_iam_##n(c);                                                 \
    }
GH_IAM_ACTIONS(GH_IAM_GUARDED)
GH_IAM_ACTIONS_GROUPS(GH_IAM_GUARDED)
GH_IAM_ACTIONS_ACCOUNT(GH_IAM_GUARDED)
GH_IAM_ACTIONS_KEYS(GH_IAM_GUARDED)
GH_IAM_ACTIONS_SIMULATE(GH_IAM_GUARDED)
#undef GH_IAM_GUARDED

#define GH_IAM_ENTRY(n, f) {#n, guarded_##n, (f)},
static const struct gh_action actions[] = {
    GH_IAM_ACTIONS(GH_IAM_ENTRY) GH_IAM_ACTIONS_GROUPS(GH_IAM_ENTRY)
        GH_IAM_ACTIONS_ACCOUNT(GH_IAM_ENTRY) GH_IAM_ACTIONS_KEYS(GH_IAM_ENTRY)
            GH_IAM_ACTIONS_SIMULATE(GH_IAM_ENTRY)};
#undef GH_IAM_ENTRY

const struct gh_service gh_iam_service = {
    .name = "iam",
    .version = "2010-05-08",
    .xmlns = "https://iam.amazonaws.com/doc/2010-05-08/",
    .actions = actions,
    .nactions = GH_ARRAY_LEN(actions),
};
