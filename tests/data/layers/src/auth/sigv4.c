/* sigv4.c: a .c file of auth/ may use store/. */
#include "auth/auth.h"
#include "http/http.h"
#include "store/store.h"
