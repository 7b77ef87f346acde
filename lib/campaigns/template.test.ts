import { describe, expect, it } from "vitest";
import type { BrandingView } from "./branding";
import { DEFAULT_SUBJECT, renderInvitation, type InvitationInput } from "./template";

const APP = "https://console.example.net";

const branding: BrandingView = {
  mspName: "Northwind IT",
  supportEmail: "help@northwind.example",
  supportUrl: null,
  customText: "Questions about GDPR? See our data processing agreement.",
  logoPath: "/branding/logo?v=1",
  inviteSubject: null,
  inviteText: null,
  version: 3,
};

function input(over: Partial<InvitationInput> = {}): InvitationInput {
  return {
    branding,
    customerName: "Contoso Ltd",
    adminEmail: "admin@contoso.com",
    link: `${APP}/consent/abc123`,
    expiresAt: new Date("2030-01-15T17:00:00Z"),
    reminder: 0,
    logoUrl: `${APP}/branding/logo?v=1`,
    ...over,
  };
}

/** Every absolute URL the HTML names, in attributes or text. */
const hostsOf = (html: string) => [...html.matchAll(/(?:https?:)?\/\/([a-z0-9.-]+)/gi)].map((m) => m[1]!.toLowerCase());

describe("renderInvitation", () => {
  it("fills the default template's placeholders in subject, text and HTML", () => {
    const mail = renderInvitation(input());
    expect(mail.subject).toBe("Northwind IT asks for your consent: access to Contoso Ltd's Microsoft 365");
    expect(mail.text).toContain("Northwind IT manages Microsoft 365 for Contoso Ltd.");
    expect(mail.text).toContain(`${APP}/consent/abc123`);
    expect(mail.text).toContain("The link is valid until 15 Jan 2030, 17:00 UTC.");
    expect(mail.text).toContain("Questions? help@northwind.example");
    expect(mail.text).toContain("Questions about GDPR? See our data processing agreement.");
    expect(mail.text).not.toMatch(/\{\{/);
    expect(mail.html).toContain(`<a href="${APP}/consent/abc123"`);
    expect(mail.html).toContain("Review and grant consent");
    expect(mail.html).toContain(`<img src="${APP}/branding/logo?v=1" alt="Northwind IT"`);
    expect(mail.html).toContain('<a href="mailto:help@northwind.example"');
    expect(mail.html).toContain("Consent requested for Contoso Ltd</h1>");
    expect(mail.html).toContain("15 Jan 2030, 17:00 UTC");
  });

  it("uses the MSP's own subject and text", () => {
    const mail = renderInvitation(
      input({
        branding: {
          ...branding,
          inviteSubject: "Action needed for {{customer}}",
          inviteText: "Dear {{ customer }} admin,\n\nplease open {{link}} before {{expires}}.",
        },
      }),
    );
    expect(mail.subject).toBe("Action needed for Contoso Ltd");
    expect(mail.text.startsWith("Dear Contoso Ltd admin,\n\nplease open https://console.example.net/consent/abc123 before 15 Jan 2030, 17:00 UTC.")).toBe(true);
  });

  it("marks reminders in the subject and the heading", () => {
    const mail = renderInvitation(input({ reminder: 2 }));
    expect(mail.subject).toBe(`Reminder: ${DEFAULT_SUBJECT.replace("{{msp}}", "Northwind IT").replace("{{customer}}", "Contoso Ltd")}`);
    expect(mail.html).toContain("Reminder: consent requested for Contoso Ltd");
  });

  it("escapes every value in the HTML and keeps subjects on one line", () => {
    const evil = '<script>alert("x")</script> & Co';
    const mail = renderInvitation(
      input({
        customerName: evil,
        branding: { ...branding, mspName: 'MSP "quoted" <b>', customText: "<img src=https://evil.example/x>", inviteSubject: "Hi\r\n{{customer}}" },
      }),
    );
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("<b>");
    expect(mail.html).not.toContain("<img src=https://evil.example");
    expect(mail.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co");
    expect(mail.html).toContain("MSP &quot;quoted&quot; &lt;b&gt;");
    expect(mail.subject).not.toMatch(/[\r\n]/);
    // The plain-text part is text: it keeps the characters as typed.
    expect(mail.text).toContain("<img src=https://evil.example/x>");
  });

  it("names no host but the console's own (and the MSP's support site)", () => {
    const mail = renderInvitation(input());
    expect(new Set(hostsOf(mail.html))).toEqual(new Set(["console.example.net"]));
    const withUrl = renderInvitation(input({ branding: { ...branding, supportEmail: null, supportUrl: "https://help.northwind.example/start" } }));
    expect(new Set(hostsOf(withUrl.html))).toEqual(new Set(["console.example.net", "help.northwind.example"]));
  });

  it("falls back to neutral words without branding or logo", () => {
    const mail = renderInvitation(
      input({ logoUrl: null, branding: { ...branding, mspName: "", supportEmail: null, supportUrl: null, customText: null, logoPath: null } }),
    );
    expect(mail.subject).toBe("Your IT service provider asks for your consent: access to Contoso Ltd's Microsoft 365");
    expect(mail.html).not.toContain("<img");
    expect(mail.text).toContain("Support: Reply to this email to reach Your IT service provider");
  });
});
