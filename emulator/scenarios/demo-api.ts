/**
 * The demo's own API: the console's REST API registered in the MSP home tenant (Lakeshore IT Partners)
 * as "Tenant Access Console API", with app roles the console maps to its roles, and automation client
 * apps holding each role. Kept apart from build-demo.ts (which writes demo.json when imported) so tests
 * and e2e support code can import the constants. Fixed GUIDs and secrets; none of them are real.
 *
 * Tokens: client credentials in the home tenant with scope `api://<apiAppId>/.default` (v2 endpoint) or
 * `resource=api://<apiAppId>` (v1). The API keeps Entra's default accessTokenAcceptedVersion (null), so
 * tokens are v1.0: `aud` = DEMO_API.audience, `iss` = `${loginUrl}/${homeTenantId}/`.
 */
export const DEMO_API = {
  homeTenantId: "d0000000-0000-4000-8000-000000000000",
  apiAppId: "7ac0ffee-0000-4000-8000-000000000100",
  identifierUri: "api://7ac0ffee-0000-4000-8000-000000000100",
  /** The `aud` of the v1.0 tokens when requested by identifier URI (the documented way). */
  audience: "api://7ac0ffee-0000-4000-8000-000000000100",
  scope: "api://7ac0ffee-0000-4000-8000-000000000100/.default",
  roleIds: {
    Administrator: "7ac0ffee-0000-4000-8000-0000000001a1",
    Operator: "7ac0ffee-0000-4000-8000-0000000001a2",
    Viewer: "7ac0ffee-0000-4000-8000-0000000001a3",
    /** The access-token broker's own role (besides Operator): no demo client holds it until assigned. */
    "AccessToken.Request": "7ac0ffee-0000-4000-8000-0000000001a4",
  },
  admin: { clientId: "7ac0ffee-0000-4000-8000-000000000101", secret: "adm8Q~demo-automation-admin-secret-00001", role: "Administrator" },
  operator: { clientId: "7ac0ffee-0000-4000-8000-000000000102", secret: "opr8Q~demo-automation-operator-secret-001", role: "Operator" },
  viewer: { clientId: "7ac0ffee-0000-4000-8000-000000000103", secret: "vwr8Q~demo-automation-viewer-secret-00001", role: "Viewer" },
  /** Registered in the tenant with no app role on the API: its tokens carry no `roles`. */
  noRole: { clientId: "7ac0ffee-0000-4000-8000-000000000104", secret: "nor8Q~demo-automation-no-role-secret-0001", role: undefined },
  /** The API's manifest groupMembershipClaims: its tokens carry the client's security groups in `groups`. */
  groupMembershipClaims: "SecurityGroup",
  /** A security group of the home tenant ("Console Automation Operators") for the console's group → role mapping. */
  operatorsGroupId: "7ac0ffee-0000-4000-8000-0000000001c1",
  /**
   * "Automation Group Operator": no app role on the API, but its service principal is a member of
   * operatorsGroupId, so its tokens carry `groups: [operatorsGroupId]` and no `roles`.
   */
  groupOperator: {
    clientId: "7ac0ffee-0000-4000-8000-000000000105",
    secret: "grp8Q~demo-automation-group-operator-001",
    role: undefined,
    groupId: "7ac0ffee-0000-4000-8000-0000000001c1",
  },
} as const;
