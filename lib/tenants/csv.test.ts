import { describe, expect, it } from "vitest";
import { csvCell, csvLine, parseCsv, parseTenantImport } from "./csv";

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

describe("csvCell", () => {
  it("quotes when needed and defuses spreadsheet formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(null)).toBe("");
    expect(csvLine(["a", 1, null])).toBe("a,1,\r\n");
  });
});

describe("parseTenantImport", () => {
  it("accepts a valid file with aliases for headers, methods and clouds", () => {
    const result = parseTenantImport(
      `Customer Id,Display Name,Tenant,M365 Email,Authentication Method\nACME,Acme Corp,acme.onmicrosoft.com,Admin@Acme.example,app registration\nC-2,Contoso,6F1E2D3C-1111-4222-8333-944455556666,it@contoso.example,auth token\n`,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows).toEqual([
      { line: 2, ok: true, input: { customerId: "ACME", displayName: "Acme Corp", tenantRef: "acme.onmicrosoft.com", adminEmail: "admin@acme.example", authMethod: "APP_REGISTRATION", cloud: "GLOBAL" } },
      { line: 3, ok: true, input: { customerId: "C-2", displayName: "Contoso", tenantRef: "6f1e2d3c-1111-4222-8333-944455556666", adminEmail: "it@contoso.example", authMethod: "AUTH_TOKEN", cloud: "GLOBAL" } },
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
    expect(parseTenantImport("customer_id,display_name\nA,B\n")).toEqual({ ok: false, error: expect.stringMatching(/Missing columns: tenant \(ID or domain\), admin_email, auth_method/) });
    expect(parseTenantImport(`${header}\n`)).toEqual({ ok: false, error: "The file has a header line but no tenants." });
    expect(parseTenantImport("")).toMatchObject({ ok: false });
  });

  it("flags a row with the wrong number of values", () => {
    const result = parseTenantImport(`${header}\nA1,Alpha,alpha.example,a@alpha.example,PASSWORD\n`);
    expect(result.ok && !result.rows[0]!.ok && result.rows[0]!.errors[0]).toBe("Expected 6 values, found 5.");
  });
});
