import { expect, type Page } from "@playwright/test";
import type { TestAdmin } from "./admins";

export async function signIn(page: Page, admin: TestAdmin, password = admin.password) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function signInAndExpectConsole(page: Page, admin: TestAdmin) {
  await signIn(page, admin);
  await expect(page.getByRole("heading", { name: "Authentication Status" })).toBeVisible();
}

/** No table on the page needs its own sideways scroll area: every column it shows fits its container. */
export function tablesFit(page: Page): Promise<boolean> {
  return page.evaluate(() => [...document.querySelectorAll("table")].every((t) => t.parentElement!.scrollWidth <= t.parentElement!.clientWidth));
}
