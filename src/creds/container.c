/*
 * container.c: the container credentials endpoint SDKs read through
 * AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN
 * (AWS SDKs and Tools Reference Guide, "Container credential provider"):
 * a GET with the token in the Authorization header gets the role's
 * credentials as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "creds/creds.h"

/* The authorization token: 32 random bytes, hex-encoded. */
#define AUTH_MAX 256

struct gh_creds_container {
    struct gh_creds_cache *cache;
    char auth[AUTH_MAX];
    size_t auth_len;
};

enum gh_err
gh_creds_container_new(struct gh_creds_cache *cache, struct gh_slice auth_token,
                       struct gh_creds_container **out)
{
    struct gh_creds_container *c;

    *out = NULL;
    if (auth_token.len == 0 || auth_token.len > AUTH_MAX)
        return GH_ERR_INVALID_INPUT;
    if ((c = calloc(1, sizeof(*c))) == NULL)
        return GH_ERR_NOMEM;
    c->cache = cache;
    memcpy(c->auth, auth_token.ptr, auth_token.len);
    c->auth_len = auth_token.len;
    *out = c;
    return GH_OK;
}

void
gh_creds_container_free(struct gh_creds_container *c)
{
    if (c == NULL)
        return;
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

static void
answer(struct gh_http_resp *resp, int status, const char *code, const char *message)
{
    resp->status = status;
    resp->content_type = "application/json";
    gh_buf_reset(&resp->body);
    gh_buf_putf(&resp->body, "{\"code\":\"%s\",\"message\":\"%s\"}", code, message);
}

void
gh_creds_container_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    struct gh_creds_container *c = ctx;
    struct gh_slice auth = gh_http_header_get(req, "Authorization");
    struct gh_creds_set s;
    struct gh_buf *b = &resp->body;
    char expires[21];

    if (!gh_http_is_loopback(req->remote_addr)) {
        answer(resp, 403, "AccessDenied", "Only local callers are served.");
        return;
    }
    if (!gh_slice_eq_cstr(req->method, "GET")) {
        answer(resp, 405, "MethodNotAllowed", "Only GET is served.");
        return;
    }
    if (!gh_slice_eq_cstr(req->path, GH_CREDS_CONTAINER_PATH)) {
        answer(resp, 404, "NotFound", "No such path.");
        return;
    }
    if (auth.ptr == NULL) {
        answer(resp, 401, "Unauthorized", "The Authorization header is missing.");
        return;
    }
    /* The length of the token is not secret; its bytes are compared in constant time. */
    if (gh_http_header_count(req, "Authorization") != 1 || auth.len != c->auth_len ||
        !gh_ct_eq(auth.ptr, c->auth, c->auth_len)) {
        answer(resp, 403, "AccessDenied", "The Authorization header is not valid.");
        return;
    }
    if (gh_creds_cache_get(c->cache, gh_now_s(), &s) != GH_OK) {
        answer(resp, 404, "NotFound", "There are no credentials for this role.");
        return;
    }
    resp->status = 200;
    resp->content_type = "application/json";
    gh_buf_reset(b);
    gh_time_iso8601(s.expires, expires);
    gh_buf_putf(b, "{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":", s.access_key_id);
    gh_creds_json_str(b, (struct gh_slice){(const char *)s.secret.bytes, s.secret.len});
    gh_buf_puts(b, ",\"Token\":");
    gh_creds_json_str(b, gh_slice_from_cstr(s.token));
    gh_buf_putf(b, ",\"Expiration\":\"%s\",\"RoleArn\":", expires);
    gh_creds_json_str(b, gh_slice_from_cstr(s.role_arn));
    gh_buf_puts(b, ",\"AccountId\":");
    gh_creds_json_str(b, gh_slice_from_cstr(s.account));
    gh_buf_puts(b, "}");
    gh_creds_set_clear(&s);
    if (gh_buf_status(b) != GH_OK)
        answer(resp, 500, "InternalError", "The answer could not be written.");
}
