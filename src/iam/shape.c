/*
 * shape.c: the botocore model's parameter shapes for IAM (lengths and
 * regular expressions, checked by hand-written predicates), enum and tag
 * list parameters.
 */
#include <stdio.h>
#include <string.h>

#include "iam/iam_int.h"

static bool
is_ascii_alnum(long c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Java's \w (no UNICODE_CHARACTER_CLASS): [a-zA-Z_0-9]. */
static bool
is_word_char(long c)
{
    return is_ascii_alnum(c) || c == '_';
}

/*
 * \p{L}, \p{Z} or \p{N}. Exact for Latin-1; above it, code points in the
 * blocks made of punctuation, symbols, marks, controls and private use
 * are refused and the rest (scripts, ideographs) accepted, an
 * approximation of the Unicode categories that keeps no table.
 */
static bool
is_lzn(long c)
{
    if (c < 0x80)
        return is_ascii_alnum(c) || c == ' ';
    if (c < 0xA0)
        return false; /* C1 controls */
    if (c < 0xC0)
        return c == 0xA0 || c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 ||
               c == 0xBA || c == 0xBC || c == 0xBD || c == 0xBE;
    if (c <= 0xFF)
        return c != 0xD7 && c != 0xF7;
    if (c >= 0x0300 && c <= 0x036F) /* combining marks */
        return false;
    if (c >= 0x2000 && c <= 0x206F) /* general punctuation, but its spaces */
        return c <= 0x200A || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F;
    if ((c >= 0x20A0 && c <= 0x20FF) || (c >= 0x2190 && c <= 0x23FF) ||
        (c >= 0x2500 && c <= 0x27BF) || (c >= 0x2E00 && c <= 0x2E7F))
        return false;
    if (c >= 0x3000 && c <= 0x303F) /* CJK punctuation, but the ideographic space and numbers */
        return c == 0x3000 || c == 0x3005 || c == 0x3006 || c == 0x3007 ||
               (c >= 0x3021 && c <= 0x3029);
    if ((c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF ||
        (c >= 0xFFF0 && c <= 0xFFFF) || (c >= 0x1F000 && c <= 0x1FAFF) || c >= 0xF0000)
        return false;
    if (c >= 0xFF00 && c <= 0xFF65) /* fullwidth forms: only letters and digits */
        return (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) ||
               (c >= 0xFF41 && c <= 0xFF5A);
    return true;
}

/* Not \p{C} (control, format, private use, unassigned, surrogate). */
static bool
is_not_other(long c)
{
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
        return false;
    if (c == 0xAD || (c >= 0x600 && c <= 0x605) || c == 0x61C || c == 0x6DD || c == 0x70F ||
        c == 0x180E || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
        (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB))
        return false;
    if ((c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000 || (c & 0xFFFE) == 0xFFFE)
        return false;
    return true;
}

bool
gh_iam_is_name(struct gh_slice v)
{
    /* AWS IAM: [\w+=,.@-]+ */
    if (v.len == 0)
        return false;
    return gh_slice_is_charset(v, "_+=,.@-");
}

bool
gh_iam_is_word(struct gh_slice v)
{
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++)
        if (!is_word_char((unsigned char)v.ptr[i]))
            return false;
    return true;
}

static bool
all_in_21_7f(struct gh_slice v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if ((unsigned char)v.ptr[i] < 0x21 || (unsigned char)v.ptr[i] > 0x7F)
            return false;
    return true;
}

bool
gh_iam_is_path(struct gh_slice v)
{
    /* AWS IAM: (\u002F)|(\u002F[\u0021-\u007F]+\u002F) */
    if (v.len == 1)
        return v.ptr[0] == '/';
    return v.len >= 3 && v.ptr[0] == '/' && v.ptr[v.len - 1] == '/' &&
           all_in_21_7f(v, 1, v.len - 1);
}

bool
gh_iam_is_path_prefix(struct gh_slice v)
{
    /* AWS IAM: \u002F[\u0021-\u007F]* */
    return v.len >= 1 && v.ptr[0] == '/' && all_in_21_7f(v, 1, v.len);
}

bool
gh_iam_is_policy_path(struct gh_slice v)
{
    /* AWS IAM: ((/[A-Za-z0-9\.,\+@=_-]+)*)/ */
    if (v.len == 0 || v.ptr[0] != '/' || v.ptr[v.len - 1] != '/')
        return false;
    for (size_t i = 1; i < v.len; i++) {
        char ch = v.ptr[i];
        if (ch == '/') {
            if (v.ptr[i - 1] == '/')
                return false; /* empty segment */
        } else if (!gh_slice_is_charset(gh_slice_sub(v, i, 1), ".,+@=_-")) {
            return false;
        }
    }
    return true;
}

bool
gh_iam_is_policy_document(struct gh_slice v)
{
    /* AWS IAM: [\u0009\u000A\u000D\u0020-\u00FF]+ */
    size_t i = 0;

    if (v.len == 0)
        return false;
    while (i < v.len) {
        long c = gh_utf8_next(v, &i);
        if (!(c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0xFF)))
            return false;
    }
    return true;
}

bool
gh_iam_is_role_description(struct gh_slice v)
{
    /* AWS IAM: [\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]* */
    size_t i = 0;

    while (i < v.len) {
        long c = gh_utf8_next(v, &i);
        if (c < 0 || !is_not_other(c))
            return false;
    }
    return true;
}

bool
gh_iam_is_version_id(struct gh_slice v)
{
    /* AWS IAM: v[1-9][0-9]*(\.[A-Za-z0-9-]*)? */
    size_t i = 2;

    if (v.len < 2 || v.ptr[0] != 'v' || v.ptr[1] < '1' || v.ptr[1] > '9')
        return false;
    while (i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9')
        i++;
    if (i == v.len)
        return true;
    if (v.ptr[i++] != '.')
        return false;
    for (; i < v.len; i++)
        if (!is_ascii_alnum((unsigned char)v.ptr[i]) && v.ptr[i] != '-')
            return false;
    return true;
}

static bool
is_tag_chars(struct gh_slice v)
{
    /* AWS IAM: [\p{L}\p{Z}\p{N}_.:/=+\-@]* */
    size_t i = 0;

    while (i < v.len) {
        long c = gh_utf8_next(v, &i);
        if (c < 0 || !(is_lzn(c) || (c < 0x80 && strchr("_.:/=+-@", (int)c) != NULL && c != 0)))
            return false;
    }
    return true;
}

bool
gh_iam_is_tag_key(struct gh_slice v)
{
    return v.len > 0 && is_tag_chars(v);
}

bool
gh_iam_is_tag_value(struct gh_slice v)
{
    return is_tag_chars(v);
}

/* Patterns as the model spells them, since AWS quotes them in messages. */
const struct gh_param_rule gh_iam_shape_user_name = {NULL, 1, 64, "[\\w+=,.@-]+", gh_iam_is_name};
const struct gh_param_rule gh_iam_shape_existing_user_name = {NULL, 1, 128, "[\\w+=,.@-]+",
                                                              gh_iam_is_name};
const struct gh_param_rule gh_iam_shape_role_name = {NULL, 1, 64, "[\\w+=,.@-]+", gh_iam_is_name};
const struct gh_param_rule gh_iam_shape_policy_name = {NULL, 1, 128, "[\\w+=,.@-]+",
                                                       gh_iam_is_name};
const struct gh_param_rule gh_iam_shape_path = {
    NULL, 1, 512, "(\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)", gh_iam_is_path};
const struct gh_param_rule gh_iam_shape_path_prefix = {NULL, 1, 512, "\\u002F[\\u0021-\\u007F]*",
                                                       gh_iam_is_path_prefix};
const struct gh_param_rule gh_iam_shape_policy_path = {
    NULL, 1, 512, "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/", gh_iam_is_policy_path};
const struct gh_param_rule gh_iam_shape_policy_document = {
    NULL, 1, GH_IAM_POLICY_DOC_CHARS_MAX, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
    gh_iam_is_policy_document};
const struct gh_param_rule gh_iam_shape_arn = {NULL, 20, 2048, NULL, NULL};
const struct gh_param_rule gh_iam_shape_access_key_id = {NULL, 16, 128, "[\\w]+", gh_iam_is_word};
const struct gh_param_rule gh_iam_shape_role_description = {
    NULL, 0, 1000, "[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*", gh_iam_is_role_description};
const struct gh_param_rule gh_iam_shape_policy_description = {NULL, 0, 1000, NULL, NULL};
const struct gh_param_rule gh_iam_shape_version_id = {NULL, 0, 0, "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
                                                      gh_iam_is_version_id};
const struct gh_param_rule gh_iam_shape_tag_key = {NULL, 1, 128, "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
                                                   gh_iam_is_tag_key};
const struct gh_param_rule gh_iam_shape_tag_value = {
    NULL, 0, 256, "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", gh_iam_is_tag_value};

static const char *
member_of(struct gh_call *c, const char *name)
{
    char *m = gh_arena_strndup(c->arena, gh_slice_from_cstr(name));

    if (m == NULL)
        return name;
    if (m[0] >= 'A' && m[0] <= 'Z')
        m[0] = (char)(m[0] - 'A' + 'a');
    return m;
}

void
gh_iam_str(struct gh_call *c, const char *name, const struct gh_param_rule *shape, bool required,
           struct gh_slice *out)
{
    struct gh_param_rule rule = *shape;

    rule.member = member_of(c, name);
    gh_call_str(c, name, &rule, required, out);
}

void
gh_iam_null(struct gh_call *c, const char *member)
{
    gh_api_validation_add(c, GH_SLICE_NULL, true, member, "Member must not be null");
}

void
gh_iam_enum(struct gh_call *c, const char *name, const char *const *values, bool required,
            int *index)
{
    struct gh_slice v = gh_params_get(c->params, name);
    struct gh_buf set;
    char *msg;

    *index = -1;
    if (v.ptr == NULL) {
        if (required)
            gh_api_validation_add(c, v, true, member_of(c, name), "Member must not be null");
        return;
    }
    for (int i = 0; values[i] != NULL; i++) {
        if (gh_slice_eq_cstr(v, values[i])) {
            *index = i;
            return;
        }
    }
    gh_buf_init(&set, 4096);
    for (int i = 0; values[i] != NULL; i++)
        gh_buf_putf(&set, "%s%s", i > 0 ? ", " : "", values[i]);
    /* AWS IAM: "Member must satisfy enum value set: [Active, Inactive]" */
    msg = gh_arena_printf(c->arena, "Member must satisfy enum value set: [%s]",
                          gh_buf_status(&set) == GH_OK ? set.ptr : "");
    gh_buf_cleanup(&set);
    gh_api_validation_add(c, v, false, member_of(c, name),
                          msg != NULL ? msg : "Member must satisfy enum value set");
}

enum gh_err
gh_iam_tags_read(struct gh_call *c, const char *name, bool required, struct gh_iam_tags *out)
{
    struct gh_store_tag *items;
    size_t n = 0;

    out->items = NULL;
    out->count = 0;
    items = gh_arena_alloc(c->arena, sizeof(*items) * GH_IAM_TAGS_MAX);
    if (items == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 1;; i++) {
        char kname[64], vname[64];
        struct gh_param_rule krule = gh_iam_shape_tag_key, vrule = gh_iam_shape_tag_value;
        struct gh_slice k, v;

        (void)snprintf(kname, sizeof(kname), "%s.member.%zu.Key", name, i);
        (void)snprintf(vname, sizeof(vname), "%s.member.%zu.Value", name, i);
        if (!gh_params_has(c->params, kname) && !gh_params_has(c->params, vname))
            break;
        if (n == GH_IAM_TAGS_MAX) /* AWS IAM: at most 50 tags per entity */
            return gh_call_fail(c, GH_ERR_LIMIT,
                                "The number of tags has reached the maximum "
                                "limit.");
        /* AWS IAM: members are named "tags.N.member.key" in messages. */
        krule.member = gh_arena_printf(c->arena, "%s.%zu.member.key", member_of(c, name), i);
        vrule.member = gh_arena_printf(c->arena, "%s.%zu.member.value", member_of(c, name), i);
        if (krule.member == NULL || vrule.member == NULL)
            return GH_ERR_NOMEM;
        gh_call_str(c, kname, &krule, true, &k);
        gh_call_str(c, vname, &vrule, true, &v);
        items[n].key = k;
        items[n].value = v;
        n++;
    }
    if (n == 0 && required) {
        gh_api_validation_add(c, GH_SLICE_NULL, true, member_of(c, name),
                              "Member must not be null");
    }
    if (c->nvalidation > 0)
        return GH_OK; /* the caller's gh_call_validated reports them */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (gh_slice_case_eq(items[i].key, items[j].key))
                return gh_call_fail(c, GH_ERR_INVALID_INPUT,
                                    "Duplicate tag keys found. Please note that Tag keys are "
                                    "case insensitive.");
    out->items = items;
    out->count = n;
    return GH_OK;
}

void
gh_iam_tags_render(struct gh_buf *b, const struct gh_store_tag *tags, size_t count, bool always)
{
    if (count == 0 && !always)
        return;
    gh_xml_open(b, "Tags");
    for (size_t i = 0; i < count; i++) {
        gh_xml_open(b, "member");
        gh_xml_elem(b, "Key", tags[i].key);
        gh_xml_elem(b, "Value", tags[i].value);
        gh_xml_close(b, "member");
    }
    gh_xml_close(b, "Tags");
}
