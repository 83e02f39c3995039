/*
 * fuzz_saml.c: libFuzzer harness for the SAML response parser and
 * verifier (entities, depth, wrapping, signatures against fixed metadata),
 * the claim checks, and the metadata reader. The input is the response
 * XML; it is base64-encoded as AssumeRoleWithSAML receives it, and also
 * tried as given (the base64 decoder's input).
 */
#include <stdint.h>
#include <string.h>

#include "federation/federation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The signing certificate of the IdP that signed the seeds (gatehouse
 * saml-idp, entity https://idp.gatehouse.test/saml); its key is not kept. */
static const char metadata[] =
    "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
    "entityID=\"https://idp.gatehouse.test/saml\"><md:IDPSSODescriptor "
    "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"><md:KeyDescriptor "
    "use=\"signing\"><ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:X509Data>"
    "<ds:X509Certificate>"
    "MIIDAzCCAeugAwIBAgIQLFNpx/6skOO0CD4L0LZI5DANBgkqhkiG9w0BAQsFADAdMRswGQYDVQQDDBJnYXRlaG91"
    "c2UgdGVzdCBJZFAwHhcNMjYxMTI1MTcwODI1WhcNMzYxMTIyMTgwODI1WjAdMRswGQYDVQQDDBJnYXRlaG91c2Ug"
    "dGVzdCBJZFAwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDXlUvGfPstf0bnh1K+Ugk8lla7/T59Ur82"
    "uOLlK+S61Hg1YWV+XiUNLUE9h2AJyH6mgDTlMOVS+Jo6vKnpeAIxzttYntWiqtYJLz/cX5wLZ4iJQydUWtuQAK6o"
    "z20yJxqtYvOp5ODmoF74FewU63O666XY/WzujjjLZa2j1S3+KQKV2pr0ZcGBtfp3mAHKhc7V2QoPp7p8+owG80TH"
    "gmTkmZ9svmAa/TBABQJpsXl1qMe5FSQSvu9DPS1mLTlD+FOcgAB6t2Ty2fxn+pYslbsd1uMPQfR7fFWmYAjFPj+G"
    "uQqG4hmMldugqeNtLdZ6zX6mG0zEebmls2jgswc44LkZAgMBAAGjPzA9MAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/"
    "BAQDAgWgMB0GA1UdDgQWBBTwFmKGXApPn0juN0bWRoVnLJq+OzANBgkqhkiG9w0BAQsFAAOCAQEAxWpRr95YCWzX"
    "IZcOq+U3dppzEz8vvLDzkD8wdb3vpeqGpyLHNsfQEnjVWsYiuaznqKIyYRE0drlIzw7mtg1TpHDIn4QjW5zjReYh"
    "qRL8XmwwVB6M52WixLajlDo+nwFtwiuAYUjwj+sn3vXwFKV4P6uFshp/7/e1ZYV09AARuMA7VR4K0FUmMxSM/4Kw"
    "cxwHu2ZH9MIS78iUvqL4auZc41sQQT5Pvxr2vTgg1H11UTQRv16oBx8HIfnQbKwfiSGseUqAo+a3JZD6jXuGy/YO"
    "v1ur37xJRMfdUUArr2Vd4yEQUqPZxK5qT8pDOxYU0CoC/XPXdntDNDP7T48lE6DcNw=="
    "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    "</md:IDPSSODescriptor></md:EntityDescriptor>";

static void
one(struct gh_slice b64)
{
    struct gh_arena a;
    struct gh_fed_saml s;
    struct gh_diag d;

    gh_arena_init(&a);
    if (gh_fed_saml_verify(&a, b64, GH_S(metadata), &s, &d) == GH_OK) {
        /* Only the seeds' IdP can sign: the claims are its. */
        if (!gh_slice_eq_cstr(s.issuer, "https://idp.gatehouse.test/saml"))
            __builtin_trap();
        if (gh_fed_saml_check(&s, 1800000000, &d) != GH_OK)
            (void)d.text[0];
        (void)gh_fed_saml_attr(&s, "https://aws.amazon.com/SAML/Attributes/Role");
    } else if (d.text[0] == '\0') {
        __builtin_trap(); /* every refusal says why */
    }
    gh_arena_cleanup(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gh_slice in = {(const char *)data, size}, entity;
    struct gh_buf b64;
    struct gh_arena a;

    if (size > GH_FED_SAML_MAX)
        return 0;
    gh_buf_init(&b64, 2 * GH_FED_SAML_MAX);
    if (gh_base64_encode(&b64, data, size) == GH_OK)
        one(gh_buf_slice(&b64));
    gh_buf_cleanup(&b64);
    one(in);
    /* Metadata is untrusted too (CreateSAMLProvider's document). */
    gh_arena_init(&a);
    if (gh_fed_saml_metadata_entity(&a, in, &entity) == GH_OK)
        (void)entity.len;
    gh_arena_cleanup(&a);
    return 0;
}
