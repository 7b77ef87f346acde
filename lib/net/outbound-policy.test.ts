import { describe, expect, it } from "vitest";
import {
  addressProblem,
  addressRefusal,
  parseAllowList,
  parseTarget,
  settingHostRefusal,
  settingUrlRefusal,
  urlRefusal,
  type AllowList,
} from "./outbound-policy";

function allowList(value: string): AllowList {
  const parsed = parseAllowList(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.list;
}

const none = allowList("");

describe("addressProblem: only public unicast passes (ipaddr.js ranges)", () => {
  it.each([
    ["169.254.169.254", "a link-local address 169.254.169.254"],
    ["127.0.0.1", "a loopback address 127.0.0.1"],
    ["127.8.9.10", "a loopback address 127.8.9.10"],
    ["10.0.0.5", "a private address 10.0.0.5"],
    ["172.16.0.1", "a private address 172.16.0.1"],
    ["192.168.1.1", "a private address 192.168.1.1"],
    ["100.64.0.1", "a shared (carrier-grade NAT) address 100.64.0.1"],
    ["100.100.100.200", "a shared (carrier-grade NAT) address 100.100.100.200"],
    ["0.0.0.0", "an unspecified address 0.0.0.0"],
    ["224.0.0.1", "a multicast address 224.0.0.1"],
    ["255.255.255.255", "a broadcast address 255.255.255.255"],
    ["192.0.2.1", "a reserved address 192.0.2.1"],
    ["168.63.129.16", "the Azure platform address 168.63.129.16"],
    ["::1", "a loopback address ::1"],
    ["::", "an unspecified address ::"],
    ["::ffff:127.0.0.1", "a loopback address 127.0.0.1"],
    ["::ffff:a9fe:a9fe", "a link-local address 169.254.169.254"],
    ["fc00::1", "a unique-local address fc00::1"],
    ["fd00:ec2::254", "a unique-local address fd00:ec2::254"],
    ["fe80::1", "a link-local address fe80::1"],
    ["febf::1", "a link-local address febf::1"],
    ["64:ff9b::a9fe:a9fe", "a special-purpose (rfc6052) address 64:ff9b::a9fe:a9fe"],
    ["2002:7f00:1::", "a special-purpose (6to4) address 2002:7f00:1::"],
    ["::7f00:1", "an address outside IPv6 global unicast space ::7f00:1"],
  ])("%s is %s", (address, problem) => {
    expect(addressProblem(address)).toBe(problem);
  });

  it.each(["20.190.128.1", "40.126.0.1", "8.8.8.8", "2603:1036::1", "2620:1ec:8fa::10"])("%s is public unicast", (address) => {
    expect(addressProblem(address)).toBeNull();
  });
});

describe("urlRefusal: what the transport refuses before connecting", () => {
  it.each([
    ["https://169.254.169.254/metadata/identity/oauth2/token", "169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["http://login.microsoftonline.com/common", "http://login.microsoftonline.com does not use https; calls to Microsoft must use https"],
    ["http://169.254.169.254/", "http://169.254.169.254 does not use https; calls to Microsoft must use https"],
    ["https://127.0.0.1/", "127.0.0.1 is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://127.0.0.1:9443/organizations", "127.0.0.1:9443 is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://127.0.0.1:65000/", "127.0.0.1:65000 is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    // WHATWG URL reads decimal, hex, octal and short IPv4 forms as the address they denote.
    ["https://2852039166/", "169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://0xa9fea9fe/", "169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://0251.0376.0251.0376/", "169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://127.1:8443/", "127.0.0.1:8443 is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://[::1]/", "[::1] is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://[::1]:8443/", "[::1]:8443 is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://[::ffff:127.0.0.1]/", "[::ffff:7f00:1] is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://[fc00::1]/", "[fc00::1] is a unique-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://[fdff:ffff::1]/", "[fdff:ffff::1] is a unique-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://[fe80::1]/", "[fe80::1] is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://0.0.0.0/", "0.0.0.0 is an unspecified address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://10.20.30.40/", "10.20.30.40 is a private address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://100.64.1.1/", "100.64.1.1 is a shared (carrier-grade NAT) address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://168.63.129.16/machine", "168.63.129.16 is the Azure platform address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["https://user:pw@login.microsoftonline.com/", "login.microsoftonline.com: a user name or password in the URL is not allowed"],
    ["not a url", "not a valid URL"],
  ])("%s", (url, refusal) => {
    expect(urlRefusal(url, none)).toBe(refusal);
  });

  it.each([
    "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
    "https://graph.microsoft.com/v1.0/$batch",
    "https://20.190.128.1/",
    "https://[2603:1036::1]/",
  ])("lets %s through (names are judged on their addresses when connecting)", (url) => {
    expect(urlRefusal(url, none)).toBeNull();
  });
});

describe("settingUrlRefusal and settingHostRefusal: Apply adds the well-known names", () => {
  it.each([
    ["localhost:8443", "localhost:8443 is a loopback name; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["login.localhost", "login.localhost is a loopback name; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["metadata.google.internal", "metadata.google.internal is a cloud instance metadata service; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["METADATA.GOOGLE.INTERNAL.", "metadata.google.internal. is a cloud instance metadata service; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["169.254.169.254", "169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["2852039166", "169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["0xa9fea9fe:443", "169.254.169.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended"],
    ["login.example.com/path", "login.example.com/path is not a host name with an optional port"],
  ])("host %s", (host, refusal) => {
    expect(settingHostRefusal(host, none)).toBe(refusal);
  });

  it("refuses a metadata name in a URL, and accepts Microsoft's hosts", () => {
    expect(settingUrlRefusal("https://metadata.google.internal/computeMetadata/v1/", none)).toMatch(/metadata service/);
    expect(settingUrlRefusal("https://login.microsoftonline.com/{TenantId}/", none)).toBeNull();
    expect(settingHostRefusal("login.microsoftonline.us", none)).toBeNull();
    expect(settingHostRefusal("graph.microsoft.com:443", none)).toBeNull();
  });
});

describe("OUTBOUND_ALLOW_HOSTS", () => {
  const allow = allowList("127.0.0.1:9443, emulator.test, 10.1.0.0/16, [::1]:8443, fd12::/16, Login.Example:443");

  it("lets a listed host through on any port, a listed host:port on that port only", () => {
    expect(urlRefusal("https://127.0.0.1:9443/organizations", allow)).toBeNull();
    expect(urlRefusal("https://127.0.0.1:9444/organizations", allow)).toMatch(/^127\.0\.0\.1:9444 is a loopback address/);
    expect(urlRefusal("https://[::1]:8443/", allow)).toBeNull();
    expect(urlRefusal("https://[::1]:8444/", allow)).toMatch(/loopback/);
    expect(urlRefusal("https://login.example/", allow)).toBeNull();
    expect(settingHostRefusal("LOGIN.EXAMPLE:443", allow)).toBeNull();
  });

  it("lets a listed name resolve to any address, and only that name", () => {
    expect(addressRefusal(parseTarget("emulator.test:8443")!, "127.0.0.1", allow)).toBeNull();
    expect(addressRefusal(parseTarget("other.test:8443")!, "127.0.0.1", allow)).toBe(
      "other.test:8443 resolves to a loopback address 127.0.0.1; add it to OUTBOUND_ALLOW_HOSTS if this is intended",
    );
  });

  it("lets addresses inside a listed CIDR through, whatever the name", () => {
    expect(urlRefusal("https://10.1.2.3/", allow)).toBeNull();
    expect(addressRefusal(parseTarget("intranet.test")!, "10.1.200.1", allow)).toBeNull();
    expect(addressRefusal(parseTarget("intranet.test")!, "::ffff:10.1.200.1", allow)).toBeNull();
    expect(addressRefusal(parseTarget("intranet.test")!, "10.2.0.1", allow)).toMatch(/resolves to a private address 10\.2\.0\.1/);
    expect(addressRefusal(parseTarget("v6.test")!, "fd12::1", allow)).toBeNull();
    expect(addressRefusal(parseTarget("v6.test")!, "fd13::1", allow)).toMatch(/unique-local/);
  });

  it("still requires https for a listed host", () => {
    expect(urlRefusal("http://127.0.0.1:9443/", allow)).toMatch(/does not use https/);
    expect(urlRefusal("http://emulator.test/", allow)).toMatch(/does not use https/);
  });

  it.each([
    ["10.0.0.0/33", /not a CIDR/],
    ["host/path", /not a CIDR/],
    ["a b", /not a host, host:port or CIDR/],
    ["example.com:99999", /not a host, host:port or CIDR/],
    ["user@example.com", /not a host, host:port or CIDR/],
  ])("refuses the entry %s", (value, error) => {
    const parsed = parseAllowList(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });

  it("accepts an empty value and bare IPv6 addresses", () => {
    expect(parseAllowList("")).toEqual({ ok: true, list: [] });
    expect(urlRefusal("https://[::1]:1234/", allowList("::1"))).toBeNull();
  });
});
