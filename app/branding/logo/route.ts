import { getBrandingLogo } from "@/lib/campaigns/branding";

/**
 * The MSP's logo, public: customers see it on the consent pages and in invitation emails without signing
 * in. Served from the console's own origin (no external hosts), as the type read from the file's bytes at
 * upload (PNG, JPEG or WebP, never SVG), with sniffing off and a policy that lets the response run nothing.
 * The URL carries the logo's version (?v=), so a new logo is a new URL and the old one may be cached.
 */
export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const logo = await getBrandingLogo();
  const versioned = new URL(request.url).searchParams.get("v") === String(logo?.updatedAt.getTime());
  const common = { "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'" };
  if (!logo)
    return new Response("No logo.\n", { status: 404, headers: { ...common, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  return new Response(Buffer.from(logo.bytes), {
    headers: {
      ...common,
      "Content-Type": logo.type,
      "Content-Length": String(logo.bytes.byteLength),
      // Only a URL naming the current version is cached for long; any other is revalidated.
      "Cache-Control": versioned ? "public, max-age=31536000, immutable" : "public, max-age=0, must-revalidate",
      "Cross-Origin-Resource-Policy": "cross-origin",
    },
  });
}
