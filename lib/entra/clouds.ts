/**
 * Sign-in and Graph hosts per Entra cloud. Tokens from one cloud are useless in another, and an app is
 * registered separately in each, so every call derives its hosts from the tenant's cloud.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud
 * @see https://learn.microsoft.com/en-us/graph/deployments
 */

export const cloudIds = ["GLOBAL", "USGOV", "USGOV_DOD", "CHINA", "CUSTOM"] as const;
export type CloudId = (typeof cloudIds)[number];

/** A cloud's short name, as tables, filters and messages ("No app registration for US Government") write it. */
export const cloudNames: Record<CloudId, string> = {
  GLOBAL: "Global",
  USGOV: "US Government",
  USGOV_DOD: "US Government DoD",
  CHINA: "China (21Vianet)",
  CUSTOM: "Custom",
};

type KnownCloud = { label: string; loginHost: string; graphHost: string };

export const knownClouds: Record<Exclude<CloudId, "CUSTOM">, KnownCloud> = {
  GLOBAL: { label: "Global (including GCC)", loginHost: "login.microsoftonline.com", graphHost: "graph.microsoft.com" },
  USGOV: { label: "US Government (GCC High)", loginHost: "login.microsoftonline.us", graphHost: "graph.microsoft.us" },
  USGOV_DOD: { label: "US Government (DoD)", loginHost: "login.microsoftonline.us", graphHost: "dod-graph.microsoft.us" },
  CHINA: { label: "China (21Vianet)", loginHost: "login.partner.microsoftonline.cn", graphHost: "microsoftgraph.chinacloudapi.cn" },
};

export type CloudEndpoints = {
  cloud: CloudId;
  /** host[:port] of the authority, e.g. login.microsoftonline.com */
  loginHost: string;
  graphHost: string;
  /** https://loginHost, without a trailing slash; the authority of a tenant is `${loginBase}/${tenant}`. */
  loginBase: string;
  graphBase: string;
  /** v1 resource for the Graph token. */
  graphResource: string;
  /** v2 scope for an app-only Graph token. */
  graphDefaultScope: string;
  /** Hosts msal-node does not know (CUSTOM) must be listed in knownAuthorities to skip instance discovery. */
  knownAuthorities: string[];
};

export type CustomHosts = { authorityHost?: string | null; graphHost?: string | null; graphResource?: string | null };

export class CloudConfigurationError extends Error {}

const HOST_PORT = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i;

/** Accepts `host[:port]` or `https://host[:port]`; anything but HTTPS is refused (msal-node requires it). */
export function normalizeHost(value: string, field: string): string {
  let host = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    const url = new URL(host);
    if (url.protocol !== "https:") throw new CloudConfigurationError(`${field} must use https`);
    if (url.pathname !== "/" && url.pathname !== "") throw new CloudConfigurationError(`${field} must be a host without a path`);
    host = url.host;
  }
  host = host.replace(/\/+$/, "");
  if (!HOST_PORT.test(host)) throw new CloudConfigurationError(`${field} must be host[:port]`);
  return host.toLowerCase();
}

export function cloudEndpoints(cloud: CloudId, custom?: CustomHosts): CloudEndpoints {
  let loginHost: string;
  let graphHost: string;
  if (cloud === "CUSTOM") {
    if (!custom?.authorityHost || !custom.graphHost) {
      throw new CloudConfigurationError("The custom cloud needs an authority host and a Graph host in its app registration");
    }
    loginHost = normalizeHost(custom.authorityHost, "customAuthorityHost");
    graphHost = normalizeHost(custom.graphHost, "customGraphHost");
  } else {
    ({ loginHost, graphHost } = knownClouds[cloud]);
  }
  // A Custom cloud may name its Graph resource (the v1 resource and the v2 `/.default` scope's prefix) when it is not the Graph host's URL.
  const graphResource = cloud === "CUSTOM" && custom?.graphResource ? custom.graphResource.replace(/\/+$/, "") : `https://${graphHost}`;
  return {
    cloud,
    loginHost,
    graphHost,
    loginBase: `https://${loginHost}`,
    graphBase: `https://${graphHost}`,
    graphResource,
    graphDefaultScope: `${graphResource}/.default`,
    knownAuthorities: cloud === "CUSTOM" ? [loginHost] : [],
  };
}
