import ipaddr from "ipaddr.js";

/**
 * Which hosts the console may call when it talks to Microsoft. The hosts come from settings an
 * administrator types (a Custom cloud's authority and Graph hosts, the Entra Authentication authority and
 * metadata address) and from documents those hosts return (`jwks_uri`), so without a rule they could
 * point the server at itself, at the cloud's instance metadata service or at anything else on its own
 * network. The rule: https only, and every address connected to must be public unicast, unless the
 * operator lists the host in OUTBOUND_ALLOW_HOSTS (an emulator in tests and the demo, a private proxy).
 *
 * Pure (no environment, no I/O): the allow list is passed in. lib/net/outbound.ts binds it to the
 * environment and enforces it on every connection; this module also validates the settings forms.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** `host` / `host:port` (matched against the URL's host as written) or a CIDR (matched against the address connected to). */
export type AllowEntry = { kind: "host"; host: string; port: number | null } | { kind: "cidr"; range: [Address, number] };
export type AllowList = readonly AllowEntry[];

/** A URL's host in WHATWG canonical form (dotted-decimal IPv4, `[ipv6]`, lower-case names) and its port. */
export type OutboundTarget = { host: string; port: number };

export class OutboundRefusedError extends Error {
  readonly code = "ERR_OUTBOUND_REFUSED";
  constructor(message: string) {
    super(message);
    this.name = "OutboundRefusedError";
  }
}

const HINT = "add it to OUTBOUND_ALLOW_HOSTS if this is intended";

/**
 * Names that reach a cloud's instance metadata service. 169.254.169.254 (AWS, Azure, Google, Oracle) and
 * AWS's fd00:ec2::254 are refused by their address ranges already; Google also answers to these names.
 * @see https://cloud.google.com/compute/docs/metadata/querying-metadata
 */
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata"]);

/**
 * Azure's WireServer is a public-looking address that every Azure VM reaches and that serves platform
 * configuration; Microsoft says to treat it like 169.254.169.254.
 * @see https://learn.microsoft.com/en-us/azure/virtual-network/what-is-ip-address-168-63-129-16
 */
const PLATFORM_ADDRESSES = new Set(["168.63.129.16"]);

/**
 * ipaddr.js classifies only the special-purpose blocks it knows and calls the rest `unicast`; IPv6 space
 * outside 2000::/3 (the deprecated IPv4-compatible ::a.b.c.d, for one) is not assigned global unicast.
 * @see https://www.iana.org/assignments/ipv6-address-space/ipv6-address-space.xhtml
 */
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR("2000::/3");

const RANGE_NAMES: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private address",
  linkLocal: "a link-local address",
  uniqueLocal: "a unique-local address",
  unspecified: "an unspecified address",
  carrierGradeNat: "a shared (carrier-grade NAT) address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  reserved: "a reserved address",
};

/** The canonical target of `host[:port]`, or null when it is not one (a path, user info, bad syntax). */
export function parseTarget(hostPort: string): OutboundTarget | null {
  let url: URL;
  try {
    url = new URL(`https://${hostPort}/`);
  } catch {
    return null;
  }
  if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) return null;
  return { host: url.hostname, port: url.port ? Number(url.port) : 443 };
}

/** The canonical target of a parsed URL. */
export function targetOfUrl(url: URL): OutboundTarget {
  return { host: url.hostname, port: url.port ? Number(url.port) : 443 };
}

function display(t: OutboundTarget): string {
  return t.port === 443 ? t.host : `${t.host}:${t.port}`;
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** The address a URL host names literally, if it is an IP literal (after WHATWG canonicalization). */
function literalAddress(host: string): string | null {
  const bare = unbracket(host);
  return ipaddr.IPv4.isValidFourPartDecimal(bare) || (bare !== host && ipaddr.IPv6.isValid(bare)) ? bare : null;
}

/**
 * Parses OUTBOUND_ALLOW_HOSTS: comma-separated `host`, `host:port`, `[ipv6]:port` or CIDR entries.
 * Hosts are canonicalized like URL hosts, so `LOGIN.example:443` and `login.example` are the same entry.
 */
export function parseAllowList(value: string | undefined): { ok: true; list: AllowList } | { ok: false; error: string } {
  const list: AllowEntry[] = [];
  for (const raw of (value ?? "").split(",")) {
    const item = raw.trim();
    if (!item) continue;
    if (item.includes("/")) {
      if (!ipaddr.isValidCIDR(item)) return { ok: false, error: `"${item}" is not a CIDR such as 10.1.0.0/16` };
      list.push({ kind: "cidr", range: ipaddr.parseCIDR(item) });
      continue;
    }
    // A bare IPv6 address has colons of its own; give it brackets so that it parses as a URL host.
    const hostPort = ipaddr.IPv6.isValid(item) ? `[${item}]` : item;
    const target = parseTarget(hostPort);
    if (!target || target.port === 0) return { ok: false, error: `"${item}" is not a host, host:port or CIDR` };
    const explicitPort = /:\d+$/.test(hostPort) && !hostPort.endsWith("]");
    list.push({ kind: "host", host: target.host, port: explicitPort ? target.port : null });
  }
  return { ok: true, list };
}

function hostAllowed(target: OutboundTarget, allow: AllowList): boolean {
  return allow.some((e) => e.kind === "host" && e.host === target.host && (e.port === null || e.port === target.port));
}

function cidrAllowed(address: Address, allow: AllowList): boolean {
  return allow.some((e) => e.kind === "cidr" && e.range[0].kind() === address.kind() && address.match(e.range));
}

type Problem = { what: string; address: string; parsed: Address | null };

function classify(address: string): Problem | null {
  let parsed: Address;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return { what: "an unrecognised address", address, parsed: null };
  }
  const text = parsed.toString();
  if (PLATFORM_ADDRESSES.has(text)) return { what: "the Azure platform address", address: text, parsed };
  const range = parsed.range();
  if (range !== "unicast") return { what: RANGE_NAMES[range] ?? `a special-purpose (${range}) address`, address: text, parsed };
  if (parsed.kind() === "ipv6" && !parsed.match(IPV6_GLOBAL_UNICAST)) return { what: "an address outside IPv6 global unicast space", address: text, parsed };
  return null;
}

/**
 * What is wrong with connecting to an address (`a private address 10.0.0.5`), or null when it is public
 * unicast. IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
 */
export function addressProblem(address: string): string | null {
  const p = classify(address);
  return p && `${p.what} ${p.address}`;
}

/**
 * Why the console must not connect to `address` for `target`, or null when it may. A host listed in the
 * allow list may resolve to anything; otherwise the address must be public unicast or inside an allowed CIDR.
 */
export function addressRefusal(target: OutboundTarget, address: string, allow: AllowList): string | null {
  if (hostAllowed(target, allow)) return null;
  const p = classify(address);
  if (!p || (p.parsed && cidrAllowed(p.parsed, allow))) return null;
  return literalAddress(target.host) !== null ? `${display(target)} is ${p.what}; ${HINT}` : `${display(target)} resolves to ${p.what} ${p.address}; ${HINT}`;
}

/**
 * Why a target must not be called, judged before any DNS lookup: an IP literal by its range. A name is
 * judged on every address it resolves to, when connecting (lib/net/outbound.ts).
 */
export function targetRefusal(target: OutboundTarget, allow: AllowList): string | null {
  if (hostAllowed(target, allow)) return null;
  const literal = literalAddress(target.host);
  return literal === null ? null : addressRefusal(target, literal, allow);
}

/** Why a URL must not be called: anything but https, user info, or a refused IP literal. */
export function urlRefusal(url: string | URL, allow: AllowList): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "not a valid URL";
  }
  if (u.protocol !== "https:") return `${u.protocol}//${u.host} does not use https; calls to Microsoft must use https`;
  if (u.username || u.password) return `${u.host}: a user name or password in the URL is not allowed`;
  return targetRefusal(targetOfUrl(u), allow);
}

/**
 * For settings, before anything is saved: the target rules plus the names that are loopback by definition
 * (RFC 6761 §6.3) or reach a metadata service, so that the admin hears it at Apply rather than at the
 * first call. Connections need no name rule: these names resolve to refused addresses.
 * @see https://www.rfc-editor.org/rfc/rfc6761#section-6.3
 */
export function settingTargetRefusal(target: OutboundTarget, allow: AllowList): string | null {
  const refusal = targetRefusal(target, allow);
  if (refusal || hostAllowed(target, allow)) return refusal;
  const name = target.host.replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return `${display(target)} is a loopback name; ${HINT}`;
  if (METADATA_NAMES.has(name)) return `${display(target)} is a cloud instance metadata service; ${HINT}`;
  return null;
}

/** `urlRefusal` with the setting rules (settingTargetRefusal). */
export function settingUrlRefusal(url: string, allow: AllowList): string | null {
  const refusal = urlRefusal(url, allow);
  return refusal ?? settingTargetRefusal(targetOfUrl(new URL(url)), allow);
}

/** `settingTargetRefusal` for a `host[:port]` field. */
export function settingHostRefusal(hostPort: string, allow: AllowList): string | null {
  const target = parseTarget(hostPort);
  return target ? settingTargetRefusal(target, allow) : `${hostPort} is not a host name with an optional port`;
}

/** Whether `host[:port]` is listed by name in the allow list (used for `jwks_uri` on another host). */
export function isHostListed(hostPort: string, allow: AllowList): boolean {
  const target = parseTarget(hostPort);
  return target !== null && hostAllowed(target, allow);
}
