/**
 * Request body limits, shared by next.config.ts (server actions) and the HTTP entry (server.ts), which
 * refuses a declared Content-Length above them before anything reads the body.
 */

/** Server actions: a CSV import of about 10,000 tenants fits. */
export const SERVER_ACTION_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
