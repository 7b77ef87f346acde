import { describe, expect, it } from "vitest";
import { readPage } from "./sync";

describe("readPage: a Graph page of users as upserts and removals", () => {
  it("keeps the properties Graph sent (a delta change may carry only some) and the links", () => {
    const page = readPage({
      value: [
        { id: "a", userPrincipalName: "a@x", displayName: "A", mail: null, accountEnabled: true, userType: "Member" },
        { id: "b", displayName: "B only" },
        { id: "c", "@removed": { reason: "changed" } },
        { notAnId: 1 },
      ],
      "@odata.nextLink": "https://graph.example/v1.0/users/delta?$skiptoken=x",
    });
    expect(page.users).toEqual([
      { id: "a", userPrincipalName: "a@x", displayName: "A", mail: null, accountEnabled: true, userType: "Member" },
      { id: "b", displayName: "B only" },
    ]);
    expect(page.removed).toEqual(["c"]);
    expect(page).toMatchObject({ nextLink: "https://graph.example/v1.0/users/delta?$skiptoken=x", deltaLink: undefined });
  });

  it("lets the last mention of a user in a page win: removed then restored is an upsert, and the other way round", () => {
    const page = readPage({
      value: [
        { id: "a", "@removed": { reason: "changed" } },
        { id: "b", userPrincipalName: "b@x" },
        { id: "a", userPrincipalName: "a@x" },
        { id: "b", "@removed": { reason: "deleted" } },
        { id: "d", userPrincipalName: "d1@x" },
        { id: "d", userPrincipalName: "d2@x" },
      ],
      "@odata.deltaLink": "https://graph.example/v1.0/users/delta?$deltatoken=y",
    });
    expect(page.users).toEqual([
      { id: "a", userPrincipalName: "a@x" },
      { id: "d", userPrincipalName: "d2@x" },
    ]);
    expect(page.removed).toEqual(["b"]);
    expect(page.deltaLink).toBe("https://graph.example/v1.0/users/delta?$deltatoken=y");
  });

  it("reads an empty or malformed body as an empty last page", () => {
    expect(readPage(undefined)).toEqual({ users: [], removed: [], nextLink: undefined, deltaLink: undefined });
    expect(readPage({ value: "nope" })).toEqual({ users: [], removed: [], nextLink: undefined, deltaLink: undefined });
  });
});
