// aws.ts: the SDK clients, signed in the browser with the active session's
// credentials and sent to this origin; and how AWS errors are shown.
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { credentials, REGION } from "./session";

export function iam(): IAMClient {
  return new IAMClient({ region: REGION, endpoint: window.location.origin, credentials: credentials(), maxAttempts: 1 });
}

export function sts(): STSClient {
  return new STSClient({ region: REGION, endpoint: window.location.origin, credentials: credentials(), maxAttempts: 1 });
}

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
