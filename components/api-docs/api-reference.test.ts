import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiReferenceView } from "./api-reference";
import { buildApiReference } from "./openapi-model";
import { sampleOpenApi } from "./sample-openapi";

const render = (tokensHref?: string) =>
  renderToStaticMarkup(
    createElement(ApiReferenceView, {
      reference: buildApiReference(sampleOpenApi),
      origin: "https://console.msp.example",
      specUrl: "/api/v1/openapi.json",
      tokensHref,
    }),
  );

describe("ApiReferenceView", () => {
  const html = render("/settings/api-tokens");

  it("has a table of contents linking to an anchor per operation", () => {
    for (const anchor of ["op-listtenants", "op-createtenant", "op-updatetenant", "op-streamrunevents", "op-get-health"]) {
      expect(html).toContain(`href="#${anchor}"`);
      expect(html).toContain(`id="${anchor}"`);
    }
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
    expect(html).toContain('Same shape as <a href="#schema-tenant"');
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
