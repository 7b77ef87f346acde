import { describe, expect, it } from "vitest";
import { emailContent } from "./email-content";
import type { OutgoingMessage } from "./types";

const base: OutgoingMessage = {
  id: "n1",
  type: "incident.resolved",
  severity: "info",
  title: "Access restored: Fabrikam",
  text: "Fabrikam verifies again.\n\nThe incident was open for 2 hours.",
  occurredAt: new Date("2026-12-06T18:30:05.123Z"),
  data: {},
  link: null,
};

describe("emailContent", () => {
  it("puts the severity in front of the subject unless it is informational, on one line", () => {
    expect(emailContent(base).subject).toBe("Access restored: Fabrikam");
    expect(emailContent({ ...base, severity: "warning", title: "Secret expires\r\nsoon" }).subject).toBe("[Warning] Secret expires soon");
    expect(emailContent({ ...base, severity: "critical" }).subject).toBe("[Critical] Access restored: Fabrikam");
  });

  it("writes the text with when it happened and the link, and the HTML with paragraphs", () => {
    const content = emailContent({ ...base, link: "https://console.example/tenants/t1" });
    expect(content.text).toBe(
      "Fabrikam verifies again.\n\nThe incident was open for 2 hours.\n\nOccurred: 6 Dec 2026, 18:30 UTC\nDetails: https://console.example/tenants/t1\n\nSent by Tenant Access Console.",
    );
    expect(content.html).toContain(`<p style="margin:0 0 12px">Fabrikam verifies again.</p><p style="margin:0 0 12px">The incident was open for 2 hours.</p>`);
    expect(content.html).toContain(`<a href="https://console.example/tenants/t1"`);
  });

  it("leaves out a link that is not http(s)", () => {
    const content = emailContent({ ...base, link: "javascript:alert(1)" });
    expect(content.html).not.toContain("javascript:");
    expect(content.text).not.toContain("Details:");
  });
});
