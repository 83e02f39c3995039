/*
 * call.c: what a handler uses during one Query API call: parameters read
 * and validated with AWS's constraint messages, list and tag parameters,
 * pagination, and the recorded error.
 */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"

enum gh_err
gh_call_fail(struct gh_call *c, enum gh_err err, const char *fmt, ...)
{
    va_list ap;

    c->err = err;
    va_start(ap, fmt);
    (void)vsnprintf(c->message, sizeof(c->message), fmt, ap);
    va_end(ap);
    return err;
}

/* Number of Unicode code points (AWS lengths count characters, not bytes). */
static size_t
char_len(struct gh_slice s)
{
    size_t n = 0;

    for (size_t i = 0; i < s.len; i++)
        if (((unsigned char)s.ptr[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/*
 * AWS: each failed constraint is one "Value 'v' at 'member' failed to
 * satisfy constraint: Member must ..." entry; entries are joined by "; ".
 */
void
gh_api_validation_add(struct gh_call *c, struct gh_slice value, bool is_null, const char *member,
                      const char *constraint)
{
    size_t used = strlen(c->validation);
    char *p = c->validation + used;
    size_t room = sizeof(c->validation) - used;
    struct gh_slice shown = value.len > 256 ? gh_slice_sub(value, 0, 256) : value;
    int n;

    if (room < 2)
        return;
    if (is_null)
        n = snprintf(p, room, "%sValue null at '%s' failed to satisfy constraint: %s",
                     c->nvalidation > 0 ? "; " : "", member, constraint);
    else
        n = snprintf(p, room, "%sValue '%.*s' at '%s' failed to satisfy constraint: %s",
                     c->nvalidation > 0 ? "; " : "", GH_SP(shown), member, constraint);
    (void)n;
    c->nvalidation++;
}

void
gh_call_check_str(struct gh_call *c, struct gh_slice v, const struct gh_param_rule *rule)
{
    size_t n;
    char msg[160];

    /*
     * Invalid UTF-8 is named as such and the bytes are not echoed back: no
     * AWS message covers it (AWS reads parameters as UTF-8), so fail
     * closed with one error rather than a pattern error quoting the bytes.
     */
    if (!gh_utf8_is_valid(v)) {
        gh_api_validation_add(c, GH_S("(invalid UTF-8)"), false, rule->member,
                              "Member must be valid UTF-8");
        return;
    }
    n = char_len(v);
    if (rule->max_len > 0 && n > rule->max_len) {
        (void)snprintf(msg, sizeof(msg), "Member must have length less than or equal to %zu",
                       rule->max_len);
        gh_api_validation_add(c, v, false, rule->member, msg);
    }
    if (n < rule->min_len) {
        (void)snprintf(msg, sizeof(msg), "Member must have length greater than or equal to %zu",
                       rule->min_len);
        gh_api_validation_add(c, v, false, rule->member, msg);
    }
    /* AWS: an empty value fails only its length, not the pattern as well
     * ("Value '' at 'roleName' ... greater than or equal to 1"). */
    if (rule->ok != NULL && n > 0 && !rule->ok(v)) {
        (void)snprintf(msg, sizeof(msg), "Member must satisfy regular expression pattern: %s",
                       rule->pattern);
        gh_api_validation_add(c, v, false, rule->member, msg);
    }
}

void
gh_call_str(struct gh_call *c, const char *name, const struct gh_param_rule *rule, bool required,
            struct gh_slice *out)
{
    struct gh_slice v = gh_params_get(c->params, name);

    *out = GH_SLICE_NULL;
    if (v.ptr == NULL) {
        if (required)
            gh_api_validation_add(c, v, true, rule->member, "Member must not be null");
        return;
    }
    gh_call_check_str(c, v, rule);
    if (gh_utf8_is_valid(v))
        *out = v; /* checked; the caller's gh_call_validated reports any failure */
}

void
gh_call_int(struct gh_call *c, const char *name, const char *member, int64_t min, int64_t max,
            bool required, int64_t *out, bool *present)
{
    struct gh_slice v = gh_params_get(c->params, name);
    char msg[160];
    int64_t x;

    *out = 0;
    if (present != NULL)
        *present = false;
    if (v.ptr == NULL) {
        if (required)
            gh_api_validation_add(c, v, true, member, "Member must not be null");
        return;
    }
    if (gh_parse_i64(v, INT32_MIN, INT32_MAX, &x) != GH_OK) {
        gh_api_validation_add(c, v, false, member, "Member must be a number");
        return;
    }
    if (x < min) {
        (void)snprintf(msg, sizeof(msg), "Member must have value greater than or equal to %lld",
                       (long long)min);
        gh_api_validation_add(c, v, false, member, msg);
        return;
    }
    if (x > max) {
        (void)snprintf(msg, sizeof(msg), "Member must have value less than or equal to %lld",
                       (long long)max);
        gh_api_validation_add(c, v, false, member, msg);
        return;
    }
    *out = x;
    if (present != NULL)
        *present = true;
}

void
gh_call_bool(struct gh_call *c, const char *name, bool *out, bool *present)
{
    struct gh_slice v = gh_params_get(c->params, name);
    char member[64];

    *out = false;
    if (present != NULL)
        *present = false;
    if (v.ptr == NULL)
        return;
    if (gh_slice_case_eq(v, GH_S("true")) || gh_slice_case_eq(v, GH_S("false"))) {
        *out = gh_slice_case_eq(v, GH_S("true"));
        if (present != NULL)
            *present = true;
        return;
    }
    gh_api_member_name(name, member, sizeof(member));
    gh_api_validation_add(c, v, false, member, "Member must be a boolean");
}

void
gh_api_member_name(const char *param, char *out, size_t n)
{
    size_t i = 0;

    for (; param[i] != '\0' && i + 1 < n; i++)
        out[i] = param[i];
    out[i] = '\0';
    if (i > 0 && out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

enum gh_err
gh_call_validated(struct gh_call *c)
{
    if (c->nvalidation == 0)
        return GH_OK;
    return gh_call_fail(c, GH_ERR_VALIDATION, "%u validation error%s detected: %s", c->nvalidation,
                        c->nvalidation == 1 ? "" : "s", c->validation);
}

enum gh_err
gh_call_list(struct gh_call *c, const char *name, const char *member, size_t max,
             struct gh_slice **out, size_t *count)
{
    char key[128];
    size_t n = 0;
    struct gh_slice *items;

    *out = NULL;
    *count = 0;
    /* Count first: the members must be 1..n without gaps. */
    for (;;) {
        (void)snprintf(key, sizeof(key), "%s.member.%zu", name, n + 1);
        if (!gh_params_has(c->params, key))
            break;
        if (++n > GH_FORM_PARAMS_MAX)
            break;
    }
    if (n > max) {
        char msg[96];
        (void)snprintf(msg, sizeof(msg), "Member must have length less than or equal to %zu", max);
        gh_api_validation_add(c, GH_S("[...]"), false, member, msg);
        return GH_OK;
    }
    if (n == 0)
        return GH_OK;
    if ((items = gh_arena_alloc(c->arena, n * sizeof(*items))) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        (void)snprintf(key, sizeof(key), "%s.member.%zu", name, i + 1);
        items[i] = gh_params_get(c->params, key);
    }
    *out = items;
    *count = n;
    return GH_OK;
}

enum gh_err
gh_call_tags(struct gh_call *c, const char *name, struct gh_tag **out, size_t *count)
{
    char key[128];
    size_t n = 0;
    struct gh_tag *tags;

    *out = NULL;
    *count = 0;
    for (;;) {
        (void)snprintf(key, sizeof(key), "%s.member.%zu.Key", name, n + 1);
        if (!gh_params_has(c->params, key))
            break;
        if (++n > GH_FORM_PARAMS_MAX)
            break;
    }
    if (n == 0)
        return GH_OK;
    if ((tags = gh_arena_alloc(c->arena, n * sizeof(*tags))) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        (void)snprintf(key, sizeof(key), "%s.member.%zu.Key", name, i + 1);
        tags[i].key = gh_params_get(c->params, key);
        (void)snprintf(key, sizeof(key), "%s.member.%zu.Value", name, i + 1);
        tags[i].value = gh_params_get(c->params, key);
        if (tags[i].value.ptr == NULL) {
            char member[96];
            (void)snprintf(member, sizeof(member), "tags.%zu.member.value", i + 1);
            gh_api_validation_add(c, tags[i].value, true, member, "Member must not be null");
        }
    }
    *out = tags;
    *count = n;
    return GH_OK;
}

static bool
marker_ok(struct gh_slice v)
{
    /* AWS IAM markerType: [\u0020-\u00FF]+ */
    for (size_t i = 0; i < v.len; i++)
        if ((unsigned char)v.ptr[i] < 0x20)
            return false;
    return true;
}

void
gh_call_page(struct gh_call *c, struct gh_store_page *out)
{
    static const struct gh_param_rule marker = {"marker", 1, 320, "[\\u0020-\\u00FF]+", marker_ok};
    int64_t max = 0;
    bool present = false;

    gh_call_str(c, "Marker", &marker, false, &out->marker);
    gh_call_int(c, "MaxItems", "maxItems", 1, GH_IAM_MAX_ITEMS_MAX, false, &max, &present);
    out->max_items = present ? (size_t)max : GH_IAM_MAX_ITEMS_DEFAULT;
}

void
gh_call_page_end(struct gh_call *c, bool truncated, struct gh_slice next_marker)
{
    gh_xml_elem_bool(c->result, "IsTruncated", truncated);
    if (truncated)
        gh_xml_elem(c->result, "Marker", next_marker);
}
