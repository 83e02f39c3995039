/*
 * access_key.c: CreateAccessKey, ListAccessKeys, UpdateAccessKey and
 * DeleteAccessKey, for a named user or for the caller.
 */
#include <openssl/crypto.h>

#include "iam/iam_int.h"

/*
 * Whose keys: the named user, else the caller (root or a user). `*user`
 * gets the stored user name, empty for the root. Authorizes `action`.
 */
static enum gh_err
key_owner(struct gh_call *c, const char *action, struct gh_slice given, struct gh_slice *user)
{
    struct gh_user u;
    struct gh_slice arn;
    enum gh_err err;

    if (given.ptr == NULL) {
        if (c->caller->type == GH_PRINCIPAL_ROOT) {
            *user = GH_S("");
            return gh_call_authorize(c, action, c->caller->arn);
        }
        if (c->caller->type != GH_PRINCIPAL_USER)
            /* AWS IAM: ValidationError for role sessions and federated users. */
            return gh_call_fail(c, GH_ERR_VALIDATION,
                                "Must specify userName when calling with non-User credentials");
        given = c->caller->name;
    }
    if ((err = gh_iam_user_load(c, action, given, &u, &arn)) != GH_OK)
        return err;
    *user = u.name;
    return GH_OK;
}

static const char *
status_str(enum gh_key_status s)
{
    return s == GH_KEY_ACTIVE ? "Active" : "Inactive";
}

enum gh_err
gh_iam_CreateAccessKey(struct gh_call *c)
{
    struct gh_slice given, user;
    struct gh_access_key *keys, k;
    struct gh_secret secret = {0};
    size_t n;
    char id[32], sk[41] = {0};
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, false, &given);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = key_owner(c, "iam:CreateAccessKey", given, &user)) != GH_OK)
        return err;
    if ((err = gh_store_access_key_list(c->tx, c->arena, gh_iam_account(c), user, &keys, &n)) !=
        GH_OK)
        return err;
    if (n >= GH_IAM_ACCESS_KEYS_PER_USER)
        /* AWS IAM: LimitExceeded "Cannot exceed quota for AccessKeysPerUser: 2" */
        return gh_call_fail(c, GH_ERR_LIMIT, "Cannot exceed quota for AccessKeysPerUser: %d",
                            GH_IAM_ACCESS_KEYS_PER_USER);
    if ((err = gh_random_key_id("AKIA", c->caller->account, id)) != GH_OK ||
        (err = gh_random_secret_key(sk)) != GH_OK ||
        (err = gh_secret_set(&secret, sk, 40)) != GH_OK)
        goto done;
    k = (struct gh_access_key){
        .id = gh_slice_from_cstr(id),
        .account = gh_iam_account(c),
        .user_name = user,
        .status = GH_KEY_ACTIVE,
        .created = c->now,
    };
    if ((err = gh_store_access_key_create(c->tx, &k, &secret)) != GH_OK)
        goto done;
    /* AWS IAM: the only time the secret is shown. The root's keys have no UserName. */
    gh_xml_open(c->result, "AccessKey");
    if (user.len > 0)
        gh_xml_elem(c->result, "UserName", user);
    gh_xml_elem(c->result, "AccessKeyId", k.id);
    gh_xml_elem_cstr(c->result, "Status", status_str(k.status));
    gh_xml_elem(c->result, "SecretAccessKey", (struct gh_slice){sk, 40});
    gh_xml_elem_time(c->result, "CreateDate", k.created);
    gh_xml_close(c->result, "AccessKey");
    err = gh_buf_status(c->result);
done:
    OPENSSL_cleanse(sk, sizeof(sk));
    gh_secret_wipe(&secret);
    return err;
}

enum gh_err
gh_iam_ListAccessKeys(struct gh_call *c)
{
    struct gh_slice given, user, next = GH_SLICE_NULL;
    struct gh_store_page page;
    struct gh_access_key *keys;
    size_t n, start = 0, shown = 0;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, false, &given);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = key_owner(c, "iam:ListAccessKeys", given, &user)) != GH_OK)
        return err;
    if ((err = gh_store_access_key_list(c->tx, c->arena, gh_iam_account(c), user, &keys, &n)) !=
        GH_OK)
        return err;
    /* At most two keys, so the marker is simply the id of the next key to show. */
    if (page.marker.len > 0) {
        while (start < n && !gh_slice_eq(keys[start].id, page.marker))
            start++;
    }
    gh_xml_open(c->result, "AccessKeyMetadata");
    for (size_t i = start; i < n; i++) {
        if (shown == page.max_items) {
            next = keys[i].id;
            break;
        }
        gh_xml_open(c->result, "member");
        if (user.len > 0)
            gh_xml_elem(c->result, "UserName", user);
        gh_xml_elem(c->result, "AccessKeyId", keys[i].id);
        gh_xml_elem_cstr(c->result, "Status", status_str(keys[i].status));
        gh_xml_elem_time(c->result, "CreateDate", keys[i].created);
        gh_xml_close(c->result, "member");
        shown++;
    }
    gh_xml_close(c->result, "AccessKeyMetadata");
    gh_call_page_end(c, next.ptr != NULL, next);
    return gh_buf_status(c->result);
}

static enum gh_err
key_not_found(struct gh_call *c, struct gh_slice id)
{
    /* AWS IAM: NoSuchEntity "The Access Key with id X cannot be found." */
    return gh_call_fail(c, GH_ERR_NOT_FOUND, "The Access Key with id %.*s cannot be found.",
                        GH_SP(id));
}

enum gh_err
gh_iam_UpdateAccessKey(struct gh_call *c)
{
    static const char *const statuses[] = {"Active", "Inactive", NULL};
    struct gh_slice given, user, id;
    int status;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, false, &given);
    gh_iam_str(c, "AccessKeyId", &gh_iam_shape_access_key_id, true, &id);
    gh_iam_enum(c, "Status", statuses, true, &status);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = key_owner(c, "iam:UpdateAccessKey", given, &user)) != GH_OK)
        return err;
    err = gh_store_access_key_set_status(c->tx, gh_iam_account(c), user, id,
                                         status == 0 ? GH_KEY_ACTIVE : GH_KEY_INACTIVE);
    return err == GH_ERR_NOT_FOUND ? key_not_found(c, id) : err;
}

enum gh_err
gh_iam_DeleteAccessKey(struct gh_call *c)
{
    struct gh_slice given, user, id;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, false, &given);
    gh_iam_str(c, "AccessKeyId", &gh_iam_shape_access_key_id, true, &id);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = key_owner(c, "iam:DeleteAccessKey", given, &user)) != GH_OK)
        return err;
    err = gh_store_access_key_delete(c->tx, gh_iam_account(c), user, id);
    return err == GH_ERR_NOT_FOUND ? key_not_found(c, id) : err;
}
