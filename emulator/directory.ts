import { createHash } from "node:crypto";
import type { Tenant, User } from "./scenario.js";

/**
 * A tenant's users as Graph lists them: the scenario's users, then `generatedUsers.count` users made up
 * on demand from the seed (a 100,000-user tenant costs nothing until a page of it is read, and reads the
 * same every time), then users added through the control API. Changes made through the control API
 * (add, update, remove, disable) are numbered, which is what `/users/delta` reports.
 * @see https://learn.microsoft.com/en-us/graph/delta-query-users
 */

export type UserResource = Record<string, unknown> & { id: string; userPrincipalName: string };

export type UserChange = Partial<Pick<UserResource, "userPrincipalName">> & {
  displayName?: string;
  mail?: string | null;
  accountEnabled?: boolean;
  userType?: "Member" | "Guest";
  givenName?: string | null;
  surname?: string | null;
  jobTitle?: string | null;
};

const FIRST = ["Ada", "Ben", "Chloé", "Dev", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya"];
const LAST = ["Adler", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hughes", "Ivanova", "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura"];

/** A deterministic GUID of a generated user: the same seed, tenant and position always give the same id. */
export function generatedUserId(seed: string, tenantId: string, index: number): string {
  const h = createHash("sha1").update(`${seed}|${tenantId.toLowerCase()}|${index}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function scenarioUserResource(user: User): UserResource {
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName ?? null,
    jobTitle: user.jobTitle ?? null,
    mail: user.mail ?? null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname ?? null,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    accountEnabled: !user.disabled,
    userType: "Member",
  };
}

export class UserDirectory {
  /** The number of the last change; a delta token remembers the number it was issued at. */
  seq = 0;
  /** Delta tokens issued before this generation are refused (invalidate-delta-tokens). */
  tokenGeneration = 0;
  refusal: { status: 400 | 410 } = { status: 400 };
  /** Latest state of users changed through the control API; null once removed. */
  private readonly overrides = new Map<string, UserResource | null>();
  /** Id → number of its last change. */
  private readonly changedAt = new Map<string, number>();
  private readonly added: string[] = [];
  private removedCount = 0;
  private readonly domain: string;
  private readonly seed: string;
  private readonly generated: number;

  constructor(
    private readonly tenant: Tenant,
    private readonly explicitUser: (id: string) => User | undefined,
  ) {
    this.domain = (tenant.domains.find((d) => d.isDefault) ?? tenant.domains[0]!).name;
    this.seed = tenant.generatedUsers?.seed ?? "users";
    this.generated = tenant.generatedUsers?.count ?? 0;
  }

  /** Positions in listing order: scenario users, generated users, added users. */
  get positions(): number {
    return this.tenant.users.length + this.generated + this.added.length;
  }

  get size(): number {
    return this.positions - this.removedCount;
  }

  /** The user at a position as it is now, or null when removed. */
  at(position: number): UserResource | null {
    const explicit = this.tenant.users.length;
    let base: UserResource;
    if (position < explicit) base = scenarioUserResource(this.tenant.users[position]!);
    else if (position < explicit + this.generated) base = this.generatedUser(position - explicit);
    else {
      const id = this.added[position - explicit - this.generated]!;
      return this.overrides.get(id) ?? null;
    }
    const override = this.overrides.get(base.id.toLowerCase());
    return override === undefined ? base : override;
  }

  private generatedUser(index: number): UserResource {
    const first = FIRST[index % FIRST.length]!;
    const last = LAST[Math.floor(index / FIRST.length) % LAST.length]!;
    const upn = `user${String(index).padStart(6, "0")}@${this.domain}`;
    return {
      businessPhones: [],
      displayName: `${first} ${last} ${index}`,
      givenName: first,
      jobTitle: null,
      mail: index % 10 === 9 ? null : upn,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: last,
      userPrincipalName: upn,
      id: generatedUserId(this.seed, this.tenant.id, index),
      accountEnabled: index % 17 !== 16,
      userType: index % 25 === 24 ? "Guest" : "Member",
    };
  }

  /** Any user by id (scenario, generated, added), as it is now; null when removed or unknown. */
  find(id: string): UserResource | null {
    const key = id.toLowerCase();
    const override = this.overrides.get(key);
    if (override !== undefined) return override;
    const explicit = this.explicitUser(key);
    if (explicit) return scenarioUserResource(explicit);
    const m = new RegExp(`^user(\\d{6})@${this.domain.replace(/\./g, "\\.")}$`, "i").exec(key);
    const index = m ? Number(m[1]) : -1;
    if (index >= 0 && index < this.generated) return this.generatedUser(index);
    return this.findGenerated(key);
  }

  /** Generated user ids → position, built on the first lookup by id (GET /users/{id}, control operations). */
  private generatedIndex: Map<string, number> | null = null;

  private findGenerated(id: string): UserResource | null {
    if (!this.generatedIndex) {
      this.generatedIndex = new Map();
      for (let i = 0; i < this.generated; i++) this.generatedIndex.set(generatedUserId(this.seed, this.tenant.id, i), i);
    }
    const index = this.generatedIndex.get(id);
    return index === undefined ? null : this.generatedUser(index);
  }

  private current(id: string): UserResource | null {
    return this.find(id);
  }

  private record(id: string, state: UserResource | null) {
    this.overrides.set(id, state);
    this.changedAt.set(id, ++this.seq);
  }

  add(user: UserChange & { id: string; userPrincipalName: string; displayName: string }): UserResource {
    const id = user.id.toLowerCase();
    if (this.current(id)) throw new Error(`user ${id} exists`);
    const resource: UserResource = {
      businessPhones: [],
      givenName: null,
      jobTitle: null,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: null,
      mail: null,
      accountEnabled: true,
      userType: "Member",
      ...user,
      id,
    };
    if (!this.overrides.has(id)) this.added.push(id);
    else this.removedCount--;
    this.record(id, resource);
    return resource;
  }

  update(id: string, change: UserChange): UserResource {
    const key = id.toLowerCase();
    const now = this.current(key);
    if (!now) throw new Error(`unknown user ${id}`);
    const next = { ...now, ...change, id: now.id } as UserResource;
    this.record(key, next);
    return next;
  }

  remove(id: string): void {
    const key = id.toLowerCase();
    if (!this.current(key)) throw new Error(`unknown user ${id}`);
    this.record(key, null);
    this.removedCount++;
  }

  /** A scenario user changed through another control operation (disable-user): delta reports it. */
  touch(user: User): void {
    const key = user.id.toLowerCase();
    const override = this.overrides.get(key);
    const base = scenarioUserResource(user);
    this.overrides.set(key, override ? { ...override, accountEnabled: base.accountEnabled } : base);
    this.changedAt.set(key, ++this.seq);
  }

  /** Ids changed after `from` up to `to`, in the order they changed. */
  changesBetween(from: number, to: number): string[] {
    const out: { id: string; seq: number }[] = [];
    for (const [id, seq] of this.changedAt) if (seq > from && seq <= to) out.push({ id, seq });
    return out.sort((a, b) => a.seq - b.seq).map((c) => c.id);
  }

  /** The state of a changed user for a delta page: its resource, or null when it was removed. */
  changed(id: string): UserResource | null {
    return this.overrides.get(id) ?? null;
  }

  invalidateDeltaTokens(status: 400 | 410) {
    this.tokenGeneration++;
    this.refusal = { status };
  }
}
