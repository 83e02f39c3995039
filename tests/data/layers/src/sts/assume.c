/* assume.c: services are peers; sts/ must not include iam/. */
#include "api/api.h"
#include "iam/iam.h"
