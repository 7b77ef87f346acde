/**
 * What the customer's administrator is asked to grant, in plain language: the Microsoft Graph permissions
 * this console uses, and the administrator roles that may grant them.
 * @see https://learn.microsoft.com/en-us/graph/permissions-reference
 * @see https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/grant-admin-consent#prerequisites
 */

export type PermissionKind = "application" | "delegated";

export type DescribedPermission = { name: string; kind: PermissionKind; description: string };

const descriptions: Record<string, { application?: string; delegated?: string }> = {
  "Organization.Read.All": {
    application: "Read your organization's profile: its name, verified domains and subscriptions.",
    delegated: "Read your organization's profile: its name, verified domains and subscriptions.",
  },
  "User.Read.All": {
    application: "Read the profiles of all users in your directory (names, email addresses, job titles).",
    delegated: "Read the profiles of all users in your directory, as the signed-in administrator.",
  },
  "Directory.Read.All": {
    application: "Read your directory: users, groups, devices and their relationships. Nothing can be changed.",
    delegated: "Read your directory (users, groups, devices), as the signed-in administrator. Nothing can be changed.",
  },
  "Application.Read.All": {
    application: "Read the applications and service principals registered in your directory, including their credentials' expiry dates.",
    delegated: "Read the applications registered in your directory, as the signed-in administrator.",
  },
  "Mail.Send": {
    application: "Send email as any user of your organization.",
    delegated: "Send email as the signed-in administrator.",
  },
  "User.Read": { delegated: "Sign in and read the signed-in administrator's own profile." },
  offline_access: { delegated: "Keep the access granted here while you are away (a renewable token), without asking you to sign in again." },
  openid: { delegated: "Sign you in with your work account." },
  profile: { delegated: "See your basic profile: your name and account." },
  email: { delegated: "See your email address." },
};

/** A permission's plain-language description; an unknown one is named as what it is. */
export function describePermission(name: string, kind: PermissionKind): DescribedPermission {
  const bare = name.includes("://") ? name.slice(name.lastIndexOf("/") + 1) : name;
  const known = descriptions[bare];
  return { name: bare, kind, description: known?.[kind] ?? known?.application ?? known?.delegated ?? `Microsoft Graph permission ${bare}.` };
}

/** Roles that may grant application permissions to Microsoft Graph (and so any admin consent this console asks for). */
export const APPLICATION_CONSENT_ROLES = ["Global Administrator", "Privileged Role Administrator"] as const;

/** Roles that may grant tenant-wide consent to delegated permissions only. */
export const DELEGATED_CONSENT_ROLES = [
  "Global Administrator",
  "Privileged Role Administrator",
  "Cloud Application Administrator",
  "Application Administrator",
] as const;

/** "A or B", "A, B or C". */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
