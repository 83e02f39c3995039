/*
 * fuzz_sigv4_auth.c: gh_sigv4_parse (and, when it accepts, the canonical
 * request and a verification) on hostile input. The first byte picks the
 * mode: even = the rest is the Authorization header value, odd = the rest
 * is the raw query string of a presigned URL.
 */
#include <stdint.h>
#include <string.h>

#include "auth/auth.h"
#include "core/core.h"
#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gh_http_header h[3];
    struct gh_sigv4_request req;
    struct gh_sigv4_auth auth;
    struct gh_arena a;
    struct gh_diag diag;
    struct gh_buf cr, sts;
    struct gh_secret secret;
    struct gh_slice in;
    size_t n = 0;

    if (size == 0)
        return 0;
    in = (struct gh_slice){(const char *)data + 1, size - 1};
    h[n++] = (struct gh_http_header){GH_S("Host"), GH_S("iam.amazonaws.com")};
    h[n++] = (struct gh_http_header){GH_S("X-Amz-Date"), GH_S("20150830T123600Z")};
    memset(&req, 0, sizeof(req));
    req.method = GH_S("POST");
    req.path = GH_S("/a/./b/../c//d");
    req.body = GH_S("Action=ListUsers&Version=2010-05-08");
    req.normalize_path = (data[0] & 2) == 0;
    if ((data[0] & 1) == 0)
        h[n++] = (struct gh_http_header){GH_S("Authorization"), in};
    else
        req.query = in;
    req.headers = h;
    req.nheaders = n;

    gh_arena_init(&a);
    gh_buf_init(&cr, 0);
    gh_buf_init(&sts, 0);
    if (gh_sigv4_parse(&req, &a, &auth, &diag) == GH_OK &&
        gh_sigv4_canonical(&req, &auth, &a, &cr, &sts, &diag) == GH_OK &&
        gh_secret_set(&secret, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 40) == GH_OK) {
        if (gh_sigv4_verify(&req, &auth, &secret, auth.request_time, NULL, &a, &diag) == GH_OK)
            diag.text[0] = '\0'; /* a forged signature verifying would be a finding elsewhere */
        gh_secret_wipe(&secret);
    }
    gh_buf_cleanup(&cr);
    gh_buf_cleanup(&sts);
    gh_arena_cleanup(&a);
    return 0;
}
