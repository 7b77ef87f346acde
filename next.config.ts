import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native addons and Node-only libraries stay external to the server bundle.
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "pg-boss", "@azure/msal-node"],
  poweredByHeader: false,
  // `npm run typecheck` checks the whole project (emulator and scripts included) once; the build
  // does not repeat it.
  typescript: { ignoreBuildErrors: true },
  // CSV imports go through a server action; 1 MB (the default) would cap them near 10,000 rows. The
  // limit sits above the import's own (MAX_IMPORT_BYTES, 10 MB, lib/tenants/csv.ts) plus the multipart
  // framing, so a file over it reaches the action and gets the console's message, not Next's 413.
  experimental: { serverActions: { bodySizeLimit: "11mb" } },
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "no-referrer" },
        ],
      },
    ];
  },
};

export default nextConfig;
