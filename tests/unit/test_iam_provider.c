/*
 * test_iam_provider.c: OpenID Connect and SAML identity providers: ARNs,
 * client ids and thumbprints, SAML metadata checks (a DTD or a document
 * that is not IdP metadata is refused), tags, and gh_iam_provider_get.
 */
#include "iam_fixture.h"

#define OIDC_ARN "arn:aws:iam::" ACCOUNT ":oidc-provider/token.actions.example.com/org"
#define SAML_ARN "arn:aws:iam::" ACCOUNT ":saml-provider/corp-idp"
#define THUMB "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"

/* SAML 2.0 IdP metadata, padded past the model's 1000-character minimum. */
static char *
metadata(const char *root, const char *child)
{
    struct gh_buf b;
    char *out;

    gh_buf_init(&b, 0);
    gh_buf_putf(&b,
                "<?xml version=\"1.0\"?>\n<md:%s xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
                "entityID=\"https://idp.example.com/\" validUntil=\"2030-01-01T00:00:00Z\">"
                "<md:%s protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
                "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" "
                "Location=\"https://idp.example.com/sso\"/>",
                root, child);
    for (int i = 0; i < 12; i++)
        gh_buf_putf(&b, "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:"
                        "unspecified</md:NameIDFormat>");
    gh_buf_putf(&b, "</md:%s></md:%s>", child, root);
    assert_int_equal(gh_buf_status(&b), GH_OK);
    out = strdup(b.ptr);
    gh_buf_cleanup(&b);
    return out;
}

static void
test_oidc(void **state)
{
    struct fixture *f = *state;
    struct gh_store_tx *tx;
    struct gh_arena a;
    struct gh_iam_provider p;

    EXPECT_GOLDEN(f, "CreateOpenIDConnectProvider", "plain", "Url",
                  "https://token.actions.example.com/org", "ClientIDList.member.1", "sts.amazonaws.com",
                  "ThumbprintList.member.1", THUMB, "Tags.member.1.Key", "team",
                  "Tags.member.1.Value", "ci", );
    EXPECT_ERR(f, "EntityAlreadyExists",
               "Provider with url https://token.actions.example.com/org already exists.",
               "CreateOpenIDConnectProvider", "Url", "https://token.actions.example.com/org",
               "ThumbprintList.member.1", THUMB);
    EXPECT_ERR(f, "InvalidInput", "Invalid Url", "CreateOpenIDConnectProvider", "Url",
               "http://insecure.example.com", "ThumbprintList.member.1", THUMB);
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value 'abc' at 'thumbprintList.1.member' failed to "
               "satisfy constraint: Member must have length greater than or equal to 40",
               "CreateOpenIDConnectProvider", "Url", "https://x.example.com",
               "ThumbprintList.member.1", "abc");
    EXPECT_OK(f, "AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", OIDC_ARN,
              "ClientID", "my-app");
    EXPECT_OK(f, "AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", OIDC_ARN,
              "ClientID", "my-app");
    EXPECT_GOLDEN(f, "GetOpenIDConnectProvider", "two_clients", "OpenIDConnectProviderArn",
                  OIDC_ARN, );
    EXPECT_OK(f, "RemoveClientIDFromOpenIDConnectProvider", "OpenIDConnectProviderArn", OIDC_ARN,
              "ClientID", "sts.amazonaws.com");
    EXPECT_OK(f, "UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn", OIDC_ARN,
              "ThumbprintList.member.1", "1111111111111111111111111111111111111111");
    EXPECT_GOLDEN(f, "GetOpenIDConnectProvider", "updated", "OpenIDConnectProviderArn",
                  OIDC_ARN, );
    EXPECT_GOLDEN(f, "ListOpenIDConnectProviders", "one", );
    EXPECT_OK(f, "UntagOpenIDConnectProvider", "OpenIDConnectProviderArn", OIDC_ARN,
              "TagKeys.member.1", "team");
    EXPECT_OK(f, "TagOpenIDConnectProvider", "OpenIDConnectProviderArn", OIDC_ARN,
              "Tags.member.1.Key", "env", "Tags.member.1.Value", "prod");
    EXPECT_GOLDEN(f, "ListOpenIDConnectProviderTags", "one", "OpenIDConnectProviderArn",
                  OIDC_ARN, );

    assert_int_equal(gh_store_tx_begin(f->store, false, &tx), GH_OK);
    gh_arena_init(&a);
    assert_int_equal(gh_iam_provider_get(tx, &a, GH_S(ACCOUNT), GH_S(OIDC_ARN), &p), GH_OK);
    assert_false(p.saml);
    assert_true(gh_slice_eq_cstr(p.url, "token.actions.example.com/org"));
    assert_int_equal(p.nclient_ids, 1);
    assert_true(gh_slice_eq_cstr(p.client_ids[0], "my-app"));
    assert_int_equal(p.nthumbprints, 1);
    assert_int_equal(gh_iam_provider_get(tx, &a, GH_S("999999999999"), GH_S(OIDC_ARN), &p),
                     GH_ERR_NOT_FOUND);
    gh_arena_cleanup(&a);
    gh_store_tx_rollback(tx);

    EXPECT_OK(f, "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", OIDC_ARN);
    EXPECT_OK(f, "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", OIDC_ARN);
    EXPECT_ERR(f, "NoSuchEntity", "OpenIDConnect Provider not found for arn " OIDC_ARN,
               "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", OIDC_ARN);
}

static void
test_saml(void **state)
{
    struct fixture *f = *state;
    char *good = metadata("EntityDescriptor", "IDPSSODescriptor");
    char *sp = metadata("EntityDescriptor", "SPSSODescriptor");
    char *dtd;
    struct gh_store_tx *tx;
    struct gh_arena a;
    struct gh_iam_provider p;

    EXPECT_GOLDEN(f, "CreateSAMLProvider", "plain", "Name", "corp-idp", "SAMLMetadataDocument",
                  good, );
    EXPECT_ERR(f, "EntityAlreadyExists", "SAMLProvider corp-idp already exists.",
               "CreateSAMLProvider", "Name", "corp-idp", "SAMLMetadataDocument", good);
    EXPECT_ERR(f, "InvalidInput", "Could not parse metadata: no IDPSSODescriptor found",
               "CreateSAMLProvider", "Name", "sp", "SAMLMetadataDocument", sp);
    /* A DTD (the door to entity expansion) is refused whatever it declares. */
    dtd = malloc(strlen(good) + 128);
    assert_non_null(dtd);
    (void)snprintf(dtd, strlen(good) + 128, "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>%s",
                   strchr(good, '\n') + 1);
    EXPECT_ERR(f, "InvalidInput", "Could not parse metadata", "CreateSAMLProvider", "Name", "dtd",
               "SAMLMetadataDocument", dtd);
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value '<x/>' at 'sAMLMetadataDocument' failed to satisfy "
               "constraint: Member must have length greater than or equal to 1000",
               "CreateSAMLProvider", "Name", "short", "SAMLMetadataDocument", "<x/>");
    EXPECT_GOLDEN(f, "ListSAMLProviders", "one", );
    EXPECT_OK(f, "UpdateSAMLProvider", "SAMLProviderArn", SAML_ARN, "SAMLMetadataDocument", good);
    EXPECT_OK(f, "TagSAMLProvider", "SAMLProviderArn", SAML_ARN, "Tags.member.1.Key", "k",
              "Tags.member.1.Value", "v");
    EXPECT_GOLDEN(f, "ListSAMLProviderTags", "one", "SAMLProviderArn", SAML_ARN, );
    EXPECT_OK(f, "UntagSAMLProvider", "SAMLProviderArn", SAML_ARN, "TagKeys.member.1", "k");

    assert_int_equal(gh_store_tx_begin(f->store, false, &tx), GH_OK);
    gh_arena_init(&a);
    assert_int_equal(gh_iam_provider_get(tx, &a, GH_S(ACCOUNT), GH_S(SAML_ARN), &p), GH_OK);
    assert_true(p.saml);
    assert_true(gh_slice_eq_cstr(p.metadata, good));
    assert_int_equal(p.valid_until, 1893456000); /* 2030-01-01T00:00:00Z */
    gh_arena_cleanup(&a);
    gh_store_tx_rollback(tx);

    EXPECT_OK(f, "DeleteSAMLProvider", "SAMLProviderArn", SAML_ARN);
    EXPECT_ERR(f, "NoSuchEntity", "Manifest not found for arn " SAML_ARN, "GetSAMLProvider",
               "SAMLProviderArn", SAML_ARN);
    free(dtd);
    free(sp);
    free(good);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_oidc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saml, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
