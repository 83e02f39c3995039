/* signin.c: re-declares IAM's record kind; including iam.h is fine here. */
#include "iam/iam.h"
#define REC_LOGIN "login"
#define REC_SESSION "console-session"
