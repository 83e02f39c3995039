/*
 * position.c: where each statement starts and ends in the document text
 * (line and column of its braces), which SimulatePrincipalPolicy reports
 * for matched statements. jansson keeps no positions, so the already
 * validated text is scanned once more.
 */
#include "policy/policy_int.h"

struct scan {
    const char *s;
    size_t n, i;
};

static void
skip_ws(struct scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' ||
                             sc->s[sc->i] == '\r'))
        sc->i++;
}

/* At a '"': moves past the string; returns its raw contents. */
static struct gh_slice
skip_string(struct scan *sc)
{
    size_t start = ++sc->i;

    while (sc->i < sc->n && sc->s[sc->i] != '"')
        sc->i += sc->s[sc->i] == '\\' ? 2 : 1;
    if (sc->i > sc->n)
        sc->i = sc->n;
    return (struct gh_slice){sc->s + start, sc->i++ - start};
}

/* Moves past one JSON value (the text is valid JSON); iterative, so depth costs nothing. */
static void
skip_value(struct scan *sc)
{
    size_t depth = 0;

    skip_ws(sc);
    do {
        if (sc->i >= sc->n)
            return;
        char ch = sc->s[sc->i];
        if (ch == '"') {
            (void)skip_string(sc);
        } else if (ch == '{' || ch == '[') {
            depth++;
            sc->i++;
        } else if (ch == '}' || ch == ']') {
            depth--;
            sc->i++;
        } else if (depth == 0) {
            while (sc->i < sc->n && sc->s[sc->i] != ',' && sc->s[sc->i] != '}' &&
                   sc->s[sc->i] != ']' && sc->s[sc->i] != ' ' && sc->s[sc->i] != '\n' &&
                   sc->s[sc->i] != '\r' && sc->s[sc->i] != '\t')
                sc->i++;
        } else {
            sc->i++;
        }
    } while (depth > 0);
}

struct cursor {
    size_t off;
    int line, col;
};

static struct gh_policy_pos
pos_at(const char *s, struct cursor *c, size_t off)
{
    for (; c->off < off; c->off++) {
        unsigned char ch = (unsigned char)s[c->off];
        if (ch == '\n') {
            c->line++;
            c->col = 1;
        } else if ((ch & 0xc0) != 0x80) {
            c->col++;
        }
    }
    return (struct gh_policy_pos){c->line, c->col};
}

static void
record(struct gh_policy *p, uint32_t idx, size_t start, size_t end, struct cursor *cur)
{
    if (idx >= p->nstmt || end == 0)
        return;
    p->stmts[idx].start = pos_at(p->text.ptr, cur, start);
    p->stmts[idx].end = pos_at(p->text.ptr, cur, end);
}

void
gh_policy_positions(struct gh_policy *p)
{
    struct scan sc = {p->text.ptr, p->text.len, 0};
    struct cursor cur = {0, 1, 1};

    skip_ws(&sc);
    if (sc.i >= sc.n || sc.s[sc.i] != '{')
        return;
    sc.i++;
    for (;;) {
        struct gh_slice key;

        skip_ws(&sc);
        if (sc.i >= sc.n || sc.s[sc.i] != '"')
            return;
        key = skip_string(&sc);
        skip_ws(&sc);
        if (sc.i >= sc.n || sc.s[sc.i] != ':')
            return;
        sc.i++;
        skip_ws(&sc);
        if (gh_slice_eq_cstr(key, "Statement") && sc.i < sc.n) {
            if (sc.s[sc.i] == '{') {
                size_t start = sc.i;
                skip_value(&sc);
                record(p, 0, start, sc.i - 1, &cur);
                return;
            }
            if (sc.s[sc.i] == '[') {
                uint32_t idx = 0;
                sc.i++;
                for (;;) {
                    size_t start;
                    skip_ws(&sc);
                    if (sc.i >= sc.n || sc.s[sc.i] == ']')
                        return;
                    start = sc.i;
                    skip_value(&sc);
                    record(p, idx++, start, sc.i - 1, &cur);
                    skip_ws(&sc);
                    if (sc.i < sc.n && sc.s[sc.i] == ',')
                        sc.i++;
                }
            }
            return;
        }
        skip_value(&sc);
        skip_ws(&sc);
        if (sc.i >= sc.n || sc.s[sc.i] != ',')
            return;
        sc.i++;
    }
}
