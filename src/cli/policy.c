/*
 * policy.c: `gatehouse policy validate` and `gatehouse policy eval`: the
 * policy engine on the command line, with no server. Exit status: 0 valid
 * or allowed, 1 invalid or denied, 2 bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"
#include "policy/policy.h"

/* Declared in cli.h once the lead wires it; repeated here for -Wmissing-prototypes. */

#define MAX_FILES 16
#define MAX_CTX 64

static void
usage(FILE *f)
{
    fputs("usage: gatehouse policy validate [--kind KIND] FILE\n"
          "       gatehouse policy eval --policy FILE [--policy FILE ...] --action SERVICE:ACTION\n"
          "                             --resource ARN [--principal ARN]\n"
          "                             [--resource-policy FILE [--cross-account]]\n"
          "                             [--boundary FILE] [--session-policy FILE ...]\n"
          "                             [--context KEY=TYPE:VALUE ...]\n"
          "KIND: identity (default), resource, trust, boundary, session, scp, managed\n"
          "TYPE: string, number, date, bool, binary, ip, arn\n",
          f);
}

static int
bad_usage(const char *what)
{
    fprintf(stderr, "gatehouse policy: %s; run 'gatehouse policy --help' for usage\n", what);
    return 2;
}

static bool
kind_parse(const char *s, enum gh_policy_kind *out)
{
    static const char *const names[] = {"identity", "resource", "trust",  "boundary",
                                        "session",  "scp",      "managed"};
    for (size_t i = 0; i < GH_ARRAY_LEN(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum gh_policy_kind)i;
            return true;
        }
    }
    return false;
}

/* Reads a whole file into `b` (capped well above any policy quota). */
static bool
read_file(const char *path, struct gh_buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    bool ok = true;

    if (f == NULL) {
        fprintf(stderr, "gatehouse policy: cannot open %s; check the path\n", path);
        return false;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (gh_buf_append(b, chunk, n) != GH_OK) {
            fprintf(stderr, "gatehouse policy: %s is too large for a policy document\n", path);
            ok = false;
            break;
        }
    }
    if (ok && ferror(f)) {
        fprintf(stderr, "gatehouse policy: cannot read %s\n", path);
        ok = false;
    }
    fclose(f);
    return ok;
}

/* Compiles FILE as `kind`; prints AWS's message on failure. 0 ok, 1 invalid or unreadable. */
static int
load(const char *path, enum gh_policy_kind kind, struct gh_policy **out, size_t *chars)
{
    struct gh_buf b;
    struct gh_diag d;
    enum gh_err err;
    int rc = 1;

    *out = NULL;
    gh_buf_init(&b, (size_t)GH_IAM_POLICY_DOC_CHARS_MAX * 4);
    if (!read_file(path, &b))
        goto done;
    if (chars != NULL)
        *chars = gh_policy_doc_chars(gh_buf_slice(&b));
    err = gh_policy_compile(gh_buf_slice(&b), kind, &d, out);
    if (err == GH_ERR_MALFORMED_POLICY) {
        if (d.line > 0)
            fprintf(stderr, "%s:%d:%d: MalformedPolicyDocument: %s\n", path, d.line, d.column,
                    d.text);
        else
            fprintf(stderr, "%s: MalformedPolicyDocument: %s\n", path, d.text);
        goto done;
    }
    if (err != GH_OK) {
        fprintf(stderr, "gatehouse policy: %s: %s\n", path, gh_err_str(err));
        goto done;
    }
    rc = 0;
done:
    gh_buf_cleanup(&b);
    return rc;
}

static int
cmd_validate(int argc, char **argv)
{
    enum gh_policy_kind kind = GH_POLICY_IDENTITY;
    const char *file = NULL;
    struct gh_policy *p = NULL;
    size_t chars = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
            if (!kind_parse(argv[++i], &kind))
                return bad_usage("unknown --kind");
        } else if (argv[i][0] == '-') {
            return bad_usage("unknown option for validate");
        } else if (file == NULL) {
            file = argv[i];
        } else {
            return bad_usage("validate takes one FILE");
        }
    }
    if (file == NULL)
        return bad_usage("validate needs a FILE");
    if (load(file, kind, &p, &chars) != 0)
        return 1;
    printf("%s: valid, %zu statement(s), %zu characters without whitespace\n", file,
           gh_policy_statement_count(p), chars);
    gh_policy_unref(p);
    return 0;
}

static struct gh_slice
arn_account(struct gh_slice arn)
{
    struct gh_slice s = arn, part = GH_SLICE_NULL;
    for (int i = 0; i < 5; i++)
        if (!gh_slice_split(&s, ':', &part))
            return GH_SLICE_NULL;
    return part;
}

static void
principal_from_arn(const char *arn, struct gh_policy_principal *p)
{
    struct gh_slice a = gh_slice_from_cstr(arn);

    memset(p, 0, sizeof(*p));
    p->arn = a;
    p->account = arn_account(a);
    if (gh_slice_ends_with(a, GH_S(":root")))
        p->type = GH_PRINCIPAL_ROOT;
    else if (strstr(arn, ":assumed-role/") != NULL)
        p->type = GH_PRINCIPAL_ASSUMED_ROLE;
    else if (strstr(arn, ":federated-user/") != NULL)
        p->type = GH_PRINCIPAL_FEDERATED_USER;
    else if (strstr(arn, ":role/") != NULL)
        p->type = GH_PRINCIPAL_ROLE;
    else if (gh_slice_ends_with(a, GH_S(".amazonaws.com"))) {
        p->type = GH_PRINCIPAL_SERVICE;
        p->service = a;
    } else
        p->type = GH_PRINCIPAL_USER;
}

/* KEY=TYPE:VALUE */
static bool
context_add(struct gh_policy_ctx *c, char *spec)
{
    static const char *const types[] = {"string", "number", "date", "bool", "binary", "ip", "arn"};
    char *eq = strchr(spec, '='), *colon;

    if (eq == NULL || eq == spec)
        return false;
    *eq = '\0';
    colon = strchr(eq + 1, ':');
    if (colon == NULL)
        return false;
    *colon = '\0';
    for (size_t i = 0; i < GH_ARRAY_LEN(types); i++)
        if (strcmp(eq + 1, types[i]) == 0)
            return gh_policy_ctx_add(c, gh_slice_from_cstr(spec), (enum gh_policy_type)i,
                                     gh_slice_from_cstr(colon + 1)) == GH_OK;
    return false;
}

static const char *
role_name(enum gh_policy_role r)
{
    static const char *const names[] = {"identity", "resource", "boundary", "session", "scp"};
    return (unsigned)r < GH_ARRAY_LEN(names) ? names[r] : "?";
}

static int
cmd_eval(int argc, char **argv)
{
    struct gh_policy_src id[MAX_FILES], sp[MAX_FILES], rp, pb;
    struct gh_policy_set set = {0};
    struct gh_policy *owned[2 * MAX_FILES + 2];
    size_t nowned = 0;
    const char *action = NULL, *resource = NULL, *principal = "arn:aws:iam::123456789012:user/cli";
    char *ctx_specs[MAX_CTX];
    size_t nctx = 0;
    struct gh_arena a;
    struct gh_policy_ctx c;
    struct gh_policy_principal who;
    struct gh_policy_result r;
    struct gh_buf msg;
    int rc = 2;

    gh_arena_init(&a);
    gh_buf_init(&msg, 0);
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        struct gh_policy *p = NULL;
        enum gh_policy_kind kind;
        struct gh_policy_src *dst = NULL;

        if (strcmp(opt, "--cross-account") == 0) {
            set.cross_account = true;
            continue;
        }
        if (val == NULL) {
            rc = bad_usage("an option is missing its value");
            goto done;
        }
        i++;
        if (strcmp(opt, "--action") == 0) {
            action = val;
            continue;
        }
        if (strcmp(opt, "--resource") == 0) {
            resource = val;
            continue;
        }
        if (strcmp(opt, "--principal") == 0) {
            principal = val;
            continue;
        }
        if (strcmp(opt, "--context") == 0) {
            if (nctx == MAX_CTX) {
                rc = bad_usage("too many --context options");
                goto done;
            }
            ctx_specs[nctx++] = argv[i];
            continue;
        }
        if (strcmp(opt, "--policy") == 0 && set.identity_count < MAX_FILES) {
            kind = GH_POLICY_IDENTITY;
            dst = &id[set.identity_count++];
            set.identity = id;
        } else if (strcmp(opt, "--session-policy") == 0 && set.session_count < MAX_FILES) {
            kind = GH_POLICY_SESSION;
            dst = &sp[set.session_count++];
            set.session = sp;
        } else if (strcmp(opt, "--resource-policy") == 0) {
            kind = GH_POLICY_RESOURCE;
            dst = &rp;
            set.resource = &rp;
        } else if (strcmp(opt, "--boundary") == 0) {
            kind = GH_POLICY_BOUNDARY;
            dst = &pb;
            set.boundary = &pb;
        } else {
            rc = bad_usage("unknown option for eval");
            goto done;
        }
        if (load(val, kind, &p, NULL) != 0) {
            rc = 1;
            goto done;
        }
        owned[nowned++] = p;
        dst->policy = p;
        dst->id = gh_slice_from_cstr(val);
        dst->origin = GH_ORIGIN_OTHER;
    }
    if (action == NULL || resource == NULL || set.identity_count + (set.resource != NULL) == 0) {
        rc = bad_usage("eval needs --policy (or --resource-policy), --action and --resource");
        goto done;
    }
    gh_policy_ctx_init(&c, &a);
    if (gh_policy_ctx_set_action(&c, gh_slice_from_cstr(action)) != GH_OK) {
        rc = bad_usage("--action must look like service:Action");
        goto done;
    }
    if (gh_policy_ctx_set_resource(&c, gh_slice_from_cstr(resource)) != GH_OK) {
        rc = bad_usage("--resource is too long");
        goto done;
    }
    principal_from_arn(principal, &who);
    gh_policy_ctx_set_principal(&c, &who);
    for (size_t i = 0; i < nctx; i++) {
        if (!context_add(&c, ctx_specs[i])) {
            rc = bad_usage("--context must be KEY=TYPE:VALUE with a value of that type");
            goto done;
        }
    }
    if (gh_policy_decide(&set, &c, &r) != GH_OK) {
        fprintf(stderr, "gatehouse policy: evaluation failed; denying\n");
        rc = 1;
        goto done;
    }
    printf("%s\n", gh_policy_decision_str(r.decision));
    for (size_t i = 0; i < r.hit_count; i++) {
        const struct gh_policy_hit *h = &r.hits[i];
        printf("  %s statement %zu%s%.*s in %s policy %.*s (line %d, column %d to line %d, column "
               "%d)\n",
               h->deny ? "Deny" : "Allow", h->statement, h->sid.len ? " Sid " : "", GH_SP(h->sid),
               role_name(h->role), GH_SP(h->source_id), h->start.line, h->start.column, h->end.line,
               h->end.column);
    }
    if (r.decision != GH_ALLOW) {
        gh_policy_reason_write(&r, gh_slice_from_cstr(action), &msg);
        if (gh_buf_status(&msg) == GH_OK)
            printf("  %s\n", msg.ptr);
    }
    for (size_t i = 0; i < r.missing_count; i++)
        printf("  missing context key: %.*s\n", GH_SP(r.missing[i]));
    rc = r.decision == GH_ALLOW ? 0 : 1;
done:
    for (size_t i = 0; i < nowned; i++)
        gh_policy_unref(owned[i]);
    gh_buf_cleanup(&msg);
    gh_arena_cleanup(&a);
    return rc;
}

int
gh_cli_policy(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(argv[1], "eval") == 0)
        return cmd_eval(argc - 1, argv + 1);
    return bad_usage("unknown policy subcommand");
}
