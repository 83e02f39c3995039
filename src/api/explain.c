/*
 * explain.c: encoded authorization failure messages. With
 * `gatehouse serve --encode-denials`, an AccessDenied carries the engine's
 * full explanation (who, what, where, which statements, which condition
 * keys) sealed under the current token key, so only this installation's
 * DecodeAuthorizationMessage can read it, as AWS's encoded messages are
 * opaque to everyone but STS.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"

#define AAD "gatehouse/authz-message/1"

static json_t *
items(json_t *arr)
{
    return json_pack("{s:o}", "items", arr);
}

/* The decoded form follows AWS's DecodeAuthorizationMessage JSON layout. */
static json_t *
explanation(const struct gh_principal *p, const char *action, struct gh_slice resource,
            const struct gh_policy_result *r, const struct gh_policy_ctx *ctx)
{
    json_t *stmts = json_array(), *conds = json_array(), *o;

    (void)ctx;
    if (stmts == NULL || conds == NULL)
        goto fail;
    for (size_t i = 0; i < r->hit_count; i++) {
        const struct gh_policy_hit *h = &r->hits[i];
        json_t *s = json_pack("{s:s#, s:s#, s:i, s:s, s:{s:i, s:i}, s:{s:i, s:i}}", "sourcePolicyId",
                              h->source_id.ptr == NULL ? "" : h->source_id.ptr, (int)h->source_id.len,
                              "sid", h->sid.ptr == NULL ? "" : h->sid.ptr, (int)h->sid.len,
                              "statementIndex", (int)h->statement, "effect",
                              h->deny ? "Deny" : "Allow", "startPosition", "line", h->start.line,
                              "column", h->start.column, "endPosition", "line", h->end.line,
                              "column", h->end.column);
        if (s != NULL)
            json_array_append_new(stmts, s);
    }
    for (size_t i = 0; i < r->missing_count; i++) {
        json_t *k = json_pack("{s:s#}", "missingKey", r->missing[i].ptr, (int)r->missing[i].len);
        if (k != NULL)
            json_array_append_new(conds, k);
    }
    o = json_pack("{s:b, s:b, s:o, s:o, s:{s:{s:s#, s:s#}, s:s, s:s#}}", "allowed",
                  r->decision == GH_ALLOW, "explicitDeny", r->decision == GH_DENY_EXPLICIT,
                  "matchedStatements", items(stmts), "failures", items(conds), "context",
                  "principal", "id", p->user_id.ptr == NULL ? "" : p->user_id.ptr,
                  (int)p->user_id.len, "arn", p->arn.ptr == NULL ? "" : p->arn.ptr,
                  (int)p->arn.len, "action", action, "resource",
                  resource.ptr == NULL ? "" : resource.ptr, (int)resource.len);
    return o;
fail:
    json_decref(stmts);
    json_decref(conds);
    return NULL;
}

enum gh_err
gh_api_explain_seal(struct gh_call *c, const struct gh_principal *p, const char *action,
                    struct gh_slice resource, const struct gh_policy_result *r, struct gh_buf *out)
{
    json_t *o = explanation(p, action, resource, r, NULL);
    char *text = o == NULL ? NULL : json_dumps(o, JSON_COMPACT);
    const struct gh_secret *key;
    struct gh_buf sealed;
    uint32_t id;
    uint8_t hdr[4];
    enum gh_err err;

    json_decref(o);
    if (text == NULL)
        return GH_ERR_NOMEM;
    gh_buf_init(&sealed, 0);
    if ((err = gh_keyring_current(c->keyring, &id, &key)) != GH_OK)
        goto done;
    hdr[0] = (uint8_t)(id >> 24);
    hdr[1] = (uint8_t)(id >> 16);
    hdr[2] = (uint8_t)(id >> 8);
    hdr[3] = (uint8_t)id;
    if ((err = gh_buf_append(&sealed, hdr, sizeof(hdr))) != GH_OK ||
        (err = gh_aead_seal(key, GH_S(AAD), gh_slice_from_cstr(text), &sealed)) != GH_OK)
        goto done;
    err = gh_base64_encode(out, (const uint8_t *)sealed.ptr, sealed.len);
done:
    gh_buf_cleanup(&sealed);
    free(text);
    return err;
}

enum gh_err
gh_api_explain_open(const struct gh_keyring *kr, struct gh_slice encoded, struct gh_buf *out)
{
    struct gh_buf raw;
    const struct gh_secret *key;
    const uint8_t *p;
    uint32_t id;
    enum gh_err err = GH_ERR_VALIDATION;

    gh_buf_init(&raw, 0);
    if (gh_base64_decode(encoded, false, &raw) != GH_OK || raw.len < 4 + GH_AEAD_OVERHEAD)
        goto done;
    p = (const uint8_t *)raw.ptr;
    id = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (gh_keyring_find(kr, id, &key) != GH_OK)
        goto done;
    if (gh_aead_open(key, GH_S(AAD), gh_slice_sub(gh_buf_slice(&raw), 4, raw.len), out) != GH_OK)
        goto done;
    err = GH_OK;
done:
    gh_buf_cleanup(&raw);
    return err;
}
