import type { EmulatorState } from "./state.js";
import type { EmulatorUrls } from "./tokens.js";

/**
 * OpenID discovery, JWKS and MSAL instance discovery, shaped like Entra's recorded documents (entra.md A2.1–A2.3).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
 */

export const CLOUD_INSTANCE_NAME = "emulator.local";

/** A tenant-specific segment gets its GUID everywhere; `common`/`organizations` keep `{tenantid}` in issuer. */
export function openIdConfigurationV2(urls: EmulatorUrls, tenantPath: string, issuerTenant: string): Record<string, unknown> {
  const base = `${urls.loginUrl}/${tenantPath}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${urls.loginUrl}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${urls.graphUrl}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "NA",
    cloud_instance_name: CLOUD_INSTANCE_NAME,
    cloud_graph_host_name: urls.graphHost,
    msgraph_host: urls.graphHost,
    rbac_url: "https://pas.windows.net",
  };
}

export function openIdConfigurationV1(urls: EmulatorUrls, tenantPath: string, issuerTenant: string): Record<string, unknown> {
  const base = `${urls.loginUrl}/${tenantPath}`;
  return {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
    scopes_supported: ["openid"],
    issuer: `${urls.loginUrl}/${issuerTenant}/`,
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "amr",
      "nonce",
      "email",
      "given_name",
      "family_name",
      "nickname",
    ],
    check_session_iframe: `${base}/oauth2/checksession`,
    userinfo_endpoint: `${base}/openid/userinfo`,
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "NA",
    cloud_instance_name: CLOUD_INSTANCE_NAME,
    cloud_graph_host_name: urls.graphHost,
    msgraph_host: urls.graphHost,
    rbac_url: "https://pas.windows.net",
  };
}

/** Every published key carries an issuer template, and kid equals x5t; no `alg` member, like Entra. */
export function jwks(state: EmulatorState, urls: EmulatorUrls, version: "v1" | "v2"): Record<string, unknown> {
  const issuer = version === "v2" ? `${urls.loginUrl}/{tenantid}/v2.0` : `${urls.loginUrl}/{tenantid}/`;
  return { keys: state.signingKeys.map((k) => ({ ...k.jwk, cloud_instance_name: CLOUD_INSTANCE_NAME, issuer })) };
}

/**
 * What msal-node fetches from `/common/discovery/instance` when the authority is not in knownAuthorities.
 * @see https://learn.microsoft.com/en-us/entra/msal/dotnet/advanced/instance-and-tenancy
 */
export function instanceDiscovery(urls: EmulatorUrls): Record<string, unknown> {
  return {
    tenant_discovery_endpoint: `${urls.loginUrl}/{tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [
      {
        preferred_network: urls.authorityHost,
        preferred_cache: urls.authorityHost,
        aliases: [urls.authorityHost],
      },
    ],
  };
}
