import { expect, type Page } from "@playwright/test";
import { baseURL } from "../../playwright.config";
import { DEMO, emulator } from "./emulator";

/** Configures the provider app through Settings → Provider app, as an administrator would. */
export async function configureProviderApp(page: Page) {
  await page.goto("/settings/provider");
  await page.getByLabel("Client ID").fill(DEMO.providerClientId);
  await page.getByLabel("Client Secret").fill(DEMO.providerSecret);
  await page.getByLabel("Redirect URL").fill(`${baseURL}/authenticate/OAuth2Callback`);
  await page.getByLabel("Home tenant").fill(DEMO.homeTenantId);
  await page.getByLabel("Cloud").selectOption("CUSTOM");
  await page.getByLabel("Authority host").fill(emulator.authorityHost);
  await page.getByLabel("Graph host").fill(emulator.graphHost);
  await page.getByLabel("Required application permissions").fill("Organization.Read.All User.Read.All");
  await page.getByRole("button", { name: "Apply Changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Changes applied" })).toBeVisible();
}
