/*
 * sts_int.h: the STS action handlers, one per file.
 */
#ifndef GH_STS_INT_H
#define GH_STS_INT_H

#include "sts/sts.h"

GH_MUST_CHECK enum gh_err gh_sts_get_caller_identity(struct gh_call *c);

#endif
