import { describe, expect, it } from "vitest";
import { incidentPageParamsSchema, incidentPageQuery } from "./incident";

describe("the Incidents page's URL", () => {
  it("defaults to unresolved incidents, page 1 of 50, and falls back on anything unexpected", () => {
    expect(incidentPageParamsSchema.parse({})).toEqual({ page: 1, pageSize: 50, state: "unresolved", tag: undefined, reason: undefined });
    expect(incidentPageParamsSchema.parse({ state: "closed", page: "-3", pageSize: "5000", reason: "consent'--", tag: "" })).toEqual({
      page: 1,
      pageSize: 50,
      state: "unresolved",
      tag: undefined,
      reason: undefined,
    });
    expect(incidentPageParamsSchema.parse({ state: "resolved", page: "2", pageSize: "25", reason: "CONSENT_REQUIRED", tag: "t1" })).toEqual({
      page: 2,
      pageSize: 25,
      state: "resolved",
      tag: "t1",
      reason: "CONSENT_REQUIRED",
    });
  });

  it("leaves the defaults out of links", () => {
    expect(incidentPageQuery({ state: "unresolved" })).toEqual({});
    expect(incidentPageQuery({ state: "all", tag: "t1", reason: "SECRET_EXPIRED" })).toEqual({ state: "all", tag: "t1", reason: "SECRET_EXPIRED" });
  });
});
