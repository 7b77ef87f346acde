import type { Metadata } from "next";
import { ApiReferenceView } from "@/components/api-docs/api-reference";
import { buildApiReference } from "@/components/api-docs/openapi-model";
import { API_BASE_PATH, openApiDocument } from "@/lib/api/openapi";
import { hasRole, requireAdmin } from "@/lib/auth/session";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "API reference" };

/** The REST API's OpenAPI document, rendered from the same function that serves /api/v1/openapi.json. */
export default async function ApiDocsPage({ searchParams }: { searchParams: Promise<{ section?: string | string[] }> }) {
  const admin = await requireAdmin();
  const reference = buildApiReference(openApiDocument());
  const { section } = await searchParams;
  return (
    <ApiReferenceView
      reference={reference}
      origin={new URL(env.APP_URL).origin}
      specUrl={`${API_BASE_PATH}/openapi.json`}
      tokensHref={hasRole(admin, "ADMINISTRATOR") ? "/settings/api-tokens" : undefined}
      section={typeof section === "string" ? section : undefined}
    />
  );
}
