/* iam_ext.h: IAM owns the "login" record kind. */
#include "iam/iam.h"
#define GH_IAM_REC_LOGIN "login"
