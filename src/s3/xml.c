/*
 * xml.c: a small, bounded XML reader for S3 request documents (Tagging,
 * Delete, CompleteMultipartUpload, CreateBucketConfiguration): elements
 * and their text, the five predefined entities and character references.
 * No DTDs, no external entities; depth and element count are capped.
 */
#include <string.h>

#include "s3/s3_int.h"

#define XML_DEPTH_MAX 16
#define XML_NODES_MAX 20000

static bool
name_char(char c)
{
    return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '>' && c != '/' && c != '=';
}

/* Unescapes text into the buffer; false on a bad entity. */
static bool
unescape(struct gh_buf *out, struct gh_slice in)
{
    for (size_t i = 0; i < in.len; i++) {
        if (in.ptr[i] != '&') {
            gh_buf_put(out, (struct gh_slice){in.ptr + i, 1});
            continue;
        }
        size_t j = i + 1;
        while (j < in.len && in.ptr[j] != ';' && j - i < 12)
            j++;
        if (j >= in.len || in.ptr[j] != ';')
            return false;
        struct gh_slice ent = {in.ptr + i + 1, j - i - 1};
        if (gh_slice_eq_cstr(ent, "amp"))
            gh_buf_puts(out, "&");
        else if (gh_slice_eq_cstr(ent, "lt"))
            gh_buf_puts(out, "<");
        else if (gh_slice_eq_cstr(ent, "gt"))
            gh_buf_puts(out, ">");
        else if (gh_slice_eq_cstr(ent, "quot"))
            gh_buf_puts(out, "\"");
        else if (gh_slice_eq_cstr(ent, "apos"))
            gh_buf_puts(out, "'");
        else if (ent.len >= 2 && ent.ptr[0] == '#') {
            uint32_t cp = 0;
            bool hex = ent.ptr[1] == 'x';
            for (size_t k = hex ? 2 : 1; k < ent.len; k++) {
                char c = ent.ptr[k];
                int v = c >= '0' && c <= '9'          ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                if (v < 0 || cp > 0x10FFFF)
                    return false;
                cp = cp * (hex ? 16u : 10u) + (uint32_t)v;
            }
            char u[4];
            size_t ul;
            if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return false;
            if (cp < 0x80) {
                u[0] = (char)cp;
                ul = 1;
            } else if (cp < 0x800) {
                u[0] = (char)(0xC0 | (cp >> 6));
                u[1] = (char)(0x80 | (cp & 0x3F));
                ul = 2;
            } else if (cp < 0x10000) {
                u[0] = (char)(0xE0 | (cp >> 12));
                u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F));
                ul = 3;
            } else {
                u[0] = (char)(0xF0 | (cp >> 18));
                u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[3] = (char)(0x80 | (cp & 0x3F));
                ul = 4;
            }
            gh_buf_put(out, (struct gh_slice){u, ul});
        } else
            return false;
        i = j;
    }
    return true;
}

enum gh_err
s3_xml_parse(struct gh_arena *a, struct gh_slice in, struct s3_xml *out)
{
    int stack[XML_DEPTH_MAX];
    int depth = 0;
    size_t cap = 0, i = 0;
    struct gh_buf text;
    size_t text_start = 0; /* where the innermost open element's direct text began */
    bool seen_root = false;
    enum gh_err err = GH_ERR_VALIDATION;

    memset(out, 0, sizeof(*out));
    if (in.len > GH_S3_XML_BODY_MAX)
        return GH_ERR_TOO_LARGE;
    gh_buf_init(&text, GH_S3_XML_BODY_MAX + 16);
    while (i < in.len) {
        if (in.ptr[i] != '<') {
            size_t j = i;
            while (j < in.len && in.ptr[j] != '<')
                j++;
            if (depth == 0) {
                for (size_t k = i; k < j; k++)
                    if (in.ptr[k] != ' ' && in.ptr[k] != '\t' && in.ptr[k] != '\r' &&
                        in.ptr[k] != '\n')
                        goto done;
            } else if (!unescape(&text, (struct gh_slice){in.ptr + i, j - i}))
                goto done;
            i = j;
            continue;
        }
        if (i + 1 >= in.len)
            goto done;
        if (in.ptr[i + 1] == '?' || in.ptr[i + 1] == '!') {
            /* Declarations and comments; no DOCTYPE (no entity expansion). */
            if (in.len - i >= 9 && memcmp(in.ptr + i, "<!DOCTYPE", 9) == 0)
                goto done;
            if (in.len - i >= 9 && memcmp(in.ptr + i, "<![CDATA[", 9) == 0) {
                size_t j = i + 9;
                while (j + 2 < in.len && memcmp(in.ptr + j, "]]>", 3) != 0)
                    j++;
                if (j + 2 >= in.len || depth == 0)
                    goto done;
                gh_buf_put(&text, (struct gh_slice){in.ptr + i + 9, j - i - 9});
                i = j + 3;
                continue;
            }
            const char *end = in.ptr[i + 1] == '?' ? "?>" : "-->";
            size_t el = strlen(end), j = i + 2;
            while (j + el <= in.len && memcmp(in.ptr + j, end, el) != 0)
                j++;
            if (j + el > in.len)
                goto done;
            i = j + el;
            continue;
        }
        if (in.ptr[i + 1] == '/') {
            size_t j = i + 2, s = j;
            while (j < in.len && name_char(in.ptr[j]))
                j++;
            struct gh_slice nm = {in.ptr + s, j - s};
            long colon = gh_slice_index(nm, ':');
            if (colon >= 0)
                nm = gh_slice_sub(nm, (size_t)colon + 1, nm.len);
            while (j < in.len && in.ptr[j] != '>')
                j++;
            if (j >= in.len || depth == 0 || !gh_slice_eq(nm, out->nodes[stack[depth - 1]].name))
                goto done;
            struct s3_xml_node *node = &out->nodes[stack[depth - 1]];
            if ((err = gh_buf_status(&text)) != GH_OK)
                goto done;
            err = GH_ERR_VALIDATION;
            if (gh_arena_dup(a, (struct gh_slice){text.ptr + text_start, text.len - text_start},
                             &node->text) != GH_OK) {
                err = GH_ERR_NOMEM;
                goto done;
            }
            depth--;
            text.len = text_start = 0;
            i = j + 1;
            continue;
        }
        /* An opening (or empty) element. */
        size_t j = i + 1, s = j;
        while (j < in.len && name_char(in.ptr[j]))
            j++;
        if (j == s || (depth == 0 && seen_root) || depth == XML_DEPTH_MAX ||
            out->count == XML_NODES_MAX)
            goto done;
        struct gh_slice nm = {in.ptr + s, j - s};
        long colon = gh_slice_index(nm, ':');
        if (colon >= 0)
            nm = gh_slice_sub(nm, (size_t)colon + 1, nm.len);
        /* Attributes (xmlns ...) are skipped, quotes respected. */
        char q = 0;
        while (j < in.len && (q != 0 || in.ptr[j] != '>')) {
            if (q == 0 && (in.ptr[j] == '"' || in.ptr[j] == '\''))
                q = in.ptr[j];
            else if (q != 0 && in.ptr[j] == q)
                q = 0;
            j++;
        }
        if (j >= in.len)
            goto done;
        bool empty = in.ptr[j - 1] == '/';
        if (out->count == cap) {
            size_t ncap = cap == 0 ? 32 : cap * 2;
            struct s3_xml_node *nv = gh_arena_alloc(a, ncap * sizeof(*nv));
            if (nv == NULL) {
                err = GH_ERR_NOMEM;
                goto done;
            }
            if (out->count > 0)
                memcpy(nv, out->nodes, out->count * sizeof(*nv));
            out->nodes = nv;
            cap = ncap;
        }
        struct s3_xml_node *node = &out->nodes[out->count];
        node->name = nm;
        node->text = GH_S("");
        node->parent = depth > 0 ? stack[depth - 1] : -1;
        node->depth = depth;
        seen_root = true;
        text.len = text_start = 0; /* mixed content: only the innermost text counts */
        if (!empty)
            stack[depth++] = (int)out->count;
        out->count++;
        i = j + 1;
    }
    if (depth == 0 && seen_root)
        err = GH_OK;
done:
    gh_buf_cleanup(&text);
    if (err != GH_OK)
        memset(out, 0, sizeof(*out));
    return err;
}

int
s3_xml_child(const struct s3_xml *x, int parent, const char *name, int from)
{
    for (size_t i = from < 0 ? 0 : (size_t)from; i < x->count; i++)
        if (x->nodes[i].parent == parent && gh_slice_eq_cstr(x->nodes[i].name, name))
            return (int)i;
    return -1;
}
