/*
 * meta.c: stored object headers and tag sets, kept form-encoded
 * ("name=value&..."), and their XML forms (AWS S3 Tagging documents).
 */
#include <string.h>

#include "s3/s3_int.h"

void
s3_form_add(struct gh_buf *b, struct gh_slice name, struct gh_slice value)
{
    if (b->len > 0)
        gh_buf_puts(b, "&");
    if (gh_uri_encode(b, name, false) != GH_OK)
        return;
    gh_buf_puts(b, "=");
    if (gh_uri_encode(b, value, false) != GH_OK)
        return; /* the buffer's sticky error reports it */
}

/* AWS S3 tag rules: key 1..128 characters, value 0..256, no "aws:" prefix. */
static bool
tag_ok(struct gh_slice k, struct gh_slice v)
{
    return k.len >= 1 && k.len <= 128 * 4 && v.len <= 256 * 4 && gh_utf8_is_valid(k) &&
           gh_utf8_is_valid(v) && !gh_slice_starts_with(k, GH_S("aws:"));
}

enum s3_code
s3_tags_parse(struct s3_req *r, struct gh_slice form, size_t max, struct gh_params *out)
{
    struct gh_diag diag;

    memset(out, 0, sizeof(*out));
    if (form.len == 0)
        return S3_OK;
    if (gh_form_parse(r->arena, form, true, out, &diag) != GH_OK)
        return s3_fail(r, S3_INVALID_TAG, "Cannot provide multiple Tags with the same key");
    if (out->count > max)
        return s3_fail(r, S3_INVALID_TAG, "Object tags cannot be greater than %zu", max);
    for (size_t i = 0; i < out->count; i++)
        if (!tag_ok(out->items[i].name, out->items[i].value))
            return s3_fail(r, S3_INVALID_TAG, "The TagKey you have provided is invalid");
    return S3_OK;
}

enum s3_code
s3_tags_from_xml(struct s3_req *r, struct gh_slice body, size_t max, struct gh_buf *out)
{
    struct s3_xml x;
    int root, set, tag = -1;
    size_t n = 0;
    struct gh_params seen = {NULL, 0};

    if (s3_xml_parse(r->arena, body, &x) != GH_OK || x.count == 0 ||
        !gh_slice_eq_cstr(x.nodes[0].name, "Tagging"))
        return s3_fail(r, S3_MALFORMED_XML, NULL);
    root = 0;
    if ((set = s3_xml_child(&x, root, "TagSet", 0)) < 0)
        return s3_fail(r, S3_MALFORMED_XML, NULL);
    seen.items = gh_arena_alloc(r->arena, (max + 1) * sizeof(*seen.items));
    if (seen.items == NULL)
        return s3_fail(r, S3_INTERNAL, NULL);
    while ((tag = s3_xml_child(&x, set, "Tag", tag + 1)) >= 0) {
        int k = s3_xml_child(&x, tag, "Key", tag + 1);
        int v = s3_xml_child(&x, tag, "Value", tag + 1);
        if (k < 0 || v < 0)
            return s3_fail(r, S3_MALFORMED_XML, NULL);
        if (++n > max)
            return s3_fail(r, S3_INVALID_TAG, "Object tags cannot be greater than %zu", max);
        if (!tag_ok(x.nodes[k].text, x.nodes[v].text))
            return s3_fail(r, S3_INVALID_TAG, "The TagKey you have provided is invalid");
        for (size_t i = 0; i < seen.count; i++)
            if (gh_slice_eq(seen.items[i].name, x.nodes[k].text))
                return s3_fail(r, S3_INVALID_TAG, "Cannot provide multiple Tags with the same key");
        seen.items[seen.count++].name = x.nodes[k].text;
        s3_form_add(out, x.nodes[k].text, x.nodes[v].text);
    }
    return gh_buf_status(out) == GH_OK ? S3_OK : s3_fail(r, S3_INTERNAL, NULL);
}

void
s3_tags_to_xml(struct gh_buf *b, const struct gh_params *tags)
{
    gh_buf_puts(b, "<TagSet>");
    for (size_t i = 0; i < tags->count; i++) {
        gh_buf_puts(b, "<Tag>");
        gh_xml_elem(b, "Key", tags->items[i].name);
        gh_xml_elem(b, "Value", tags->items[i].value);
        gh_buf_puts(b, "</Tag>");
    }
    gh_buf_puts(b, "</TagSet>");
}
