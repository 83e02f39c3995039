/*
 * pattern.c: wildcard patterns (Action, Resource, String/Arn condition
 * values) split once into tokens (literal, '*', '?', ${variable}) and the
 * matcher over them, which never allocates and costs at most pattern x
 * subject steps.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

static char
lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Tokens being built: on the stack for ordinary patterns, on the heap past that. */
struct tokbuf {
    struct gh_tok *t;
    size_t n;
    size_t cap;
    struct gh_tok local[32];
};

static enum gh_err
tok_push(struct tokbuf *b, struct gh_tok t)
{
    if (b->t == NULL) {
        b->t = b->local;
        b->cap = GH_ARRAY_LEN(b->local);
    }
    if (b->n == b->cap) {
        size_t cap = b->cap * 2;
        struct gh_tok *nt = malloc(cap * sizeof(*nt));
        if (nt == NULL)
            return GH_ERR_NOMEM;
        memcpy(nt, b->t, b->n * sizeof(*nt));
        if (b->t != b->local)
            free(b->t);
        b->t = nt;
        b->cap = cap;
    }
    b->t[b->n++] = t;
    return GH_OK;
}

/*
 * AWS IAM "Policy variables": ${key}, ${key, 'default'}, and the escapes
 * ${*}, ${?}, ${$} for a literal '*', '?' and '$'. Returns the length of
 * the variable text at `s` (starting with "${"), 0 when it is not one.
 */
static size_t
var_parse(struct gh_slice s, struct gh_tok *out)
{
    size_t i = 2, ks, ke;

    memset(out, 0, sizeof(*out));
    if (s.len < 4 || s.ptr[0] != '$' || s.ptr[1] != '{')
        return 0;
    if (s.ptr[3] == '}' && (s.ptr[2] == '*' || s.ptr[2] == '?' || s.ptr[2] == '$')) {
        out->kind = GH_TOK_LIT;
        out->text = gh_slice_sub(s, 2, 1);
        return 4;
    }
    while (i < s.len && s.ptr[i] == ' ')
        i++;
    ks = i;
    while (i < s.len && s.ptr[i] != '}' && s.ptr[i] != ',' && s.ptr[i] != ' ' && s.ptr[i] != '$' &&
           s.ptr[i] != '{')
        i++;
    ke = i;
    if (ke == ks)
        return 0;
    while (i < s.len && s.ptr[i] == ' ')
        i++;
    if (i < s.len && s.ptr[i] == ',') {
        size_t ds;
        i++;
        while (i < s.len && s.ptr[i] == ' ')
            i++;
        if (i >= s.len || s.ptr[i] != '\'')
            return 0;
        ds = ++i;
        while (i < s.len && s.ptr[i] != '\'')
            i++;
        if (i >= s.len)
            return 0;
        out->has_def = true;
        out->def = gh_slice_sub(s, ds, i - ds);
        i++;
        while (i < s.len && s.ptr[i] == ' ')
            i++;
    }
    if (i >= s.len || s.ptr[i] != '}')
        return 0;
    out->kind = GH_TOK_VAR;
    out->text = gh_slice_sub(s, ks, ke - ks);
    return i + 1;
}

enum gh_err
gh_pat_compile(struct gh_arena *a, struct gh_slice text, unsigned flags, struct gh_pat *out)
{
    struct tokbuf b;
    enum gh_err err = GH_OK;
    size_t i = 0, lit = 0, colons = 0;
    uint16_t nvar = 0;

    b.t = NULL;
    b.n = b.cap = 0;
    memset(out, 0, sizeof(*out));
    out->raw = text;
    out->any = (flags & GH_PAT_WILD) && text.len == 1 && text.ptr[0] == '*';
    if (flags & GH_PAT_ARN)
        out->nseg = 1;

#define FLUSH_LIT(end)                                                                             \
    do {                                                                                           \
        if ((end) > lit) {                                                                         \
            struct gh_tok t_ = {.kind = GH_TOK_LIT, .text = gh_slice_sub(text, lit, (end)-lit)};   \
            if ((err = tok_push(&b, t_)) != GH_OK)                                                 \
                goto done;                                                                         \
        }                                                                                          \
    } while (0)

    while (i < text.len) {
        char ch = text.ptr[i];
        struct gh_tok t;
        size_t vl;

        if ((flags & GH_PAT_WILD) && (ch == '*' || ch == '?')) {
            FLUSH_LIT(i);
            if (ch == '*' && b.n > 0 && b.t[b.n - 1].kind == GH_TOK_STAR &&
                (out->nseg == 0 || out->seg[out->nseg - 1] < b.n)) {
                /* "**" is "*" */
            } else {
                t = (struct gh_tok){.kind = ch == '*' ? GH_TOK_STAR : GH_TOK_QMARK};
                if ((err = tok_push(&b, t)) != GH_OK)
                    goto done;
            }
            out->wild = true;
            lit = ++i;
        } else if ((flags & GH_PAT_VARS) && ch == '$' &&
                   (vl = var_parse(gh_slice_sub(text, i, text.len - i), &t)) > 0) {
            FLUSH_LIT(i);
            if (t.kind == GH_TOK_VAR)
                t.var_idx = nvar++;
            if ((err = tok_push(&b, t)) != GH_OK)
                goto done;
            i += vl;
            lit = i;
        } else if ((flags & GH_PAT_ARN) && ch == ':' && colons < GH_ARN_SEGS - 1) {
            FLUSH_LIT(i);
            colons++;
            out->seg[out->nseg++] = (uint32_t)b.n;
            lit = ++i;
        } else {
            i++;
        }
    }
    FLUSH_LIT(i);
#undef FLUSH_LIT

    if (out->nseg > 0)
        out->seg[out->nseg] = (uint32_t)b.n;
    /* seg[0] is always 0: the first segment starts at the first token. */
    out->nvar = nvar;
    out->ntok = (uint32_t)b.n;
    if (b.n > 0) {
        out->toks = gh_arena_alloc(a, b.n * sizeof(*out->toks));
        if (out->toks == NULL) {
            err = GH_ERR_NOMEM;
            goto done;
        }
        memcpy(out->toks, b.t, b.n * sizeof(*out->toks));
        if (flags & GH_PAT_LOWER) {
            for (size_t k = 0; k < b.n; k++) {
                struct gh_tok *t = &out->toks[k];
                char *dup;

                if (t->kind != GH_TOK_LIT)
                    continue;
                dup = gh_arena_alloc(a, t->text.len + 1);
                if (dup == NULL) {
                    err = GH_ERR_NOMEM;
                    goto done;
                }
                for (size_t j = 0; j < t->text.len; j++)
                    dup[j] = lower(t->text.ptr[j]);
                t->text.ptr = dup;
            }
        }
    }
done:
    if (b.t != b.local)
        free(b.t);
    return err;
}

static struct gh_slice
tok_text(const struct gh_tok *t, const struct gh_slice *vv, const struct gh_policy_ctx *c)
{
    struct gh_slice v = GH_SLICE_NULL;

    if (t->kind == GH_TOK_LIT)
        return t->text;
    if (t->var_idx < GH_PAT_VARS_CACHED)
        return vv[t->var_idx];
    /* Resolvability was checked up front, so this cannot fail here. */
    (void)gh_ctx_var(c, t, &v);
    return v;
}

/*
 * The classic glob walk with one backtrack point (the last '*'): literal
 * and '?' runs between stars have fixed length, so retrying from the last
 * star alone is enough and the cost stays within |pattern| x |subject|.
 */
static bool
toks_match(const struct gh_tok *t, size_t nt, struct gh_slice s, bool ci, const struct gh_slice *vv,
           const struct gh_policy_ctx *c)
{
    size_t ti = 0, to = 0, si = 0;
    size_t star_ti = SIZE_MAX, star_si = 0;

    while (si < s.len) {
        if (ti < nt) {
            const struct gh_tok *k = &t[ti];

            if (k->kind == GH_TOK_STAR) {
                star_ti = ++ti;
                to = 0;
                star_si = si;
                continue;
            }
            if (k->kind == GH_TOK_QMARK) {
                ti++;
                si++;
                continue;
            }
            {
                struct gh_slice lit = tok_text(k, vv, c);
                char pc, sc;

                if (lit.len == 0) {
                    ti++;
                    to = 0;
                    continue;
                }
                pc = lit.ptr[to];
                sc = s.ptr[si];
                if (ci) {
                    pc = lower(pc);
                    sc = lower(sc);
                }
                if (pc == sc) {
                    si++;
                    if (++to == lit.len) {
                        ti++;
                        to = 0;
                    }
                    continue;
                }
            }
        }
        if (star_ti == SIZE_MAX)
            return false;
        ti = star_ti;
        to = 0;
        si = ++star_si;
    }
    if (to != 0)
        return false;
    while (ti < nt) {
        if (t[ti].kind == GH_TOK_STAR) {
            ti++;
            continue;
        }
        if (t[ti].kind == GH_TOK_QMARK || tok_text(&t[ti], vv, c).len != 0)
            return false;
        ti++;
    }
    return true;
}

static bool
vars_resolve(const struct gh_pat *p, const struct gh_policy_ctx *c, struct gh_slice *vv)
{
    for (size_t i = 0; i < p->ntok; i++) {
        const struct gh_tok *t = &p->toks[i];
        struct gh_slice v;

        if (t->kind != GH_TOK_VAR)
            continue;
        /* AWS IAM "Policy variables": with no value and no default, the
         * element does not match. */
        if (c == NULL || !gh_ctx_var(c, t, &v))
            return false;
        if (t->var_idx < GH_PAT_VARS_CACHED)
            vv[t->var_idx] = v;
    }
    return true;
}

size_t
gh_arn_colons(struct gh_slice s, uint16_t colon[5])
{
    size_t n = 0;

    for (size_t i = 0; i < s.len && n < 5 && i <= UINT16_MAX; i++)
        if (s.ptr[i] == ':')
            colon[n++] = (uint16_t)i;
    return n;
}

static bool
segs_match(const struct gh_pat *p, struct gh_slice s, const uint16_t *colon, size_t ncolon,
           const struct gh_slice *vv, const struct gh_policy_ctx *c)
{
    size_t k = (size_t)p->nseg - 1; /* colons the pattern needs */
    size_t from = 0;

    if (ncolon < k)
        return false;
    for (size_t i = 0; i < p->nseg; i++) {
        size_t to = i < k ? colon[i] : s.len;
        struct gh_slice seg = gh_slice_sub(s, from, to - from);

        if (!toks_match(p->toks + p->seg[i], p->seg[i + 1] - p->seg[i], seg, false, vv, c))
            return false;
        from = to + 1;
    }
    return true;
}

/* The paths that need arrays on the stack, kept out of line so the common
 * ones pay no stack-protector check. */
static __attribute__((noinline)) bool
pat_match_vars(const struct gh_pat *p, struct gh_slice s, bool ci, const uint16_t *colon,
               size_t ncolon, bool arn, const struct gh_policy_ctx *c)
{
    struct gh_slice vv[GH_PAT_VARS_CACHED];
    uint16_t own[5];

    if (!vars_resolve(p, c, vv))
        return false;
    if (p->nseg <= (arn ? 0 : 1))
        return toks_match(p->toks, p->ntok, s, ci, vv, c);
    if (!arn) {
        ncolon = gh_arn_colons(s, own);
        colon = own;
    }
    return segs_match(p, s, colon, ncolon, vv, c);
}

static __attribute__((noinline)) bool
pat_match_segs(const struct gh_pat *p, struct gh_slice s, const struct gh_policy_ctx *c)
{
    uint16_t colon[5];
    size_t ncolon = gh_arn_colons(s, colon);

    return segs_match(p, s, colon, ncolon, NULL, c);
}

bool
gh_pat_match_arn(const struct gh_pat *p, struct gh_slice s, const uint16_t *colon, size_t ncolon,
                 const struct gh_policy_ctx *c)
{
    if (p->any)
        return true;
    if (p->nvar > 0)
        return pat_match_vars(p, s, false, colon, ncolon, true, c);
    if (p->nseg == 0)
        return toks_match(p->toks, p->ntok, s, false, NULL, c);
    return segs_match(p, s, colon, ncolon, NULL, c);
}

bool
gh_pat_match(const struct gh_pat *p, struct gh_slice s, bool ci, const struct gh_policy_ctx *c)
{
    if (p->any)
        return true;
    if (p->nvar > 0)
        return pat_match_vars(p, s, ci, NULL, 0, false, c);
    /* The common exact case: one literal, compared at once. */
    if (p->ntok == 1 && p->toks[0].kind == GH_TOK_LIT && p->nseg <= 1)
        return ci ? gh_slice_case_eq(p->toks[0].text, s) : gh_slice_eq(p->toks[0].text, s);
    if (p->nseg <= 1) {
        /* A leading literal must begin the subject ("iam:*" against "s3:getobject" fails at
         * once); "literal*" is decided by that alone. */
        if (!ci && p->ntok > 0 && p->toks[0].kind == GH_TOK_LIT) {
            struct gh_slice lit = p->toks[0].text;
            size_t k = 0;
            if (lit.len > s.len)
                return false;
            while (k < lit.len && lit.ptr[k] == s.ptr[k]) /* short: no call to memcmp */
                k++;
            if (k < lit.len)
                return false;
            if (p->ntok == 2 && p->toks[1].kind == GH_TOK_STAR)
                return true;
        }
        return toks_match(p->toks, p->ntok, s, ci, NULL, c);
    }
    return pat_match_segs(p, s, c);
}

bool
gh_policy_wild_match(struct gh_slice pattern, struct gh_slice subject)
{
    struct gh_arena a;
    struct gh_pat p;
    bool r = false;

    gh_arena_init(&a);
    if (gh_pat_compile(&a, pattern, GH_PAT_WILD, &p) == GH_OK)
        r = gh_pat_match(&p, subject, false, NULL);
    gh_arena_cleanup(&a);
    return r;
}
