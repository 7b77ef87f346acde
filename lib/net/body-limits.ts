/**
 * Request body limits, shared by next.config.ts (server actions), the CSV import and the HTTP entry
 * (server.ts), which refuses a declared Content-Length above them before anything reads the body.
 * No imports: next.config.ts loads this file.
 */

/** The largest file a tenant import takes; checked in the browser before upload and again by the server action. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

/**
 * Server actions: above the CSV import's own limit plus the multipart framing, so a file just over the
 * import's limit reaches the action and gets the console's message, not Next.js's 413.
 */
export const SERVER_ACTION_BODY_LIMIT_BYTES = MAX_IMPORT_BYTES + 1024 * 1024;
