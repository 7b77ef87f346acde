import { describe, expect, it } from "vitest";
import { CloudConfigurationError, cloudEndpoints } from "./clouds";

describe("cloudEndpoints", () => {
  it.each([
    ["GLOBAL", "login.microsoftonline.com", "graph.microsoft.com"],
    ["USGOV", "login.microsoftonline.us", "graph.microsoft.us"],
    ["USGOV_DOD", "login.microsoftonline.us", "dod-graph.microsoft.us"],
    ["CHINA", "login.partner.microsoftonline.cn", "microsoftgraph.chinacloudapi.cn"],
  ] as const)("%s", (cloud, login, graph) => {
    const e = cloudEndpoints(cloud);
    expect(e.loginBase).toBe(`https://${login}`);
    expect(e.graphDefaultScope).toBe(`https://${graph}/.default`);
    expect(e.graphResource).toBe(`https://${graph}`);
    expect(e.knownAuthorities).toEqual([]);
  });

  it("takes CUSTOM hosts from the provider settings and lists the authority as known", () => {
    const e = cloudEndpoints("CUSTOM", { authorityHost: "localhost:8443", graphHost: "https://LOCALHOST:8444/" });
    expect(e.loginBase).toBe("https://localhost:8443");
    expect(e.graphBase).toBe("https://localhost:8444");
    expect(e.knownAuthorities).toEqual(["localhost:8443"]);
  });

  it.each([
    [{ authorityHost: "http://localhost:8443", graphHost: "localhost:1" }],
    [{ authorityHost: "localhost:8443/path", graphHost: "localhost:1" }],
    [{ authorityHost: "localhost:8443" }],
  ])("refuses %o", (hosts) => {
    expect(() => cloudEndpoints("CUSTOM", hosts)).toThrow(CloudConfigurationError);
  });
});
