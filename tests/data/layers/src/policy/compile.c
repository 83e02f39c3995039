/* compile.c: policy/ may use only core/; http/ is a bad edge. */
#include "http/http.h"
#include "policy/policy.h"
