// errors.ts: how AWS errors are shown (no SDK here: the sign-in page uses it).
export interface AwsError {
  code: string;
  message: string;
  deniedBy?: string; // the policy type AWS names in an AccessDenied message
}

// AWS AccessDenied wording names the policy type that decided:
// "... with an explicit deny in a permissions boundary" or
// "... because no identity-based policy allows the iam:CreateUser action".
export function deniedBy(message: string): string | undefined {
  const m = /(?:explicit deny in an?|because no) ((?:[\w-]+ )*?(?:[\w-]+ )?(?:policy|boundary|control policy))/i.exec(message);
  if (!m) return undefined;
  return m[1].replace(/^(an?|the) /i, "");
}

export function awsError(e: unknown): AwsError {
  const err = e as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = err?.Code || err?.name || "Error";
  const message = err?.message || String(e);
  return { code, message, deniedBy: code === "AccessDenied" || code === "AccessDeniedException" ? deniedBy(message) : undefined };
}
