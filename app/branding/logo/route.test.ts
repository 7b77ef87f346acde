import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { GET } from "./route";

// The public logo route: the stored bytes as the type read at upload, with headers that let nothing run.

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40)]);

beforeEach(async () => {
  await db.branding.deleteMany();
});

describe("GET /branding/logo", () => {
  it("answers 404 without a logo", async () => {
    const res = await GET(new Request("http://console.test/branding/logo"));
    expect(res.status).toBe(404);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("serves the logo with its stored type, nosniff, a script-free policy, and a long cache only for the current version", async () => {
    const updatedAt = new Date("2026-12-01T10:00:00Z");
    await db.branding.create({ data: { id: "branding", mspName: "Northwind IT", logo: png, logoType: "image/png", logoUpdatedAt: updatedAt } });
    const res = await GET(new Request(`http://console.test/branding/logo?v=${updatedAt.getTime()}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    const stale = await GET(new Request("http://console.test/branding/logo?v=1"));
    expect(stale.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
  });
});
