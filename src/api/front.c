/*
 * front.c: the front door of the Query APIs: health check, parameters,
 * SigV4 authentication, routing to a service's action, the transaction
 * around it, and the XML response or AWS error.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdatomic.h>

#include "api/api_int.h"

struct gh_api {
    struct gh_store *store;
    const struct gh_api_config *config;
    const struct gh_service *const *services;
    struct gh_api_principals *principals;
    struct gh_sigv4_key_cache *keys;
    /* The auth snapshot: swapped by publish(), read by snap_get(). */
    _Atomic(struct gh_api_snap *) snap;
    atomic_uint taking;           /* readers between loading `snap` and referencing it */
    pthread_mutex_t publish_lock; /* one writer at a time (refresh, sign-out); never I/O */
    enum gh_err (*key_used)(struct gh_store *s, struct gh_slice akid, struct gh_slice service,
                            struct gh_slice region, int64_t now);
    uint64_t refreshed_gen; /* gh_api_refresh's own (one refresher thread) */
    struct gh_api_cache *cache;
    struct gh_api_mount mounts[GH_API_MOUNTS_MAX];
    size_t nmounts;
    struct gh_http_handler rest;
};

enum gh_err
gh_api_new(const struct gh_api_deps *deps, struct gh_api **out)
{
    struct gh_api *api = calloc(1, sizeof(*api));
    enum gh_err err;

    *out = NULL;
    if (api == NULL)
        return GH_ERR_NOMEM;
    api->store = deps->store;
    api->config = deps->config;
    api->services = deps->services;
    api->key_used = deps->key_used;
    atomic_init(&api->snap, NULL);
    atomic_init(&api->taking, 0);
    pthread_mutex_init(&api->publish_lock, NULL);
    {
        struct gh_api_snap *first = NULL;
        if ((err = gh_api_snap_new(api->store, gh_store_generation(api->store), deps->keyring,
                                   &first)) != GH_OK)
            goto fail;
        atomic_store(&api->snap, first);
    }
    if ((err = gh_api_principals_new(&api->principals)) != GH_OK)
        goto fail;
    if ((err = gh_api_cache_new(&api->cache)) != GH_OK)
        goto fail;
    if ((api->keys = gh_sigv4_key_cache_new()) == NULL) {
        err = GH_ERR_NOMEM;
        goto fail;
    }
    *out = api;
    return GH_OK;
fail:
    gh_api_free(api);
    return err;
}

void
gh_api_free(struct gh_api *api)
{
    if (api == NULL)
        return;
    gh_api_principals_free(api->principals);
    gh_sigv4_key_cache_free(api->keys);
    gh_api_snap_unref(atomic_load(&api->snap));
    pthread_mutex_destroy(&api->publish_lock);
    gh_api_cache_free(api->cache);
    free(api);
}

static void
request_id(char out[37])
{
    uint8_t r[16];
    char hex[32];

    if (gh_random(r, sizeof(r)) != GH_OK)
        memset(r, 0, sizeof(r));
    r[6] = (uint8_t)((r[6] & 0x0F) | 0x40); /* UUID v4, as AWS request ids look */
    r[8] = (uint8_t)((r[8] & 0x3F) | 0x80);
    gh_hex_encode(r, sizeof(r), hex);
    (void)snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
                   hex + 20);
}

static const struct gh_service *
service_by_name(const struct gh_api *api, struct gh_slice name)
{
    for (size_t i = 0; api->services[i] != NULL; i++)
        if (gh_slice_eq_cstr(name, api->services[i]->name))
            return api->services[i];
    return NULL;
}

static const struct gh_service *
service_by_version(const struct gh_api *api, struct gh_slice version)
{
    for (size_t i = 0; api->services[i] != NULL; i++)
        if (gh_slice_eq_cstr(version, api->services[i]->version))
            return api->services[i];
    return NULL;
}

static void
render_error_code(struct gh_http_resp *resp, const struct gh_service *svc, const char *rid,
                  enum gh_err err, const char *code, const char *message);

static void
render_error(struct gh_http_resp *resp, const struct gh_service *svc, const char *rid,
             enum gh_err err, const char *message)
{
    render_error_code(resp, svc, rid, err, NULL, message);
}

/* `code` overrides the table's AWS code (a service-specific error). */
static void
render_error_code(struct gh_http_resp *resp, const struct gh_service *svc, const char *rid,
                  enum gh_err err, const char *code, const char *message)
{
    const struct gh_err_info *info = gh_err_info(err);
    const char *xmlns = svc != NULL ? svc->xmlns : "https://iam.amazonaws.com/doc/2010-05-08/";

    gh_buf_reset(&resp->body);
    resp->status = info->http_status;
    resp->content_type = "text/xml";
    gh_buf_putf(&resp->body, "<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type><Code>%s</Code>",
                xmlns, info->sender ? "Sender" : "Receiver", code != NULL ? code : info->code);
    gh_xml_elem_cstr(&resp->body, "Message", message);
    gh_buf_putf(&resp->body, "</Error><RequestId>%s</RequestId></ErrorResponse>", rid);
}

static const struct gh_action *
find_action(const struct gh_service *svc, struct gh_slice name)
{
    for (size_t i = 0; i < svc->nactions; i++)
        if (gh_slice_eq_cstr(name, svc->actions[i].name))
            return &svc->actions[i];
    return NULL;
}

/* Query parameters of the URL and, for form posts, the body. */
static enum gh_err
read_params(struct gh_http_req *req, struct gh_params *out, struct gh_diag *diag)
{
    struct gh_params q, b = {NULL, 0};
    enum gh_err err;
    struct gh_slice ct = gh_http_header_get(req, "Content-Type");

    if ((err = gh_form_parse(req->arena, req->query, true, &q, diag)) != GH_OK)
        return err;
    if (gh_slice_eq_cstr(req->method, "POST") && req->body.len > 0 &&
        (ct.ptr == NULL ||
         gh_slice_starts_with(gh_slice_trim(ct), GH_S("application/x-www-form-urlencoded")))) {
        if ((err = gh_form_parse(req->arena, req->body, true, &b, diag)) != GH_OK)
            return err;
    }
    if (q.count == 0) {
        *out = b;
        return GH_OK;
    }
    if (b.count == 0) {
        *out = q;
        return GH_OK;
    }
    out->count = q.count + b.count;
    if (out->count > GH_FORM_PARAMS_MAX)
        return GH_ERR_TOO_LARGE;
    if ((out->items = gh_arena_alloc(req->arena, out->count * sizeof(*out->items))) == NULL)
        return GH_ERR_NOMEM;
    memcpy(out->items, q.items, q.count * sizeof(*q.items));
    memcpy(out->items + q.count, b.items, b.count * sizeof(*b.items));
    for (size_t i = 0; i < b.count; i++) {
        for (size_t j = 0; j < q.count; j++) {
            if (gh_slice_eq(b.items[i].name, q.items[j].name)) {
                gh_diag_set(diag, "The parameter %.*s appears more than once in the request",
                            GH_SP(b.items[i].name));
                return GH_ERR_INVALID_QUERY_PARAMETER;
            }
        }
    }
    return GH_OK;
}

/*
 * The principal of temporary credentials: the session sealed in the
 * token must carry the access key id the request was signed with, and
 * must not have expired.
 */
static enum gh_err
session_principal(struct gh_api *api, const struct gh_api_snap *snap, struct gh_http_req *req,
                  const struct gh_sigv4_auth *auth, int64_t now, struct gh_secret *secret,
                  struct gh_principal *p, struct gh_diag *diag)
{
    struct gh_session *s = gh_arena_alloc(req->arena, sizeof(*s));
    const char *arn = NULL, *uid = NULL;
    enum gh_err err;

    if (s == NULL)
        return GH_ERR_NOMEM;
    /* AWS STS: a temporary key without its token, or with a token that does
     * not open or belongs to another key, is an invalid client token. */
    if (auth->security_token.len == 0 ||
        gh_session_open(snap->keyring, auth->security_token, req->arena, s) != GH_OK ||
        !gh_slice_eq_cstr(auth->access_key_id, s->access_key_id)) {
        gh_secret_wipe(&s->secret);
        gh_diag_set(diag, "The security token included in the request is invalid.");
        return GH_ERR_INVALID_TOKEN_ID;
    }
    if (now >= s->expires) {
        gh_secret_wipe(&s->secret);
        gh_diag_set(diag, "The security token included in the request is expired");
        return GH_ERR_EXPIRED_TOKEN;
    }
    if (gh_api_session_revoked(snap->revocations, s)) {
        /* `gatehouse sessions revoke`, or signed out of the console. */
        gh_secret_wipe(&s->secret);
        gh_diag_set(diag, "The security token included in the request is invalid.");
        return GH_ERR_INVALID_TOKEN_ID;
    }
    /*
     * The role or user the session was issued to must still exist under
     * the unique id in the token. AWS answers a deleted role's sessions
     * with AccessDenied from policy evaluation; we fail closed earlier, as
     * for a revoked session, so that no call at all (GetCallerIdentity
     * included, which needs no permission) works with them, and a
     * namesake created later can never lend them its policies.
     */
    if ((err = gh_api_session_entity_check(api->cache, api->store, req->arena, s)) != GH_OK) {
        gh_secret_wipe(&s->secret);
        if (err == GH_ERR_INVALID_TOKEN_ID)
            gh_diag_set(diag, "The security token included in the request is invalid.");
        else
            gh_diag_set(diag, "The request could not be authenticated.");
        return err;
    }
    *secret = s->secret;
    gh_secret_wipe(&s->secret); /* the caller's copy is the one that is used and wiped */
    p->type = s->type;
    memcpy(p->account, s->account, sizeof(p->account));
    switch (s->type) {
    case GH_PRINCIPAL_ASSUMED_ROLE:
        arn = gh_arena_printf(req->arena, "arn:aws:sts::%s:assumed-role/%.*s/%.*s", s->account,
                              GH_SP(s->name), GH_SP(s->session_name));
        uid = gh_arena_printf(req->arena, "%.*s:%.*s", GH_SP(s->entity_id),
                              GH_SP(s->session_name));
        break;
    case GH_PRINCIPAL_FEDERATED_USER:
        arn = gh_arena_printf(req->arena, "arn:aws:sts::%s:federated-user/%.*s", s->account,
                              GH_SP(s->name));
        uid = gh_arena_printf(req->arena, "%s:%.*s", s->account, GH_SP(s->name));
        break;
    case GH_PRINCIPAL_USER:
        arn = gh_arena_printf(req->arena, "arn:aws:iam::%s:user%.*s%.*s", s->account,
                              GH_SP(s->path), GH_SP(s->name));
        uid = gh_arena_strndup(req->arena, s->entity_id);
        break;
    case GH_PRINCIPAL_ROOT:
        arn = gh_arena_printf(req->arena, "arn:aws:iam::%s:root", s->account);
        uid = gh_arena_strndup(req->arena, gh_slice_from_cstr(s->account));
        break;
    default:
        gh_diag_set(diag, "The security token included in the request is invalid.");
        return GH_ERR_INVALID_TOKEN_ID;
    }
    if (arn == NULL || uid == NULL)
        return GH_ERR_NOMEM;
    p->arn = gh_slice_from_cstr(arn);
    p->user_id = gh_slice_from_cstr(uid);
    p->name = s->name;
    p->path = s->path;
    p->session = s->session_name;
    p->access_key_id = auth->access_key_id;
    p->mfa = s->mfa;
    p->mfa_time = s->mfa_time;
    p->token_issued = s->issued;
    p->session_info = s;
    err = GH_OK;
    return err;
}

/*
 * Authenticates the request: fills `caller` and, for signed requests,
 * the service named by the credential scope.
 */
enum gh_err
gh_api_authenticate(struct gh_api *api, struct gh_http_req *req, bool normalize_path, int64_t now,
                    struct gh_slice *service, struct gh_principal *caller, struct gh_diag *diag)
{
    return gh_api_authenticate_hashed(api, req, normalize_path, GH_SLICE_NULL, now, service,
                                      caller, diag);
}

static enum gh_err authenticate(struct gh_api *api, const struct gh_api_snap *snap,
                                struct gh_http_req *req, bool normalize_path,
                                struct gh_slice payload_hash_hex, int64_t now,
                                struct gh_slice *service, struct gh_principal *caller,
                                struct gh_diag *diag);

enum gh_err
gh_api_authenticate_hashed(struct gh_api *api, struct gh_http_req *req, bool normalize_path,
                           struct gh_slice payload_hash_hex, int64_t now, struct gh_slice *service,
                           struct gh_principal *caller, struct gh_diag *diag)
{
    struct gh_api_snap *snap = gh_api_snap_get(api);
    enum gh_err err =
        authenticate(api, snap, req, normalize_path, payload_hash_hex, now, service, caller, diag);

    gh_api_snap_unref(snap);
    return err;
}

static enum gh_err
authenticate(struct gh_api *api, const struct gh_api_snap *snap, struct gh_http_req *req,
             bool normalize_path, struct gh_slice payload_hash_hex, int64_t now,
             struct gh_slice *service, struct gh_principal *caller, struct gh_diag *diag)
{
    struct gh_sigv4_request sr = {
        .method = req->method,
        .path = req->path,
        .query = req->query,
        .headers = req->headers,
        .nheaders = req->nheaders,
        .body = req->body,
        .normalize_path = normalize_path,
        .payload_hash_hex = payload_hash_hex,
    };
    struct gh_sigv4_auth auth;
    struct gh_secret secret = {{0}, 0};
    enum gh_err err;

    memset(caller, 0, sizeof(*caller));
    err = gh_sigv4_parse(&sr, req->arena, &auth, diag);
    if (err == GH_ERR_MISSING_AUTH)
        return err; /* the caller decides whether the action allows it */
    if (err != GH_OK)
        return err;
    *service = auth.service;
    if (gh_slice_starts_with(auth.access_key_id, GH_S("ASIA"))) {
        err = session_principal(api, snap, req, &auth, now, &secret, caller, diag);
        if (err != GH_OK)
            goto done;
        err = gh_sigv4_verify(&sr, &auth, &secret, now, api->keys, req->arena, diag);
        goto done;
    }
    err = gh_api_principal_resolve(api->principals, api->store, req->arena, auth.access_key_id,
                                   &secret, caller);
    if (err == GH_ERR_INVALID_TOKEN_ID) {
        /* AWS IAM/STS: unknown or inactive keys read the same. */
        gh_diag_set(diag, "The security token included in the request is invalid.");
        goto done;
    }
    if (err != GH_OK) {
        gh_diag_set(diag, "The request could not be authenticated.");
        goto done;
    }
    err = gh_sigv4_verify(&sr, &auth, &secret, now, api->keys, req->arena, diag);
    if (err == GH_OK && auth.security_token.len > 0) {
        /* A token on a long-term key is refused as AWS does. */
        gh_diag_set(diag, "The security token included in the request is invalid.");
        err = GH_ERR_INVALID_TOKEN_ID;
    }
    if (err == GH_OK && api->key_used != NULL &&
        api->key_used(api->store, auth.access_key_id, auth.service, auth.region, now) != GH_OK) {
        /* Recording last use is best effort; the request goes on. */
    }
done:
    gh_secret_wipe(&secret);
    if (err != GH_OK)
        memset(caller, 0, sizeof(*caller));
    return err;
}

static void
render_ok(struct gh_http_resp *resp, const struct gh_call *c, const struct gh_buf *result)
{
    const char *name = c->action->name;

    gh_buf_reset(&resp->body);
    resp->status = 200;
    resp->content_type = "text/xml";
    gh_buf_putf(&resp->body, "<%sResponse xmlns=\"%s\">", name, c->service->xmlns);
    if (!(c->action->flags & GH_ACTION_NO_RESULT)) {
        gh_buf_putf(&resp->body, "<%sResult>", name);
        gh_buf_put(&resp->body, gh_buf_slice(result));
        gh_buf_putf(&resp->body, "</%sResult>", name);
    }
    gh_buf_putf(&resp->body, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>",
                c->request_id, name);
}

/* AWS JSON 1.1 errors: {"__type": CODE, "message": TEXT} with the HTTP status. */
static void
render_json_error(struct gh_http_resp *resp, const char *rid, enum gh_err err, const char *code,
                  const char *message)
{
    const struct gh_err_info *info = gh_err_info(err);
    char derived[96];
    json_t *o;
    char *text;

    (void)rid;
    if (code == NULL) {
        /* JSON services name their errors "XxxException". */
        (void)snprintf(derived, sizeof(derived), "%sException",
                       strcmp(info->code, "ValidationError") == 0 ? "Validation" : info->code);
        code = derived;
    }
    gh_buf_reset(&resp->body);
    resp->status = info->http_status;
    resp->content_type = "application/x-amz-json-1.1";
    o = json_pack("{s:s, s:s}", "__type", code, "message", message);
    text = o == NULL ? NULL : json_dumps(o, JSON_COMPACT);
    gh_buf_puts(&resp->body, text == NULL ? "{}" : text);
    free(text);
    json_decref(o);
}

/* Runs the action inside its transaction. */
static enum gh_err
run(struct gh_api *api, struct gh_call *c)
{
    bool write = (c->action->flags & GH_ACTION_WRITE) != 0;
    enum gh_err err;

    if ((err = gh_store_tx_begin(api->store, write, &c->tx)) != GH_OK)
        return gh_call_fail(c, err, "The service could not open the store.");
    /* An IAM action writes only its caller's account (AWS IAM: every
     * action works in the account of the credentials): only that
     * account's principal snapshots go stale. Any other write leaves the
     * store's default, every account's. */
    if (write && c->service != NULL && strcmp(c->service->name, "iam") == 0 && c->caller != NULL &&
        c->caller->type != GH_PRINCIPAL_ANONYMOUS)
        gh_store_tx_scope_account(c->tx, gh_slice_from_cstr(c->caller->account));
    err = c->action->fn(c);
    if (err == GH_OK && c->err != GH_OK)
        err = c->err;
    if (err == GH_OK && write) {
        err = gh_store_tx_commit(c->tx);
        c->tx = NULL;
        if (err != GH_OK)
            return gh_call_fail(c, err, "The change could not be saved.");
        return GH_OK;
    }
    gh_store_tx_rollback(c->tx);
    c->tx = NULL;
    if (err != GH_OK && c->err == GH_OK) /* a failure the handler did not describe */
        return gh_call_fail(c, err, "%s", err == GH_ERR_NOMEM ? "The service is out of memory."
                                                              : "The request processing has failed "
                                                                "because of an unknown error.");
    return err;
}

/* One AWS JSON 1.1 call: the action is named by X-Amz-Target. */
static void
handle_json(struct gh_api *api, struct gh_http_req *req, struct gh_http_resp *resp,
            const struct gh_service *svc, const struct gh_principal *caller, int64_t now,
            const char *rid)
{
    struct gh_slice target = gh_http_header_get(req, "X-Amz-Target");
    struct gh_slice prefix = gh_slice_from_cstr(svc->target_prefix);
    struct gh_call c;
    struct gh_buf result;
    json_error_t jerr;
    json_t *in = NULL;
    char *text = NULL;
    enum gh_err err;
    unsigned long failed;

    gh_api_call_init(api, req, caller, NULL, &c);
    c.now = now;
    c.request_id = rid;
    c.service = svc;
    gh_buf_init(&result, 0);
    c.result = &result;
    if (target.ptr == NULL || !gh_slice_starts_with(target, prefix) || target.len <= prefix.len + 1 ||
        target.ptr[prefix.len] != '.' ||
        (c.action = find_action(svc, gh_slice_sub(target, prefix.len + 1, target.len))) == NULL) {
        render_json_error(resp, rid, GH_ERR_INVALID_ACTION, "UnknownOperationException",
                          "The requested operation is not recognized by the service.");
        goto done;
    }
    /* AWS JSON: an empty body is an empty input object. */
    failed = gh_alloc_failures();
    in = req->body.len == 0 ? json_object()
                            : json_loadb(req->body.ptr, req->body.len,
                                         JSON_REJECT_DUPLICATES, &jerr);
    /* jansson out of memory may have dropped a character of an input (an
     * SCP's Content, a policy id) or called good JSON bad (core.h
     * gh_alloc_counted): our failure, and nothing acted on. */
    if (gh_alloc_failures() != failed) {
        render_json_error(resp, rid, GH_ERR_NOMEM, NULL, "The service is out of memory.");
        goto done;
    }
    if (in == NULL || !json_is_object(in)) {
        render_json_error(resp, rid, GH_ERR_VALIDATION, "SerializationException",
                          "The request body is not a JSON object.");
        goto done;
    }
    c.in = in;
    if ((err = run(api, &c)) != GH_OK) {
        render_json_error(resp, rid, err, c.code, c.message);
        goto done;
    }
    resp->status = 200;
    resp->content_type = "application/x-amz-json-1.1";
    if (c.out == NULL)
        c.out = json_object(); /* AWS JSON: an empty result is "{}" */
    text = c.out == NULL ? NULL : json_dumps(c.out, JSON_COMPACT);
    if (text == NULL) {
        render_json_error(resp, rid, GH_ERR_NOMEM, NULL, "The response could not be rendered.");
        goto done;
    }
    gh_buf_puts(&resp->body, text);
done:
    free(text);
    json_decref(in);
    json_decref(c.out);
    gh_buf_cleanup(&result);
    gh_api_call_cleanup(&c);
}

/*
 * Is this a REST request (the S3-compatible service) rather than a Query
 * API call? Query calls always target "/" with GET or POST; S3 also signs
 * "/" (ListBuckets), so the credential scope decides there.
 */
static bool
is_rest(const struct gh_http_req *req)
{
    struct gh_slice auth = gh_http_header_get(req, "Authorization");

    if (!gh_slice_eq_cstr(req->path, "/"))
        return true;
    if (!gh_slice_eq_cstr(req->method, "GET") && !gh_slice_eq_cstr(req->method, "POST"))
        return true;
    /* An unsigned GET / with no query names no Query action: S3's anonymous ListBuckets. */
    if (auth.ptr == NULL && gh_slice_eq_cstr(req->method, "GET") && req->query.len == 0)
        return true;
    for (size_t i = 0; auth.ptr != NULL && i + 16 <= auth.len; i++)
        if (memcmp(auth.ptr + i, "/s3/aws4_request", 16) == 0)
            return true;
    for (size_t i = 0; req->query.ptr != NULL && i + 22 <= req->query.len; i++)
        if (memcmp(req->query.ptr + i, "%2Fs3%2Faws4_request", 20) == 0)
            return true;
    return false;
}

struct gh_api_snap *
gh_api_snap_get(struct gh_api *api)
{
    struct gh_api_snap *s;

    /*
     * Lock-free for readers: `taking` tells publish() that a reader may
     * hold the old pointer without its reference yet, so the old snapshot
     * is not released until every such reader has taken its reference.
     */
    atomic_fetch_add(&api->taking, 1);
    s = atomic_load(&api->snap);
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    atomic_fetch_sub(&api->taking, 1);
    return s;
}

/*
 * Publishes `next` (the api takes its reference) unless the current
 * snapshot was loaded from a later store generation: then `next` is
 * older news and is dropped. Returns whether it was published.
 */
static bool
publish(struct gh_api *api, struct gh_api_snap *next)
{
    struct gh_api_snap *old;

    pthread_mutex_lock(&api->publish_lock);
    old = atomic_load(&api->snap);
    if (old->generation > next->generation) {
        pthread_mutex_unlock(&api->publish_lock);
        gh_api_snap_unref(next);
        return false;
    }
    atomic_store(&api->snap, next);
    pthread_mutex_unlock(&api->publish_lock);
    /* Readers that loaded `old` finish taking their reference in a few
     * instructions; later ones load `next`. */
    while (atomic_load(&api->taking) != 0)
        sched_yield();
    gh_api_snap_unref(old);
    return true;
}

/* A new snapshot with freshly loaded revocations and key ring `kr`. */
static enum gh_err
reload(struct gh_api *api, uint64_t gen, struct gh_keyring *kr, bool *published)
{
    struct gh_api_snap *next = NULL;
    enum gh_err err;

    *published = false;
    if ((err = gh_api_snap_new(api->store, gen, kr, &next)) != GH_OK)
        return err;
    *published = publish(api, next);
    return GH_OK;
}

enum gh_err
gh_api_refresh(struct gh_api *api, const struct gh_secret *master)
{
    struct gh_keyring *kr = NULL;
    struct gh_api_snap *cur;
    const struct gh_secret *k1, *k2;
    uint32_t id1, id2;
    bool changed = false, published = false;
    uint64_t gen;
    enum gh_err err;

    if ((err = gh_store_refresh(api->store, &changed)) != GH_OK)
        return err;
    gen = gh_store_generation(api->store);
    if (api->refreshed_gen != 0 && !changed && api->refreshed_gen == gen)
        return GH_OK;
    if ((err = gh_keyring_load(api->store, master, &kr)) != GH_OK)
        return err;
    cur = gh_api_snap_get(api);
    if (gh_keyring_current(kr, &id1, &k1) == GH_OK &&
        gh_keyring_current(cur->keyring, &id2, &k2) == GH_OK && id1 == id2 &&
        gh_keyring_count(kr) == gh_keyring_count(cur->keyring)) {
        /* Unchanged: keep the ring requests already use. */
        gh_keyring_unref(kr);
        kr = gh_keyring_ref(cur->keyring);
    }
    gh_api_snap_unref(cur);
    err = reload(api, gen, kr, &published);
    gh_keyring_unref(kr);
    /* Not published (a sign-out published a later one, maybe with an older
     * ring): look again next time. */
    api->refreshed_gen = err == GH_OK && published ? gen : 0;
    return err;
}

enum gh_err
gh_api_sign_out(struct gh_api *api, const struct gh_session *s, int64_t now)
{
    struct gh_store_signout so = {
        .access_key_id = gh_slice_from_cstr(s->access_key_id),
        .account = gh_slice_from_cstr(s->account),
        .expires = s->expires,
    };
    struct gh_store_tx *tx = NULL;
    struct gh_api_snap *cur;
    bool published;
    enum gh_err err;

    if ((err = gh_store_tx_begin(api->store, true, &tx)) != GH_OK)
        return err;
    /* No principal's policies change: the auth snapshot below carries it. */
    gh_store_tx_scope_metadata(tx);
    if ((err = gh_store_signout_put(tx, &so, now, GH_API_SIGNOUTS_MAX)) != GH_OK) {
        gh_store_tx_rollback(tx);
        return err;
    }
    if ((err = gh_store_tx_commit(tx)) != GH_OK)
        return err;
    /* At once, not at the next refresh: the key ring is the current one. */
    cur = gh_api_snap_get(api);
    err = reload(api, gh_store_generation(api->store), cur->keyring, &published);
    gh_api_snap_unref(cur);
    return err;
}

enum gh_err
gh_api_mount(struct gh_api *api, const char *prefix, struct gh_http_handler h)
{
    if (api->nmounts == GH_API_MOUNTS_MAX)
        return GH_ERR_LIMIT;
    api->mounts[api->nmounts].prefix = prefix;
    api->mounts[api->nmounts].handler = h;
    api->nmounts++;
    return GH_OK;
}

void
gh_api_set_rest(struct gh_api *api, struct gh_http_handler h)
{
    api->rest = h;
}

void
gh_api_call_init(struct gh_api *api, struct gh_http_req *req, const struct gh_principal *caller,
                 struct gh_buf *result, struct gh_call *c)
{
    memset(c, 0, sizeof(*c));
    c->arena = req->arena;
    c->http = req;
    c->caller = caller;
    c->store = api->store;
    c->config = api->config;
    c->snap = gh_api_snap_get(api);
    c->keyring = c->snap->keyring;
    c->api_cache = api->cache;
    c->now = gh_now_s();
    c->result = result;
}

void
gh_api_call_cleanup(struct gh_call *c)
{
    gh_api_snap_unref(c->snap);
    c->snap = NULL;
    c->keyring = NULL;
}

void
gh_api_handle(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    struct gh_api *api = ctx;

    if (gh_slice_eq_cstr(req->path, "/healthz")) {
        resp->status = 200;
        resp->content_type = "text/plain";
        gh_buf_puts(&resp->body, "ok\n");
        return;
    }
    for (size_t i = 0; i < api->nmounts; i++) {
        struct gh_slice pre = gh_slice_from_cstr(api->mounts[i].prefix);
        if (gh_slice_starts_with(req->path, pre) &&
            (req->path.len == pre.len || req->path.ptr[pre.len] == '/')) {
            api->mounts[i].handler.handle(api->mounts[i].handler.ctx, req, resp);
            return;
        }
    }
    if (api->rest.handle != NULL && is_rest(req)) {
        api->rest.handle(api->rest.ctx, req, resp);
        return;
    }
    gh_api_handle_query(api, req, resp);
}

void
gh_api_handle_query(void *ctx, struct gh_http_req *req, struct gh_http_resp *resp)
{
    struct gh_api *api = ctx;
    struct gh_params params;
    struct gh_principal caller;
    struct gh_diag diag;
    struct gh_call c;
    struct gh_buf result;
    const struct gh_service *svc = NULL;
    struct gh_api_snap *snap = NULL;
    char rid[37];
    struct gh_slice action_name, version;
    int64_t now = gh_now_s();
    enum gh_err err;

    request_id(rid);
    gh_diag_clear(&diag);
    memset(&c, 0, sizeof(c));
    gh_buf_init(&result, 0);
    /* One auth snapshot for the whole request: authentication and the action. */
    snap = gh_api_snap_get(api);

    if (!gh_slice_eq_cstr(req->method, "POST") && !gh_slice_eq_cstr(req->method, "GET")) {
        render_error(resp, NULL, rid, GH_ERR_METHOD, "The requested method is not allowed.");
        goto done;
    }
    if ((err = read_params(req, &params, &diag)) != GH_OK) {
        render_error(resp, NULL, rid, err, diag.text[0] ? diag.text : gh_err_str(err));
        goto done;
    }
    action_name = gh_params_get(&params, "Action");
    version = gh_params_get(&params, "Version");

    struct gh_slice scope_service = GH_SLICE_NULL;
    err = authenticate(api, snap, req, true, GH_SLICE_NULL, now, &scope_service, &caller, &diag);
    if (scope_service.len > 0)
        svc = service_by_name(api, scope_service);
    if (err == GH_ERR_MISSING_AUTH) {
        /* Unsigned: only actions that allow it, found by Version (AWS STS). */
        const struct gh_action *a = NULL;
        svc = service_by_version(api, version);
        if (svc != NULL)
            a = find_action(svc, action_name);
        if (a == NULL || !(a->flags & GH_ACTION_UNSIGNED)) {
            render_error(resp, svc, rid, err,
                         diag.text[0] ? diag.text : "Request is missing Authentication Token");
            goto done;
        }
        caller.type = GH_PRINCIPAL_ANONYMOUS;
    } else if (err != GH_OK) {
        render_error(resp, svc, rid, err, diag.text[0] ? diag.text : gh_err_str(err));
        goto done;
    }
    if (svc == NULL) {
        render_error(resp, NULL, rid, GH_ERR_INVALID_ACTION,
                     "The service named in the credential scope is not served here.");
        goto done;
    }
    if (svc->protocol == GH_PROTO_JSON) {
        handle_json(api, req, resp, svc, &caller, now, rid);
        goto done;
    }
    c.action = action_name.ptr == NULL ? NULL : find_action(svc, action_name);
    /* AWS Query services answer an unknown Action or Version the same way. */
    if (c.action == NULL || !gh_slice_eq_cstr(version, svc->version)) {
        char msg[256];
        (void)snprintf(msg, sizeof(msg), "Could not find operation %.*s for version %.*s",
                       GH_SP(gh_slice_sub(action_name, 0, 64)), GH_SP(gh_slice_sub(version, 0, 32)));
        render_error(resp, svc, rid, GH_ERR_INVALID_ACTION, msg);
        goto done;
    }

    c.arena = req->arena;
    c.http = req;
    c.params = &params;
    c.service = svc;
    c.caller = &caller;
    c.store = api->store;
    c.config = api->config;
    c.keyring = snap->keyring;
    c.api_cache = api->cache;
    c.now = now;
    c.request_id = rid;
    c.result = &result;
    if ((err = run(api, &c)) != GH_OK) {
        render_error_code(resp, svc, rid, err, c.code, c.message);
        goto done;
    }
    if ((err = gh_buf_status(&result)) != GH_OK) {
        render_error(resp, svc, rid, err, "The response could not be rendered.");
        goto done;
    }
    render_ok(resp, &c, &result);
done:
    if (gh_buf_status(&resp->body) != GH_OK) {
        gh_buf_cleanup(&resp->body);
        resp->status = 500;
        resp->content_type = "text/plain";
    }
    if (resp->nheaders < GH_ARRAY_LEN(resp->headers)) {
        char *r = gh_arena_strndup(req->arena, gh_slice_from_cstr(rid));
        if (r != NULL && gh_http_resp_header(resp, "x-amzn-RequestId", gh_slice_from_cstr(r)) != GH_OK) {
            /* no room: the body carries the id anyway */
        }
    }
    gh_buf_cleanup(&result);
    gh_api_snap_unref(snap);
}
