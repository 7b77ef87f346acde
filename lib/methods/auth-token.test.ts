import { describe, expect, it } from "vitest";
import { refreshTokenExpiry } from "./auth-token";

describe("refreshTokenExpiry", () => {
  const cache = (rts: Record<string, unknown>) => JSON.stringify({ Account: {}, RefreshToken: rts });

  it("reads the earliest fixed expiry of the account's refresh tokens", () => {
    const json = cache({
      a: { home_account_id: "u.t", expires_on: "1900000000" },
      b: { home_account_id: "u.t", expires_on: "1800000000" },
      c: { home_account_id: "other", expires_on: "1700000000" },
    });
    expect(refreshTokenExpiry(json, "u.t")).toEqual(new Date(1_800_000_000_000));
  });

  it("returns null when Entra sent no fixed lifetime, or the cache is unreadable", () => {
    expect(refreshTokenExpiry(cache({ a: { home_account_id: "u.t" } }), "u.t")).toBeNull();
    expect(refreshTokenExpiry("not json", "u.t")).toBeNull();
  });
});
