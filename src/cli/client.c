/*
 * client.c: the client side of the workload commands: the caller's AWS
 * credentials from the environment and the shared files, and signed STS
 * Query calls to the gatehouse server over libcurl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "auth/auth.h"
#include "cli/client.h"

enum gh_err
gh_cli_client_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? GH_OK : GH_ERR_INTERNAL;
}

void
gh_cli_aws_clear(struct gh_cli_aws *a)
{
    if (a->session_token != NULL) {
        OPENSSL_cleanse(a->session_token, strlen(a->session_token));
        free(a->session_token);
    }
    OPENSSL_cleanse(a, sizeof(*a));
}

/* Reads a whole (small) file into `out`; GH_ERR_NOT_FOUND when it does not exist. */
static enum gh_err
file_read(const char *path, struct gh_buf *out)
{
    FILE *f = fopen(path, "r");
    char chunk[4096];
    size_t n;
    enum gh_err err = GH_OK;

    if (f == NULL)
        return GH_ERR_NOT_FOUND;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if ((err = gh_buf_append(out, chunk, n)) != GH_OK)
            break;
    OPENSSL_cleanse(chunk, sizeof(chunk));
    if (ferror(f) && err == GH_OK)
        err = GH_ERR_IO;
    fclose(f);
    return err;
}

/* The value of `key` in section `section` of INI `text`; ptr NULL when absent. */
static struct gh_slice
ini_get(struct gh_slice text, struct gh_slice section, const char *key)
{
    struct gh_slice line, cur = GH_SLICE_NULL;
    bool in = false;

    while (gh_slice_split(&text, '\n', &line)) {
        line = gh_slice_trim(line);
        if (line.len > 0 && line.ptr[line.len - 1] == '\r')
            line = gh_slice_trim(gh_slice_sub(line, 0, line.len - 1));
        if (line.len == 0 || line.ptr[0] == '#' || line.ptr[0] == ';')
            continue;
        if (line.ptr[0] == '[') {
            long close = gh_slice_index(line, ']');
            cur =
                close < 0 ? GH_SLICE_NULL : gh_slice_trim(gh_slice_sub(line, 1, (size_t)close - 1));
            in = gh_slice_eq(cur, section);
            continue;
        }
        long eq = gh_slice_index(line, '=');
        if (!in || eq < 0)
            continue;
        if (gh_slice_case_eq(gh_slice_trim(gh_slice_sub(line, 0, (size_t)eq)),
                             gh_slice_from_cstr(key)))
            return gh_slice_trim(gh_slice_sub(line, (size_t)eq + 1, line.len));
    }
    return GH_SLICE_NULL;
}

static void
home_path(char *out, size_t n, const char *env, const char *rel)
{
    const char *v = getenv(env), *home = getenv("HOME");

    if (v != NULL && v[0] != '\0')
        (void)snprintf(out, n, "%s", v);
    else
        (void)snprintf(out, n, "%s/%s", home != NULL ? home : ".", rel);
}

static enum gh_err
set_str(char *dst, size_t cap, struct gh_slice v)
{
    if (v.len >= cap)
        return GH_ERR_INVALID_INPUT;
    memcpy(dst, v.ptr, v.len);
    dst[v.len] = '\0';
    return GH_OK;
}

/* Takes key id, secret and token from `text` section `section`; false when no key id. */
static enum gh_err
creds_from(struct gh_slice text, struct gh_slice section, struct gh_cli_aws *out, bool *found)
{
    struct gh_slice akid = ini_get(text, section, "aws_access_key_id");
    struct gh_slice secret = ini_get(text, section, "aws_secret_access_key");
    struct gh_slice token = ini_get(text, section, "aws_session_token");
    enum gh_err err;

    *found = false;
    if (akid.ptr == NULL || akid.len == 0 || secret.ptr == NULL || secret.len == 0)
        return GH_OK;
    if ((err = set_str(out->access_key_id, sizeof(out->access_key_id), akid)) != GH_OK ||
        (err = gh_secret_set(&out->secret, secret.ptr, secret.len)) != GH_OK)
        return err;
    if (token.ptr != NULL && token.len > 0) {
        if ((out->session_token = malloc(token.len + 1)) == NULL)
            return GH_ERR_NOMEM;
        memcpy(out->session_token, token.ptr, token.len);
        out->session_token[token.len] = '\0';
    }
    *found = true;
    return GH_OK;
}

enum gh_err
gh_cli_aws_load(const char *profile, struct gh_cli_aws *out, char *why, size_t why_len)
{
    const char *env_akid = getenv("AWS_ACCESS_KEY_ID"),
               *env_secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *env_token = getenv("AWS_SESSION_TOKEN");
    const char *region = getenv("AWS_REGION");
    char cred_path[1024], conf_path[1024], conf_section[160];
    struct gh_buf cred, conf;
    struct gh_slice name, v;
    bool found = false;
    enum gh_err err = GH_OK;

    memset(out, 0, sizeof(*out));
    why[0] = '\0';
    if (region == NULL || region[0] == '\0')
        region = getenv("AWS_DEFAULT_REGION");
    if (profile == NULL || profile[0] == '\0')
        profile = getenv("AWS_PROFILE");
    gh_buf_init(&cred, GH_CLI_AWS_FILE_MAX);
    gh_buf_init(&conf, GH_CLI_AWS_FILE_MAX);
    home_path(cred_path, sizeof(cred_path), "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    home_path(conf_path, sizeof(conf_path), "AWS_CONFIG_FILE", ".aws/config");
    name = gh_slice_from_cstr(profile != NULL && profile[0] != '\0' ? profile : "default");
    if (gh_slice_eq_cstr(name, "default"))
        (void)snprintf(conf_section, sizeof(conf_section), "default");
    else
        (void)snprintf(conf_section, sizeof(conf_section), "profile %.*s", GH_SP(name));
    if ((err = file_read(conf_path, &conf)) != GH_OK && err != GH_ERR_NOT_FOUND) {
        (void)snprintf(why, why_len, "cannot read %s", conf_path);
        goto done;
    }

    /* AWS CLI: the environment's keys win unless a profile is named. */
    if (getenv("AWS_PROFILE") == NULL && (profile == NULL || profile[0] == '\0') &&
        env_akid != NULL && env_akid[0] != '\0' && env_secret != NULL && env_secret[0] != '\0') {
        if ((err = set_str(out->access_key_id, sizeof(out->access_key_id),
                           gh_slice_from_cstr(env_akid))) != GH_OK ||
            (err = gh_secret_set(&out->secret, env_secret, strlen(env_secret))) != GH_OK) {
            (void)snprintf(why, why_len, "AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is too long");
            goto done;
        }
        if (env_token != NULL && env_token[0] != '\0' &&
            (out->session_token = strdup(env_token)) == NULL) {
            err = GH_ERR_NOMEM;
            goto done;
        }
        (void)snprintf(out->source, sizeof(out->source), "the environment (AWS_ACCESS_KEY_ID)");
        found = true;
    }
    if (!found) {
        if ((err = file_read(cred_path, &cred)) != GH_OK && err != GH_ERR_NOT_FOUND) {
            (void)snprintf(why, why_len, "cannot read %s", cred_path);
            goto done;
        }
        if ((err = creds_from(gh_buf_slice(&cred), name, out, &found)) != GH_OK)
            goto bad;
        if (found)
            (void)snprintf(out->source, sizeof(out->source), "profile %.*s of %s", GH_SP(name),
                           cred_path);
    }
    if (!found) {
        if ((err = creds_from(gh_buf_slice(&conf), gh_slice_from_cstr(conf_section), out,
                              &found)) != GH_OK)
            goto bad;
        if (found)
            (void)snprintf(out->source, sizeof(out->source), "profile %.*s of %s", GH_SP(name),
                           conf_path);
    }
    if (!found) {
        (void)snprintf(why, why_len,
                       "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                       "or give profile '%.*s' aws_access_key_id and aws_secret_access_key in %s",
                       GH_SP(name), cred_path);
        err = GH_ERR_NOT_FOUND;
        goto done;
    }
    v = ini_get(gh_buf_slice(&conf), gh_slice_from_cstr(conf_section), "region");
    if (region != NULL && region[0] != '\0')
        v = gh_slice_from_cstr(region);
    if (v.ptr == NULL || v.len == 0)
        v = GH_S("us-east-1");
    if (set_str(out->region, sizeof(out->region), v) != GH_OK) {
        (void)snprintf(why, why_len, "the region is too long");
        err = GH_ERR_INVALID_INPUT;
        goto done;
    }
    err = GH_OK;
    goto done;
bad:
    (void)snprintf(why, why_len, "the credentials of profile '%.*s' cannot be used (%s)",
                   GH_SP(name), gh_err_str(err));
done:
    gh_buf_cleanup(&cred);
    gh_buf_cleanup(&conf);
    if (err != GH_OK)
        gh_cli_aws_clear(out);
    return err;
}

void
gh_cli_form_add(struct gh_buf *b, const char *name, const char *value)
{
    if (b->len > 0)
        gh_buf_puts(b, "&");
    gh_buf_puts(b, name);
    gh_buf_puts(b, "=");
    if (gh_uri_encode(b, gh_slice_from_cstr(value), false) != GH_OK)
        b->failed = true;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct gh_buf *b = ctx;

    if (gh_buf_append(b, p, size * n) != GH_OK)
        return 0; /* too large: curl stops with a write error */
    return size * n;
}

/* "host[:port]" and the path of `endpoint`, for the Host header and the canonical request. */
static enum gh_err
endpoint_parts(const char *endpoint, struct gh_arena *a, struct gh_slice *host,
               struct gh_slice *path)
{
    CURLU *u = curl_url();
    char *h = NULL, *port = NULL, *p = NULL;
    enum gh_err err = GH_ERR_INVALID_INPUT;

    if (u == NULL)
        return GH_ERR_NOMEM;
    if (curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
        goto done;
    (void)curl_url_get(u, CURLUPART_PORT, &port, 0); /* absent: the scheme's default */
    host->ptr = port != NULL ? gh_arena_printf(a, "%s:%s", h, port) : gh_arena_printf(a, "%s", h);
    path->ptr = gh_arena_printf(a, "%s", p[0] != '\0' ? p : "/");
    if (host->ptr == NULL || path->ptr == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    host->len = strlen(host->ptr);
    path->len = strlen(path->ptr);
    err = GH_OK;
done:
    curl_free(h);
    curl_free(port);
    curl_free(p);
    curl_url_cleanup(u);
    return err;
}

enum gh_err
gh_cli_sts_post(const char *endpoint, const struct gh_cli_aws *a, struct gh_slice form,
                struct gh_buf *out, long *status, char *why, size_t why_len)
{
    struct gh_arena arena;
    struct gh_http_header h[4];
    struct gh_slice host, path;
    struct gh_buf auth;
    struct curl_slist *list = NULL;
    CURL *curl = NULL;
    char amz[17];
    const char *line;
    int64_t now = gh_now_s();
    size_t nh = 3;
    CURLcode rc;
    enum gh_err err;

    *status = 0;
    gh_arena_init(&arena);
    gh_buf_init(&auth, 0);
    if ((err = endpoint_parts(endpoint, &arena, &host, &path)) != GH_OK) {
        (void)snprintf(why, why_len, "--endpoint %s is not a URL such as http://127.0.0.1:7878",
                       endpoint);
        goto done;
    }
    gh_time_amz(now, amz);
    h[0] = (struct gh_http_header){GH_S("Content-Type"),
                                   GH_S("application/x-www-form-urlencoded; charset=utf-8")};
    h[1] = (struct gh_http_header){GH_S("Host"), host};
    h[2] = (struct gh_http_header){GH_S("X-Amz-Date"), gh_slice_from_cstr(amz)};
    if (a->session_token != NULL)
        h[nh++] = (struct gh_http_header){GH_S("X-Amz-Security-Token"),
                                          gh_slice_from_cstr(a->session_token)};
    struct gh_sigv4_request req = {.method = GH_S("POST"),
                                   .path = path,
                                   .headers = h,
                                   .nheaders = nh,
                                   .body = form,
                                   .normalize_path = true};
    struct gh_sigv4_signing sg = {gh_slice_from_cstr(a->access_key_id),
                                  &a->secret,
                                  GH_SLICE_NULL,
                                  gh_slice_from_cstr(a->region),
                                  GH_S("sts"),
                                  now,
                                  GH_SLICE_NULL};
    if ((err = gh_sigv4_sign(&req, &sg, &arena, &auth)) != GH_OK) {
        (void)snprintf(why, why_len, "cannot sign the request (%s)", gh_err_str(err));
        goto done;
    }
    for (size_t i = 0; i < nh; i++) {
        line = gh_arena_printf(&arena, "%.*s: %.*s", GH_SP(h[i].name), GH_SP(h[i].value));
        struct curl_slist *next = line == NULL ? NULL : curl_slist_append(list, line);
        if (next == NULL) {
            err = GH_ERR_NOMEM;
            goto done;
        }
        list = next;
    }
    line = gh_arena_printf(&arena, "Authorization: %.*s", GH_SP(gh_buf_slice(&auth)));
    struct curl_slist *more[] = {NULL, NULL};
    if (line == NULL || (more[0] = curl_slist_append(list, line)) == NULL ||
        (more[1] = curl_slist_append(more[0], "Expect:")) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    list = more[1];
    if ((curl = curl_easy_init()) == NULL) {
        err = GH_ERR_NOMEM;
        goto done;
    }
    (void)curl_easy_setopt(curl, CURLOPT_URL, endpoint);
    (void)curl_easy_setopt(curl, CURLOPT_POST, 1L);
    (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.ptr);
    (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)form.len);
    (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    (void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    (void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    (void)curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    (void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    (void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    (void)curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if ((rc = curl_easy_perform(curl)) != CURLE_OK) {
        (void)snprintf(why, why_len, "cannot reach the gatehouse server at %s: %s", endpoint,
                       curl_easy_strerror(rc));
        err = GH_ERR_IO;
        goto done;
    }
    (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    err = GH_OK;
done:
    if (curl != NULL)
        curl_easy_cleanup(curl);
    curl_slist_free_all(list);
    gh_buf_cleanup(&auth);
    gh_arena_cleanup(&arena);
    return err;
}

enum gh_err
gh_cli_sts_credentials(const char *endpoint, const struct gh_cli_aws *a, struct gh_slice form,
                       struct gh_creds_set *out, char *why, size_t why_len)
{
    struct gh_buf body;
    struct gh_arena arena;
    struct gh_slice code, msg;
    long status = 0;
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    gh_buf_init(&body, GH_CLI_RESPONSE_MAX);
    gh_arena_init(&arena);
    if ((err = gh_cli_sts_post(endpoint, a, form, &body, &status, why, why_len)) != GH_OK)
        goto done;
    if (status == 200) {
        if ((err = gh_creds_sts_parse(gh_buf_slice(&body), gh_now_s(), out)) != GH_OK)
            (void)snprintf(why, why_len, "the server's answer holds no usable credentials");
        goto done;
    }
    if (gh_creds_xml_text(&arena, gh_buf_slice(&body), "Code", &code) != GH_OK)
        code = GH_S("HTTP error");
    if (gh_creds_xml_text(&arena, gh_buf_slice(&body), "Message", &msg) != GH_OK)
        msg = GH_S("(no message)");
    (void)snprintf(why, why_len, "%.*s (HTTP %ld): %.*s", GH_SP(code), status, GH_SP(msg));
    err = gh_slice_eq_cstr(code, "AccessDenied") ? GH_ERR_ACCESS_DENIED : GH_ERR_INVALID_INPUT;
done:
    gh_arena_cleanup(&arena);
    gh_buf_cleanup(&body);
    return err;
}
