/*
 * saml_idp.c: `gatehouse saml-idp metadata|assert`: a built-in SAML IdP
 * for trying AssumeRoleWithSAML offline: its metadata (for
 * CreateSAMLProvider) and signed SAMLResponses naming roles.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_int.h"
#include "crypto/crypto.h"
#include "federation/federation.h"

static int
usage(const char *why)
{
    fprintf(stderr,
            "gatehouse saml-idp: %s\n"
            "usage: gatehouse saml-idp metadata --dir DIR\n"
            "       gatehouse saml-idp assert --dir DIR --subject S --role ROLE-ARN,PROVIDER-ARN\n"
            "                 [--attr NAME=VALUE ...] [--session-name N] [--ttl SECONDS]\n"
            "                 [--sign assertion|response|none] [--audience URL]\n",
            why);
    return 2;
}

static int
fail(const char *why)
{
    fprintf(stderr, "gatehouse saml-idp: %s\n", why);
    return 1;
}

static bool
slurp(const char *path, struct gh_buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    bool ok = true;

    if (f == NULL)
        return false;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ok = ok && gh_buf_append(out, chunk, n) == GH_OK;
    fclose(f);
    return ok && out->ptr != NULL;
}

/* DIR/idp.key and DIR/idp.pem (RSA, self-signed), made on first use. */
static bool
load_keys(const char *dir, struct gh_buf *key, struct gh_buf *cert)
{
    char kp[4096], cp[4096];

    (void)snprintf(kp, sizeof(kp), "%s/idp.key", dir);
    (void)snprintf(cp, sizeof(cp), "%s/idp.pem", dir);
    if (slurp(kp, key) && slurp(cp, cert))
        return true;
    gh_buf_reset(key);
    gh_buf_reset(cert);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return false;
    return gh_fed_pki_issue("gatehouse test IdP", NULL, false, true, GH_S(""), GH_S(""), 3650, key,
                            cert) == GH_OK &&
           gh_cli_file_write(kp, gh_buf_slice(key), GH_CLI_MODE_SECRET) == GH_OK &&
           gh_cli_file_write(cp, gh_buf_slice(cert), GH_CLI_MODE_PUBLIC) == GH_OK;
}

/* The base64 body of a PEM certificate (what X509Certificate holds). */
static void
pem_body(struct gh_slice pem, struct gh_buf *out)
{
    struct gh_slice line;

    while (gh_slice_split(&pem, '\n', &line))
        if (line.len > 0 && line.ptr[0] != '-')
            gh_buf_put(out, gh_slice_trim(line));
}

static const char *
entity_id(void)
{
    return "https://idp.gatehouse.test/saml";
}

static void
metadata(struct gh_buf *out, struct gh_slice cert_pem)
{
    gh_buf_putf(out,
                "<?xml version=\"1.0\"?>\n<md:EntityDescriptor "
                "xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"%s\">"
                "<md:IDPSSODescriptor protocolSupportEnumeration="
                "\"urn:oasis:names:tc:SAML:2.0:protocol\"><md:KeyDescriptor use=\"signing\">"
                "<ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:X509Data>"
                "<ds:X509Certificate>",
                entity_id());
    pem_body(cert_pem, out);
    gh_buf_putf(out,
                "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
                "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
                "</md:NameIDFormat><md:SingleSignOnService Binding="
                "\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"%s/sso\"/>"
                "</md:IDPSSODescriptor></md:EntityDescriptor>\n",
                entity_id());
}

static void
attr(struct gh_buf *x, const char *name, struct gh_slice value)
{
    gh_buf_puts(x, "<saml:Attribute Name=\"");
    gh_xml_escape(x, gh_slice_from_cstr(name));
    gh_buf_puts(x, "\"><saml:AttributeValue>");
    gh_xml_escape(x, value);
    gh_buf_puts(x, "</saml:AttributeValue></saml:Attribute>");
}

int
gh_cli_saml_idp(int argc, char **argv)
{
    const char *dir = NULL, *subject = NULL, *session = NULL, *sign = "assertion",
               *audience = "https://signin.aws.amazon.com/saml";
    const char *roles[16], *attrs[64];
    size_t nroles = 0, nattrs = 0;
    int64_t ttl = 300, now = gh_now_s();
    struct gh_buf key, cert, x, signed_x, out;
    char rid[40], aid[40], t_now[21], t_exp[21], t_nb[21];
    uint8_t rnd[16];
    int rc = 1;

    if (argc < 2)
        return usage("missing subcommand (metadata, assert)");
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            return usage("every option takes a value");
        i++;
        if (strcmp(o, "--dir") == 0)
            dir = v;
        else if (strcmp(o, "--subject") == 0)
            subject = v;
        else if (strcmp(o, "--session-name") == 0)
            session = v;
        else if (strcmp(o, "--sign") == 0)
            sign = v;
        else if (strcmp(o, "--audience") == 0)
            audience = v;
        else if (strcmp(o, "--role") == 0 && nroles < 16)
            roles[nroles++] = v;
        else if (strcmp(o, "--attr") == 0 && nattrs < 64)
            attrs[nattrs++] = v;
        else if (strcmp(o, "--ttl") == 0) {
            if (gh_parse_i64(gh_slice_from_cstr(v), -31536000, 31536000, &ttl) != GH_OK)
                return usage("--ttl must be seconds (negative for an expired assertion)");
        } else
            return usage("unknown or repeated option");
    }
    if (dir == NULL)
        return usage("--dir DIR is required");
    gh_buf_init(&key, 0);
    gh_buf_init(&cert, 0);
    gh_buf_init(&x, 0);
    gh_buf_init(&signed_x, 0);
    gh_buf_init(&out, 0);
    if (!load_keys(dir, &key, &cert)) {
        rc = fail("cannot create or read the IdP key in --dir");
        goto done;
    }
    if (strcmp(argv[1], "metadata") == 0) {
        metadata(&out, gh_buf_slice(&cert));
        if (gh_buf_status(&out) != GH_OK)
            goto done;
        fputs(out.ptr, stdout);
        rc = 0;
        goto done;
    }
    if (strcmp(argv[1], "assert") != 0) {
        rc = usage("unknown subcommand (metadata, assert)");
        goto done;
    }
    if (subject == NULL || nroles == 0) {
        rc = usage("assert needs --subject and --role ROLE-ARN,PROVIDER-ARN");
        goto done;
    }
    if (gh_random(rnd, sizeof(rnd)) != GH_OK)
        goto done;
    rid[0] = '_';
    gh_hex_encode(rnd, 8, rid + 1);
    rid[17] = '\0';
    aid[0] = '_';
    gh_hex_encode(rnd + 8, 8, aid + 1);
    aid[17] = '\0';
    gh_time_iso8601(ttl < 0 ? now + ttl - 60 : now, t_now);
    gh_time_iso8601(ttl < 0 ? now + ttl - 120 : now - 60, t_nb);
    gh_time_iso8601(now + ttl, t_exp);
    gh_buf_putf(&x,
                "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"%s\" Version=\"2.0\" "
                "IssueInstant=\"%s\" Destination=\"%s\"><saml:Issuer>%s</saml:Issuer>"
                "<samlp:Status><samlp:StatusCode "
                "Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>"
                "<saml:Assertion ID=\"%s\" Version=\"2.0\" IssueInstant=\"%s\">"
                "<saml:Issuer>%s</saml:Issuer><saml:Subject><saml:NameID "
                "Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent\">",
                rid, t_now, audience, entity_id(), aid, t_now, entity_id());
    gh_xml_escape(&x, gh_slice_from_cstr(subject));
    gh_buf_putf(&x,
                "</saml:NameID><saml:SubjectConfirmation "
                "Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"><saml:SubjectConfirmationData "
                "NotOnOrAfter=\"%s\" Recipient=\"%s\"/></saml:SubjectConfirmation></saml:Subject>"
                "<saml:Conditions NotBefore=\"%s\" NotOnOrAfter=\"%s\"><saml:AudienceRestriction>"
                "<saml:Audience>%s</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
                "<saml:AuthnStatement AuthnInstant=\"%s\"><saml:AuthnContext>"
                "<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:"
                "PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>"
                "</saml:AuthnStatement><saml:AttributeStatement>",
                t_exp, audience, t_nb, t_exp, audience, t_now);
    gh_buf_puts(&x, "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/Role\">");
    for (size_t i = 0; i < nroles; i++) {
        gh_buf_puts(&x, "<saml:AttributeValue>");
        gh_xml_escape(&x, gh_slice_from_cstr(roles[i]));
        gh_buf_puts(&x, "</saml:AttributeValue>");
    }
    gh_buf_puts(&x, "</saml:Attribute>");
    attr(&x, "https://aws.amazon.com/SAML/Attributes/RoleSessionName",
         gh_slice_from_cstr(session != NULL ? session : subject));
    for (size_t i = 0; i < nattrs; i++) {
        const char *eq = strchr(attrs[i], '=');
        char name[512];
        if (eq == NULL || (size_t)(eq - attrs[i]) >= sizeof(name)) {
            rc = usage("--attr must be NAME=VALUE");
            goto done;
        }
        memcpy(name, attrs[i], (size_t)(eq - attrs[i]));
        name[eq - attrs[i]] = '\0';
        attr(&x, name, gh_slice_from_cstr(eq + 1));
    }
    gh_buf_puts(&x, "</saml:AttributeStatement></saml:Assertion></samlp:Response>");
    if (gh_buf_status(&x) != GH_OK)
        goto done;
    if (strcmp(sign, "none") == 0) {
        if (gh_buf_append_slice(&signed_x, gh_buf_slice(&x)) != GH_OK)
            goto done;
    } else if (strcmp(sign, "assertion") == 0 || strcmp(sign, "response") == 0) {
        if (gh_fed_saml_sign(gh_buf_slice(&x), strcmp(sign, "assertion") == 0 ? aid : rid,
                             gh_buf_slice(&key), gh_buf_slice(&cert), &signed_x) != GH_OK) {
            rc = fail("cannot sign the response");
            goto done;
        }
    } else {
        rc = usage("--sign must be assertion, response or none");
        goto done;
    }
    if (gh_base64_encode(&out, (const uint8_t *)signed_x.ptr, signed_x.len) != GH_OK)
        goto done;
    printf("%s\n", out.ptr);
    rc = 0;
done:
    gh_buf_cleanup(&key);
    gh_buf_cleanup(&cert);
    gh_buf_cleanup(&x);
    gh_buf_cleanup(&signed_x);
    gh_buf_cleanup(&out);
    return rc;
}
