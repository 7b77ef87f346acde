import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";

/**
 * Every spec imports `test` and `expect` (and whatever else it uses of Playwright) from here. An automatic
 * fixture watches every browser context the test opens (the default one and those from
 * browser.newContext()) and fails the test when any page violated a Content Security Policy: the
 * console's, or that of any other page the test visited.
 *
 * Two sources, since neither alone sees everything: Chromium's own console message ("Executing inline
 * script violates the following Content Security Policy directive …"; none for a blocked eval), and the
 * page's `securitypolicyviolation` events, reported by an init script.
 * @see https://www.w3.org/TR/CSP3/#violation-events
 */

export type CspViolation = { source: "console" | "event"; page: string; text: string };

const BINDING = "__e2eReportCspViolation";
const CONSOLE_VIOLATION = /Content[- ]Security[- ]Policy/i;

/** Runs in every frame before the page's own scripts (an init script is exempt from the page's CSP). */
function listen(binding: string): void {
  document.addEventListener(
    "securitypolicyviolation",
    (e) => {
      const report = (window as unknown as Record<string, ((v: unknown) => void) | undefined>)[binding];
      report?.({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, disposition: e.disposition });
    },
    true,
  );
}

export class CspViolations {
  private readonly recorded: CspViolation[] = [];

  get all(): readonly CspViolation[] {
    return this.recorded;
  }

  /** Returns what was recorded and forgets it (for a spec that provokes a violation on purpose). */
  take(): CspViolation[] {
    return this.recorded.splice(0);
  }

  async watch(context: BrowserContext): Promise<void> {
    context.on("console", (message) => {
      if (CONSOLE_VIOLATION.test(message.text())) this.recorded.push({ source: "console", page: message.page()?.url() ?? "", text: message.text() });
    });
    // Both calls go out at once, before the test can open a page in the new context.
    await Promise.all([
      context.exposeBinding(BINDING, ({ page }: { page: Page }, violation: unknown) => {
        this.recorded.push({ source: "event", page: page.url(), text: JSON.stringify(violation) });
      }),
      context.addInitScript(listen, BINDING),
    ]);
  }
}

export const test = base.extend<{ cspViolations: CspViolations }>({
  cspViolations: [
    async ({ browser }, use) => {
      const violations = new CspViolations();
      const pending: Promise<void>[] = [];
      // Emitted inside browser.newContext(), before the test (or the default `context` fixture) gets it.
      const onContext = (context: BrowserContext) => {
        pending.push(violations.watch(context));
      };
      browser.on("context", onContext);
      await use(violations);
      browser.off("context", onContext);
      await Promise.allSettled(pending);
      const found = violations.all;
      if (found.length > 0) {
        throw new Error(`Content Security Policy violations:\n${found.map((v) => `  [${v.source}] ${v.page}: ${v.text}`).join("\n")}`);
      }
    },
    { auto: true },
  ],
});

export { expect };
// The rest of Playwright's API (request, types), so a spec needs this one import.
export * from "@playwright/test";
