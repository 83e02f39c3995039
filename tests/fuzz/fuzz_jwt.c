/*
 * fuzz_jwt.c: libFuzzer harness for the OIDC token parser, signature
 * check against a fixed JWKS, and the claim checks.
 */
#include <stdint.h>
#include <string.h>

#include "federation/federation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A public RSA key (kid "fuzz"), an EC P-256 key and keys that must be skipped. */
static const char jwks[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"fuzz\",\"e\":\"AQAB\",\"n\":\"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw\"},"
    "{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
    "{\"kty\":\"oct\",\"k\":\"AAAA\"},{\"kty\":\"RSA\",\"use\":\"enc\",\"e\":\"AQAB\",\"n\":\"AQAB\"}]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct gh_slice ids[] = {GH_SLICE_INIT("sts.amazonaws.com")};
    static const struct gh_fed_oidc_provider prov = {GH_SLICE_INIT("https://issuer.example.com"),
                                                     ids, 1};
    struct gh_slice in = {(const char *)data, size}, aud;
    struct gh_fed_jwks *k = NULL;
    struct gh_fed_jwt t;
    struct gh_arena a;
    struct gh_diag d;

    gh_arena_init(&a);
    if (gh_fed_jwt_parse(&a, in, &t, &d) == GH_OK) {
        if (gh_fed_jwks_parse(GH_S(jwks), &k) == GH_OK) {
            if (gh_fed_jwt_verify_sig(&t, k, &d) == GH_OK) {
                /* Only a forged signature reaches here: never expected. */
                __builtin_trap();
            }
            gh_fed_jwks_unref(k);
        }
        if (gh_fed_jwt_check_claims(&t, &prov, 1800000000, &aud, &d) != GH_OK)
            (void)d.text[0];
    }
    /* The JWKS parser takes untrusted input too (an issuer's answer). */
    if (gh_fed_jwks_parse(in, &k) == GH_OK)
        gh_fed_jwks_unref(k);
    gh_arena_cleanup(&a);
    return 0;
}
