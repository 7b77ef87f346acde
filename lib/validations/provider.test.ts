import { describe, expect, it } from "vitest";
import { providerSettingsSchema, type ProviderSettingsInput } from "./provider";

// lib/testing/setup-env.ts sets OUTBOUND_ALLOW_HOSTS=127.0.0.1 (the emulator's host in tests).
const custom: ProviderSettingsInput = {
  clientId: "7ac0ffee-0000-4000-8000-000000000001",
  clientSecret: "",
  redirectUrl: "https://console.example.com/authenticate/OAuth2Callback",
  cloud: "CUSTOM",
  customAuthorityHost: "login.example.com",
  customGraphHost: "graph.example.com",
  tokenVersion: "v2",
  scopes: "User.Read",
  requiredAppPermissions: "User.Read.All",
  requestOfflineAccess: true,
};

function fieldErrors(input: ProviderSettingsInput) {
  const result = providerSettingsSchema.safeParse(input);
  return result.success ? {} : result.error.flatten().fieldErrors;
}

describe("providerSettingsSchema: the Custom cloud's hosts", () => {
  it("accepts public host names, with https:// and a port, and stores them as host[:port]", () => {
    const parsed = providerSettingsSchema.parse({ ...custom, customAuthorityHost: "https://Login.Example.com:8443/", customGraphHost: "graph.example.com" });
    expect(parsed.customAuthorityHost).toBe("login.example.com:8443");
    expect(parsed.customGraphHost).toBe("graph.example.com");
  });

  it.each([
    ["customAuthorityHost", "169.254.169.254", "Not allowed: 169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["customGraphHost", "2852039166", "Not allowed: 169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["customAuthorityHost", "0xa9fea9fe", "Not allowed: 169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    [
      "customAuthorityHost",
      "metadata.google.internal",
      "Not allowed: metadata.google.internal is a cloud instance metadata service; add it to OUTBOUND_ALLOW_HOSTS if this is intended",
    ],
    ["customGraphHost", "localhost:8444", "Not allowed: localhost:8444 is a loopback name; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["customGraphHost", "10.0.0.5", "Not allowed: 10.0.0.5 is a private address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["customAuthorityHost", "127.0.0.2:8443", "Not allowed: 127.0.0.2:8443 is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    [
      "customAuthorityHost",
      "100.64.0.1",
      "Not allowed: 100.64.0.1 is a shared (carrier-grade NAT) address; add it to OUTBOUND_ALLOW_HOSTS if this is intended",
    ],
    ["customAuthorityHost", "http://login.example.com", "The host must use https"],
    ["customAuthorityHost", "login.example.com/common", "Enter a host name with an optional port, such as login.example.com or login.example.com:8443"],
  ] as const)("refuses %s = %s next to the field", (field, value, message) => {
    expect(fieldErrors({ ...custom, [field]: value })[field]).toEqual([message]);
  });

  it("accepts a host that OUTBOUND_ALLOW_HOSTS lists although it is loopback", () => {
    const parsed = providerSettingsSchema.parse({ ...custom, customAuthorityHost: "127.0.0.1:9443", customGraphHost: "127.0.0.1:9444" });
    expect(parsed.customAuthorityHost).toBe("127.0.0.1:9443");
  });
});
