/*
 * compile.c: policy JSON -> the compiled, immutable, shared form:
 * statements with pre-split action/resource patterns, resolved condition
 * operators and pre-located variables, indexed by service prefix.
 * Validation is validate.c's; statement positions are position.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

static enum gh_err
dup_js(struct gh_arena *a, const json_t *s, struct gh_slice *out)
{
    return gh_arena_dup(a, (struct gh_slice){json_string_value(s), json_string_length(s)}, out);
}

static size_t
list_len(const json_t *v)
{
    return v == NULL ? 0 : json_is_array(v) ? json_array_size(v) : 1;
}

static const json_t *
list_at(const json_t *v, size_t i)
{
    return json_is_array(v) ? json_array_get(v, i) : v;
}

static enum gh_err
compile_pats(struct gh_policy *p, const json_t *v, unsigned flags, struct gh_pat **out, uint32_t *n)
{
    size_t len = list_len(v);
    enum gh_err err;

    *out = NULL;
    *n = 0;
    if (len == 0)
        return GH_OK;
    *out = gh_arena_alloc(&p->arena, len * sizeof(**out));
    if (*out == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < len; i++) {
        struct gh_slice s;
        if ((err = dup_js(&p->arena, list_at(v, i), &s)) != GH_OK)
            return err;
        if ((err = gh_pat_compile(&p->arena, s, flags, &(*out)[i])) != GH_OK)
            return err;
    }
    *n = (uint32_t)len;
    return GH_OK;
}

static enum gh_err
compile_principals(struct gh_policy *p, const json_t *v, struct gh_stmt *st)
{
    const char *k;
    json_t *e;
    size_t total = 0, n = 0;
    enum gh_err err;

    if (json_is_string(v)) {
        st->principals = gh_arena_alloc(&p->arena, sizeof(*st->principals));
        if (st->principals == NULL)
            return GH_ERR_NOMEM;
        st->principals[0].kind = GH_PE_ALL;
        st->nprin = 1;
        return GH_OK;
    }
    json_object_foreach((json_t *)v, k, e) total += list_len(e);
    st->principals = gh_arena_alloc(&p->arena, (total ? total : 1) * sizeof(*st->principals));
    if (st->principals == NULL)
        return GH_ERR_NOMEM;
    json_object_foreach((json_t *)v, k, e)
    {
        for (size_t i = 0; i < list_len(e); i++) {
            struct gh_pentry *pe = &st->principals[n++];
            struct gh_slice s;

            if ((err = dup_js(&p->arena, list_at(e, i), &s)) != GH_OK)
                return err;
            pe->value = s;
            if (strcmp(k, "AWS") == 0) {
                if (gh_slice_eq_cstr(s, "*")) {
                    pe->kind = GH_PE_ALL;
                } else if (s.len == 12 && gh_slice_index(s, ':') < 0) {
                    pe->kind = GH_PE_ACCOUNT;
                } else if (gh_slice_starts_with(s, GH_S("arn:aws:iam::")) &&
                           gh_slice_ends_with(s, GH_S(":root")) && s.len == 13 + 12 + 5) {
                    pe->kind = GH_PE_ACCOUNT;
                    pe->value = gh_slice_sub(s, 13, 12);
                } else {
                    pe->kind = GH_PE_ARN;
                }
            } else if (strcmp(k, "Service") == 0) {
                pe->kind = gh_slice_eq_cstr(s, "*") ? GH_PE_ALL : GH_PE_SERVICE;
            } else if (strcmp(k, "Federated") == 0) {
                pe->kind = gh_slice_eq_cstr(s, "*") ? GH_PE_ALL : GH_PE_FEDERATED;
            } else {
                pe->kind = gh_slice_eq_cstr(s, "*") ? GH_PE_ALL : GH_PE_CANONICAL;
            }
        }
    }
    st->nprin = (uint32_t)n;
    return GH_OK;
}

/* A JSON condition value as the text AWS compares (numbers and booleans too). */
static enum gh_err
value_text(struct gh_arena *a, const json_t *v, struct gh_slice *out)
{
    char buf[64];
    int n;

    if (json_is_string(v))
        return dup_js(a, v, out);
    if (json_is_true(v) || json_is_false(v)) {
        *out = json_is_true(v) ? GH_S("true") : GH_S("false");
        return GH_OK;
    }
    if (json_is_integer(v))
        n = snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
    else
        n = snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
    if (n < 0 || (size_t)n >= sizeof(buf))
        return GH_ERR_INTERNAL;
    return gh_arena_dup(a, (struct gh_slice){buf, (size_t)n}, out);
}

static enum gh_err
compile_conditions(struct gh_policy *p, const json_t *cv, struct gh_stmt *st, struct gh_diag *diag)
{
    const char *op, *key;
    json_t *block, *vals;
    size_t total = 0, n = 0;
    enum gh_err err;

    if (cv == NULL)
        return GH_OK;
    json_object_foreach((json_t *)cv, op, block) total += json_object_size(block);
    if (total == 0)
        return GH_OK;
    st->conds = gh_arena_alloc(&p->arena, total * sizeof(*st->conds));
    if (st->conds == NULL)
        return GH_ERR_NOMEM;
    json_object_foreach((json_t *)cv, op, block)
    {
        struct gh_cond proto;

        if (!gh_cond_op_parse(gh_slice_from_cstr(op), &proto))
            continue; /* validation let through only empty unknown blocks */
        json_object_foreach(block, key, vals)
        {
            struct gh_cond *c = &st->conds[n++];
            size_t nv = list_len(vals);

            *c = proto;
            if ((err = gh_arena_dup(&p->arena, gh_slice_from_cstr(key), &c->key)) != GH_OK)
                return err;
            c->key_hash = gh_key_hash(c->key);
            c->vals = gh_arena_alloc(&p->arena, (nv ? nv : 1) * sizeof(*c->vals));
            if (c->vals == NULL)
                return GH_ERR_NOMEM;
            for (size_t i = 0; i < nv; i++) {
                struct gh_slice text;

                if ((err = value_text(&p->arena, list_at(vals, i), &text)) != GH_OK)
                    return err;
                err = gh_cond_value_compile(&p->arena, c, text, p->vars, &c->vals[i]);
                if (err == GH_ERR_MALFORMED_POLICY)
                    gh_diag_set(diag, "The policy failed legacy parsing");
                if (err != GH_OK)
                    return err;
            }
            c->nval = (uint32_t)nv;
        }
    }
    st->ncond = (uint32_t)n;
    return GH_OK;
}

static enum gh_err
compile_stmt(struct gh_policy *p, const json_t *js, struct gh_stmt *st, struct gh_diag *diag)
{
    const json_t *v;
    enum gh_err err;
    unsigned rflags = GH_PAT_WILD | GH_PAT_ARN | (p->vars ? GH_PAT_VARS : 0);

    st->deny = strcmp(json_string_value(json_object_get(js, "Effect")), "Deny") == 0;
    if ((v = json_object_get(js, "Sid")) != NULL && (err = dup_js(&p->arena, v, &st->sid)) != GH_OK)
        return err;
    /* AWS IAM: action names are case-insensitive; ARNs are not. */
    v = json_object_get(js, "Action");
    if (v == NULL) {
        v = json_object_get(js, "NotAction");
        st->not_action = v != NULL;
    }
    if ((err = compile_pats(p, v, GH_PAT_WILD | GH_PAT_LOWER, &st->actions, &st->nact)) != GH_OK)
        return err;
    v = json_object_get(js, "Resource");
    if (v == NULL) {
        v = json_object_get(js, "NotResource");
        st->not_resource = v != NULL;
        if (v == NULL)
            st->res_any = true; /* trust policies: the role itself */
    }
    if ((err = compile_pats(p, v, rflags, &st->resources, &st->nres)) != GH_OK)
        return err;
    for (uint32_t i = 0; i < st->nres && !st->not_resource; i++)
        st->res_any = st->res_any || st->resources[i].any;
    v = json_object_get(js, "Principal");
    if (v == NULL) {
        v = json_object_get(js, "NotPrincipal");
        st->not_principal = v != NULL;
    }
    if (v != NULL) {
        st->has_principal = true;
        if ((err = compile_principals(p, v, st)) != GH_OK)
            return err;
    }
    return compile_conditions(p, json_object_get(js, "Condition"), st, diag);
}

/* The service part of a lower-cased action pattern; empty when it has wildcards. */
static struct gh_slice
action_service(const struct gh_pat *a)
{
    long c = gh_slice_index(a->raw, ':');
    struct gh_slice svc;

    if (c <= 0)
        return GH_SLICE_NULL;
    svc = gh_slice_sub(a->raw, 0, (size_t)c);
    if (gh_slice_index(svc, '*') >= 0 || gh_slice_index(svc, '?') >= 0)
        return GH_SLICE_NULL;
    return svc;
}

const struct gh_svc_index *
gh_policy_svc_find(const struct gh_policy *p, struct gh_slice svc, uint32_t hash)
{
    /* Most policies name a few services: one bit test turns the others away. */
    if (p->svc_slots == NULL || (p->svc_bloom & (UINT64_C(1) << (hash & 63))) == 0)
        return NULL;
    for (uint32_t i = hash & p->svc_mask;; i = (i + 1) & p->svc_mask) {
        uint32_t at = p->svc_slots[i];
        const struct gh_svc_index *ix;
        if (at == 0)
            return NULL;
        ix = &p->svc[at - 1];
        if (ix->hash == hash && ix->service.len == svc.len) {
            size_t k = 0;
            while (k < svc.len && ix->service.ptr[k] == svc.ptr[k])
                k++;
            if (k == svc.len)
                return ix;
        }
    }
}

/* The index entry of `svc` (lower-case), created on first use; its number in *id. */
static enum gh_err
svc_intern(struct gh_policy *p, struct gh_slice svc, uint32_t *id)
{
    uint32_t hash = gh_key_hash(svc), i;
    const struct gh_svc_index *ix = gh_policy_svc_find(p, svc, hash);
    struct gh_svc_index *nx;

    if (ix != NULL) {
        *id = (uint32_t)(ix - p->svc);
        return GH_OK;
    }
    nx = &p->svc[p->nsvc];
    memset(nx, 0, sizeof(*nx));
    if (gh_arena_dup(&p->arena, svc, &nx->service) != GH_OK)
        return GH_ERR_NOMEM;
    nx->hash = hash;
    p->svc_bloom |= UINT64_C(1) << (hash & 63);
    for (i = hash & p->svc_mask; p->svc_slots[i] != 0; i = (i + 1) & p->svc_mask)
        ;
    p->svc_slots[i] = ++p->nsvc;
    *id = p->nsvc - 1;
    return GH_OK;
}

/* A statement's pattern, keyed by the service it names, for grouping. */
struct pat_key {
    uint32_t svc;
    uint32_t pat;
};

static int
pat_key_cmp(const void *a, const void *b)
{
    const struct pat_key *x = a, *y = b;

    if (x->svc != y->svc)
        return x->svc < y->svc ? -1 : 1;
    return x->pat < y->pat ? -1 : x->pat > y->pat;
}

/*
 * The action index: for each service named literally by an Action, the
 * statements naming it, each with the run of its patterns that do, so a
 * decision matches only the patterns of the request's service (an AWS
 * managed policy such as ReadOnlyAccess names hundreds of services in one
 * statement). Statements with NotAction or a wildcard in a service go to
 * any_stmts and are matched whole. Work is linear in the patterns.
 */
static enum gh_err
build_index(struct gh_policy *p)
{
    size_t total = 0, nruns = 0, slots = 8, maxact = 0;
    struct pat_key *keys = NULL;
    struct gh_svc_hit *runs = NULL, *hits;
    uint32_t *run_svc = NULL, *count;
    enum gh_err err = GH_ERR_NOMEM;

    for (uint32_t i = 0; i < p->nstmt; i++) {
        total += p->stmts[i].nact;
        if (p->stmts[i].nact > maxact)
            maxact = p->stmts[i].nact;
    }
    while (slots < 2 * total)
        slots *= 2;
    p->svc = gh_arena_alloc(&p->arena, (total ? total : 1) * sizeof(*p->svc));
    p->any_stmts = gh_arena_alloc(&p->arena, (p->nstmt ? p->nstmt : 1) * sizeof(*p->any_stmts));
    p->svc_slots = gh_arena_alloc(&p->arena, slots * sizeof(*p->svc_slots));
    keys = malloc((maxact ? maxact : 1) * sizeof(*keys));
    runs = malloc((total ? total : 1) * sizeof(*runs));
    run_svc = malloc((total ? total : 1) * sizeof(*run_svc));
    if (p->svc == NULL || p->any_stmts == NULL || p->svc_slots == NULL || keys == NULL ||
        runs == NULL || run_svc == NULL)
        goto done;
    memset(p->svc_slots, 0, slots * sizeof(*p->svc_slots));
    p->svc_mask = (uint32_t)(slots - 1);
    for (uint32_t i = 0; i < p->nstmt; i++) {
        struct gh_stmt *st = &p->stmts[i];
        bool any = st->not_action;

        for (uint32_t a = 0; a < st->nact && !any; a++)
            any = action_service(&st->actions[a]).len == 0;
        if (any) {
            p->any_stmts[p->nany++] = i;
            continue;
        }
        if ((st->act_order = gh_arena_alloc(&p->arena, st->nact * sizeof(uint32_t))) == NULL)
            goto done;
        for (uint32_t a = 0; a < st->nact; a++) {
            struct gh_slice svc = action_service(&st->actions[a]);
            char lowsvc[128];

            if (svc.len >= sizeof(lowsvc))
                svc.len = sizeof(lowsvc) - 1;
            for (size_t k = 0; k < svc.len; k++) {
                char ch = svc.ptr[k];
                lowsvc[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
            }
            svc.ptr = lowsvc;
            keys[a].pat = a;
            if ((err = svc_intern(p, svc, &keys[a].svc)) != GH_OK)
                goto done;
        }
        qsort(keys, st->nact, sizeof(*keys), pat_key_cmp);
        for (uint32_t a = 0; a < st->nact; a++) {
            st->act_order[a] = keys[a].pat;
            if (a == 0 || keys[a].svc != keys[a - 1].svc) {
                runs[nruns] = (struct gh_svc_hit){i, a, 0};
                run_svc[nruns++] = keys[a].svc;
            }
            runs[nruns - 1].n++;
        }
    }
    /* Each service's runs, contiguous and in statement order (a stable counting sort). */
    err = GH_ERR_NOMEM;
    hits = gh_arena_alloc(&p->arena, (nruns ? nruns : 1) * sizeof(*hits));
    count = gh_arena_alloc(&p->arena, (p->nsvc + 1) * sizeof(*count));
    if (hits == NULL || count == NULL)
        goto done;
    memset(count, 0, (p->nsvc + 1) * sizeof(*count));
    for (size_t r = 0; r < nruns; r++)
        count[run_svc[r] + 1]++;
    for (uint32_t v = 0; v < p->nsvc; v++) {
        count[v + 1] += count[v];
        p->svc[v].hits = hits + count[v];
        p->svc[v].n = 0;
    }
    for (size_t r = 0; r < nruns; r++) {
        struct gh_svc_index *ix = &p->svc[run_svc[r]];
        ix->hits[ix->n++] = runs[r];
    }
    err = GH_OK;
done:
    free(keys);
    free(runs);
    free(run_svc);
    return err;
}

enum gh_err
gh_policy_compile(struct gh_slice json, enum gh_policy_kind kind, struct gh_diag *diag,
                  struct gh_policy **out)
{
    enum gh_err err = GH_ERR_NOMEM;
    struct gh_policy *p = NULL;
    json_t *root = NULL, *sts = NULL, *ver;
    json_error_t jerr = {0};
    struct gh_diag scratch;
    unsigned long failed;

    *out = NULL;
    if (diag == NULL)
        diag = &scratch;
    gh_diag_clear(diag);
    if (json.len > (size_t)GH_IAM_POLICY_DOC_CHARS_MAX * 4) {
        gh_diag_set(diag, "This policy contains invalid Json");
        return GH_ERR_MALFORMED_POLICY;
    }
    failed = gh_alloc_failures();
    root = json_loadb(json.ptr == NULL ? "" : json.ptr, json.len, JSON_REJECT_DUPLICATES, &jerr);
    /*
     * Out of memory inside jansson is ours, not the caller's document: the
     * error text is empty when its first allocation fails; a later one may
     * read as a syntax error, or be ignored with a character of a string
     * dropped (jansson issue #362): "arn:aws:s3:::a-b" parsed as
     * "arn:aws:s3:::ab" would stop matching its Deny, and be cached
     * compiled. Any failure gh_alloc_counted saw during this parse refuses
     * it, whatever json_loadb answered.
     */
    if (gh_alloc_failures() != failed ||
        (root == NULL &&
         (json_error_code(&jerr) == json_error_out_of_memory || jerr.text[0] == '\0'))) {
        json_decref(root);
        return GH_ERR_NOMEM;
    }
    if (root == NULL) {
        /* AWS IAM (CreateRole, PutRolePolicy ...): "This policy contains invalid Json". */
        gh_diag_set(diag, "This policy contains invalid Json");
        diag->line = jerr.line > 0 ? jerr.line : 1;
        diag->column = jerr.column > 0 ? jerr.column : 1;
        return GH_ERR_MALFORMED_POLICY;
    }
    if ((err = gh_policy_validate(root, kind, diag)) != GH_OK)
        goto done;
    err = GH_ERR_NOMEM;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        goto done;
    atomic_init(&p->refs, 1);
    gh_arena_init(&p->arena);
    p->kind = kind;
    if (gh_arena_dup(&p->arena, json, &p->text) != GH_OK)
        goto done;
    ver = json_object_get(root, "Version");
    if (ver != NULL && dup_js(&p->arena, ver, &p->version) != GH_OK)
        goto done;
    /* AWS IAM "Policy variables": only Version 2012-10-17 substitutes
     * them; before it (or with no Version) they are literal text. */
    p->vars = gh_slice_eq_cstr(p->version, "2012-10-17");
    if ((sts = gh_policy_statements(root)) == NULL)
        goto done;
    p->nstmt = (uint32_t)json_array_size(sts);
    p->stmts = gh_arena_alloc(&p->arena, p->nstmt * sizeof(*p->stmts));
    if (p->stmts == NULL)
        goto done;
    for (uint32_t i = 0; i < p->nstmt; i++)
        if ((err = compile_stmt(p, json_array_get(sts, i), &p->stmts[i], diag)) != GH_OK)
            goto done;
    if ((err = build_index(p)) != GH_OK)
        goto done;
    gh_policy_positions(p);
    *out = p;
    p = NULL;
    err = GH_OK;
done:
    if (p != NULL) {
        gh_arena_cleanup(&p->arena);
        free(p);
    }
    json_decref(sts);
    json_decref(root);
    return err;
}

struct gh_policy *
gh_policy_ref(struct gh_policy *p)
{
    if (p != NULL)
        atomic_fetch_add(&p->refs, 1);
    return p;
}

void
gh_policy_unref(struct gh_policy *p)
{
    if (p != NULL && atomic_fetch_sub(&p->refs, 1) == 1) {
        gh_arena_cleanup(&p->arena);
        free(p);
    }
}

enum gh_policy_kind
gh_policy_get_kind(const struct gh_policy *p)
{
    return p->kind;
}

size_t
gh_policy_statement_count(const struct gh_policy *p)
{
    return p->nstmt;
}

struct gh_slice
gh_policy_version(const struct gh_policy *p)
{
    return p->version;
}

size_t
gh_policy_doc_chars(struct gh_slice json)
{
    size_t n = 0;
    bool in_str = false, esc = false;

    for (size_t i = 0; i < json.len; i++) {
        unsigned char ch = (unsigned char)json.ptr[i];

        if ((ch & 0xc0) == 0x80)
            continue; /* UTF-8 continuation: part of the previous character */
        if (in_str) {
            if (esc)
                esc = false;
            else if (ch == '\\')
                esc = true;
            else if (ch == '"')
                in_str = false;
            n++;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
            continue;
        if (ch == '"')
            in_str = true;
        n++;
    }
    return n;
}
