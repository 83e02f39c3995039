#!/usr/bin/python3
"""check_layers.py: holds src/ to the module layering and the banned calls.

The rules (docs/ARCHITECTURE.md "Modules and their one-way order",
CONTRIBUTING.md "The source check"):

  1. Every folder under src/ is a module placed in LAYERS below.
  2. A file of module M includes another module T only as "T/T.h" (its
     public header; T_int.h and other private headers stay in T), and only
     when T is in ALLOWED[M]: the modules of lower layers, except where
     OVERRIDES narrows it (policy/ needs only core/).
  3. A module's public header is included by everything above it, so what
     it includes is exported: HEADER_ALLOWED narrows it where a header
     should forward-declare instead.
  4. Only the composition layer (cli/) and api/ itself call the front
     door's entry points (FRONT_DOOR): services never call back up into it.
  5. A record kind ("#define ...REC_... / ...KIND... "kind"") belongs to one
     module: another module declaring the same kind reads records it does
     not own.
  6. No banned call (BANNED) outside comments and strings.
  7. The repository stands alone: no file of the build, tests, tools or
     docs refers to the shared folder beside it (OUTSIDE).

Known violations of today's tree are listed in EXCEPTIONS, each with the
reason; a listed exception that no longer occurs is an error too, so the
list only shrinks.

    tools/check_layers.py              check src/ of this repository
    tools/check_layers.py --root DIR   check DIR/src (no exceptions apply)
    tools/check_layers.py --self-test  check tests/data/layers and compare
                                       the findings with the expected ones
Exit status 0 when clean, 1 on findings, 2 on bad usage.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Lowest first; a module may use the modules of the layers before its own
# (docs/ARCHITECTURE.md "Modules and their one-way order").
LAYERS = [
    ["core"],
    ["crypto"],
    # Libraries over core/crypto, independent of each other and of the server:
    # federation/ only verifies JWTs and SAML responses and fetches JWKS.
    ["policy", "http", "store", "federation"],
    ["auth"],
    # The service framework and front door: Query/JSON protocol, call
    # context, authorization; services register tables, it never includes them.
    ["api"],
    # Services, peers: none includes another.
    ["iam", "sts", "org", "s3", "creds"],
    # The console back end composes services (MFA check, session minting).
    ["console"],
    # Entry points: wire everything together.
    ["cli"],
]

# Narrower than "every lower layer".
OVERRIDES = {
    "policy": {"core"},  # policy/ needs only core/ (usable as a library)
}

# What a public header may include (default: what its module may).
HEADER_ALLOWED = {
    # auth.h is included by every service: it should need only core and
    # crypto types, and forward-declare the rest.
    "auth": {"core", "crypto"},
}

# The front door's entry points (src/api/api.h "the front door"): only the
# composition layer wires and drives them. gh_api_call_init is meant for
# REST handlers and is not listed.
FRONT_DOOR = {
    "gh_api_new", "gh_api_free", "gh_api_refresh", "gh_api_mount", "gh_api_set_rest",
    "gh_api_handle", "gh_api_handle_query", "gh_api_authenticate", "gh_api_authenticate_hashed",
}
FRONT_DOOR_USERS = {"api", "cli"}

# Banned calls, with what to use instead (CONTRIBUTING.md "The source check").
BANNED = {
    "strcpy": "gh_buf_append or memcpy with a checked length",
    "strcat": "gh_buf_append or memcpy with a checked length",
    "strncpy": "gh_buf_append or memcpy with a checked length",
    "sprintf": "gh_buf_printf",
    "vsprintf": "gh_buf_printf",
    "strtok": "gh_slice_split",
    "sscanf": "gh_slice_split / gh_parse_*",
    "atoi": "gh_parse_u64",
    "atol": "gh_parse_u64",
    "gmtime": "gmtime_r",
    "localtime": "gmtime_r (UTC only)",
    "rand": "gh_random",
    "gets": "nothing",
    "alloca": "nothing",
}

_ITEM3 = "known back-edge, to remove: issue 'Architecture' item 3"

# Known violations of today's tree: (rule, file, what) -> why it is here.
# Remove the line with the violation; never add one for new code.
EXCEPTIONS = {
    # sts/ reads IAM roles, providers and users through iam.h: a peer edge.
    # The shared lookups belong below both (api/ or store/).
    ("include", "src/sts/common.c", "iam"): _ITEM3,
    ("include", "src/sts/saml.c", "iam"): _ITEM3,
    ("include", "src/sts/web_identity.c", "iam"): _ITEM3,
    # auth.h pulls http.h (gh_http_header), policy.h (gh_principal_type) and
    # store.h (gh_keyring_load) into every includer.
    ("header", "src/auth/auth.h", "http"): _ITEM3,
    ("header", "src/auth/auth.h", "policy"): _ITEM3,
    ("header", "src/auth/auth.h", "store"): _ITEM3,
    # S3 authenticates by calling back into the front door instead of auth/.
    ("front-door", "src/s3/auth.c", "gh_api_authenticate"): _ITEM3,
    ("front-door", "src/s3/auth.c", "gh_api_authenticate_hashed"): _ITEM3,
    # console/signin.c re-declares IAM's record kinds and parses IAM's
    # login, password-policy, MFA and alias records itself.
    ("record", "src/console/signin.c", "alias"): _ITEM3,
    ("record", "src/console/signin.c", "login"): _ITEM3,
    ("record", "src/console/signin.c", "mfa"): _ITEM3,
    ("record", "src/console/signin.c", "pwpolicy"): _ITEM3,
}

# Rule 7: what no tracked text file may say (built so this file does not).
OUTSIDE = re.compile(r"\.\./" + "shared\\b|/work/" + "shared\\b")
TEXT_EXT = (".c", ".h", ".py", ".md", ".txt", ".sh", ".mjs", ".js", ".ts", ".json", ".cmake", ".yml")
TEXT_NAMES = ("CMakeLists.txt", "Makefile")
SKIP_DIRS = ("node_modules", "__pycache__", "data")  # data: a server's data directory

# What --self-test must find in tests/data/layers, no more, no less.
SELF_TEST_EXPECTED = {
    ("module", "src/zzz/new.c", "zzz"),
    ("include", "src/policy/compile.c", "http"),
    ("private", "src/iam/user.c", "store/store_int.h"),
    ("include", "src/sts/assume.c", "iam"),
    ("header", "src/auth/auth.h", "store"),
    ("front-door", "src/s3/auth.c", "gh_api_authenticate"),
    ("record", "src/console/signin.c", "login"),
    ("banned", "src/core/buf.c", "sprintf"),
    ("banned", "src/core/buf.c", "strtok"),
    ("banned", "src/core/buf.c", "strcpy"),
    ("form", "src/http/form.c", "form_int.h"),
    ("stale", "src/sts/gone.c", "iam"),
    ("alone", "README.md", "outside"),
}
SELF_TEST_EXCEPTIONS = {
    ("include", "src/sts/gone.c", "iam"): "an exception whose edge is gone",
    ("banned", "src/core/time.c", "gmtime"): "an excepted banned call",
}


def allowed_map():
    allowed, below = {}, set()
    for layer in LAYERS:
        for m in layer:
            allowed[m] = OVERRIDES.get(m, set(below))
        below |= set(layer)
    return allowed


TOKENS = re.compile(r'//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:\\.|[^"\\\n])*"?|\'(?:\\.|[^\'\\\n])*\'?', re.S)


def strip(text, keep_strings):
    """Comments become spaces (newlines kept); string and character literals
    keep their content when keep_strings, else it becomes spaces."""
    def blank(m):
        t = m.group(0)
        if t.startswith("/"):
            return re.sub(r"[^\n]", " ", t)
        if keep_strings:
            return t
        return t[0] + " " * max(len(t) - 2, 0) + (t[-1] if len(t) > 1 else "")
    return TOKENS.sub(blank, text)


INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]*)"', re.M)
ANY_INCLUDE = re.compile(r"^[ \t]*#[ \t]*include\b.*$", re.M)
RECORD = re.compile(r'^[ \t]*#[ \t]*define[ \t]+(\w*(?:REC|KIND)\w*)[ \t]+"([^"]*)"', re.M)
IDENT = re.compile(r"(->|\.)?\s*\b([A-Za-z_]\w*)\b")


def is_use(text, start, end):
    """A call (`name(`) or the function as a value (`= name`, `&name`,
    `(name`, `, name`, `return name`); not a member or variable declaration."""
    after = text[end:].lstrip()
    before = text[:start].rstrip()
    return after.startswith("(") or before.endswith(("=", "&", "(", ",")) or \
        re.search(r"\breturn$", before) is not None


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def scan(root):
    """Every finding in root/src as (rule, file, what, line, message)."""
    allowed = allowed_map()
    src = os.path.join(root, "src")
    found = []
    records = {}  # kind -> [(module, file, line, macro)]
    for dirpath, _, files in sorted(os.walk(src)):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            parts = rel.split("/")
            mod = parts[1] if len(parts) > 2 else ""
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if mod not in allowed:
                found.append(("module", rel, mod, 1,
                              "module %r is in no layer: place it in LAYERS (tools/check_layers.py) "
                              "and docs/ARCHITECTURE.md" % mod))
                continue
            code = strip(text, keep_strings=True)
            public = len(parts) == 3 and name == mod + ".h"
            for m in INCLUDE.finditer(code):
                inc, ln = m.group(1), line_of(code, m.start())
                if "/" not in inc:
                    found.append(("form", rel, inc, ln,
                                  '#include "%s": name the module ("%s/%s")' % (inc, mod, inc)))
                    continue
                tgt = inc.split("/", 1)[0]
                if tgt == mod:
                    continue
                if tgt not in allowed:
                    found.append(("include", rel, tgt, ln, '#include "%s": no module %r' % (inc, tgt)))
                elif inc != "%s/%s.h" % (tgt, tgt):
                    found.append(("private", rel, inc, ln,
                                  '#include "%s": other modules use only "%s/%s.h"' % (inc, tgt, tgt)))
                elif tgt not in allowed[mod]:
                    found.append(("include", rel, tgt, ln,
                                  '#include "%s": %s/ may use only %s' %
                                  (inc, mod, ", ".join(sorted(allowed[mod])) or "nothing")))
                elif public and tgt not in HEADER_ALLOWED.get(mod, allowed[mod]):
                    found.append(("header", rel, tgt, ln,
                                  '#include "%s": %s.h exports it to every includer; it may include '
                                  "only %s (forward-declare the rest)" %
                                  (inc, mod, ", ".join(sorted(HEADER_ALLOWED[mod])))))
            for m in RECORD.finditer(code):
                records.setdefault(m.group(2), []).append(
                    (mod, rel, line_of(code, m.start()), m.group(1)))
            bare = ANY_INCLUDE.sub("", strip(text, keep_strings=False))
            for m in IDENT.finditer(bare):
                member, ident = m.group(1), m.group(2)
                if member or (ident not in BANNED and ident not in FRONT_DOOR):
                    continue
                ln = line_of(bare, m.start(2))
                if ident in BANNED and is_use(bare, m.start(2), m.end(2)):
                    found.append(("banned", rel, ident, ln,
                                  "%s is banned: use %s" % (ident, BANNED[ident])))
                elif ident in FRONT_DOOR and mod not in FRONT_DOOR_USERS:
                    found.append(("front-door", rel, ident, ln,
                                  "%s is the front door's: %s/ must not call back up into api/'s "
                                  "entry points" % (ident, mod)))
    # A kind declared in several modules: its owner is the module that
    # names it with its own GH_<MODULE>_ prefix; every other one is flagged.
    for kind, sites in sorted(records.items()):
        mods = {s[0] for s in sites}
        if len(mods) < 2:
            continue
        owners = {s[0] for s in sites if s[3].startswith("GH_%s_" % s[0].upper())}
        for mod, rel, ln, macro in sites:
            if mod not in owners:
                found.append(("record", rel, kind, ln,
                              'record kind "%s" (%s) is also declared by %s/: use that module\'s '
                              "public API instead of its records" %
                              (kind, macro, ", ".join(sorted(mods - {mod})))))
    return found


def scan_alone(root):
    """Rule 7 over root's text files, except build trees, hidden folders and
    tests/data (fixtures, such as tests/data/layers/README.md)."""
    found = []
    for dirpath, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "build")) and d not in SKIP_DIRS
                         and (rel_dir + "/" + d).lstrip("./") != "tests/data")
        for name in sorted(files):
            if not (name.endswith(TEXT_EXT) or name in TEXT_NAMES):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for m in OUTSIDE.finditer(text):
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                found.append(("alone", rel, "outside", line_of(text, m.start()),
                              "refers to %r outside the repository: the repository stands alone "
                              "(link docs/ARCHITECTURE.md or CONTRIBUTING.md)" % m.group(0)))
    return found


def check(root, exceptions):
    """Findings not excepted, plus stale exceptions, as (rule, file, what, line, message)."""
    found = scan(root) + scan_alone(root)
    seen = {(r, f, w) for r, f, w, _, _ in found}
    out = [x for x in found if (x[0], x[1], x[2]) not in exceptions]
    for (r, f, w), why in sorted(exceptions.items()):
        if (r, f, w) not in seen:
            out.append(("stale", f, w, 0,
                        "exception (%s, %s, %s) no longer occurs (%s): remove it from EXCEPTIONS "
                        "in tools/check_layers.py" % (r, f, w, why)))
    return out


def report(findings):
    for r, f, w, ln, msg in sorted(findings, key=lambda x: (x[1], x[3], x[0])):
        print("%s:%d: [%s] %s" % (f, ln, r, msg))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", help="check ROOT/src without the exceptions list")
    ap.add_argument("--self-test", action="store_true",
                    help="check tests/data/layers and compare with the expected findings")
    args = ap.parse_args()
    if args.self_test:
        fixture = os.path.join(ROOT, "tests", "data", "layers")
        findings = check(fixture, SELF_TEST_EXCEPTIONS)
        got = {(r, f, w) for r, f, w, _, _ in findings}
        missing, extra = SELF_TEST_EXPECTED - got, got - SELF_TEST_EXPECTED
        for x in sorted(missing):
            print("self-test: expected finding not reported: %s %s %s" % x)
        for x in sorted(extra):
            print("self-test: unexpected finding: %s %s %s" % x)
        if missing or extra:
            return 1
        print("check_layers self-test: %d findings as expected" % len(got))
        return 0
    root = os.path.abspath(args.root) if args.root else ROOT
    if not os.path.isdir(os.path.join(root, "src")):
        print("check_layers: no src/ under %s" % root, file=sys.stderr)
        return 2
    findings = check(root, EXCEPTIONS if args.root is None else {})
    report(findings)
    if findings:
        print("check_layers: %d finding(s); see CONTRIBUTING.md \"The source check\"" % len(findings))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
