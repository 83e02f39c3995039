// wizard.ts: "Create role" as the AWS console has it: 1) trusted entity
// (AWS service with a use case, AWS account with ExternalId/MFA options,
// web identity, SAML 2.0 federation, or a custom trust policy), 2) add
// permissions (managed policies, a permissions boundary), 3) name,
// description, tags and a review of the generated trust policy -> create.
import { AttachRolePolicyCommand, CreateRoleCommand, Policy } from "@aws-sdk/client-iam";
import { awsError, iam } from "../aws";
import { clear, field, h, uid } from "../dom";
import { go } from "../nav";
import { accountId } from "../session";
import { button, errorBox } from "../ui";
import { allPolicies, policyPicker, policyType, tagEditor } from "./common";
import { jsonEditor } from "./editor";

export const USE_CASES: Array<[string, string, string]> = [
  ["EC2", "ec2.amazonaws.com", "Allows EC2 instances to call AWS services on your behalf."],
  ["Lambda", "lambda.amazonaws.com", "Allows Lambda functions to call AWS services on your behalf."],
  ["Elastic Container Service task", "ecs-tasks.amazonaws.com", "Allows ECS tasks to call AWS services on your behalf."],
  ["Elastic Container Service", "ecs.amazonaws.com", "Allows ECS to manage your cluster."],
  ["EKS cluster", "eks.amazonaws.com", "Allows the cluster Kubernetes control plane to manage AWS resources."],
  ["API Gateway", "apigateway.amazonaws.com", "Allows API Gateway to push logs to CloudWatch Logs."],
  ["CloudFormation", "cloudformation.amazonaws.com", "Allows CloudFormation to create and manage AWS stacks and resources."],
  ["Step Functions", "states.amazonaws.com", "Allows Step Functions to access AWS resources."],
  ["Glue", "glue.amazonaws.com", "Allows Glue to call AWS services on your behalf."],
  ["SageMaker", "sagemaker.amazonaws.com", "Allows SageMaker to access AWS resources."],
];

const WEB_PROVIDERS = ["accounts.google.com", "graph.facebook.com", "www.amazon.com", "cognito-identity.amazonaws.com"];

export interface TrustChoice {
  type: "service" | "account" | "web" | "saml" | "custom";
  service?: string;
  otherAccount?: string; // empty: this account
  externalId?: string;
  requireMfa?: boolean;
  provider?: string;
  audience?: string;
  samlProvider?: string;
  custom?: string;
}

// The trust policy the console generates for a choice (as AWS's console writes it).
export function trustPolicy(c: TrustChoice, thisAccount: string): string {
  if (c.type === "custom") return c.custom || "";
  let stmt: Record<string, unknown>;
  if (c.type === "service") {
    stmt = { Effect: "Allow", Principal: { Service: [c.service] }, Action: ["sts:AssumeRole"] };
  } else if (c.type === "account") {
    const cond: Record<string, Record<string, string>> = {};
    if (c.externalId) cond.StringEquals = { "sts:ExternalId": c.externalId };
    if (c.requireMfa) cond.Bool = { "aws:MultiFactorAuthPresent": "true" };
    stmt = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${c.otherAccount || thisAccount}:root` }, Action: "sts:AssumeRole" };
    if (Object.keys(cond).length) stmt.Condition = cond;
  } else if (c.type === "web") {
    const p = c.provider || "";
    const key = p.startsWith("arn:") ? p.replace(/^arn:aws:iam::\d+:oidc-provider\//, "") : p;
    stmt = { Effect: "Allow", Principal: { Federated: p }, Action: "sts:AssumeRoleWithWebIdentity" };
    if (c.audience) stmt.Condition = { StringEquals: { [`${key}:aud`]: c.audience } };
  } else {
    stmt = { Effect: "Allow", Principal: { Federated: c.samlProvider }, Action: "sts:AssumeRoleWithSAML", Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } } };
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: [stmt] }, null, 2);
}

function radio(name: string, value: string, label: string, desc: string, checked: boolean): HTMLElement {
  const id = uid("r");
  return h("div", { class: "choice" }, h("input", { type: "radio", name, value, id, checked }), h("label", { for: id }, h("strong", null, label), h("span", { class: "hint" }, desc)));
}

export function createRoleWizard(): HTMLElement {
  const choice: TrustChoice = { type: "service", service: USE_CASES[0][1] };
  let chosen: Policy[] = [];
  let step = 1;
  const steps = ["Select trusted entity", "Add permissions", "Name, review, and create"];
  const progress = h("ol", { class: "steps", "aria-label": "Steps" });
  const body = h("div", { class: "card" });
  const msg = h("div");
  const nav = h("div", { class: "wizard-nav" });

  // Step 1 controls (kept across steps).
  const types = h(
    "fieldset",
    { class: "choices" },
    h("legend", null, "Trusted entity type"),
    radio("trust", "service", "AWS service", "Allow AWS services like EC2, Lambda, or others to perform actions in this account.", true),
    radio("trust", "account", "AWS account", "Allow entities in other AWS accounts belonging to you or a 3rd party to perform actions in this account.", false),
    radio("trust", "web", "Web identity", "Allows users federated by the specified external web identity provider to assume this role.", false),
    radio("trust", "saml", "SAML 2.0 federation", "Allow users federated with SAML 2.0 from a corporate directory to perform actions in this account.", false),
    radio("trust", "custom", "Custom trust policy", "Create a custom trust policy to enable others to perform actions in this account.", false),
  );
  const useCase = h("select", { name: "useCase" }, USE_CASES.map(([label, svc]) => h("option", { value: svc }, label)));
  const useCaseHint = h("p", { class: "hint" }, USE_CASES[0][2]);
  useCase.addEventListener("change", () => {
    choice.service = useCase.value;
    useCaseHint.textContent = USE_CASES.find((u) => u[1] === useCase.value)?.[2] || "";
  });
  const thisAcct = h("input", { type: "radio", name: "acct", id: "acct-this", checked: true });
  const otherAcct = h("input", { type: "radio", name: "acct", id: "acct-other" });
  const otherId = h("input", { name: "otherAccount", inputmode: "numeric", maxlength: "12", placeholder: "123456789012" });
  const extOn = h("input", { type: "checkbox", id: "ext-on" });
  const extId = h("input", { name: "externalId", maxlength: "1224" });
  const mfaOn = h("input", { type: "checkbox", id: "mfa-on" });
  const provider = h("select", { name: "provider" }, WEB_PROVIDERS.map((p) => h("option", { value: p }, p)));
  const providerArn = h("input", { name: "providerArn", placeholder: "or an OIDC provider ARN: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" });
  const audience = h("input", { name: "audience" });
  const samlArn = h("input", { name: "samlProvider", placeholder: "arn:aws:iam::123456789012:saml-provider/Corp" });
  const custom = jsonEditor(trustPolicy({ type: "service", service: "ec2.amazonaws.com" }, accountId()), "Custom trust policy");
  const detail = h("div", { class: "trust-detail" });

  const renderDetail = () => {
    clear(detail);
    const t = choice.type;
    if (t === "service") detail.append(field("Use case: service or use case", useCase), useCaseHint);
    if (t === "account")
      detail.append(
        h("fieldset", null, h("legend", null, "An AWS account"), h("div", { class: "field checkbox" }, thisAcct, h("label", { for: "acct-this" }, `This account (${accountId()})`)), h("div", { class: "field checkbox" }, otherAcct, h("label", { for: "acct-other" }, "Another AWS account")), field("Account ID", otherId)),
        h("fieldset", null, h("legend", null, "Options"), h("div", { class: "field checkbox" }, extOn, h("label", { for: "ext-on" }, "Require external ID (best practice when a third party will assume this role)")), field("External ID", extId), h("div", { class: "field checkbox" }, mfaOn, h("label", { for: "mfa-on" }, "Require MFA"))),
      );
    if (t === "web") detail.append(field("Identity provider", provider), field("OIDC provider ARN (optional)", providerArn), field("Audience", audience));
    if (t === "saml") detail.append(field("SAML 2.0-based provider ARN", samlArn));
    if (t === "custom") detail.append(custom.el);
  };
  types.addEventListener("change", (ev) => {
    const v = (ev.target as HTMLInputElement).value as TrustChoice["type"];
    if (!["service", "account", "web", "saml", "custom"].includes(v)) return;
    choice.type = v;
    renderDetail();
  });

  const collect = (): string | null => {
    choice.service = useCase.value;
    choice.otherAccount = otherAcct.checked ? otherId.value.trim() : "";
    choice.externalId = extOn.checked ? extId.value.trim() : "";
    choice.requireMfa = mfaOn.checked;
    choice.provider = providerArn.value.trim() || provider.value;
    choice.audience = audience.value.trim();
    choice.samlProvider = samlArn.value.trim();
    choice.custom = custom.value();
    if (choice.type === "account" && otherAcct.checked && !/^\d{12}$/.test(choice.otherAccount)) return "Enter a 12-digit account ID.";
    if (choice.type === "account" && extOn.checked && choice.externalId.length < 2) return "Enter an external ID (2 to 1224 characters).";
    if (choice.type === "web" && !choice.audience) return "Enter the audience (client ID) the tokens carry.";
    if (choice.type === "saml" && !/^arn:aws:iam::\d{12}:saml-provider\/.+/.test(choice.samlProvider)) return "Enter the ARN of a SAML provider.";
    if (choice.type === "custom" && !custom.check()) return "The custom trust policy is not valid JSON.";
    return null;
  };

  // Step 2 controls.
  const picker = policyPicker((p) => (chosen = p));
  const boundaryOn = h("input", { type: "checkbox", id: "boundary-on" });
  const boundary = h("select", { name: "boundary", disabled: true });
  boundaryOn.addEventListener("change", () => (boundary.disabled = !boundaryOn.checked));
  void allPolicies()
    .then((ps) => ps.forEach((p) => boundary.appendChild(h("option", { value: p.Arn || "" }, `${p.PolicyName} (${policyType(p.Arn || "")})`))))
    .catch(() => undefined);

  // Step 3 controls.
  const roleName = h("input", { name: "roleName", maxlength: "64", required: true });
  const desc = h("input", { name: "description", maxlength: "1000" });
  const tags = tagEditor();

  const render = () => {
    clear(progress);
    steps.forEach((s, i) => progress.appendChild(h("li", { "aria-current": i + 1 === step ? "step" : undefined, class: i + 1 < step ? "done" : undefined }, `Step ${i + 1}: ${s}`)));
    clear(body);
    clear(nav);
    clear(msg);
    if (step === 1) {
      body.append(h("h2", null, steps[0]), types, detail);
      renderDetail();
      nav.append(h("a", { class: "btn secondary", href: "#/roles" }, "Cancel"), button("Next", () => { const e = collect(); if (e) { msg.appendChild(h("div", { class: "alert error", role: "alert" }, e)); return; } step = 2; render(); }, "primary"));
    } else if (step === 2) {
      body.append(h("h2", null, steps[1]), h("h3", null, "Permissions policies"), picker, h("h3", null, "Set permissions boundary - optional"), h("div", { class: "field checkbox" }, boundaryOn, h("label", { for: "boundary-on" }, "Use a permissions boundary to control the maximum role permissions")), field("Permissions boundary policy", boundary));
      nav.append(button("Previous", () => { step = 1; render(); }), button("Next", () => { step = 3; render(); }, "primary"));
    } else {
      const trust = trustPolicy(choice, accountId());
      body.append(
        h("h2", null, steps[2]),
        field("Role name", roleName, "Maximum 64 characters. Use alphanumeric and '+=,.@-_' characters."),
        field("Description", desc),
        h("h3", null, "Step 1: Select trusted entities"),
        h("pre", { class: "code", "data-testid": "review-trust" }, trust),
        h("h3", null, "Step 2: Add permissions"),
        chosen.length ? h("ul", null, chosen.map((p) => h("li", null, `${p.PolicyName} (${policyType(p.Arn || "")})`))) : h("p", { class: "muted" }, "No policies."),
        boundaryOn.checked ? h("p", null, `Permissions boundary: ${boundary.value}`) : "",
        h("h3", null, "Step 3: Add tags - optional"),
        tags.el,
      );
      nav.append(
        button("Previous", () => { step = 2; render(); }),
        button("Create role", async (ev) => {
          const b = ev.target as HTMLButtonElement;
          b.disabled = true;
          clear(msg);
          const name = roleName.value.trim();
          try {
            const t = tags.tags();
            await iam().send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, Description: desc.value || undefined, PermissionsBoundary: boundaryOn.checked && boundary.value ? boundary.value : undefined, Tags: t.length ? t : undefined }));
            for (const p of chosen) await iam().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: p.Arn }));
            go(`/roles/${encodeURIComponent(name)}`);
          } catch (e) {
            msg.appendChild(errorBox(e));
            void awsError;
          } finally {
            b.disabled = false;
          }
        }, "primary"),
      );
    }
    body.appendChild(msg);
  };
  render();
  return h("div", null, h("p", { class: "crumbs" }, h("a", { href: "#/roles" }, "Roles"), " › Create role"), h("h1", null, "Create role"), progress, body, nav);
}
