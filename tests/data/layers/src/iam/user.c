/* user.c: another module's private header. */
#include "iam/iam_ext.h"
#include "store/store_int.h"
