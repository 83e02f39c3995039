/*
 * mfa.c: virtual MFA devices: CreateVirtualMFADevice (seed and QR code),
 * EnableMFADevice, DeactivateMFADevice, ResyncMFADevice, ListMFADevices,
 * ListVirtualMFADevices, DeleteVirtualMFADevice, their tags, and
 * gh_iam_mfa_verify for STS. TOTP (RFC 6238, 30 s, 6 digits) by liboath;
 * the seed is sealed at rest by the store under the master key.
 */
#include <liboath/oath.h>
#include <openssl/crypto.h>
#include <png.h>
#include <pthread.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "iam/iam_ext.h"

#define SEED_LEN 20   /* AWS IAM: 160-bit seeds, 32 Base32 characters */
#define TOTP_STEP_S 30
#define TOTP_DIGITS 6
/* Steps either side of now a code may come from: enabling (two codes typed
 * by hand) and STS tolerate clock drift; resync looks further. */
#define ENABLE_WINDOW 10
#define VERIFY_WINDOW 1
#define RESYNC_WINDOW 120
#define QR_SCALE 4  /* pixels per module */
#define QR_MARGIN 4 /* modules of quiet zone (ISO/IEC 18004) */

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ready = OATH_OK;

static void
oath_setup(void)
{
    oath_ready = oath_init();
}

/* The 6-digit code of `seed` at TOTP step `counter` into out[7]. */
static enum gh_err
totp_at(const struct gh_secret *seed, int64_t counter, char out[7])
{
    (void)pthread_once(&oath_once, oath_setup);
    if (oath_ready != OATH_OK || counter < 0)
        return GH_ERR_INTERNAL;
    if (oath_totp_generate((const char *)seed->bytes, seed->len, (time_t)(counter * TOTP_STEP_S),
                           TOTP_STEP_S, OATH_TOTP_DEFAULT_START_TIME, TOTP_DIGITS,
                           out) != OATH_OK)
        return GH_ERR_INTERNAL;
    return GH_OK;
}

/*
 * The step in [now-window, now+window] after `after` whose code is `c1`
 * and, when `c2` is given, whose next step's code is `c2`: *step gets the
 * last step used; GH_ERR_NOT_FOUND when none.
 */
static enum gh_err
totp_find(const struct gh_secret *seed, int64_t now, int64_t window, int64_t after,
          struct gh_slice c1, struct gh_slice c2, int64_t *step)
{
    int64_t cur = now / TOTP_STEP_S;
    char a[7], b[7];
    enum gh_err err = GH_ERR_NOT_FOUND;

    *step = -1;
    if (c1.len != TOTP_DIGITS || (c2.ptr != NULL && c2.len != TOTP_DIGITS))
        return GH_ERR_NOT_FOUND;
    for (int64_t k = cur - window; k <= cur + window; k++) {
        if (k <= after)
            continue;
        if ((err = totp_at(seed, k, a)) != GH_OK)
            break;
        err = GH_ERR_NOT_FOUND;
        if (!gh_ct_eq(a, c1.ptr, TOTP_DIGITS))
            continue;
        if (c2.ptr == NULL) {
            *step = k;
            err = GH_OK;
            break;
        }
        if ((err = totp_at(seed, k + 1, b)) != GH_OK)
            break;
        err = GH_ERR_NOT_FOUND;
        if (gh_ct_eq(b, c2.ptr, TOTP_DIGITS)) {
            *step = k + 1;
            err = GH_OK;
            break;
        }
    }
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(b, sizeof(b));
    return err;
}

/* ---- QR code PNG ---- */

static void
png_to_buf(png_structp png, png_bytep data, png_size_t n)
{
    struct gh_buf *b = png_get_io_ptr(png);

    gh_buf_put(b, (struct gh_slice){(const char *)data, n});
}

static void
png_flush_none(png_structp png)
{
    (void)png;
}

/* Writes the 8-bit grey PNG of `qr` into `out` (setjmp: keep this function's state simple). */
static enum gh_err
qr_png(const QRcode *qr, png_bytep row, struct gh_buf *out)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    const int side = (qr->width + 2 * QR_MARGIN) * QR_SCALE;

    if (png == NULL || info == NULL) {
        png_destroy_write_struct(&png, &info);
        return GH_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return GH_ERR_INTERNAL;
    }
    png_set_write_fn(png, out, png_to_buf, png_flush_none);
    png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < side; y++) {
        int my = y / QR_SCALE - QR_MARGIN;

        for (int x = 0; x < side; x++) {
            int mx = x / QR_SCALE - QR_MARGIN;
            bool dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
                        (qr->data[my * qr->width + mx] & 1);
            row[x] = dark ? 0 : 255;
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return gh_buf_status(out);
}

/* The QR code PNG of `uri`. */
static enum gh_err
qr_make(struct gh_call *c, const char *uri, struct gh_buf *out)
{
    QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    png_bytep row;
    enum gh_err err;

    if (qr == NULL)
        return GH_ERR_NOMEM;
    row = gh_arena_alloc(c->arena, (size_t)(qr->width + 2 * QR_MARGIN) * QR_SCALE);
    err = row != NULL ? qr_png(qr, row, out) : GH_ERR_NOMEM;
    QRcode_free(qr);
    return err;
}

/* ---- devices ---- */

static enum gh_err
device_load(struct gh_call *c, struct gh_slice serial, struct gh_store_rec *r,
            struct gh_secret *seed)
{
    enum gh_err err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_MFA),
                                       serial, r, seed);

    if (err == GH_ERR_NOT_FOUND)
        /* AWS IAM: NoSuchEntity for an unknown serial number. */
        return gh_call_fail(c, GH_ERR_NOT_FOUND,
                            "VirtualMFADevice with serial number %.*s doesn't exist.",
                            GH_SP(serial));
    return err;
}

static const struct gh_param_rule shape_serial = {NULL, 9, 256, "[\\w+=/:,.@-]+", NULL};
static const struct gh_param_rule shape_code = {NULL, 6, 6, "[\\d]+", NULL};
static const struct gh_param_rule shape_device_name = {NULL, 1, 226, "[\\w+=,.@-]+",
                                                       gh_iam_is_name};

static bool
is_serial(struct gh_slice v)
{
    return v.len > 0 && gh_slice_is_charset(v, "_+=/:,.@-");
}

static bool
is_digits(struct gh_slice v)
{
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] < '0' || v.ptr[i] > '9')
            return false;
    return v.len > 0;
}

static void
read_serial(struct gh_call *c, struct gh_slice *out)
{
    struct gh_param_rule r = shape_serial;

    r.ok = is_serial;
    gh_iam_str(c, "SerialNumber", &r, true, out);
}

static void
read_code(struct gh_call *c, const char *name, struct gh_slice *out)
{
    struct gh_param_rule r = shape_code;

    r.ok = is_digits;
    gh_iam_str(c, name, &r, true, out);
}

enum gh_err
gh_iam_CreateVirtualMFADevice(struct gh_call *c)
{
    struct gh_slice name, path, serial, data, account = gh_iam_account(c);
    struct gh_iam_tags tags;
    struct gh_secret seed = {0};
    struct gh_buf png;
    struct gh_store_rec r;
    char *b32 = NULL, *uri;
    size_t b32_len = 0;
    json_t *obj = NULL;
    enum gh_err err;

    gh_buf_init(&png, 1024 * 1024);
    gh_iam_str(c, "Path", &gh_iam_shape_path, false, &path);
    gh_iam_str(c, "VirtualMFADeviceName", &shape_device_name, true, &name);
    if ((err = gh_iam_tags_read(c, "Tags", false, &tags)) != GH_OK)
        goto done;
    if ((err = gh_call_validated(c)) != GH_OK)
        goto done;
    if (path.ptr == NULL)
        path = GH_S("/");
    /* AWS IAM: the serial number of a virtual device is its ARN, arn:aws:iam::ACCT:mfa/PATH/NAME. */
    if ((serial = gh_iam_arn(c, account, "mfa", path, name)).ptr == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = gh_call_authorize(c, "iam:CreateVirtualMFADevice", serial)) != GH_OK)
        goto done;
    seed.len = SEED_LEN;
    if ((err = gh_random(seed.bytes, SEED_LEN)) != GH_OK)
        goto done;
    if (oath_base32_encode((const char *)seed.bytes, SEED_LEN, &b32, &b32_len) != OATH_OK) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((obj = json_pack("{s:s%,s:s%,s:I}", "path", path.ptr, path.len, "name", name.ptr,
                         name.len, "step", (json_int_t)-1)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = gh_iam_json_dump(c, obj, &data)) != GH_OK)
        goto done;
    r = (struct gh_store_rec){
        .account = account,
        .kind = GH_S(GH_IAM_REC_MFA),
        .id = serial,
        .owner = GH_S(""),
        .created = c->now,
        .data = data,
    };
    err = gh_store_rec_put(c->tx, &r, &seed, false);
    if (err == GH_ERR_EXISTS)
        /* AWS IAM: EntityAlreadyExists for a second device with the same path and name. */
        err = gh_call_fail(c, GH_ERR_EXISTS,
                           "MFADevice entity at the same path and name already exists.");
    if (err != GH_OK)
        goto done;
    if (tags.count > 0 && (err = gh_store_tags_put(c->tx, serial, tags.items, tags.count)) != GH_OK)
        goto done;
    /* AWS IAM: the QR code holds otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String */
    uri = gh_arena_printf(c->arena,
                          "otpauth://totp/%.*s@%.*s?secret=%s&issuer=Amazon%%20Web%%20Services",
                          GH_SP(name), GH_SP(account), b32);
    if (uri == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    if ((err = qr_make(c, uri, &png)) != GH_OK)
        goto done;
    OPENSSL_cleanse(uri, strlen(uri));
    /* AWS IAM: both blobs come base64-encoded; the seed is the Base32 text. */
    gh_xml_open(c->result, "VirtualMFADevice");
    gh_xml_elem(c->result, "SerialNumber", serial);
    gh_iam_elem_base64(c, "Base32StringSeed", b32, b32_len);
    gh_iam_elem_base64(c, "QRCodePNG", png.ptr, png.len);
    gh_iam_tags_render(c->result, tags.items, tags.count, false);
    gh_xml_close(c->result, "VirtualMFADevice");
    err = gh_buf_status(c->result);
done:
    if (b32 != NULL) {
        OPENSSL_cleanse(b32, b32_len);
        free(b32);
    }
    json_decref(obj);
    gh_secret_wipe(&seed);
    gh_buf_cleanup(&png);
    return err;
}

/* Writes the device's new owner, enable date and last step used. */
static enum gh_err
device_save(struct gh_call *c, struct gh_store_rec *r, struct gh_slice owner, int64_t enabled,
            int64_t step)
{
    json_t *obj = NULL;
    enum gh_err err;

    if ((err = gh_iam_rec_json(r, &obj)) != GH_OK)
        return err;
    if (json_object_set_new(obj, "step", json_integer(step)) != 0) {
        json_decref(obj);
        return GH_ERR_NOMEM;
    }
    err = gh_iam_json_dump(c, obj, &r->data);
    json_decref(obj);
    if (err != GH_OK)
        return err;
    r->owner = owner;
    r->updated = enabled;
    return gh_store_rec_put(c->tx, r, NULL, true);
}

static enum gh_err
bad_code(struct gh_call *c)
{
    /* AWS IAM: InvalidAuthenticationCode. */
    return gh_call_fail(c, GH_IAM_ERR_AUTH_CODE, "Authentication code for device is not valid.");
}

/* EnableMFADevice and ResyncMFADevice: two consecutive codes. */
static enum gh_err
enable_or_resync(struct gh_call *c, bool enable)
{
    struct gh_slice name, serial, c1, c2;
    struct gh_store_rec r, *mine;
    struct gh_secret seed = {0};
    struct gh_user u;
    size_t n;
    int64_t step, last;
    json_t *obj = NULL;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, true, &name);
    read_serial(c, &serial);
    read_code(c, "AuthenticationCode1", &c1);
    read_code(c, "AuthenticationCode2", &c2);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, enable ? "iam:EnableMFADevice" : "iam:ResyncMFADevice", name,
                                  false, &u)) != GH_OK)
        return err;
    if ((err = device_load(c, serial, &r, &seed)) != GH_OK)
        goto done;
    if (enable) {
        if (r.owner.len > 0) {
            /* AWS IAM: EntityAlreadyExists when the device is assigned already. */
            err = gh_call_fail(c, GH_ERR_EXISTS, "MFA Device is already in use.");
            goto done;
        }
        if ((err = gh_store_rec_list(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_MFA),
                                     u.id, &mine, &n)) != GH_OK)
            goto done;
        if (n >= GH_IAM_MFA_PER_USER) {
            /* AWS IAM: up to 8 MFA devices per user. */
            err = gh_call_fail(c, GH_ERR_LIMIT, "Cannot exceed quota for MFADevicesPerUser: %d",
                               GH_IAM_MFA_PER_USER);
            goto done;
        }
    } else if (!gh_slice_eq(r.owner, u.id)) {
        err = gh_call_fail(c, GH_ERR_NOT_FOUND,
                           "MFA Device with serial number %.*s does not exist.", GH_SP(serial));
        goto done;
    }
    if ((err = gh_iam_rec_json(&r, &obj)) != GH_OK)
        goto done;
    /* A resync may not go back to codes already used; enabling starts afresh. */
    last = enable ? -1 : gh_iam_json_int(obj, "step");
    err = totp_find(&seed, c->now, enable ? ENABLE_WINDOW : RESYNC_WINDOW, last, c1, c2, &step);
    if (err == GH_ERR_NOT_FOUND) {
        err = bad_code(c);
        goto done;
    }
    if (err != GH_OK)
        goto done;
    err = device_save(c, &r, u.id, enable ? c->now : r.updated, step);
done:
    json_decref(obj);
    gh_secret_wipe(&seed);
    return err;
}

enum gh_err
gh_iam_EnableMFADevice(struct gh_call *c)
{
    return enable_or_resync(c, true);
}

enum gh_err
gh_iam_ResyncMFADevice(struct gh_call *c)
{
    return enable_or_resync(c, false);
}

enum gh_err
gh_iam_DeactivateMFADevice(struct gh_call *c)
{
    struct gh_slice name, serial;
    struct gh_store_rec r;
    struct gh_user u;
    enum gh_err err;

    gh_iam_str(c, "UserName", &gh_iam_shape_existing_user_name, true, &name);
    read_serial(c, &serial);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_iam_target_user(c, "iam:DeactivateMFADevice", name, false, &u)) != GH_OK)
        return err;
    err = gh_store_rec_get(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_MFA), serial, &r,
                           NULL);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !gh_slice_eq(r.owner, u.id)))
        /* AWS IAM: NoSuchEntity unless the device is this user's. */
        return gh_call_fail(c, GH_ERR_NOT_FOUND,
                            "MFA Device with serial number %.*s does not exist.", GH_SP(serial));
    if (err != GH_OK)
        return err;
    /* The last step used is kept: a code seen before stays spent. */
    {
        json_t *obj = NULL;
        int64_t step;

        if ((err = gh_iam_rec_json(&r, &obj)) != GH_OK)
            return err;
        step = gh_iam_json_int(obj, "step");
        json_decref(obj);
        return device_save(c, &r, GH_S(""), 0, step);
    }
}

static enum gh_err
mfa_render(struct gh_call *c, const struct gh_user *u, const struct gh_store_rec *r)
{
    gh_xml_elem(c->result, "UserName", u->name);
    gh_xml_elem(c->result, "SerialNumber", r->id);
    gh_xml_elem_time(c->result, "EnableDate", r->updated);
    return GH_OK;
}

enum gh_err
gh_iam_ListMFADevices(struct gh_call *c)
{
    /* A user's enabled devices are records owned by the user: the same listing as
     * SSH keys and signing certificates. The root's own devices are not served
     * here: the list is empty for it (root_ok false). */
    static const struct gh_iam_cred devices = {
        .kind = GH_IAM_REC_MFA,
        .user_shape = &gh_iam_shape_existing_user_name,
        .root_ok = false,
    };

    return gh_iam_cred_list(c, &devices, "iam:ListMFADevices", "MFADevices", mfa_render);
}

enum gh_err
gh_iam_ListVirtualMFADevices(struct gh_call *c)
{
    static const char *const statuses[] = {"Assigned", "Unassigned", "Any", NULL};
    struct gh_store_page page;
    struct gh_store_rec *v, **shown;
    size_t n, m = 0, start, end;
    int status;
    enum gh_err err;

    gh_iam_enum(c, "AssignmentStatus", statuses, false, &status);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:ListVirtualMFADevices", gh_iam_list_arn(c, "mfa"))) !=
        GH_OK)
        return err;
    if ((err = gh_store_rec_list(c->tx, c->arena, gh_iam_account(c), GH_S(GH_IAM_REC_MFA),
                                 GH_SLICE_NULL, &v, &n)) != GH_OK)
        return err;
    if ((shown = gh_arena_alloc(c->arena, sizeof(*shown) * (n + 1))) == NULL)
        return GH_ERR_NOMEM;
    /* AWS IAM: without AssignmentStatus, Any. */
    for (size_t i = 0; i < n; i++)
        if (status < 0 || status == 2 || (status == 0) == (v[i].owner.len > 0))
            shown[m++] = &v[i];
    if ((err = gh_iam_index_marker(c, &page, m, &start)) != GH_OK)
        return err;
    end = m - start > page.max_items ? start + page.max_items : m;
    gh_xml_open(c->result, "VirtualMFADevices");
    for (size_t i = start; i < end; i++) {
        struct gh_store_rec *r = shown[i];

        gh_xml_open(c->result, "member");
        gh_xml_elem(c->result, "SerialNumber", r->id);
        if (r->owner.len > 0) {
            struct gh_user u;

            if ((err = gh_store_user_get_by_id(c->tx, c->arena, gh_iam_account(c), r->owner,
                                               &u)) != GH_OK)
                return err;
            gh_xml_open(c->result, "User");
            if ((err = gh_iam_user_render(c, &u, false, NULL, 0)) != GH_OK)
                return err;
            gh_xml_close(c->result, "User");
            gh_xml_elem_time(c->result, "EnableDate", r->updated);
        }
        gh_xml_close(c->result, "member");
    }
    gh_xml_close(c->result, "VirtualMFADevices");
    gh_iam_index_page_end(c, end, m);
    return gh_buf_status(c->result);
}

enum gh_err
gh_iam_DeleteVirtualMFADevice(struct gh_call *c)
{
    struct gh_slice serial;
    struct gh_store_rec r;
    enum gh_err err;

    read_serial(c, &serial);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = gh_call_authorize(c, "iam:DeleteVirtualMFADevice", serial)) != GH_OK)
        return err;
    if ((err = device_load(c, serial, &r, NULL)) != GH_OK)
        return err;
    if (r.owner.len > 0)
        /* AWS IAM: DeleteConflict while the device is enabled for a user. */
        return gh_call_fail(c, GH_ERR_DELETE_CONFLICT,
                            "MFA VirtualDevice in use. Must deactivate first.");
    if ((err = gh_store_rec_delete(c->tx, gh_iam_account(c), GH_S(GH_IAM_REC_MFA), r.id)) != GH_OK)
        return err;
    return gh_store_entity_purge(c->tx, r.id);
}

/* Loads the device for a tag action, authorizing `action` on its serial. */
static enum gh_err
tag_target(struct gh_call *c, const char *action, struct gh_slice serial, struct gh_store_rec *r)
{
    enum gh_err err;

    if ((err = gh_call_authorize(c, action, serial)) != GH_OK)
        return err;
    return device_load(c, serial, r, NULL);
}

enum gh_err
gh_iam_TagMFADevice(struct gh_call *c)
{
    struct gh_slice serial;
    struct gh_iam_tags tags;
    struct gh_store_rec r;
    enum gh_err err;

    read_serial(c, &serial);
    if ((err = gh_iam_tags_read(c, "Tags", true, &tags)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = tag_target(c, "iam:TagMFADevice", serial, &r)) != GH_OK)
        return err;
    return gh_iam_rec_tag(c, r.id, &tags);
}

enum gh_err
gh_iam_UntagMFADevice(struct gh_call *c)
{
    struct gh_slice serial, *keys;
    struct gh_store_rec r;
    size_t nkeys;
    enum gh_err err;

    read_serial(c, &serial);
    if ((err = gh_iam_tag_keys_read(c, &keys, &nkeys)) != GH_OK)
        return err;
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = tag_target(c, "iam:UntagMFADevice", serial, &r)) != GH_OK)
        return err;
    return gh_iam_rec_untag(c, r.id, keys, nkeys);
}

enum gh_err
gh_iam_ListMFADeviceTags(struct gh_call *c)
{
    struct gh_slice serial;
    struct gh_store_page page;
    struct gh_store_rec r;
    enum gh_err err;

    read_serial(c, &serial);
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;
    if ((err = tag_target(c, "iam:ListMFADeviceTags", serial, &r)) != GH_OK)
        return err;
    return gh_iam_rec_tags_list(c, r.id, &page);
}

enum gh_err
gh_iam_mfa_verify(struct gh_store_tx *tx, struct gh_slice account, struct gh_slice serial,
                  struct gh_slice user_name, struct gh_slice code, int64_t now)
{
    struct gh_arena arena;
    struct gh_store_rec r;
    struct gh_secret seed = {0};
    struct gh_user u;
    json_t *obj = NULL, *step_json = NULL;
    int64_t step;
    char *data = NULL;
    enum gh_err err;

    gh_arena_init(&arena);
    err = gh_store_rec_get(tx, &arena, account, GH_S(GH_IAM_REC_MFA), serial, &r, &seed);
    if (err == GH_ERR_NOT_FOUND || (err == GH_OK && (r.owner.len == 0 || seed.len == 0))) {
        err = GH_ERR_ACCESS_DENIED; /* unknown or not enabled: no MFA */
        goto done;
    }
    if (err != GH_OK)
        goto done;
    if (user_name.len > 0) {
        err = gh_store_user_get(tx, &arena, account, user_name, &u);
        if (err == GH_ERR_NOT_FOUND || (err == GH_OK && !gh_slice_eq(u.id, r.owner)))
            err = GH_ERR_ACCESS_DENIED; /* another user's device */
        if (err != GH_OK)
            goto done;
    }
    if ((err = gh_iam_rec_json(&r, &obj)) != GH_OK)
        goto done;
    /* Replay: only steps after the last accepted one count, so a code works once. */
    err = totp_find(&seed, now, VERIFY_WINDOW, gh_iam_json_int(obj, "step"), code, GH_SLICE_NULL,
                    &step);
    if (err == GH_ERR_NOT_FOUND)
        err = GH_ERR_ACCESS_DENIED;
    if (err != GH_OK)
        goto done;
    if ((step_json = json_integer(step)) == NULL ||
        json_object_set(obj, "step", step_json) != 0 ||
        (data = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    r.data = gh_slice_from_cstr(data);
    err = gh_store_rec_put(tx, &r, NULL, true);
done:
    free(data);
    json_decref(step_json);
    json_decref(obj);
    gh_secret_wipe(&seed);
    gh_arena_cleanup(&arena);
    return err;
}
