/*
 * oidc_issuer.c: `gatehouse oidc-issuer serve|mint|rotate`: a built-in
 * OIDC issuer for trying AssumeRoleWithWebIdentity offline: discovery and
 * JWKS over HTTPS (certificate from a CA it makes in DIR), tokens shaped
 * like a real issuer's (GitHub Actions preset), key rotation.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cjose/cjose.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cli/cli_int.h"
#include "crypto/crypto.h"
#include "federation/federation.h"

#define KEYS_MAX 64

static int
fail(const char *what, const char *why)
{
    fprintf(stderr, "gatehouse oidc-issuer %s: %s\n", what, why);
    return 1;
}

static int
usage(const char *why)
{
    fprintf(stderr,
            "gatehouse oidc-issuer: %s\n"
            "usage: gatehouse oidc-issuer serve --listen HOST:PORT --dir DIR\n"
            "       gatehouse oidc-issuer mint --dir DIR [--sub S] [--aud A] [--claim K=V ...]\n"
            "                 [--ttl SECONDS] [--preset github-actions --repo ORG/REPO\n"
            "                 [--ref REF] [--environment ENV] [--event EVENT]]\n"
            "       gatehouse oidc-issuer rotate --dir DIR\n",
            why);
    return 2;
}

/* Whole file into `out` (NUL-terminated); false when unreadable. */
static bool
read_file(const char *path, struct gh_buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    bool ok = true;

    if (f == NULL)
        return false;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (gh_buf_append(out, chunk, n) != GH_OK)
            ok = false;
    fclose(f);
    return ok && out->ptr != NULL;
}

/* `data` into `path` with `mode` from its creation on (gh_cli_file_write). */
static bool
write_file(const char *path, struct gh_slice data, mode_t mode)
{
    return gh_cli_file_write(path, data, mode) == GH_OK;
}

static bool
exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The numbered key files in DIR/keys, sorted; returns how many. */
static size_t
key_files(const char *dir, unsigned *nums)
{
    char path[4096];
    DIR *d;
    struct dirent *e;
    size_t n = 0;

    (void)snprintf(path, sizeof(path), "%s/keys", dir);
    if ((d = opendir(path)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL && n < KEYS_MAX) {
        uint64_t v;
        struct gh_slice name = gh_slice_from_cstr(e->d_name);
        if (!gh_slice_ends_with(name, GH_S(".json")) ||
            gh_parse_u64(gh_slice_sub(name, 0, name.len - 5), 9999, &v) != GH_OK)
            continue;
        nums[n++] = (unsigned)v;
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && nums[j - 1] > nums[j]; j--) {
            unsigned t = nums[j];
            nums[j] = nums[j - 1];
            nums[j - 1] = t;
        }
    return n;
}

/* A new RSA signing key DIR/keys/NNNN.json with a random kid; prints the kid. */
static bool
add_key(const char *dir, char *kid_out, size_t kid_cap)
{
    static const uint8_t e65537[] = {1, 0, 1};
    unsigned nums[KEYS_MAX];
    size_t n = key_files(dir, nums);
    char path[4096], kid[24];
    uint8_t rnd[8];
    cjose_err cerr;
    cjose_jwk_t *jwk;
    char *json;
    bool ok;

    (void)snprintf(path, sizeof(path), "%s/keys", dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return false;
    if (n >= KEYS_MAX || gh_random(rnd, sizeof(rnd)) != GH_OK)
        return false;
    gh_hex_encode(rnd, sizeof(rnd), kid);
    kid[16] = '\0';
    if ((jwk = cjose_jwk_create_RSA_random(2048, e65537, sizeof(e65537), &cerr)) == NULL)
        return false;
    if (!cjose_jwk_set_kid(jwk, kid, strlen(kid), &cerr) ||
        (json = cjose_jwk_to_json(jwk, true, &cerr)) == NULL) {
        cjose_jwk_release(jwk);
        return false;
    }
    (void)snprintf(path, sizeof(path), "%s/keys/%04u.json", dir, n == 0 ? 1 : nums[n - 1] + 1);
    ok = write_file(path, gh_slice_from_cstr(json), GH_CLI_MODE_SECRET); /* private JWK */
    OPENSSL_cleanse(json, strlen(json));
    free(json);
    cjose_jwk_release(jwk);
    (void)snprintf(kid_out, kid_cap, "%s", kid);
    return ok;
}

/* The public JWKS of every key in DIR/keys (newest first), as JSON text. */
static char *
jwks_json(const char *dir)
{
    unsigned nums[KEYS_MAX];
    size_t n = key_files(dir, nums);
    json_t *keys = json_array(), *doc;
    char *out;

    for (size_t i = n; i-- > 0;) {
        char path[4096];
        struct gh_buf b;
        cjose_err cerr;
        cjose_jwk_t *jwk;
        char *pub;
        json_t *j;

        gh_buf_init(&b, 0);
        (void)snprintf(path, sizeof(path), "%s/keys/%04u.json", dir, nums[i]);
        if (read_file(path, &b) && (jwk = cjose_jwk_import(b.ptr, b.len, &cerr)) != NULL) {
            if ((pub = cjose_jwk_to_json(jwk, false, &cerr)) != NULL) {
                if ((j = json_loads(pub, 0, NULL)) != NULL) {
                    json_object_set_new(j, "use", json_string("sig"));
                    json_object_set_new(j, "alg", json_string("RS256"));
                    json_array_append_new(keys, j);
                }
                free(pub);
            }
            cjose_jwk_release(jwk);
        }
        gh_buf_cleanup(&b);
    }
    doc = json_pack("{s:o}", "keys", keys);
    out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return out;
}

/*
 * Key files an older gatehouse wrote with mode 0644 are made private
 * (chmod 0600) before they are used again.
 */
static bool
keys_private(const char *dir)
{
    unsigned nums[KEYS_MAX];
    size_t n = key_files(dir, nums);
    char path[4096];
    bool ok = true;

    for (size_t i = 0; i <= n; i++) {
        if (i < n)
            (void)snprintf(path, sizeof(path), "%s/keys/%04u.json", dir, nums[i]);
        else
            (void)snprintf(path, sizeof(path), "%s/ca.key", dir);
        if (chmod(path, GH_CLI_MODE_SECRET) != 0 && errno != ENOENT)
            ok = false;
    }
    return ok;
}

/* CA in DIR (made once), a TLS certificate for `host` signed by it. */
static bool
ensure_pki(const char *dir, const char *host)
{
    char ca_key[4096], ca_pem[4096], tls_key[4096], tls_pem[4096], san[512];
    struct gh_buf k, c;
    bool ok = false;
    struct in_addr a4;

    (void)snprintf(ca_key, sizeof(ca_key), "%s/ca.key", dir);
    (void)snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", dir);
    (void)snprintf(tls_key, sizeof(tls_key), "%s/tls.key", dir);
    (void)snprintf(tls_pem, sizeof(tls_pem), "%s/tls.pem", dir);
    gh_buf_init(&k, 0);
    gh_buf_init(&c, 0);
    if (!exists(ca_key) || !exists(ca_pem)) {
        if (gh_fed_pki_issue("gatehouse test issuer CA", NULL, true, false, GH_S(""), GH_S(""),
                             3650, &k, &c) != GH_OK ||
            !write_file(ca_key, gh_buf_slice(&k), GH_CLI_MODE_SECRET) ||
            !write_file(ca_pem, gh_buf_slice(&c), GH_CLI_MODE_PUBLIC))
            goto done;
    }
    gh_buf_reset(&k);
    gh_buf_reset(&c);
    {
        struct gh_buf ck, cc;
        gh_buf_init(&ck, 0);
        gh_buf_init(&cc, 0);
        (void)snprintf(san, sizeof(san), "%s:%s,DNS:localhost,IP:127.0.0.1",
                       inet_pton(AF_INET, host, &a4) == 1 ? "IP" : "DNS", host);
        ok = read_file(ca_key, &ck) && read_file(ca_pem, &cc) &&
             gh_fed_pki_issue(host, san, false, false, gh_buf_slice(&ck), gh_buf_slice(&cc), 825,
                              &k, &c) == GH_OK &&
             write_file(tls_key, gh_buf_slice(&k), GH_CLI_MODE_SECRET) &&
             write_file(tls_pem, gh_buf_slice(&c), GH_CLI_MODE_PUBLIC);
        gh_buf_cleanup(&ck);
        gh_buf_cleanup(&cc);
    }
done:
    gh_buf_cleanup(&k);
    gh_buf_cleanup(&c);
    return ok;
}

static void
respond(SSL *ssl, int status, const char *type, const char *body, const char *extra)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Connection: close\r\n\r\n",
                     status, status == 200 ? "OK" : "Not Found", type, strlen(body),
                     extra == NULL ? "" : extra);
    if (n > 0 && SSL_write(ssl, head, n) > 0 && body[0] != '\0')
        (void)SSL_write(ssl, body, (int)strlen(body));
}

/* One HTTPS request: discovery, JWKS, or 404. */
static void
serve_one(SSL_CTX *ctx, int fd, const char *dir, const char *issuer)
{
    SSL *ssl = SSL_new(ctx);
    char req[8192], path[1024];
    int n = 0, r;
    struct gh_slice line, rest, method, target;

    if (ssl == NULL)
        return;
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1)
        goto done;
    while (n < (int)sizeof(req) - 1 && (r = SSL_read(ssl, req + n, (int)sizeof(req) - 1 - n)) > 0) {
        n += r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL)
            break;
    }
    rest = (struct gh_slice){req, (size_t)n};
    if (!gh_slice_split(&rest, '\n', &line) || !gh_slice_split(&line, ' ', &method) ||
        !gh_slice_split(&line, ' ', &target) || target.len >= sizeof(path))
        goto done;
    memcpy(path, target.ptr, target.len);
    path[target.len] = '\0';
    if (strcmp(path, "/.well-known/openid-configuration") == 0) {
        json_t *doc =
            json_pack("{s:s,s:s+,s:[s],s:[s],s:[s],s:[sssss]}", "issuer", issuer, "jwks_uri",
                      issuer, "/.well-known/jwks.json", "response_types_supported", "id_token",
                      "subject_types_supported", "public", "id_token_signing_alg_values_supported",
                      "RS256", "claims_supported", "sub", "aud", "exp", "iat", "iss");
        char *body = json_dumps(doc, JSON_COMPACT);
        respond(ssl, 200, "application/json", body == NULL ? "{}" : body,
                "Cache-Control: max-age=300\r\n");
        free(body);
        json_decref(doc);
    } else if (strcmp(path, "/.well-known/jwks.json") == 0) {
        char *body = jwks_json(dir);
        respond(ssl, 200, "application/json", body == NULL ? "{\"keys\":[]}" : body,
                "Cache-Control: max-age=300\r\n");
        free(body);
    } else {
        respond(ssl, 404, "text/plain", "not found\n", NULL);
    }
    SSL_shutdown(ssl);
done:
    SSL_free(ssl);
}

static int
cmd_serve(const char *listen_on, const char *dir)
{
    char host[256], issuer[512], path[4096], kid[32];
    const char *colon = strrchr(listen_on, ':');
    uint64_t port;
    struct sockaddr_in sa;
    SSL_CTX *ctx;
    unsigned nums[KEYS_MAX];
    int s, one = 1;

    if (colon == NULL || (size_t)(colon - listen_on) >= sizeof(host) ||
        gh_parse_u64(gh_slice_from_cstr(colon + 1), 65535, &port) != GH_OK || port == 0)
        return usage("--listen must be HOST:PORT");
    memcpy(host, listen_on, (size_t)(colon - listen_on));
    host[colon - listen_on] = '\0';
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &sa.sin_addr) != 1)
        return usage("--listen needs an IPv4 address or localhost");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return fail("serve", "cannot create --dir");
    if (!keys_private(dir))
        return fail("serve", "cannot make the key files in --dir private (chmod 600)");
    if (!ensure_pki(dir, host))
        return fail("serve", "cannot create the CA and TLS certificate in --dir");
    if (key_files(dir, nums) == 0 && !add_key(dir, kid, sizeof(kid)))
        return fail("serve", "cannot create a signing key in --dir");
    (void)snprintf(issuer, sizeof(issuer), "https://%s", listen_on);
    (void)snprintf(path, sizeof(path), "%s/issuer", dir);
    if (!write_file(path, gh_slice_from_cstr(issuer), GH_CLI_MODE_PUBLIC))
        return fail("serve", "cannot write DIR/issuer");

    if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
        return fail("serve", "cannot create a TLS context");
    (void)snprintf(path, sizeof(path), "%s/tls.pem", dir);
    if (SSL_CTX_use_certificate_file(ctx, path, SSL_FILETYPE_PEM) != 1)
        return fail("serve", "cannot load DIR/tls.pem");
    (void)snprintf(path, sizeof(path), "%s/tls.key", dir);
    if (SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) != 1)
        return fail("serve", "cannot load DIR/tls.key");
    if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return fail("serve", "cannot create a socket");
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s, 64) != 0) {
        close(s);
        return fail("serve", "cannot listen; is the port in use?");
    }
    signal(SIGPIPE, SIG_IGN);
    printf("issuer %s\nca-file %s/ca.pem\n", issuer, dir);
    fflush(stdout);
    for (;;) {
        struct timeval tv = {5, 0};
        int fd = accept(s, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        /* A silent client costs at most 5 s. */
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        serve_one(ctx, fd, dir, issuer);
        close(fd);
        ERR_clear_error();
    }
    close(s);
    SSL_CTX_free(ctx);
    return 1;
}

/* "k=v": a JSON value when v parses as one (numbers, arrays, objects), else a string. */
static bool
set_claim(json_t *claims, const char *kv)
{
    const char *eq = strchr(kv, '=');
    char key[256];
    json_t *v;

    if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof(key))
        return false;
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    v = NULL;
    if (strchr("[{0123456789-", eq[1]) != NULL && eq[1] != '\0')
        v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
    if (v == NULL && (strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "false") == 0))
        v = json_boolean(strcmp(eq + 1, "true") == 0);
    if (v == NULL)
        v = json_string(eq + 1);
    return json_object_set_new(claims, key, v) == 0;
}

static void
rand_hex(char *out, size_t nbytes)
{
    uint8_t b[32];

    if (nbytes > sizeof(b) || gh_random(b, nbytes) != GH_OK)
        memset(b, 0x5a, sizeof(b));
    gh_hex_encode(b, nbytes, out);
    out[nbytes * 2] = '\0';
}

/* GitHub Actions' token shape (docs.github.com: "About security hardening with OpenID Connect"). */
static bool
github_claims(json_t *c, const char *repo, const char *ref, const char *env, const char *event,
              int64_t now)
{
    char sub[1024], sha[41], jti[33], wf_ref[1024];
    const char *slash = strchr(repo, '/');
    char owner[256];
    bool pr = strcmp(event, "pull_request") == 0;

    if (slash == NULL || slash == repo || (size_t)(slash - repo) >= sizeof(owner))
        return false;
    memcpy(owner, repo, (size_t)(slash - repo));
    owner[slash - repo] = '\0';
    rand_hex(sha, 20);
    rand_hex(jti, 16);
    /* The sub claim: environment first, then pull_request, else the ref. */
    if (env != NULL)
        (void)snprintf(sub, sizeof(sub), "repo:%s:environment:%s", repo, env);
    else if (pr)
        (void)snprintf(sub, sizeof(sub), "repo:%s:pull_request", repo);
    else
        (void)snprintf(sub, sizeof(sub), "repo:%s:ref:%s", repo, ref);
    (void)snprintf(wf_ref, sizeof(wf_ref), "%s/.github/workflows/ci.yml@%s", repo, ref);
    json_object_set_new(c, "jti", json_string(jti));
    json_object_set_new(c, "sub", json_string(sub));
    json_object_set_new(c, "aud", json_string("sts.amazonaws.com"));
    json_object_set_new(c, "ref", json_string(ref));
    json_object_set_new(c, "sha", json_string(sha));
    json_object_set_new(c, "repository", json_string(repo));
    json_object_set_new(c, "repository_owner", json_string(owner));
    json_object_set_new(c, "repository_owner_id", json_string("1000001"));
    json_object_set_new(c, "repository_id", json_string("2000002"));
    json_object_set_new(c, "repository_visibility", json_string("private"));
    json_object_set_new(c, "run_id", json_sprintf("%lld", (long long)now));
    json_object_set_new(c, "run_number", json_string("1"));
    json_object_set_new(c, "run_attempt", json_string("1"));
    json_object_set_new(c, "actor", json_string(owner));
    json_object_set_new(c, "actor_id", json_string("1000001"));
    json_object_set_new(c, "workflow", json_string("CI"));
    json_object_set_new(c, "workflow_ref", json_string(wf_ref));
    json_object_set_new(c, "workflow_sha", json_string(sha));
    json_object_set_new(c, "job_workflow_ref", json_string(wf_ref));
    json_object_set_new(c, "job_workflow_sha", json_string(sha));
    json_object_set_new(c, "head_ref", json_string(pr ? "feature" : ""));
    json_object_set_new(c, "base_ref", json_string(pr ? "main" : ""));
    json_object_set_new(c, "event_name", json_string(event));
    json_object_set_new(c, "ref_type", json_string("branch"));
    json_object_set_new(c, "runner_environment", json_string("github-hosted"));
    if (env != NULL)
        json_object_set_new(c, "environment", json_string(env));
    return true;
}

static int
cmd_mint(int argc, char **argv, const char *dir)
{
    const char *sub = NULL, *aud = NULL, *preset = NULL, *repo = NULL, *ref = "refs/heads/main",
               *env = NULL, *event = "push";
    int64_t ttl = 3600, now = gh_now_s();
    unsigned nums[KEYS_MAX];
    size_t n = key_files(dir, nums);
    char path[4096];
    struct gh_buf iss, key, tok;
    json_t *claims = json_object();
    char *text = NULL;
    int rc = 1;

    gh_buf_init(&iss, 0);
    gh_buf_init(&key, 0);
    gh_buf_init(&tok, 0);
    (void)snprintf(path, sizeof(path), "%s/issuer", dir);
    if (!read_file(path, &iss)) {
        rc = fail("mint", "DIR/issuer is missing; run 'gatehouse oidc-issuer serve' first");
        goto done;
    }
    if (n == 0) {
        rc = fail("mint", "DIR has no signing key; run 'gatehouse oidc-issuer serve' first");
        goto done;
    }
    (void)snprintf(path, sizeof(path), "%s/keys/%04u.json", dir, nums[n - 1]);
    if (!read_file(path, &key)) {
        rc = fail("mint", "cannot read the newest signing key");
        goto done;
    }
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            rc = usage("every mint option takes a value");
            goto done;
        }
        i++;
        if (strcmp(o, "--sub") == 0)
            sub = v;
        else if (strcmp(o, "--aud") == 0)
            aud = v;
        else if (strcmp(o, "--ttl") == 0) {
            if (gh_parse_i64(gh_slice_from_cstr(v), -31536000, 31536000, &ttl) != GH_OK) {
                rc = usage("--ttl must be seconds (negative for an expired token)");
                goto done;
            }
        } else if (strcmp(o, "--preset") == 0)
            preset = v;
        else if (strcmp(o, "--repo") == 0)
            repo = v;
        else if (strcmp(o, "--ref") == 0)
            ref = v;
        else if (strcmp(o, "--environment") == 0)
            env = v;
        else if (strcmp(o, "--event") == 0)
            event = v;
        else if (strcmp(o, "--claim") == 0)
            continue; /* applied last, so they override */
        else {
            rc = usage("unknown mint option");
            goto done;
        }
    }
    if (preset != NULL) {
        if (strcmp(preset, "github-actions") != 0 || repo == NULL) {
            rc = usage("--preset github-actions needs --repo ORG/REPO");
            goto done;
        }
        if (!github_claims(claims, repo, ref, env, event, now)) {
            rc = usage("--repo must be ORG/REPO");
            goto done;
        }
    } else if (sub == NULL || aud == NULL) {
        rc = usage("mint needs --sub and --aud (or --preset github-actions --repo ORG/REPO)");
        goto done;
    }
    json_object_set_new(claims, "iss", json_string(iss.ptr));
    if (sub != NULL)
        json_object_set_new(claims, "sub", json_string(sub));
    if (aud != NULL)
        json_object_set_new(claims, "aud", json_string(aud));
    json_object_set_new(claims, "iat", json_integer(ttl < 0 ? now + ttl - 60 : now));
    json_object_set_new(claims, "nbf", json_integer(ttl < 0 ? now + ttl - 60 : now));
    json_object_set_new(claims, "exp", json_integer(now + ttl));
    for (int i = 0; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--claim") == 0 && !set_claim(claims, argv[i + 1])) {
            rc = usage("--claim must be KEY=VALUE");
            goto done;
        }
    if ((text = json_dumps(claims, JSON_COMPACT)) == NULL ||
        gh_fed_jwt_sign(gh_buf_slice(&key), "RS256", gh_slice_from_cstr(text), &tok) != GH_OK) {
        rc = fail("mint", "cannot sign the token");
        goto done;
    }
    printf("%s\n", tok.ptr);
    rc = 0;
done:
    free(text);
    json_decref(claims);
    gh_buf_cleanup(&iss);
    gh_buf_cleanup(&key);
    gh_buf_cleanup(&tok);
    return rc;
}

int
gh_cli_oidc_issuer(int argc, char **argv)
{
    const char *dir = NULL, *listen_on = NULL;
    char **rest = NULL;
    int nrest = 0;

    if (argc < 2)
        return usage("missing subcommand (serve, mint, rotate)");
    /* --dir and --listen anywhere; the rest belongs to the subcommand. */
    rest = calloc((size_t)argc, sizeof(*rest));
    if (rest == NULL)
        return fail(argv[1], "out of memory");
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
            listen_on = argv[++i];
        else
            rest[nrest++] = argv[i];
    }
    int rc;
    if (dir == NULL)
        rc = usage("--dir DIR is required");
    else if (strcmp(argv[1], "serve") == 0)
        rc =
            listen_on == NULL ? usage("serve needs --listen HOST:PORT") : cmd_serve(listen_on, dir);
    else if (strcmp(argv[1], "mint") == 0)
        rc = cmd_mint(nrest, rest, dir);
    else if (strcmp(argv[1], "rotate") == 0) {
        char kid[32];
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            rc = fail("rotate", "cannot create --dir");
        else if (!add_key(dir, kid, sizeof(kid)))
            rc = fail("rotate", "cannot create a signing key");
        else {
            printf("%s\n", kid);
            rc = 0;
        }
    } else
        rc = usage("unknown subcommand (serve, mint, rotate)");
    free(rest);
    return rc;
}
