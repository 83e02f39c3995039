/*
 * form.c: application/x-www-form-urlencoded bodies and query strings, the
 * AWS Query protocol's parameter encoding.
 */
#include <string.h>

#include "http/http.h"

enum gh_err
gh_form_parse(struct gh_arena *a, struct gh_slice in, bool plus_space, struct gh_params *out,
              struct gh_diag *diag)
{
    size_t n = 1, k = 0;
    struct gh_slice rest = in, pair;
    enum gh_err err;

    out->items = NULL;
    out->count = 0;
    gh_diag_clear(diag);
    if (in.len == 0)
        return GH_OK;
    for (size_t i = 0; i < in.len; i++)
        if (in.ptr[i] == '&')
            n++;
    if (n > GH_FORM_PARAMS_MAX) {
        gh_diag_set(diag, "Too many parameters: at most %d are accepted", GH_FORM_PARAMS_MAX);
        return GH_ERR_TOO_LARGE;
    }
    if ((out->items = gh_arena_alloc(a, n * sizeof(*out->items))) == NULL)
        return GH_ERR_NOMEM;
    while (gh_slice_split(&rest, '&', &pair)) {
        struct gh_slice name = pair, value = GH_SLICE_NULL;
        long eq = gh_slice_index(pair, '=');
        struct gh_param *p;

        if (pair.len == 0)
            continue; /* "a=1&&b=2" and a trailing '&' are tolerated, as by AWS */
        if (eq >= 0) {
            name = gh_slice_sub(pair, 0, (size_t)eq);
            value = gh_slice_sub(pair, (size_t)eq + 1, pair.len);
        }
        p = &out->items[k];
        if ((err = gh_uri_decode(a, name, plus_space, &p->name)) != GH_OK ||
            (err = gh_uri_decode(a, value, plus_space, &p->value)) != GH_OK) {
            gh_diag_set(diag, "Malformed percent-encoding in the request parameters");
            return err;
        }
        if (p->value.ptr == NULL)
            p->value = GH_S("");
        for (size_t j = 0; j < k; j++) {
            if (gh_slice_eq(out->items[j].name, p->name)) {
                /* A repeated parameter is ambiguous; refuse it rather than pick one. */
                gh_diag_set(diag, "The parameter %.*s appears more than once in the request",
                            GH_SP(p->name.len > 128 ? gh_slice_sub(p->name, 0, 128) : p->name));
                return GH_ERR_INVALID_QUERY_PARAMETER;
            }
        }
        k++;
    }
    out->count = k;
    return GH_OK;
}

struct gh_slice
gh_params_get(const struct gh_params *p, const char *name)
{
    struct gh_slice n = gh_slice_from_cstr(name);

    for (size_t i = 0; i < p->count; i++)
        if (gh_slice_eq(p->items[i].name, n))
            return p->items[i].value;
    return GH_SLICE_NULL;
}

bool
gh_params_has(const struct gh_params *p, const char *name)
{
    return gh_params_get(p, name).ptr != NULL;
}
