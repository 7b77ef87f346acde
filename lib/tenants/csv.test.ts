import { describe, expect, it } from "vitest";
import { csvCell, csvLine, decodeImportFile, exportColumns, exportLine, parseCsv, parseTenantImport } from "./csv";

const header = "customer_id,display_name,tenant,admin_email,auth_method,cloud";

describe("parseCsv", () => {
  it("reads quoted values with commas, doubled quotes and line breaks, CRLF and a BOM", () => {
    const rows = parseCsv('\ufeffa,b\r\n"x, y","say ""hi""\nthere"\r\n');
    expect(rows).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ["x, y", 'say "hi"\nthere'] },
    ]);
  });

  it("skips blank lines and reports an unclosed quote with its line", () => {
    expect(parseCsv("a\n\nb\n").map((r) => r.cells)).toEqual([["a"], ["b"]]);
    expect(() => parseCsv('a\n"b')).toThrow(/Line 2/);
  });
});

describe("decodeImportFile", () => {
  const text = `${header}\r\nCUST-1,Café Zürich 東京,cafe.example,it@cafe.example,APP_REGISTRATION,GLOBAL\r\n`;
  const utf16be = (s: string) => Buffer.from(s, "utf16le").swap16();
  const decoded = (bytes: Uint8Array) => {
    const result = decodeImportFile(bytes);
    if (!result.ok) throw new Error(result.error);
    return result.text;
  };

  it("reads UTF-8 with and without a BOM", () => {
    expect(decoded(Buffer.from(text, "utf8"))).toBe(text);
    expect(decoded(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]))).toBe(text);
  });

  it("reads UTF-16 LE and BE with their BOM, and the rows import", () => {
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]), Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])]) {
      const decodedText = decoded(bytes);
      expect(decodedText).toBe(text);
      const parsed = parseTenantImport(decodedText);
      expect(parsed.ok && parsed.rows.map((r) => r.ok && r.input.displayName)).toEqual(["Café Zürich 東京"]);
    }
  });

  it("refuses a legacy code page instead of guessing", () => {
    const result = decodeImportFile(Buffer.from(`${header}\r\nCUST-1,Caf\xe9,cafe.example,it@cafe.example,APP_REGISTRATION,GLOBAL\r\n`, "latin1"));
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/not UTF-8 text.*CSV UTF-8/) });
  });

  it("refuses UTF-16 without a BOM and invalid UTF-16 after a BOM", () => {
    expect(decodeImportFile(Buffer.from(text, "utf16le"))).toEqual({ ok: false, error: expect.stringMatching(/NUL bytes.*UTF-16 without a byte order mark/) });
    expect(decodeImportFile(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([0x41, 0x00, 0x00, 0xd8, 0x41, 0x00])]))).toEqual({
      ok: false,
      error: expect.stringMatching(/not valid UTF-16LE text/),
    });
  });
});

describe("csvCell", () => {
  it("quotes when needed and defuses spreadsheet formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(null)).toBe("");
    expect(csvLine(["a", 1, null])).toBe("a,1,\r\n");
  });
});

describe("the tags column", () => {
  it("reads semicolon-separated names, trimmed, once each case ignored; a bad name is the row's error", () => {
    const result = parseTenantImport(
      `customer_id,display_name,tenant,admin_email,auth_method,tags\n` +
        `A,Alpha,a.example,a@a.example,APP_REGISTRATION, Gold ;EU;; gold\n` +
        `B,Beta,b.example,b@b.example,APP_REGISTRATION,\n` +
        `C,Gamma,c.example,c@c.example,APP_REGISTRATION,Gold;${"x".repeat(41)}\n`,
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.rows[0]).toMatchObject({ ok: true, tags: ["Gold", "EU"] });
    expect(result.rows[1]).not.toHaveProperty("tags");
    expect(result.rows[2]).toMatchObject({ ok: false, errors: [`Tags: “${"x".repeat(41)}”: At most 40 characters.`] });
  });

  it("is written on export as names joined by semicolons, and reads back", () => {
    const line = exportLine(
      {
        customerId: "A",
        displayName: "Alpha",
        entraTenantId: null,
        primaryDomain: "a.example",
        adminEmail: "a@a.example",
        authMethod: "APP_REGISTRATION",
        cloud: "GLOBAL",
        appRegistrationId: null,
        lastStatus: "NEVER",
        lastStatusCode: null,
        lastStatusMessage: null,
        lastVerifiedAt: null,
        accessBreaksAt: null,
        tags: [{ name: "EU" }, { name: "Gold, Tier 1" }],
      },
      new Map(),
    );
    expect(exportColumns.at(-1)).toBe("tags");
    expect(line.trimEnd().endsWith(`,"EU; Gold, Tier 1"`)).toBe(true);
    const again = parseTenantImport(`${exportColumns.join(",")}\r\n${line}`);
    if (!again.ok) throw new Error(again.error);
    expect(again.rows[0]).toMatchObject({ ok: true, tags: ["EU", "Gold, Tier 1"] });
  });
});

describe("parseTenantImport", () => {
  it("reads the app registration a row names, and whether the row gave its cloud", () => {
    const result = parseTenantImport(
      `customer_id,display_name,tenant,admin_email,auth_method,cloud,App Registration\nA,Alpha,a.example,a@a.example,APP_REGISTRATION,custom, Sovereign B \nB,Beta,b.example,b@b.example,APP_REGISTRATION,,MSP (US Government)\nC,Gamma,c.example,c@c.example,APP_REGISTRATION,GLOBAL,\nD,Delta,d.example,d@d.example,APP_REGISTRATION,GLOBAL,${"x".repeat(101)}\n`,
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.rows[0]).toMatchObject({ ok: true, input: { cloud: "CUSTOM" }, registration: { name: "Sovereign B", cloudGiven: true } });
    expect(result.rows[1]).toMatchObject({ ok: true, input: { cloud: "GLOBAL" }, registration: { name: "MSP (US Government)", cloudGiven: false } });
    expect(result.rows[2]).not.toHaveProperty("registration");
    expect(result.rows[3]).toMatchObject({ ok: false, errors: ["App registration: a registration's name has at most 100 characters."] });
  });

  it("accepts a valid file with aliases for headers, methods and clouds", () => {
    const result = parseTenantImport(
      `Customer Id,Display Name,Tenant,M365 Email,Authentication Method\nACME,Acme Corp,acme.onmicrosoft.com,Admin@Acme.example,app registration\nC-2,Contoso,6F1E2D3C-1111-4222-8333-944455556666,it@contoso.example,auth token\n`,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows).toEqual([
      {
        line: 2,
        ok: true,
        input: {
          customerId: "ACME",
          displayName: "Acme Corp",
          tenantRef: "acme.onmicrosoft.com",
          adminEmail: "admin@acme.example",
          authMethod: "APP_REGISTRATION",
          cloud: "GLOBAL",
        },
      },
      {
        line: 3,
        ok: true,
        input: {
          customerId: "C-2",
          displayName: "Contoso",
          tenantRef: "6f1e2d3c-1111-4222-8333-944455556666",
          adminEmail: "it@contoso.example",
          authMethod: "AUTH_TOKEN",
          cloud: "GLOBAL",
        },
      },
    ]);
  });

  it("reports every error of a row and duplicates within the file", () => {
    const result = parseTenantImport(
      `${header}\nA1,Alpha,alpha.example,not-an-email,FAX,GLOBAL\nB1,Beta,beta.example,b@beta.example,PASSWORD,MARS\nB1,Beta again,alpha.example,b2@beta.example,PASSWORD,GLOBAL\n`,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [a, b, c] = result.rows;
    expect(a).toMatchObject({ ok: false, line: 2, customerId: "A1" });
    expect(a!.ok ? [] : a!.errors.join(" | ")).toMatch(/M365 email.*\| Authentication method/);
    expect(b!.ok ? [] : b!.errors).toEqual(["Cloud: Choose the tenant's cloud."]);
    expect(c!.ok ? [] : c!.errors).toEqual(["Duplicate: customer id B1 is already on line 3.", "Duplicate: tenant alpha.example is already on line 2."]);
  });

  it("rejects a file without the required columns or without rows", () => {
    expect(parseTenantImport("customer_id,display_name\nA,B\n")).toEqual({
      ok: false,
      error: expect.stringMatching(/Missing columns: tenant \(ID or domain\), admin_email, auth_method/),
    });
    expect(parseTenantImport(`${header}\n`)).toEqual({ ok: false, error: "The file has a header line but no tenants." });
    expect(parseTenantImport("")).toMatchObject({ ok: false });
  });

  it("flags a row with the wrong number of values", () => {
    const result = parseTenantImport(`${header}\nA1,Alpha,alpha.example,a@alpha.example,PASSWORD\n`);
    expect(result.ok && !result.rows[0]!.ok && result.rows[0]!.errors[0]).toBe("Expected 6 values, found 5.");
  });
});
