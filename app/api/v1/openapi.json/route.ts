import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.openApi, async () => ({ status: 200, body: openApiDocument() }));
