/*
 * simulate.c: SimulatePrincipalPolicy and SimulateCustomPolicy: the policy
 * engine's decision for each action and resource, with the statements
 * that decided it, in the shapes of AWS's IAM policy simulator.
 */
#include <stdio.h>
#include <string.h>

#include "iam/iam_int.h"

/*
 * AWS documents no count quota for these lists; the bounds keep one call's
 * work finite (results are computed only for the page asked for, so the
 * product of actions and resources costs nothing beyond MaxItems).
 */
#define SIM_POLICY_INPUTS_MAX 32
#define SIM_ACTIONS_MAX 1000
#define SIM_RESOURCES_MAX 1000
#define SIM_CONTEXT_MAX 100
#define SIM_CONTEXT_VALUES_MAX 100
#define SIM_SOURCES_MAX 320

/* botocore: ActionNameType, ResourceNameType, ContextKeyNameType, ResourceHandlingOptionType. */
static const struct gh_param_rule action_rule = {NULL, 3, 128, NULL, NULL};
static const struct gh_param_rule resource_rule = {NULL, 1, 2048, NULL, NULL};
static const struct gh_param_rule key_rule = {NULL, 5, 256, NULL, NULL};
static const struct gh_param_rule handling_rule = {NULL, 1, 64, NULL, NULL};

/* ContextKeyTypeEnum, in the model's order, and the engine's type for each. */
static const char *const ctx_type_names[] = {
    "string", "stringList", "numeric",    "numericList", "boolean",  "booleanList", "ip",
    "ipList", "binary",     "binaryList", "date",        "dateList", NULL};
static const enum gh_policy_type ctx_types[] = {
    GH_PT_STRING, GH_PT_STRING, GH_PT_NUMBER, GH_PT_NUMBER, GH_PT_BOOL, GH_PT_BOOL,
    GH_PT_IP,     GH_PT_IP,     GH_PT_BINARY, GH_PT_BINARY, GH_PT_DATE, GH_PT_DATE};

struct ctx_entry {
    struct gh_slice key;
    enum gh_policy_type type;
    const char *type_name;
    struct gh_slice *values;
    size_t nvalues;
};

/* How the simulator names one policy (MatchedStatements' SourcePolicyId / SourcePolicyType). */
struct sim_name {
    const char *id_ptr; /* the gh_policy_src.id the engine reports back */
    const char *type;
};

struct sim {
    struct gh_policy_src identity[SIM_SOURCES_MAX];
    size_t nidentity;
    struct gh_policy_src boundary, resource;
    bool has_boundary, has_resource;
    struct sim_name names[SIM_SOURCES_MAX + 2];
    size_t nnames;
    struct gh_policy *owned[SIM_POLICY_INPUTS_MAX * 2 + 2];
    size_t nowned;
    struct gh_api_policies entity; /* SimulatePrincipalPolicy: the entity's own policies */
    struct gh_policy_principal who;
    struct gh_slice caller_account;
    struct gh_slice owner_account; /* ResourceOwner's account; empty when not given */
    struct ctx_entry *entries;
    size_t nentries;
};

/* The parts of "arn:PARTITION:SERVICE:REGION:ACCOUNT:REST"; false when it is not one. */
static bool
arn_parts(struct gh_slice arn, struct gh_slice *service, struct gh_slice *account,
          struct gh_slice *rest)
{
    struct gh_slice s = arn, part;

    if (!gh_slice_starts_with(arn, GH_S("arn:")))
        return false;
    for (int i = 0; i < 5; i++) {
        if (gh_slice_index(s, ':') < 0)
            return false;
        (void)gh_slice_split(&s, ':', &part);
        if (i == 2)
            *service = part;
        if (i == 4)
            *account = part;
    }
    *rest = s;
    return true;
}

/* The last '/'-separated element of `s` (an IAM name: names never hold '/'). */
static struct gh_slice
last_element(struct gh_slice s)
{
    size_t i = s.len;

    while (i > 0 && s.ptr[i - 1] != '/')
        i--;
    return gh_slice_sub(s, i, s.len - i);
}

static void
name_add(struct sim *s, struct gh_slice id, const char *type)
{
    if (s->nnames < GH_ARRAY_LEN(s->names))
        s->names[s->nnames++] = (struct sim_name){id.ptr, type};
}

static const char *
name_type(const struct sim *s, struct gh_slice id)
{
    for (size_t i = 0; i < s->nnames; i++)
        if (s->names[i].id_ptr == id.ptr)
            return s->names[i].type;
    return "none";
}

/* Compiles one input document; InvalidInput with the engine's words when it is malformed. */
static enum gh_err
input_compile(struct gh_call *c, struct sim *s, struct gh_slice doc, enum gh_policy_kind kind,
              const char *what, struct gh_policy **out)
{
    struct gh_diag diag;
    enum gh_err err;

    *out = NULL;
    gh_diag_clear(&diag);
    if (s->nowned == GH_ARRAY_LEN(s->owned))
        return gh_call_fail(c, GH_ERR_LIMIT, "Too many policies in one simulation.");
    err = c->api_cache != NULL ? gh_api_policy_compiled(c->api_cache, doc, kind, &diag, out)
                               : gh_policy_compile(doc, kind, &diag, out);
    if (err == GH_ERR_MALFORMED_POLICY)
        /* AWS IAM: a malformed input policy fails the simulation with InvalidInput. */
        return gh_call_fail(c, GH_ERR_INVALID_INPUT, "%s: %s", what, diag.text);
    if (err != GH_OK)
        return err;
    s->owned[s->nowned++] = *out;
    return GH_OK;
}

/* Reads "NAME.member.N" policy documents (each a policyDocumentType). */
static enum gh_err
read_docs(struct gh_call *c, const char *name, const char *member, size_t max, bool required,
          struct gh_slice **out, size_t *n)
{
    enum gh_err err;

    if ((err = gh_call_list(c, name, member, max, out, n)) != GH_OK)
        return err;
    if (*n == 0 && required)
        gh_iam_null(c, member);
    for (size_t i = 0; i < *n; i++) {
        struct gh_param_rule rule = gh_iam_shape_policy_document;
        char key[96];
        (void)snprintf(key, sizeof(key), "%s.member.%zu", name, i + 1);
        if ((rule.member = gh_arena_printf(c->arena, "%s.%zu.member", member, i + 1)) == NULL)
            return GH_ERR_NOMEM;
        gh_call_str(c, key, &rule, true, &(*out)[i]);
    }
    return GH_OK;
}

/* Reads a list of short strings with one rule for every member. */
static enum gh_err
read_strings(struct gh_call *c, const char *name, const char *member, size_t max,
             const struct gh_param_rule *shape, struct gh_slice **out, size_t *n)
{
    enum gh_err err;

    if ((err = gh_call_list(c, name, member, max, out, n)) != GH_OK)
        return err;
    for (size_t i = 0; i < *n; i++) {
        struct gh_param_rule rule = *shape;
        char key[96];
        (void)snprintf(key, sizeof(key), "%s.member.%zu", name, i + 1);
        if ((rule.member = gh_arena_printf(c->arena, "%s.%zu.member", member, i + 1)) == NULL)
            return GH_ERR_NOMEM;
        gh_call_str(c, key, &rule, true, &(*out)[i]);
    }
    return GH_OK;
}

/* ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}. */
static enum gh_err
read_context(struct gh_call *c, struct sim *s)
{
    char key[128], vals[128], member[160];
    size_t n = 0;
    enum gh_err err;

    for (;;) {
        (void)snprintf(key, sizeof(key), "ContextEntries.member.%zu.ContextKeyName", n + 1);
        (void)snprintf(vals, sizeof(vals), "ContextEntries.member.%zu.ContextKeyValues", n + 1);
        (void)snprintf(member, sizeof(member), "%s.member.1", vals);
        if (!gh_params_has(c->params, key) && !gh_params_has(c->params, vals) &&
            !gh_params_has(c->params, member))
            break;
        if (++n > SIM_CONTEXT_MAX) {
            gh_api_validation_add(c, GH_S("[...]"), false, "contextEntries",
                                  "Member must have length less than or equal to 100");
            return GH_OK;
        }
    }
    if (n == 0)
        return GH_OK;
    if ((s->entries = gh_arena_alloc(c->arena, n * sizeof(*s->entries))) == NULL)
        return GH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        struct ctx_entry *e = &s->entries[i];
        struct gh_param_rule rule = key_rule;
        int type = -1;

        memset(e, 0, sizeof(*e));
        (void)snprintf(key, sizeof(key), "ContextEntries.member.%zu.ContextKeyName", i + 1);
        if ((rule.member = gh_arena_printf(c->arena, "contextEntries.%zu.member.contextKeyName",
                                           i + 1)) == NULL)
            return GH_ERR_NOMEM;
        gh_call_str(c, key, &rule, true, &e->key);
        (void)snprintf(key, sizeof(key), "ContextEntries.member.%zu.ContextKeyType", i + 1);
        gh_iam_enum(c, key, ctx_type_names, false, &type);
        if (type < 0)
            type = 0; /* AWS IAM: a key given without a type is a string */
        e->type = ctx_types[type];
        e->type_name = ctx_type_names[type];
        (void)snprintf(vals, sizeof(vals), "ContextEntries.member.%zu.ContextKeyValues", i + 1);
        (void)snprintf(member, sizeof(member), "contextEntries.%zu.member.contextKeyValues", i + 1);
        if ((err = gh_call_list(c, vals, member, SIM_CONTEXT_VALUES_MAX, &e->values,
                                &e->nvalues)) != GH_OK)
            return err;
    }
    s->nentries = n;
    return GH_OK;
}

/* Adds the ContextEntries to `ctx`; InvalidInput when a value is not of its type. */
static enum gh_err
context_apply(struct gh_call *c, const struct sim *s, struct gh_policy_ctx *ctx)
{
    enum gh_err err;

    for (size_t i = 0; i < s->nentries; i++) {
        const struct ctx_entry *e = &s->entries[i];
        if (e->nvalues == 0) {
            if ((err = gh_policy_ctx_add_empty(ctx, e->key, e->type)) != GH_OK)
                return err;
            continue;
        }
        for (size_t j = 0; j < e->nvalues; j++) {
            err = gh_policy_ctx_add(ctx, e->key, e->type, e->values[j]);
            if (err == GH_ERR_INVALID_INPUT)
                return gh_call_fail(c, GH_ERR_INVALID_INPUT,
                                    "Invalid value %.*s for context key %.*s of type %s.",
                                    GH_SP(e->values[j]), GH_SP(e->key), e->type_name);
            if (err != GH_OK)
                return err;
        }
    }
    return GH_OK;
}

/*
 * The principal a simulated request comes from. AWS IAM
 * (SimulatePrincipalPolicy, CallerArn): "You can specify only the ARN of
 * an IAM user"; without it, the user named by PolicySourceArn.
 */
static enum gh_err
caller_set(struct gh_call *c, struct sim *s, struct gh_slice caller_arn)
{
    struct gh_slice service, account, rest;

    if (!arn_parts(caller_arn, &service, &account, &rest) || !gh_slice_eq_cstr(service, "iam") ||
        !gh_slice_starts_with(rest, GH_S("user/")))
        return gh_call_fail(c, GH_ERR_INVALID_INPUT,
                            "Invalid CallerArn %.*s: it must be the ARN of an IAM user.",
                            GH_SP(caller_arn));
    memset(&s->who, 0, sizeof(s->who));
    s->who.type = GH_PRINCIPAL_USER;
    s->who.arn = caller_arn;
    s->who.account = account;
    s->caller_account = account;
    return GH_OK;
}

/* Copies the entity's policies into the identity list, named as the simulator names them. */
static enum gh_err
entity_names(struct gh_call *c, struct sim *s, const char *entity_type)
{
    struct gh_policy_set set;

    memset(&set, 0, sizeof(set));
    gh_api_policies_set(&s->entity, &set);
    for (size_t i = 0; i < set.identity_count; i++) {
        const struct gh_policy_src *src = &set.identity[i];
        struct gh_policy_src *dst;
        const char *type;
        char *id;

        if (s->nidentity == SIM_SOURCES_MAX)
            return gh_call_fail(c, GH_ERR_LIMIT, "Too many policies in one simulation.");
        /* AWS IAM: inline policies are named by their policy name with the
         * entity kind as type; managed ones by name, "aws-managed" or
         * "user-managed". */
        switch (src->origin) {
        case GH_ORIGIN_INLINE:
            type = entity_type;
            break;
        case GH_ORIGIN_GROUP_INLINE:
            type = "group";
            break;
        case GH_ORIGIN_MANAGED:
        case GH_ORIGIN_GROUP_MANAGED:
            type = gh_iam_policy_is_aws(src->id) ? "aws-managed" : "user-managed";
            break;
        default:
            type = "none";
            break;
        }
        if ((id = gh_arena_strndup(c->arena, last_element(src->id))) == NULL)
            return GH_ERR_NOMEM;
        dst = &s->identity[s->nidentity++];
        *dst = *src;
        dst->id = gh_slice_from_cstr(id);
        name_add(s, dst->id, type);
    }
    if (set.boundary != NULL) {
        char *id = gh_arena_strndup(c->arena, last_element(set.boundary->id));
        if (id == NULL)
            return GH_ERR_NOMEM;
        s->boundary = *set.boundary;
        s->boundary.id = gh_slice_from_cstr(id);
        s->has_boundary = true;
        name_add(s, s->boundary.id,
                 gh_iam_policy_is_aws(set.boundary->id) ? "aws-managed" : "user-managed");
    }
    return GH_OK;
}

/* SimulatePrincipalPolicy: the user's (with its groups'), group's or role's policies. */
static enum gh_err
entity_load(struct gh_call *c, struct sim *s, struct gh_slice source)
{
    struct gh_slice service, account, rest, name;
    struct gh_principal p;
    const char *type;
    enum gh_err err;

    if (!arn_parts(source, &service, &account, &rest) || !gh_slice_eq_cstr(service, "iam") ||
        !(gh_slice_starts_with(rest, GH_S("user/")) || gh_slice_starts_with(rest, GH_S("role/")) ||
          gh_slice_starts_with(rest, GH_S("group/"))))
        return gh_call_fail(c, GH_ERR_INVALID_INPUT,
                            "Invalid PolicySourceArn %.*s: it must be the ARN of an IAM user, "
                            "group or role.",
                            GH_SP(source));
    name = last_element(rest);
    memset(&p, 0, sizeof(p));
    memcpy(p.account, c->caller->account, sizeof(p.account));
    p.name = name;
    p.arn = source;
    if (!gh_slice_eq(account, gh_iam_account(c)))
        err = GH_ERR_NOT_FOUND; /* another account's entities are not visible here */
    else if (gh_slice_starts_with(rest, GH_S("group/"))) {
        struct gh_group g;
        err = gh_store_group_get(c->tx, c->arena, account, name, &g);
        if (err == GH_OK)
            err = gh_api_group_policies(c, &g, &s->entity);
    } else {
        p.type = gh_slice_starts_with(rest, GH_S("user/")) ? GH_PRINCIPAL_USER
                                                           : GH_PRINCIPAL_ASSUMED_ROLE;
        err = gh_api_principal_policies(c, &p, &s->entity);
    }
    if (err == GH_ERR_NOT_FOUND) {
        /* AWS IAM: NoSuchEntity "The user with name X cannot be found." */
        const char *kind = gh_slice_starts_with(rest, GH_S("user/"))   ? "user"
                           : gh_slice_starts_with(rest, GH_S("role/")) ? "role"
                                                                       : "group";
        return gh_call_fail(c, GH_ERR_NOT_FOUND, "The %s with name %.*s cannot be found.", kind,
                            GH_SP(name));
    }
    if (err != GH_OK)
        return err;
    type = gh_slice_starts_with(rest, GH_S("user/"))   ? "user"
           : gh_slice_starts_with(rest, GH_S("role/")) ? "role"
                                                       : "group";
    memset(&s->who, 0, sizeof(s->who));
    s->caller_account = account;
    s->who.account = account;
    if (gh_slice_starts_with(rest, GH_S("user/"))) {
        s->who.type = GH_PRINCIPAL_USER;
        s->who.arn = source;
    } else if (gh_slice_starts_with(rest, GH_S("role/"))) {
        s->who.type = GH_PRINCIPAL_ROLE;
        s->who.arn = source;
    }
    return entity_names(c, s, type);
}

/* One simulated request's outcome. */
struct outcome {
    struct gh_policy_result r;
    bool boundary_present;
    bool boundary_allows;
    bool cross_account;
    enum gh_decision identity_side; /* cross-account: the caller's account's verdict */
    enum gh_decision resource_side; /* cross-account: the resource policy's verdict */
};

/*
 * The account that owns `resource`: its ARN's, else ResourceOwner's, else
 * the caller's. AWS IAM "AWS managed policies": they are "created and
 * administered by AWS" and available in every account; the "aws" in
 * arn:aws:iam::aws:policy/NAME is not an account, so cross-account
 * evaluation does not apply to them (enforcement passes no resource
 * account for IAM resources at all, and the two must agree).
 */
static struct gh_slice
resource_account(const struct sim *s, struct gh_slice resource)
{
    struct gh_slice service, account, rest;

    if (arn_parts(resource, &service, &account, &rest) && account.len > 0) {
        if (gh_slice_eq_cstr(account, "aws"))
            return s->caller_account;
        return account;
    }
    if (s->owner_account.len > 0)
        return s->owner_account;
    return s->caller_account;
}

static enum gh_err
simulate_one(struct gh_call *c, const struct sim *s, struct gh_slice action,
             struct gh_slice resource, struct outcome *out)
{
    struct gh_policy_ctx ctx;
    struct gh_policy_set set;
    struct gh_slice owner = resource_account(s, resource);
    enum gh_err err;

    memset(out, 0, sizeof(*out));
    gh_policy_ctx_init(&ctx, c->arena);
    if ((err = gh_policy_ctx_set_action(&ctx, action)) == GH_ERR_INVALID_INPUT)
        /* AWS IAM: action names are "service:Action". */
        return gh_call_fail(c, GH_ERR_INVALID_INPUT,
                            "Invalid action name %.*s: it must be SERVICE:ACTION, e.g. "
                            "iam:CreateUser.",
                            GH_SP(action));
    if (err != GH_OK)
        return err;
    if ((err = gh_policy_ctx_set_resource(&ctx, resource)) != GH_OK)
        return err == GH_ERR_INVALID_INPUT
                   ? gh_call_fail(c, err, "Invalid resource name %.*s.", GH_SP(resource))
                   : err;
    gh_policy_ctx_set_principal(&ctx, &s->who);
    /* The resource side below is evaluated on its own: it must know of the boundary too. */
    gh_policy_ctx_set_bounded(&ctx, s->has_boundary);
    if ((err = context_apply(c, s, &ctx)) != GH_OK)
        return err;
    memset(&set, 0, sizeof(set));
    set.identity = s->identity;
    set.identity_count = s->nidentity;
    set.boundary = s->has_boundary ? &s->boundary : NULL;
    set.resource = s->has_resource ? &s->resource : NULL;
    set.cross_account = s->caller_account.len > 0 && !gh_slice_eq(owner, s->caller_account);
    out->cross_account = set.cross_account;
    if ((err = gh_policy_decide(&set, &ctx, &out->r)) != GH_OK)
        return err;
    if (s->has_boundary) {
        struct gh_policy_result b;
        if ((err = gh_policy_eval(&s->boundary, GH_ROLE_BOUNDARY, &ctx, &b)) != GH_OK)
            return err;
        out->boundary_present = true;
        out->boundary_allows = b.decision == GH_ALLOW;
    }
    if (set.cross_account) {
        /* AWS IAM "Cross-account policy evaluation logic": each side on its own. */
        struct gh_policy_result side;
        struct gh_policy_set own = set;
        own.resource = NULL;
        own.cross_account = false;
        if ((err = gh_policy_decide(&own, &ctx, &side)) != GH_OK)
            return err;
        out->identity_side = side.decision;
        out->resource_side = GH_DENY_IMPLICIT;
        if (s->has_resource) {
            if ((err = gh_policy_eval(&s->resource, GH_ROLE_RESOURCE, &ctx, &side)) != GH_OK)
                return err;
            out->resource_side = side.decision;
        }
    }
    return GH_OK;
}

/*
 * AWS IAM reports a position as the column just past the brace (its JSON
 * parser's location after reading the token): in the AWS CLI example of
 * simulate-custom-policy, a statement whose braces sit at columns 37 and
 * 166 is reported from Column 38 to Column 167. The engine gives the
 * braces' own columns.
 */
static int
aws_column(int column)
{
    return column > 0 ? column + 1 : 0;
}

static void
render_statements(struct gh_buf *b, const struct sim *s, const struct gh_policy_result *r)
{
    gh_xml_open(b, "MatchedStatements");
    for (size_t i = 0; i < r->hit_count; i++) {
        const struct gh_policy_hit *h = &r->hits[i];
        gh_xml_open(b, "member");
        gh_xml_elem(b, "SourcePolicyId", h->source_id);
        gh_xml_elem_cstr(b, "SourcePolicyType", name_type(s, h->source_id));
        gh_xml_open(b, "StartPosition");
        gh_xml_elem_int(b, "Line", h->start.line);
        gh_xml_elem_int(b, "Column", aws_column(h->start.column));
        gh_xml_close(b, "StartPosition");
        gh_xml_open(b, "EndPosition");
        gh_xml_elem_int(b, "Line", h->end.line);
        gh_xml_elem_int(b, "Column", aws_column(h->end.column));
        gh_xml_close(b, "EndPosition");
        gh_xml_close(b, "member");
    }
    gh_xml_close(b, "MatchedStatements");
}

static void
render_missing(struct gh_buf *b, const struct gh_policy_result *r)
{
    gh_xml_open(b, "MissingContextValues");
    for (size_t i = 0; i < r->missing_count; i++)
        gh_xml_elem(b, "member", r->missing[i]);
    gh_xml_close(b, "MissingContextValues");
}

static void
render_boundary(struct gh_buf *b, const struct outcome *o)
{
    if (!o->boundary_present)
        return;
    gh_xml_open(b, "PermissionsBoundaryDecisionDetail");
    gh_xml_elem_bool(b, "AllowedByPermissionsBoundary", o->boundary_allows);
    gh_xml_close(b, "PermissionsBoundaryDecisionDetail");
}

/*
 * AWS IAM (EvaluationResult.EvalDecisionDetails): filled only for
 * cross-account simulations; present and empty within one account when a
 * resource ARN was given; absent for "*".
 */
static void
render_details(struct gh_buf *b, const struct outcome *o, bool star)
{
    if (star && !o->cross_account)
        return;
    gh_xml_open(b, "EvalDecisionDetails");
    if (o->cross_account) {
        gh_xml_open(b, "entry");
        gh_xml_elem_cstr(b, "key", "IAM Policy");
        gh_xml_elem_cstr(b, "value", gh_policy_decision_str(o->identity_side));
        gh_xml_close(b, "entry");
        gh_xml_open(b, "entry");
        gh_xml_elem_cstr(b, "key", "Resource Policy");
        gh_xml_elem_cstr(b, "value", gh_policy_decision_str(o->resource_side));
        gh_xml_close(b, "entry");
    }
    gh_xml_close(b, "EvalDecisionDetails");
}

/*
 * One EvaluationResult. AWS IAM: with ResourceArns, missing context
 * values are reported under ResourceSpecificResults; for "*" at the top.
 */
static void
render_result(struct gh_buf *b, const struct sim *s, struct gh_slice action,
              struct gh_slice resource, bool star, const struct outcome *o)
{
    static const struct gh_policy_result none;
    const char *decision = gh_policy_decision_str(o->r.decision);

    gh_xml_open(b, "member");
    gh_xml_elem(b, "EvalActionName", action);
    gh_xml_elem(b, "EvalResourceName", resource);
    gh_xml_elem_cstr(b, "EvalDecision", decision);
    render_statements(b, s, &o->r);
    render_missing(b, star ? &o->r : &none);
    render_boundary(b, o);
    render_details(b, o, star);
    if (!star) {
        gh_xml_open(b, "ResourceSpecificResults");
        gh_xml_open(b, "member");
        gh_xml_elem(b, "EvalResourceName", resource);
        gh_xml_elem_cstr(b, "EvalResourceDecision", decision);
        render_statements(b, s, &o->r);
        render_missing(b, &o->r);
        render_details(b, o, false);
        render_boundary(b, o);
        gh_xml_close(b, "member");
        gh_xml_close(b, "ResourceSpecificResults");
    }
    gh_xml_close(b, "member");
}

static void
sim_release(struct sim *s)
{
    for (size_t i = 0; i < s->nowned; i++)
        gh_policy_unref(s->owned[i]);
    s->nowned = 0;
    gh_api_policies_release(&s->entity);
}

static enum gh_err
simulate(struct gh_call *c, struct sim *s, bool principal)
{
    struct gh_slice source = GH_SLICE_NULL, rpol, owner, caller_arn, handling;
    struct gh_slice *inputs, *bounds, *actions, *resources;
    size_t ninputs, nbounds, nactions, nresources, total, start = 0, end;
    struct gh_store_page page;
    uint64_t at;
    char next[24];
    enum gh_err err;

    if (principal)
        gh_iam_str(c, "PolicySourceArn", &gh_iam_shape_arn, true, &source);
    if ((err = read_docs(c, "PolicyInputList", "policyInputList", SIM_POLICY_INPUTS_MAX, !principal,
                         &inputs, &ninputs)) != GH_OK ||
        /* AWS IAM: an entity has at most one permissions boundary. */
        (err = read_docs(c, "PermissionsBoundaryPolicyInputList",
                         "permissionsBoundaryPolicyInputList", 1, false, &bounds, &nbounds)) !=
            GH_OK ||
        (err = read_strings(c, "ActionNames", "actionNames", SIM_ACTIONS_MAX, &action_rule,
                            &actions, &nactions)) != GH_OK ||
        (err = read_strings(c, "ResourceArns", "resourceArns", SIM_RESOURCES_MAX, &resource_rule,
                            &resources, &nresources)) != GH_OK)
        return err;
    if (nactions == 0)
        gh_iam_null(c, "actionNames");
    gh_iam_str(c, "ResourcePolicy", &gh_iam_shape_policy_document, false, &rpol);
    gh_iam_str(c, "ResourceOwner", &resource_rule, false, &owner);
    gh_iam_str(c, "CallerArn", &resource_rule, false, &caller_arn);
    gh_iam_str(c, "ResourceHandlingOption", &handling_rule, false, &handling);
    if ((err = read_context(c, s)) != GH_OK)
        return err;
    gh_call_page(c, &page);
    if ((err = gh_call_validated(c)) != GH_OK)
        return err;

    /* AWS IAM (service authorization reference): SimulatePrincipalPolicy is
     * authorized on the user, group or role; SimulateCustomPolicy on "*". */
    if (principal) {
        if ((err = gh_call_authorize(c, "iam:SimulatePrincipalPolicy", source)) != GH_OK ||
            (err = entity_load(c, s, source)) != GH_OK)
            return err;
    } else if ((err = gh_call_authorize(c, "iam:SimulateCustomPolicy", GH_S("*"))) != GH_OK) {
        return err;
    }
    if (caller_arn.ptr != NULL && (err = caller_set(c, s, caller_arn)) != GH_OK)
        return err;
    if (s->caller_account.len == 0)
        s->caller_account = gh_iam_account(c);
    if (owner.ptr != NULL) {
        /* AWS IAM: ResourceOwner is an account ARN, arn:aws:iam::ACCOUNT:root. */
        struct gh_slice service, account, rest;
        if (!arn_parts(owner, &service, &account, &rest) || account.len == 0)
            return gh_call_fail(c, GH_ERR_INVALID_INPUT,
                                "Invalid ResourceOwner %.*s: it must be an account ARN such as "
                                "arn:aws:iam::123456789012:root.",
                                GH_SP(owner));
        s->owner_account = account;
    }
    if (rpol.ptr != NULL && s->who.type != GH_PRINCIPAL_USER)
        /* AWS IAM: "CallerArn is required if you include a ResourcePolicy" and the
         * source is not a user, so the policy's Principal has a value to match. */
        return gh_call_fail(c, GH_ERR_INVALID_INPUT,
                            "CallerArn is required when ResourcePolicy is given and "
                            "PolicySourceArn is not an IAM user.");

    for (size_t i = 0; i < ninputs; i++) {
        struct gh_policy *p;
        char *id = gh_arena_printf(c->arena, "PolicyInputList.%zu", i + 1);
        if (id == NULL)
            return GH_ERR_NOMEM;
        if ((err = input_compile(c, s, inputs[i], GH_POLICY_IDENTITY, id, &p)) != GH_OK)
            return err;
        if (s->nidentity == SIM_SOURCES_MAX)
            return gh_call_fail(c, GH_ERR_LIMIT, "Too many policies in one simulation.");
        s->identity[s->nidentity] = (struct gh_policy_src){
            .policy = p, .id = gh_slice_from_cstr(id), .origin = GH_ORIGIN_OTHER};
        name_add(s, s->identity[s->nidentity].id, "none");
        s->nidentity++;
    }
    if (nbounds > 0) {
        /* AWS IAM: a boundary given here replaces the entity's own for the simulation. */
        struct gh_policy *p;
        const char *id = "PermissionsBoundaryPolicyInputList.1";
        if ((err = input_compile(c, s, bounds[0], GH_POLICY_BOUNDARY, id, &p)) != GH_OK)
            return err;
        s->boundary = (struct gh_policy_src){
            .policy = p, .id = gh_slice_from_cstr(id), .origin = GH_ORIGIN_OTHER};
        s->has_boundary = true;
        name_add(s, s->boundary.id, "none");
    }
    if (rpol.ptr != NULL) {
        struct gh_policy *p;
        if ((err = input_compile(c, s, rpol, GH_POLICY_RESOURCE, "ResourcePolicy", &p)) != GH_OK)
            return err;
        s->resource = (struct gh_policy_src){
            .policy = p, .id = GH_S("ResourcePolicy"), .origin = GH_ORIGIN_OTHER};
        s->has_resource = true;
        name_add(s, s->resource.id, "resource");
    }

    /* One result per action and resource, in that order; only the page is computed. */
    total = nactions * (nresources == 0 ? 1 : nresources);
    if (page.marker.len > 0) {
        /* (gh_parse_u64 is not relied on for the bound: check it here.) */
        if (gh_parse_u64(page.marker, total, &at) != GH_OK || at > total)
            return gh_call_fail(c, GH_ERR_INVALID_INPUT, "Invalid Marker.");
        start = (size_t)at;
    }
    end = total - start > page.max_items ? start + page.max_items : total;
    gh_xml_open(c->result, "EvaluationResults");
    for (size_t k = start; k < end; k++) {
        bool star = nresources == 0;
        struct gh_slice action = actions[star ? k : k / nresources];
        struct gh_slice resource = star ? GH_S("*") : resources[k % nresources];
        struct outcome o;
        if ((err = simulate_one(c, s, action, resource, &o)) != GH_OK)
            return err;
        render_result(c->result, s, action, resource, star, &o);
    }
    gh_xml_close(c->result, "EvaluationResults");
    (void)snprintf(next, sizeof(next), "%zu", end);
    gh_call_page_end(c, end < total, gh_slice_from_cstr(next));
    (void)handling; /* AWS IAM: EC2 scenario selection; every resource here is one scenario */
    return gh_buf_status(c->result);
}

static enum gh_err
simulate_run(struct gh_call *c, bool principal)
{
    struct sim *s = gh_arena_alloc(c->arena, sizeof(*s));
    enum gh_err err;

    if (s == NULL)
        return GH_ERR_NOMEM;
    memset(s, 0, sizeof(*s));
    err = simulate(c, s, principal);
    sim_release(s);
    return err;
}

enum gh_err
gh_iam_SimulatePrincipalPolicy(struct gh_call *c)
{
    return simulate_run(c, true);
}

enum gh_err
gh_iam_SimulateCustomPolicy(struct gh_call *c)
{
    return simulate_run(c, false);
}
