/*
 * user_cred.c: what SSH public keys (ssh_key.c) and signing certificates
 * (signing_cert.c) share: a user's credential kept as a record with an id
 * and an Active/Inactive status, and their List, Update and Delete actions.
 */
#include <string.h>

#include "iam/iam_ext.h"

/* AWS IAM: publicKeyMaterialType and certificateBodyType are the same shape. */
static bool
is_material(struct gh_slice v)
{
    for (size_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        if (!(ch == '\t' || ch == '\n' || ch == '\r' || ch >= 0x20))
            return false;
    }
    return v.len > 0;
}

const struct gh_param_rule gh_iam_shape_cred_body = {
    NULL, 1, 16384, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", is_material};

const char *
gh_iam_cred_status_name(int64_t status)
{
    return status == GH_KEY_ACTIVE ? "Active" : "Inactive";
}

struct gh_slice
gh_iam_cred_owner(struct gh_call *c, const struct gh_user *u)
{
    return u->id.len > 0 ? u->id : gh_iam_account(c);
}

enum gh_err
gh_iam_cred_load(struct gh_call *c, const struct gh_iam_cred *k, const struct gh_user *u,
                 struct gh_slice id, struct gh_store_rec *r)
{
    enum gh_err err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c),
                                       gh_slice_from_cstr(k->kind), id, r, NULL);

    if (err == GH_ERR_NOT_FOUND ||
        (err == GH_OK && !gh_slice_eq(r->owner, gh_iam_cred_owner(c, u))))
        /* AWS IAM: NoSuchEntity "The Public Key with id X cannot be found." (and
         * "The Certificate with id X ..."). */
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "The %s with id %.*s cannot be found.", k->noun,
                            GH_SP(id));
    return err;
}

/* Reads UserName and the credential's id, then loads it for `action`. */
static enum gh_err
cred_target(struct gh_call *c, const struct gh_iam_cred *k, const char *action, int *status,
            struct gh_store_rec *r)
{
    static const char *const statuses[] = {"Active", "Inactive", NULL};
    struct gh_slice name, id;
    struct gh_user u;
    enum gh_err err;

    gh_iam_str(c, "UserName", k->user_shape, !k->root_ok, &name);
    gh_iam_str(c, k->id_param, k->id_shape, true, &id);
    if (status != NULL)
        gh_iam_enum(c, "Status", statuses, true, status);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, action, name, k->root_ok, &u)) != GH_OK)
        return err;
    return gh_iam_cred_load(c, k, &u, id, r);
}

enum gh_err
gh_iam_cred_list(struct gh_call *c, const struct gh_iam_cred *k, const char *action,
                 const char *list_elem,
                 enum gh_err (*render)(struct gh_call *c, const struct gh_user *u,
                                       const struct gh_store_rec *r))
{
    struct gh_slice given;
    struct gh_store_page page;
    struct gh_store_rec *v = NULL;
    struct gh_user u;
    size_t n = 0, start, end;
    enum gh_err err;

    gh_iam_str(c, "UserName", k->user_shape, false, &given);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, action, given, true, &u)) != GH_OK)
        return err;
    /* A root that cannot hold these has an empty list. */
    if ((u.id.len > 0 || k->root_ok) &&
        (err = gh_store_rec_list(c->tx, c->arena, gh_iam_account(c), gh_slice_from_cstr(k->kind),
                                 gh_iam_cred_owner(c, &u), &v, &n)) != GH_OK)
        return err;
    if ((err = gh_iam_index_marker(c, &page, n, &start)) != GH_OK)
        return err;
    end = n - start > page.max_items ? start + page.max_items : n;
    gh_xml_open(c->result, list_elem);
    for (size_t i = start; i < end; i++) {
        gh_xml_open(c->result, "member");
        if ((err = render(c, &u, &v[i])) != GH_OK)
            return err;
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, list_elem);
    gh_iam_index_page_end(c, end, n);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_cred_update(struct gh_call *c, const struct gh_iam_cred *k, const char *action)
{
    struct gh_store_rec r;
    int status;
    enum gh_err err;

    if ((err = cred_target(c, k, action, &status, &r)) != GH_OK)
        return err;
    r.status = status == 0 ? GH_KEY_ACTIVE : GH_KEY_INACTIVE;
    r.updated = c->now;
    return gh_store_rec_put(c->tx, &r, NULL, true);
}

enum gh_err
gh_iam_cred_delete(struct gh_call *c, const struct gh_iam_cred *k, const char *action)
{
    struct gh_store_rec r;
    enum gh_err err;

    if ((err = cred_target(c, k, action, NULL, &r)) != GH_OK)
        return err;
    return gh_store_rec_delete(c->tx, gh_iam_account(c), gh_slice_from_cstr(k->kind), r.id);
}
