import { X509Certificate } from "node:crypto";
import forge from "node-forge";
import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate, serialNumber } from "./certs";

describe("emulator certificates", () => {
  it("draws serials that are positive and minimally encoded, so OpenSSL parses every certificate", () => {
    for (let i = 0; i < 5000; i++) {
      const first = Number.parseInt(serialNumber().slice(0, 2), 16);
      // Neither a sign bit (negative) nor a leading zero byte (padding OpenSSL refuses).
      expect(first).toBeGreaterThanOrEqual(0x40);
      expect(first).toBeLessThan(0x80);
    }
  });

  it("builds a certificate whose serial OpenSSL reads back as given", () => {
    const built = createSelfSignedCertificate("serial-check");
    const parsed = new X509Certificate(built.certPem);
    expect(parsed.serialNumber.toLowerCase()).toBe(forge.pki.certificateFromPem(built.certPem).serialNumber.toLowerCase());
    expect(built.thumbprintSha1).toMatch(/^[0-9A-F]{40}$/);
  });
});
