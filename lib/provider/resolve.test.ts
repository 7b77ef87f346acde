import { describe, expect, it } from "vitest";
import { registrationFor, type RegistrationKey } from "./resolve";

const global: RegistrationKey = { id: "provider", cloud: "GLOBAL", defaultForCloud: "GLOBAL" };
const globalSecond: RegistrationKey = { id: "g2", cloud: "GLOBAL", defaultForCloud: null };
const usgov: RegistrationKey = { id: "gov", cloud: "USGOV", defaultForCloud: "USGOV" };

describe("registrationFor: the one rule for a tenant's app registration", () => {
  it("picks the cloud's default registration", () => {
    expect(registrationFor({ cloud: "GLOBAL", appRegistrationId: null }, [usgov, globalSecond, global])).toEqual({
      ok: true,
      registration: global,
      how: "cloud_default",
    });
    expect(registrationFor({ cloud: "USGOV", appRegistrationId: null }, [global, usgov])).toMatchObject({ ok: true, registration: usgov });
  });

  it("prefers the registration chosen for the tenant", () => {
    expect(registrationFor({ cloud: "GLOBAL", appRegistrationId: "g2" }, [global, globalSecond])).toEqual({
      ok: true,
      registration: globalSecond,
      how: "explicit",
    });
  });

  it("names the cloud when it has no registration, and never falls back to another cloud's", () => {
    expect(registrationFor({ cloud: "USGOV_DOD", appRegistrationId: null }, [global, usgov])).toEqual({ ok: false, cloud: "USGOV_DOD" });
    expect(registrationFor({ cloud: "CHINA", appRegistrationId: null }, [])).toEqual({ ok: false, cloud: "CHINA" });
  });

  it("falls back to the cloud's default when the chosen registration is gone", () => {
    expect(registrationFor({ cloud: "GLOBAL", appRegistrationId: "deleted" }, [global])).toMatchObject({
      ok: true,
      registration: global,
      how: "cloud_default",
    });
  });
});
