/* form.c: an include without its module's folder. */
/* #include "iam/iam.h" in a comment is no edge. */
#include "form_int.h"
#include "http/http.h"
