/*
 * test_iam_mfa.c: virtual MFA devices end to end against a real store:
 * the seed and QR code returned, enabling with two consecutive TOTP codes
 * computed here independently (RFC 6238 with OpenSSL HMAC-SHA1, RFC 4648
 * Base32), deactivation, listing, deletion conflicts, tags, and
 * gh_iam_mfa_verify with its replay rule.
 */
#include <openssl/hmac.h>

#include "iam_fixture.h"

/* RFC 4648 Base32 (upper case, no padding needed for 20 bytes); returns bytes written. */
static size_t
b32_decode(const char *in, uint8_t *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;

    for (; *in != '\0' && *in != '='; in++) {
        const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        const char *p = strchr(alpha, *in);
        assert_non_null(p);
        acc = (acc << 5) | (uint32_t)(p - alpha);
        bits += 5;
        if (bits >= 8) {
            assert_true(n < cap);
            out[n++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    return n;
}

/* RFC 4226 HOTP / RFC 6238 TOTP: the 6-digit code of `key` at step `counter`. */
static void
totp(const uint8_t *key, size_t key_len, int64_t counter, char out[7])
{
    uint8_t msg[8], mac[20];
    unsigned mac_len = sizeof(mac);
    uint32_t bin;
    int off;

    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    assert_non_null(HMAC(EVP_sha1(), key, (int)key_len, msg, sizeof(msg), mac, &mac_len));
    off = mac[19] & 0x0f;
    bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
          ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    (void)snprintf(out, 7, "%06u", bin % 1000000u);
}

/* Creates device `name` and returns its seed bytes (20). */
static void
create_device(struct fixture *f, const char *name, uint8_t seed[20], const char *golden_name)
{
    struct reply r;
    char b64[256], b32[64], png_b64[65536];
    struct gh_buf dec;

    call(f, &r, "CreateVirtualMFADevice", "VirtualMFADeviceName", name, NULL);
    assert_int_equal(r.err, GH_OK);
    if (golden_name != NULL)
        golden(&r, "CreateVirtualMFADevice", golden_name);
    xml_text(r.raw, "Base32StringSeed", b64, sizeof(b64));
    gh_buf_init(&dec, 0);
    assert_int_equal(gh_base64_decode(gh_slice_from_cstr(b64), false, &dec), GH_OK);
    assert_int_equal(dec.len, 32); /* 160 bits in Base32 */
    memcpy(b32, dec.ptr, dec.len);
    b32[dec.len] = '\0';
    assert_int_equal(b32_decode(b32, seed, 20), 20);
    gh_buf_reset(&dec);
    xml_text(r.raw, "QRCodePNG", png_b64, sizeof(png_b64));
    assert_int_equal(gh_base64_decode(gh_slice_from_cstr(png_b64), false, &dec), GH_OK);
    assert_true(dec.len > 100);
    assert_memory_equal(dec.ptr, "\x89PNG\r\n\x1a\n", 8);
    gh_buf_cleanup(&dec);
    reply_free(&r);
}

#define SERIAL "arn:aws:iam::" ACCOUNT ":mfa/bobphone"

static void
test_mfa_lifecycle(void **state)
{
    struct fixture *f = *state;
    uint8_t seed[20], other[20];
    char c1[7], c2[7], c3[7];
    int64_t step = NOW / 30;
    struct gh_store_tx *tx;

    EXPECT_OK(f, "CreateUser", "UserName", "bob");
    EXPECT_OK(f, "CreateUser", "UserName", "eve");
    create_device(f, "bobphone", seed, "plain");
    create_device(f, "spare", other, NULL);
    assert_memory_not_equal(seed, other, 20);
    /* AWS IAM: one device per path and name. */
    EXPECT_ERR(f, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.",
               "CreateVirtualMFADevice", "VirtualMFADeviceName", "BobPhone");

    /* Wrong codes, codes in the wrong order, and one right code then a wrong one. */
    totp(seed, 20, step, c1);
    totp(seed, 20, step + 1, c2);
    EXPECT_ERR(f, "InvalidAuthenticationCode", "Authentication code for device is not valid.", "EnableMFADevice",
               "UserName", "bob", "SerialNumber", SERIAL, "AuthenticationCode1", c2,
               "AuthenticationCode2", c1);
    EXPECT_ERR(f, "InvalidAuthenticationCode", "Authentication code for device is not valid.", "EnableMFADevice",
               "UserName", "bob", "SerialNumber", SERIAL, "AuthenticationCode1", c1,
               "AuthenticationCode2", c1);
    EXPECT_ERR(f, "ValidationError",
               "1 validation error detected: Value '12345' at 'authenticationCode1' failed to "
               "satisfy constraint: Member must have length greater than or equal to 6",
               "EnableMFADevice", "UserName", "bob", "SerialNumber", SERIAL, "AuthenticationCode1",
               "12345", "AuthenticationCode2", c2);
    EXPECT_ERR(f, "NoSuchEntity",
               "VirtualMFADevice with serial number arn:aws:iam::" ACCOUNT
               ":mfa/none doesn't exist.",
               "EnableMFADevice", "UserName", "bob", "SerialNumber",
               "arn:aws:iam::" ACCOUNT ":mfa/none", "AuthenticationCode1", c1,
               "AuthenticationCode2", c2);
    EXPECT_OK(f, "EnableMFADevice", "UserName", "bob", "SerialNumber", SERIAL,
              "AuthenticationCode1", c1, "AuthenticationCode2", c2);
    EXPECT_ERR(f, "EntityAlreadyExists", "MFA Device is already in use.", "EnableMFADevice",
               "UserName", "eve", "SerialNumber", SERIAL, "AuthenticationCode1", c1,
               "AuthenticationCode2", c2);
    EXPECT_GOLDEN(f, "ListMFADevices", "bob", "UserName", "bob", );
    EXPECT_GOLDEN(f, "ListMFADevices", "eve_none", "UserName", "eve", );
    EXPECT_GOLDEN(f, "ListVirtualMFADevices", "any", );
    EXPECT_GOLDEN(f, "ListVirtualMFADevices", "assigned", "AssignmentStatus", "Assigned", );
    EXPECT_GOLDEN(f, "ListVirtualMFADevices", "unassigned", "AssignmentStatus", "Unassigned", );
    EXPECT_ERR(f, "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.",
               "DeleteVirtualMFADevice", "SerialNumber", SERIAL);

    /* STS: the next code works once; the codes used to enable are spent. */
    totp(seed, 20, step + 1, c3);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_iam_mfa_verify(tx, GH_S(ACCOUNT), GH_S(SERIAL), GH_S("bob"),
                                       gh_slice_from_cstr(c3), NOW),
                     GH_ERR_ACCESS_DENIED);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    /* NOW + 30 is the next step: its code is fresh. */
    totp(seed, 20, step + 2, c3);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_iam_mfa_verify(tx, GH_S(ACCOUNT), GH_S(SERIAL), GH_S("eve"),
                                       gh_slice_from_cstr(c3), NOW + 30),
                     GH_ERR_ACCESS_DENIED); /* another user's device */
    assert_int_equal(gh_iam_mfa_verify(tx, GH_S(ACCOUNT), GH_S(SERIAL), GH_S("bob"),
                                       gh_slice_from_cstr("000000"), NOW + 30) == GH_OK &&
                         strcmp(c3, "000000") != 0,
                     false);
    assert_int_equal(gh_iam_mfa_verify(tx, GH_S(ACCOUNT), GH_S(SERIAL), GH_S("bob"),
                                       gh_slice_from_cstr(c3), NOW + 30),
                     GH_OK);
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);
    assert_int_equal(gh_store_tx_begin(f->store, true, &tx), GH_OK);
    assert_int_equal(gh_iam_mfa_verify(tx, GH_S(ACCOUNT), GH_S(SERIAL), GH_S(""),
                                       gh_slice_from_cstr(c3), NOW + 30),
                     GH_ERR_ACCESS_DENIED); /* replay */
    assert_int_equal(gh_iam_mfa_verify(tx, GH_S(ACCOUNT), GH_S("arn:aws:iam::" ACCOUNT ":mfa/spare"),
                                       GH_S(""), gh_slice_from_cstr(c3), NOW + 30),
                     GH_ERR_ACCESS_DENIED); /* not enabled */
    assert_int_equal(gh_store_tx_commit(tx), GH_OK);

    /* Resync takes two consecutive codes after the last used. */
    totp(seed, 20, step + 5, c1);
    totp(seed, 20, step + 6, c2);
    EXPECT_OK(f, "ResyncMFADevice", "UserName", "bob", "SerialNumber", SERIAL,
              "AuthenticationCode1", c1, "AuthenticationCode2", c2);
    EXPECT_ERR(f, "InvalidAuthenticationCode", "Authentication code for device is not valid.", "ResyncMFADevice",
               "UserName", "bob", "SerialNumber", SERIAL, "AuthenticationCode1", c1,
               "AuthenticationCode2", c2);
    EXPECT_ERR(f, "NoSuchEntity",
               "MFA Device with serial number " SERIAL " does not exist.", "DeactivateMFADevice",
               "UserName", "eve", "SerialNumber", SERIAL);
    EXPECT_OK(f, "DeactivateMFADevice", "UserName", "bob", "SerialNumber", SERIAL);
    EXPECT_GOLDEN(f, "ListMFADevices", "bob_after", "UserName", "bob", );
    EXPECT_OK(f, "DeleteVirtualMFADevice", "SerialNumber", SERIAL);
    EXPECT_ERR(f, "NoSuchEntity", "VirtualMFADevice with serial number " SERIAL " doesn't exist.",
               "DeleteVirtualMFADevice", "SerialNumber", SERIAL);
}

static void
test_mfa_tags(void **state)
{
    struct fixture *f = *state;
    uint8_t seed[20];

    create_device(f, "tagged", seed, NULL);
    EXPECT_OK(f, "TagMFADevice", "SerialNumber", "arn:aws:iam::" ACCOUNT ":mfa/tagged",
              "Tags.member.1.Key", "team", "Tags.member.1.Value", "castle", "Tags.member.2.Key",
              "k2", "Tags.member.2.Value", "v2");
    EXPECT_GOLDEN(f, "ListMFADeviceTags", "two", "SerialNumber",
                  "arn:aws:iam::" ACCOUNT ":mfa/tagged", );
    EXPECT_OK(f, "UntagMFADevice", "SerialNumber", "arn:aws:iam::" ACCOUNT ":mfa/tagged",
              "TagKeys.member.1", "TEAM");
    EXPECT_GOLDEN(f, "ListMFADeviceTags", "one", "SerialNumber",
                  "arn:aws:iam::" ACCOUNT ":mfa/tagged", );
    EXPECT_ERR(f, "NoSuchEntity",
               "VirtualMFADevice with serial number arn:aws:iam::" ACCOUNT
               ":mfa/gone doesn't exist.",
               "ListMFADeviceTags", "SerialNumber", "arn:aws:iam::" ACCOUNT ":mfa/gone");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mfa_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mfa_tags, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
