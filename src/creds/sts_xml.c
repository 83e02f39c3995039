/*
 * sts_xml.c: reads the credentials out of an STS AssumeRole /
 * AssumeRoleForService response: the fixed elements of a fixed shape,
 * entity-decoded, with every length bounded.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "creds/creds.h"

/* Decodes the five XML entities and numeric references below 0x80. */
static enum gh_err
xml_decode(struct gh_arena *a, struct gh_slice in, struct gh_slice *out)
{
    char *o = gh_arena_alloc(a, in.len + 1);
    size_t n = 0;

    if (o == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < in.len;) {
        static const struct {
            const char *ent;
            char ch;
        } ents[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        bool done = false;
        if (in.ptr[i] != '&') {
            o[n++] = in.ptr[i++];
            continue;
        }
        for (size_t k = 0; k < GH_ARRAY_LEN(ents) && !done; k++) {
            size_t el = strlen(ents[k].ent);
            if (in.len - i >= el && memcmp(in.ptr + i, ents[k].ent, el) == 0) {
                o[n++] = ents[k].ch;
                i += el;
                done = true;
            }
        }
        if (done)
            continue;
        if (in.len - i >= 4 && in.ptr[i + 1] == '#') {
            long semi = gh_slice_index(gh_slice_sub(in, i, 12), ';');
            uint64_t v = 0;
            if (semi > 2 &&
                gh_parse_u64(gh_slice_sub(in, i + 2, (size_t)semi - 2), 127, &v) == GH_OK &&
                v >= 0x20) {
                o[n++] = (char)v;
                i += (size_t)semi + 1;
                continue;
            }
        }
        return GH_ERR_INVALID_INPUT;
    }
    o[n] = '\0';
    *out = (struct gh_slice){o, n};
    return GH_OK;
}

enum gh_err
gh_creds_xml_text(struct gh_arena *a, struct gh_slice xml, const char *tag, struct gh_slice *out)
{
    char open[80], close[80];
    size_t ol, cl;

    *out = GH_SLICE_NULL;
    ol = (size_t)snprintf(open, sizeof(open), "<%s>", tag);
    cl = (size_t)snprintf(close, sizeof(close), "</%s>", tag);
    if (ol >= sizeof(open) || cl >= sizeof(close))
        return GH_ERR_INVALID_INPUT;
    for (size_t i = 0; i + ol <= xml.len; i++) {
        if (memcmp(xml.ptr + i, open, ol) != 0)
            continue;
        size_t start = i + ol;
        for (size_t j = start; j + cl <= xml.len; j++) {
            if (xml.ptr[j] == '<') {
                if (memcmp(xml.ptr + j, close, cl) != 0)
                    return GH_ERR_INVALID_INPUT; /* not a text element */
                return xml_decode(a, gh_slice_sub(xml, start, j - start), out);
            }
        }
        return GH_ERR_INVALID_INPUT;
    }
    return GH_ERR_NOT_FOUND;
}

static enum gh_err
copy_str(struct gh_slice v, char *out, size_t cap)
{
    if (v.len >= cap)
        return GH_ERR_INVALID_INPUT;
    memcpy(out, v.ptr, v.len);
    out[v.len] = '\0';
    return GH_OK;
}

/* arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION -> ACCOUNT and NAME. */
static enum gh_err
assumed_split(struct gh_slice arn, struct gh_creds_set *out)
{
    static const struct gh_slice prefix = GH_SLICE_INIT("arn:aws:sts::");
    struct gh_slice rest, name;

    if (!gh_slice_starts_with(arn, prefix))
        return GH_ERR_INVALID_INPUT;
    rest = gh_slice_sub(arn, prefix.len, arn.len);
    if (rest.len < 13 || rest.ptr[12] != ':' ||
        copy_str(gh_slice_sub(rest, 0, 12), out->account, sizeof(out->account)) != GH_OK)
        return GH_ERR_INVALID_INPUT;
    rest = gh_slice_sub(rest, 13, rest.len);
    if (!gh_slice_starts_with(rest, GH_S("assumed-role/")))
        return GH_ERR_INVALID_INPUT;
    rest = gh_slice_sub(rest, 13, rest.len);
    if (!gh_slice_split(&rest, '/', &name) || name.len == 0)
        return GH_ERR_INVALID_INPUT;
    return copy_str(name, out->role_name, sizeof(out->role_name));
}

enum gh_err
gh_creds_sts_parse(struct gh_slice xml, int64_t now, struct gh_creds_set *out)
{
    struct gh_arena a;
    struct gh_slice akid = GH_SLICE_NULL, secret = GH_SLICE_NULL, token = GH_SLICE_NULL;
    struct gh_slice exp = GH_SLICE_NULL, arn = GH_SLICE_NULL, v;
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    gh_arena_init(&a);
    if (gh_creds_xml_text(&a, xml, "AccessKeyId", &akid) != GH_OK ||
        gh_creds_xml_text(&a, xml, "SecretAccessKey", &secret) != GH_OK ||
        gh_creds_xml_text(&a, xml, "SessionToken", &token) != GH_OK ||
        gh_creds_xml_text(&a, xml, "Expiration", &exp) != GH_OK ||
        gh_creds_xml_text(&a, xml, "Arn", &arn) != GH_OK) {
        err = GH_ERR_INVALID_INPUT;
        goto done;
    }
    if (akid.len != 20 || secret.len != 40 || token.len == 0 ||
        token.len > GH_SESSION_TOKEN_MAX * 2 ||
        gh_time_parse_iso8601(exp, &out->expires) != GH_OK) {
        err = GH_ERR_INVALID_INPUT;
        goto done;
    }
    memcpy(out->access_key_id, akid.ptr, 20);
    out->access_key_id[20] = '\0';
    if ((err = gh_secret_set(&out->secret, secret.ptr, secret.len)) != GH_OK)
        goto done;
    if ((out->token = malloc(token.len + 1)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    memcpy(out->token, token.ptr, token.len);
    out->token[token.len] = '\0';
    out->updated = now;
    if ((err = copy_str(arn, out->assumed_arn, sizeof(out->assumed_arn))) != GH_OK ||
        (err = assumed_split(arn, out)) != GH_OK)
        goto done;
    if (gh_creds_xml_text(&a, xml, "RoleArn", &v) == GH_OK &&
        (err = copy_str(v, out->role_arn, sizeof(out->role_arn))) != GH_OK)
        goto done;
    if (gh_creds_xml_text(&a, xml, "InstanceProfileArn", &v) == GH_OK &&
        (err = copy_str(v, out->profile_arn, sizeof(out->profile_arn))) != GH_OK)
        goto done;
    if (gh_creds_xml_text(&a, xml, "InstanceProfileId", &v) == GH_OK &&
        (err = copy_str(v, out->profile_id, sizeof(out->profile_id))) != GH_OK)
        goto done;
    err = GH_OK;
done:
    if (secret.ptr != NULL)
        OPENSSL_cleanse((void *)secret.ptr, secret.len);
    gh_arena_cleanup(&a);
    if (err != GH_OK)
        gh_creds_set_clear(out);
    return err;
}
