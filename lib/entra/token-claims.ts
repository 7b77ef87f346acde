/**
 * Reads claims from a Graph access token without validating it: the token came straight from the
 * token endpoint over TLS, and Graph tokens are not meant to be validated by clients.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 */
export type AccessTokenClaims = {
  tid?: string;
  oid?: string;
  appid?: string;
  /** Application permissions (app-only tokens). */
  roles: string[];
  /** Delegated permissions (user tokens). */
  scp: string[];
  upn?: string;
  idtyp?: string;
};

export function readAccessTokenClaims(token: string): AccessTokenClaims {
  const part = token.split(".")[1];
  let payload: Record<string, unknown> = {};
  if (part) {
    try {
      payload = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    } catch {
      payload = {};
    }
  }
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    tid: str(payload.tid)?.toLowerCase(),
    oid: str(payload.oid),
    appid: str(payload.appid) ?? str(payload.azp),
    roles: Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [],
    scp: typeof payload.scp === "string" ? payload.scp.split(" ").filter(Boolean) : [],
    upn: str(payload.upn) ?? str(payload.preferred_username) ?? str(payload.unique_name),
    idtyp: str(payload.idtyp),
  };
}

/** Permissions that imply another one, so a tenant granting the broader permission is not reported as missing. */
const impliedBy: Record<string, string[]> = {
  "Organization.Read.All": ["Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "User.Read.All": ["User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "Group.Read.All": ["Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "Application.Read.All": ["Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "Directory.Read.All": ["Directory.ReadWrite.All"],
};

export function missingPermissions(required: string[], granted: string[]): string[] {
  const have = new Set(granted.map((g) => g.toLowerCase()));
  return required.filter((r) => !have.has(r.toLowerCase()) && !(impliedBy[r] ?? []).some((alt) => have.has(alt.toLowerCase())));
}
