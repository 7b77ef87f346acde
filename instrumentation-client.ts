import { config } from "zod/v4/core";

// Runs in the browser before the app's own modules. Zod compiles object schemas with `new Function`
// unless told not to, and merely probing whether it may (when a schema is built) is an 'unsafe-eval'
// violation of the console's Content Security Policy (lib/http/security-headers.ts). The config lives on
// globalThis, so this reaches every copy of zod in the bundle; the server keeps the compiled parsers.
// @see https://github.com/colinhacks/zod/blob/main/packages/zod/src/v4/core/core.ts (GlobalConfig.jitless)
config({ jitless: true });
