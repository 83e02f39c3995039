/*
 * decode.c: DecodeAuthorizationMessage: the explanation sealed into an
 * AccessDenied by `gatehouse serve --encode-denials`, for callers allowed
 * sts:DecodeAuthorizationMessage.
 */
#include "sts/sts_int.h"

enum gh_err
gh_sts_decode_authorization_message(struct gh_call *c)
{
    static const struct gh_param_rule rule = {"encodedMessage", 1, 10240, NULL, NULL};
    struct gh_slice msg;
    struct gh_buf out;
    enum gh_err err;

    gh_call_str(c, "EncodedMessage", &rule, true, &msg);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    /* AWS STS: the caller needs sts:DecodeAuthorizationMessage. */
    if ((err = gh_call_authorize(c, "sts:DecodeAuthorizationMessage", GH_S("*"))) != GH_OK)
        return err;
    gh_buf_init(&out, 0);
    if (gh_api_explain_open(c->keyring, msg, &out) != GH_OK) {
        gh_buf_cleanup(&out);
        c->code = "InvalidAuthorizationMessageException";
        return gh_call_fail(c, GH_ERR_VALIDATION,
                            "The error message provided is invalid or was not issued by this "
                            "service.");
    }
    gh_xml_elem(c->result, "DecodedMessage", gh_buf_slice(&out));
    gh_buf_cleanup(&out);
    return GH_OK;
}
