// aws.ts: the SDK clients, signed in the browser with the active session's
// credentials and sent to this origin.
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { credentials, REGION } from "./session";

export function iam(): IAMClient {
  return new IAMClient({ region: REGION, endpoint: window.location.origin, credentials: credentials(), maxAttempts: 1 });
}

export function sts(): STSClient {
  return new STSClient({ region: REGION, endpoint: window.location.origin, credentials: credentials(), maxAttempts: 1 });
}

export { awsError, deniedBy } from "./errors";
export type { AwsError } from "./errors";
