import type { NextConfig } from "next";
import { env } from "./lib/env";
import { SERVER_ACTION_BODY_LIMIT_BYTES } from "./lib/net/body-limits";

const nextConfig: NextConfig = {
  // Native addons and Node-only libraries stay external to the server bundle.
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "pg-boss", "@azure/msal-node"],
  poweredByHeader: false,
  // `npm run typecheck` checks the whole project (emulator and scripts included) once; the build
  // does not repeat it.
  typescript: { ignoreBuildErrors: true },
  experimental: {
    serverActions: {
      // CSV imports go through a server action (lib/net/body-limits.ts says why this size).
      bodySizeLimit: SERVER_ACTION_BODY_LIMIT_BYTES,
      // Next.js compares an action's Origin with the Host header, which behind a reverse proxy is the
      // internal one; the public host is APP_URL's. proxy.ts already refuses any other origin.
      allowedOrigins: [new URL(env.APP_URL).host],
    },
  },
  typedRoutes: false,
  // Security headers are set by proxy.ts at run time: headers() here is frozen into the build.
};

export default nextConfig;
