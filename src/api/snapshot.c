/*
 * snapshot.c: the auth snapshot (token key ring + revoked sessions), one
 * reference-counted immutable object that the front door, S3 and the
 * console all read. Publishing and taking references are in front.c,
 * next to the api.
 */
#include <stdlib.h>

#include "api/api_int.h"

enum gh_err
gh_api_snap_new(struct gh_store *store, uint64_t generation, struct gh_keyring *kr,
                struct gh_api_snap **out)
{
    struct gh_api_snap *s;
    enum gh_err err;

    *out = NULL;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return GH_ERR_NOMEM;
    if ((err = gh_api_revocations_load(store, gh_now_s(), &s->revocations)) != GH_OK) {
        free(s);
        return err;
    }
    atomic_init(&s->refs, 1);
    s->generation = generation;
    s->keyring = gh_keyring_ref(kr);
    *out = s;
    return GH_OK;
}

void
gh_api_snap_unref(struct gh_api_snap *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    gh_keyring_unref(s->keyring);
    gh_api_revocations_free(s->revocations);
    free(s);
}

const struct gh_keyring *
gh_api_snap_keyring(const struct gh_api_snap *s)
{
    return s->keyring;
}

bool
gh_api_snap_revoked(const struct gh_api_snap *s, const struct gh_session *session)
{
    return gh_api_session_revoked(s->revocations, session);
}
