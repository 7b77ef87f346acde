import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// docs/ARCHITECTURE.md: imports point down the layers, never up.
//   app/ → components/ → lib/api, lib/commands → domain (lib/<area>) → infrastructure
const infrastructure = [
  "lib/db.ts",
  "lib/db-client.ts",
  "lib/env.ts",
  "lib/errors.ts",
  "lib/audit.ts",
  "lib/entra",
  "lib/net",
  "lib/crypto",
  "lib/http",
  "lib/json.ts",
  "lib/html.ts",
  "lib/ids.ts",
  "lib/pagination.ts",
  "lib/migrations.ts",
];
const domain = [
  "lib/auth",
  "lib/api-tokens",
  "lib/access-tokens",
  "lib/consent",
  "lib/data",
  "lib/jobs",
  "lib/methods",
  "lib/notify",
  "lib/provider",
  "lib/tags",
  "lib/tenants",
  "lib/users",
  "lib/validations",
  "lib/verification",
];
const adapters = ["lib/api", "lib/commands"];
const layers = {
  files: ["app/**", "components/**", "lib/**", "proxy.ts", "instrumentation.ts", "server.ts"],
  // Tests wire layers together on purpose (a route handler called directly, a DTO checked against its schema).
  ignores: ["**/*.test.ts"],
  rules: {
    "import/no-restricted-paths": [
      "error",
      {
        zones: [
          { target: ["./lib", "./components"], from: ["./app"], message: "lib/ and components/ never import app/ (docs/ARCHITECTURE.md)." },
          { target: "./lib", from: "./components", message: "lib/ never imports components/ (docs/ARCHITECTURE.md)." },
          {
            target: domain.map((d) => `./${d}`),
            from: adapters.map((d) => `./${d}`),
            message: "Domain modules never import the command layer or the REST API (docs/ARCHITECTURE.md).",
          },
          {
            target: infrastructure.map((d) => `./${d}`),
            from: [...domain, ...adapters].map((d) => `./${d}`),
            message: "Infrastructure never imports domain modules or adapters (docs/ARCHITECTURE.md).",
          },
        ],
      },
    ],
  },
};

const config = [
  ...nextVitals,
  ...nextTs,
  layers,
  { ignores: ["node_modules/**", ".next/**", ".data/**", "lib/generated/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
];

export default config;
