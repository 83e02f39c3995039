/*
 * site.c: the console on a listener of its own (gatehouse serve
 * --console-listen), so it has an origin no user content shares. That
 * listener serves /healthz, the console under /console, and the IAM/STS
 * Query API at POST / that the console's SDK calls on its own origin
 * (same-origin: no CORS); never S3. The main listener then answers 404
 * under /console.
 */
#include "console/console_int.h"

static void
not_found(struct gh_http_resp *resp, const char *message)
{
    gh_console_error(resp, 404, "NotFound", message);
    if (gh_http_resp_header(resp, "X-Content-Type-Options", GH_S("nosniff")) != GH_OK ||
        gh_http_resp_header(resp, "Content-Security-Policy", GH_S("sandbox")) != GH_OK)
        resp->status = 500; /* cannot happen: the first two header slots */
}

void
gh_console_site_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    const struct gh_console_site *site = ctx;
    struct gh_slice pre = GH_S(GH_CONSOLE_PREFIX);

    if (gh_slice_eq_cstr(req->path, "/healthz")) {
        resp->status = 200;
        resp->content_type = "text/plain";
        gh_buf_puts(&resp->body, "ok\n");
        return;
    }
    if (gh_slice_starts_with(req->path, pre) &&
        (req->path.len == pre.len || req->path.ptr[pre.len] == '/')) {
        gh_console_handle(site->console, req, resp);
        return;
    }
    /* The console's IAM and STS calls (AWS Query protocol: POST /, form body). */
    if (gh_slice_eq_cstr(req->path, "/") && gh_slice_eq_cstr(req->method, "POST")) {
        site->api.handle(site->api.ctx, req, resp);
        /* Answers are read by the console's fetch, never shown as a page. */
        if (gh_http_resp_header(resp, "X-Content-Type-Options", GH_S("nosniff")) != GH_OK ||
            gh_http_resp_header(resp, "Content-Security-Policy", GH_S("sandbox")) != GH_OK) {
            gh_buf_reset(&resp->body);
            resp->status = 500;
            resp->nheaders = 0;
        }
        return;
    }
    not_found(resp, "Only the console is served on this address.");
}

void
gh_console_elsewhere_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    (void)ctx;
    (void)req;
    not_found(resp, "The console is not served on this address.");
}
