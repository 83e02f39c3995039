/*
 * ext.c: helpers shared by the credential, provider and account actions:
 * record data as JSON, the target user of per-user actions, tags of
 * record-backed entities and index-based pagination.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/iam_ext.h"

enum gh_err
gh_iam_rec_json(const struct gh_store_rec *r, json_t **out)
{
    json_error_t jerr;
    unsigned long failed;

    *out = NULL;
    if (r->data.len == 0) {
        *out = json_object();
        return *out != NULL ? GH_OK : GH_ERR_NOMEM;
    }
    failed = gh_alloc_failures();
    *out = json_loadb(r->data.ptr, r->data.len, JSON_REJECT_DUPLICATES, &jerr);
    /* jansson out of memory may have dropped a character of a value, or
     * read as a corrupt row (core.h gh_alloc_counted). */
    if (gh_alloc_failures() != failed) {
        json_decref(*out);
        *out = NULL;
        return GH_ERR_NOMEM;
    }
    if (*out == NULL || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return GH_ERR_INTERNAL; /* we wrote it: a row that does not parse is corrupt */
    }
    return GH_OK;
}

enum gh_err
gh_iam_json_dump(struct gh_call *c, json_t *obj, struct gh_slice *out)
{
    char *s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    enum gh_err err;

    *out = GH_SLICE_NULL;
    if (s == NULL)
        return GH_ERR_NOMEM;
    err = gh_arena_dup(c->arena, gh_slice_from_cstr(s), out);
    free(s);
    return err;
}

struct gh_slice
gh_iam_json_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_string(v))
        return GH_S("");
    return (struct gh_slice){json_string_value(v), json_string_length(v)};
}

int64_t
gh_iam_json_int(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

enum gh_err
gh_iam_target_user(struct gh_call *c, const char *action, struct gh_slice given, bool root_ok,
                   struct gh_user *u)
{
    struct gh_slice arn;

    memset(u, 0, sizeof(*u));
    if (given.ptr == NULL) {
        if (c->caller->type == GH_PRINCIPAL_ROOT && root_ok)
            return gh_call_authorize(c, action, c->caller->arn);
        if (c->caller->type != GH_PRINCIPAL_USER)
            /* AWS IAM: ValidationError for the root and role sessions. */
            return gh_call_fail(c, GH_ERR_VALIDATION,
                                "Must specify userName when calling with non-User credentials");
        given = c->caller->name;
    }
    return gh_iam_user_load(c, action, given, u, &arn);
}

enum gh_err
gh_iam_tag_keys_read(struct gh_call *c, struct gh_slice **keys, size_t *nkeys)
{
    enum gh_err err;

    if ((err = gh_call_list(c, "TagKeys", "tagKeys", GH_IAM_TAGS_MAX, keys, nkeys)) != GH_OK)
        return err;
    if (*nkeys == 0 && !gh_params_has(c->params, "TagKeys"))
        gh_iam_null(c, "tagKeys");
    for (size_t i = 0; i < *nkeys; i++) {
        char name[48];
        struct gh_param_rule rule = gh_iam_shape_tag_key;
        struct gh_slice key;

        (void)snprintf(name, sizeof(name), "TagKeys.member.%zu", i + 1);
        if ((rule.member = gh_arena_printf(c->arena, "tagKeys.%zu.member", i + 1)) == NULL)
            return GH_ERR_NOMEM;
        gh_call_str(c, name, &rule, true, &key);
    }
    return GH_OK;
}

enum gh_err
gh_iam_rec_tag(struct gh_call *c, struct gh_slice entity_id, const struct gh_iam_tags *tags)
{
    struct gh_store_tag *have;
    size_t nhave, total;
    enum gh_err err;

    if ((err = gh_store_tags_list(c->tx, c->arena, entity_id, &have, &nhave)) != GH_OK)
        return err;
    total = nhave;
    for (size_t i = 0; i < tags->count; i++) {
        bool replaces = false;
        for (size_t j = 0; j < nhave && !replaces; j++)
            replaces = gh_slice_case_eq(tags->items[i].key, have[j].key);
        if (!replaces)
            total++;
    }
    if (total > GH_IAM_TAGS_MAX)
        /* AWS IAM: at most 50 tags per entity. */
        return gh_call_fail(c, GH_ERR_LIMIT, "The number of tags has reached the maximum limit.");
    return gh_store_tags_put(c->tx, entity_id, tags->items, tags->count);
}

enum gh_err
gh_iam_rec_untag(struct gh_call *c, struct gh_slice entity_id, const struct gh_slice *keys,
                 size_t nkeys)
{
    return gh_store_tags_remove(c->tx, entity_id, keys, nkeys);
}

enum gh_err
gh_iam_index_marker(struct gh_call *c, const struct gh_store_page *page, size_t n, size_t *start)
{
    uint64_t at;

    *start = 0;
    if (page->marker.len == 0)
        return GH_OK;
    if (gh_parse_u64(page->marker, n, &at) != GH_OK)
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Invalid Marker.");
    *start = (size_t)at;
    return GH_OK;
}

void
gh_iam_index_page_end(struct gh_call *c, size_t end, size_t n)
{
    char next[24];

    (void)snprintf(next, sizeof(next), "%zu", end);
    gh_call_page_end(c, end < n, gh_slice_from_cstr(next));
}

enum gh_err
gh_iam_rec_tags_list(struct gh_call *c, struct gh_slice entity_id, const struct gh_store_page *page)
{
    struct gh_store_tag *tags;
    size_t n, start, end;
    enum gh_err err;

    if ((err = gh_store_tags_list(c->tx, c->arena, entity_id, &tags, &n)) != GH_OK)
        return err;
    if ((err = gh_iam_index_marker(c, page, n, &start)) != GH_OK)
        return err;
    end = n - start > page->max_items ? start + page->max_items : n;
    gh_iam_tags_render(c->result, tags + start, end - start, true);
    gh_iam_index_page_end(c, end, n);
    return gh_buf_status(c->result);
}

void
gh_iam_elem_base64(struct gh_call *c, const char *tag, const void *p, size_t n)
{
    gh_xml_open(c->result, tag);
    if (gh_base64_encode(c->result, p, n) != GH_OK)
        return; /* sticky in c->result */
    gh_xml_close(c->result, tag);
}
