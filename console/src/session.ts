// session.ts: the console session, kept in this page's memory only (never
// in localStorage or cookies): the signed-in identity's temporary
// credentials from POST /console/signin and, after "Switch role", the
// role's credentials from sts:AssumeRole. Remembered roles (account, role,
// display name, colour: no secrets) are kept in localStorage as AWS does.
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface Identity {
  accountId: string;
  arn: string;
  userName: string;
  root: boolean;
  mfa: boolean;
  passwordChangeRequired: boolean;
}

export interface RoleChoice {
  account: string;
  role: string;
  display: string;
  colour: string;
}

interface Switched extends RoleChoice {
  creds: Credentials;
  arn: string;
}

let base: { creds: Credentials; identity: Identity } | null = null;
let switched: Switched | null = null;
const listeners: Array<() => void> = [];

export const REGION = "us-east-1";
export const COLOURS = ["red", "orange", "yellow", "green", "blue", "purple"];
const ROLES_KEY = "gatehouse.console.roles";

export function onChange(fn: () => void): void {
  listeners.push(fn);
}
function changed(): void {
  for (const fn of listeners) fn();
}

export function signedIn(): boolean {
  return base !== null;
}
export function identity(): Identity | null {
  return base ? base.identity : null;
}
export function activeRole(): Switched | null {
  return switched;
}
export function credentials(): Credentials {
  if (!base) throw new Error("Not signed in");
  return switched ? switched.creds : base.creds;
}
export function accountId(): string {
  return switched ? switched.account : base ? base.identity.accountId : "";
}

export class SignInError extends Error {
  constructor(public code: string, message: string) {
    super(message);
  }
}

// POST /console/signin; the custom header keeps other sites from posting it.
export async function signIn(account: string, username: string, password: string, mfaCode: string): Promise<Identity> {
  const body = new URLSearchParams({ account, username, password, mfaCode });
  const resp = await fetch("/console/signin", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Gatehouse-Console": "1" },
    body,
    credentials: "omit",
    cache: "no-store",
  });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const err = data.error || {};
    throw new SignInError(err.code || "SignInFailed", err.message || `Sign-in failed (HTTP ${resp.status}).`);
  }
  base = {
    creds: {
      accessKeyId: data.accessKeyId,
      secretAccessKey: data.secretAccessKey,
      sessionToken: data.sessionToken,
      expiration: new Date(data.expiration),
    },
    identity: {
      accountId: data.accountId,
      arn: data.arn,
      userName: data.userName,
      root: Boolean(data.root),
      mfa: Boolean(data.mfa),
      passwordChangeRequired: Boolean(data.passwordChangeRequired),
    },
  };
  switched = null;
  changed();
  return base.identity;
}

// Revokes the console session on the server, then forgets everything.
export async function signOut(): Promise<void> {
  const token = base?.creds.sessionToken;
  base = null;
  switched = null;
  changed();
  if (token) {
    await fetch("/console/signout", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Gatehouse-Console": "1" },
      body: new URLSearchParams({ sessionToken: token }),
      credentials: "omit",
      cache: "no-store",
    }).catch(() => undefined);
  }
}

export function rememberedRoles(): RoleChoice[] {
  try {
    const v = JSON.parse(localStorage.getItem(ROLES_KEY) || "[]");
    if (!Array.isArray(v)) return [];
    return v
      .filter((r) => r && typeof r.account === "string" && typeof r.role === "string")
      .map((r) => ({
        account: r.account,
        role: r.role,
        display: typeof r.display === "string" ? r.display : r.role,
        colour: COLOURS.includes(r.colour) ? r.colour : "blue",
      }))
      .slice(0, 5);
  } catch {
    return [];
  }
}

function remember(choice: RoleChoice): void {
  const list = rememberedRoles().filter((r) => !(r.account === choice.account && r.role === choice.role));
  list.unshift(choice);
  localStorage.setItem(ROLES_KEY, JSON.stringify(list.slice(0, 5)));
}

// sts:AssumeRole with the signed-in identity's credentials (not a chained role's).
export async function switchRole(choice: RoleChoice): Promise<void> {
  if (!base) throw new Error("Not signed in");
  const { AssumeRoleCommand, STSClient } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({ region: REGION, endpoint: window.location.origin, credentials: base.creds });
  const name = (base.identity.userName || "root").replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${choice.account}:role/${choice.role}`,
      RoleSessionName: name.length >= 2 ? name : `${name}-console`,
      DurationSeconds: 3600,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("AssumeRole returned no credentials.");
  switched = {
    ...choice,
    arn: out.AssumedRoleUser?.Arn || "",
    creds: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration || new Date(Date.now() + 3600e3),
    },
  };
  remember(choice);
  changed();
}

export function switchBack(): void {
  switched = null;
  changed();
}
