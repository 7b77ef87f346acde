import { describe, expect, it } from "vitest";
import { parseEnvForTest } from "./env";

describe("environment validation", () => {
  it("accepts an empty environment (every variable has a default)", () => {
    const result = parseEnvForTest({});
    expect(result.success).toBe(true);
    expect(result.data?.APP_URL).toBe("http://localhost:3000");
    expect(result.data?.LOCAL_SIGN_IN_ENABLED).toBe(true);
    expect(result.data?.VERIFY_CONCURRENCY).toBe(32);
  });

  it.each([
    ["DATABASE_URL", "mysql://x"],
    ["APP_URL", "not a url"],
    ["ENCRYPTION_KEY", Buffer.alloc(16).toString("base64")],
    ["AUTH_SECRET", "short"],
    ["LOCAL_SIGN_IN_ENABLED", "maybe"],
    ["SIGN_IN_MAX_FAILURES", "0"],
    ["ENCRYPTION_PREVIOUS_KEYS", "no-colon"],
    ["OUTBOUND_ALLOW_HOSTS", "127.0.0.1:8443, 10.0.0.0/33"],
  ])("names %s when its value is invalid", (name, value) => {
    const result = parseEnvForTest({ [name]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(name);
  });
});
