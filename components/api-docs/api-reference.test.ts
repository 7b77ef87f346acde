import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiReferenceView } from "./api-reference";
import { buildApiReference } from "./openapi-model";
import { sampleOpenApi } from "./sample-openapi";

const reference = buildApiReference(sampleOpenApi);
const render = (tokensHref?: string, section?: string) =>
  renderToStaticMarkup(
    createElement(ApiReferenceView, {
      reference,
      origin: "https://console.msp.example",
      specUrl: "/api/v1/openapi.json",
      tokensHref,
      section,
    }),
  );
/** Every section's page, as one string (each page shows one section). */
const everySection = (tokensHref?: string) => [...reference.groups.map((g) => g.anchor), "schemas"].map((s) => render(tokensHref, s)).join("\n");

describe("ApiReferenceView", () => {
  const html = everySection("/settings/api-tokens");

  it("shows one section a page, with contents linking to every operation in its section", () => {
    const [first, second] = reference.groups;
    expect(first && second).toBeTruthy();
    const page = render(undefined, second!.anchor);
    for (const op of second!.operations) {
      expect(page).toContain(`href="#${op.anchor}"`);
      expect(page).toContain(`id="${op.anchor}"`);
    }
    for (const op of first!.operations) {
      expect(page).toContain(`href="?section=${first!.anchor}#${op.anchor}"`);
      expect(page).not.toContain(`id="${op.anchor}"`);
    }
    expect(page).not.toContain('id="schemas"');
    // No section, or one that does not exist: the first.
    expect(render()).toBe(render(undefined, first!.anchor));
    expect(render(undefined, "tag-nope")).toBe(render(undefined, first!.anchor));
    for (const anchor of ["op-listtenants", "op-createtenant", "op-updatetenant", "op-streamrunevents", "op-get-health"])
      expect(html).toContain(`id="${anchor}"`);
  });

  it("shows the base URL, the download link, the Authentication block and the roles", () => {
    expect(html).toContain("https://console.msp.example/api/v1");
    expect(html).toContain('href="/api/v1/openapi.json"');
    expect(html).toContain('id="authentication"');
    expect(html).toContain('href="/settings/api-tokens"');
    expect(render()).not.toContain('href="/settings/api-tokens"');
    expect(html).toContain("Minimum role: Administrator");
    expect(html).toContain("Public: no token needed");
  });

  it("renders oneOf variants, recursive references and nullable fields", () => {
    expect(html).toContain("Exactly one of these shapes:");
    expect(html).toContain("Progress");
    expect(html).toContain('Same shape as <a href="?section=schemas#schema-tenant"');
    expect(html).toContain(" | null");
    expect(html).toContain('id="schema-tenant"');
  });

  it("escapes text from the document", () => {
    const hostile = { ...sampleOpenApi, info: { title: "<script>alert(1)</script>", version: "1", description: "<img src=x onerror=alert(1)>" } };
    const out = renderToStaticMarkup(createElement(ApiReferenceView, { reference: buildApiReference(hostile), origin: "https://x.example", specUrl: "/s" }));
    expect(out).not.toContain("<script>alert");
    expect(out).not.toContain("<img src=x");
  });
});
