import "server-only";
import { CloudConfigurationError } from "./clouds";
import {
  acquireAppToken,
  acquireTokenByPassword,
  redeemAuthCode,
  refreshDelegatedToken,
  type DelegatedResult,
  type TokenCallOptions,
  type TokenResult,
} from "./msal-clients";
import { acquireAppTokenV1, acquireTokenByPasswordV1, redeemAuthCodeV1, refreshDelegatedTokenV1 } from "./v1-client";

/**
 * Which token endpoint an app registration uses (source 000's "Endpoint version"): v2.0 with scopes,
 * through msal-node (./msal-clients.ts), or v1.0 with a `resource`, through ./v1-client.ts. Callers that
 * redeem tokens for a registration take their grants from here, so a v1 registration really uses v1.
 */
export type TokenProtocol = { version: "v2" } | { version: "v1"; resource: string };

export const V2: TokenProtocol = { version: "v2" };

export type TokenClient = {
  protocol: TokenProtocol;
  acquireAppToken(o: TokenCallOptions): Promise<TokenResult>;
  refreshDelegatedToken(o: TokenCallOptions & { cacheJson: string; homeAccountId?: string | null }): Promise<DelegatedResult>;
  redeemAuthCode(o: TokenCallOptions & { code: string; codeVerifier: string; redirectUri: string; scopes: string[]; nonce: string }): Promise<DelegatedResult>;
  acquireTokenByPassword(o: TokenCallOptions & { username: string; password: string }): Promise<TokenResult>;
};

/** The protocol of a registration: v1 needs its Resource (validation refuses v1 without one). */
export function protocolOf(r: { tokenVersion: string | null | undefined; resource: string | null | undefined }): TokenProtocol {
  if (r.tokenVersion !== "v1") return V2;
  if (!r.resource) throw new CloudConfigurationError("The app registration uses the v1.0 endpoint but has no Resource");
  return { version: "v1", resource: r.resource.replace(/\/+$/, "") };
}

export function tokenClient(protocol: TokenProtocol): TokenClient {
  if (protocol.version === "v2") return { protocol, acquireAppToken, refreshDelegatedToken, redeemAuthCode, acquireTokenByPassword };
  const { resource } = protocol;
  return {
    protocol,
    acquireAppToken: (o) => acquireAppTokenV1({ ...o, resource }),
    refreshDelegatedToken: (o) => refreshDelegatedTokenV1({ ...o, resource }),
    redeemAuthCode: (o) => redeemAuthCodeV1({ ...o, resource }),
    acquireTokenByPassword: (o) => acquireTokenByPasswordV1({ ...o, resource }),
  };
}
