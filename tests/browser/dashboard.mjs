// Drives provisio's dashboard in Debian's headless Chromium, as an operator would. Run by
// crates/provisio/tests/dashboard.rs, which starts `provisio serve` and creates a provision
// through the API first, and passes:
//   PROVISIO_URL, PROVISIO_ADMIN_TOKEN, PROVISION_ID, PARTNER_ID, USER_ID, EXTERNAL_UUID,
//   WEBHOOK_TARGET, CARD_ID (a virtual card of USER_ID on a funded account), OAUTH_CLIENT_ID
//   (the partner's OAuth client, calling back to https://partner.example/cb), SCREENSHOT_DIR,
//   and CHROMIUM (default /usr/bin/chromium).
// Exits non-zero, saying what it missed, when anything is not as expected.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env("PROVISIO_URL");
const token = env("PROVISIO_ADMIN_TOKEN");
const provisionId = env("PROVISION_ID");
const partnerId = env("PARTNER_ID");
const externalUuid = env("EXTERNAL_UUID");
const target = env("WEBHOOK_TARGET");
const cardId = env("CARD_ID");
const oauthClientId = env("OAUTH_CLIENT_ID");
const shots = env("SCREENSHOT_DIR");
mkdirSync(shots, { recursive: true });

// playwright-core starts Chromium on a fresh, empty profile directory of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

function check(condition, what) {
  if (!condition) throw new Error(`expected: ${what}`);
  console.log(`ok: ${what}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();

  // Signed out: every page leads to the login form; a wrong token is refused.
  await page.goto(`${url}/_provisio/ui/partners/${partnerId}`);
  check(page.url().endsWith("/_provisio/ui/login"), "a signed-out visit lands on the login page");
  await shot(page, "login");
  await page.getByLabel("Admin token").fill("not-the-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  check(await page.getByRole("alert").textContent() === "That is not the admin token.",
    "a wrong token is refused");

  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Partners" }).waitFor();
  check(true, "the admin token signs in");
  await shot(page, "partners");
  // The keyboard: the first Tab reaches "Skip to content", Enter moves to the main content.
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => document.activeElement.textContent) === "Skip to content",
    "the first Tab reaches the skip link");
  await page.keyboard.press("Enter");
  // The fragment navigation lands after the key press returns: wait for it (a CI run saw the
  // URL read before it), then check.
  await page.waitForURL((u) => u.hash === "#main", { timeout: 5000 }).catch(() => {});
  check(page.url().endsWith("#main"), "the skip link leads to the main content");

  // The partner's provisions: the one the API created is listed, and the filters find it.
  await page.locator(`a[href="/_provisio/ui/partners/${partnerId}"]`).click();
  const row = page.locator("#provisions tbody tr", { hasText: externalUuid });
  await row.waitFor();
  check(await row.locator(`a[href="/_provisio/ui/provisions/${provisionId}"]`).count() === 1,
    "the new provision is in its partner's list");
  await page.getByLabel("Sub-status").selectOption("PENDING_PROCESS_USER_ONBOARDING");
  await page.getByLabel("External UUID").fill(externalUuid);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/sub_status=PENDING_PROCESS_USER_ONBOARDING/);
  check(await page.locator("#provisions tbody tr").count() === 1, "the filters find exactly it");
  await shot(page, "provisions");
  await page.getByLabel("Status", { exact: true }).selectOption("ACTIVE");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByText("No provisions match.").waitFor();
  check(true, "a status it does not have finds nothing");

  // Its page: waiting for onboarding; approve makes it ACTIVE, and is then no longer offered.
  await page.goto(`${url}/_provisio/ui/provisions/${provisionId}`);
  const state = page.locator("#state");
  check((await state.textContent()).includes("PENDING_PROCESS_USER_ONBOARDING"),
    "the provision waits for its user's onboarding");
  check(await page.locator("#timeline li", { hasText: "Transition" }).count() >= 2,
    "the timeline shows its transitions");
  await page.getByRole("button", { name: "Approve onboarding" }).click();
  await page.getByRole("status").filter({ hasText: "Approve onboarding: done." }).waitFor();
  check((await state.textContent()).includes("ACTIVE"), "approve makes it ACTIVE");
  // Only the actions its state allows are offered; a line says why the others are not.
  check(await page.getByRole("button", { name: "Approve onboarding" }).count() === 0,
    "an ACTIVE provision offers no approve");
  check((await page.locator("#why-not").textContent()).includes("ACTIVE/NONE"),
    "the state says why");

  // The webhook of the approval, with its payload, on the timeline (it may still be on its way).
  const webhook = page.locator("#timeline li", { hasText: "PARTNER_USER_PROVISION_PROCESS_UPDATED" });
  for (let i = 0; i < 50 && (await webhook.filter({ hasText: "DELIVERED" }).count()) === 0; i++) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  check(await webhook.filter({ hasText: "DELIVERED" }).count() >= 1,
    "the timeline shows the provision's webhooks, delivered");
  const approved = webhook.last();
  await approved.getByText("Payload and headers").click();
  const payload = await approved.locator("pre").last().textContent();
  check(payload.includes('"status": "ACTIVE"') && payload.includes(provisionId),
    "a delivery shows its payload");
  await shot(page, "provision");
  await page.goto(`${url}/_provisio/ui/provisions/${provisionId}`);
  await page.screenshot({ path: join(shots, "provision-top.png") });

  // Webhooks: live list, filtered by target and status, payload and signature headers.
  await page.goto(`${url}/_provisio/ui/deliveries`);
  await page.getByLabel("Target URL").fill(target);
  await page.getByLabel("Status", { exact: true }).selectOption("DELIVERED");
  await page.getByRole("button", { name: "Filter" }).click();
  const delivery = page.locator("#deliveries article").first();
  await delivery.waitFor();
  await delivery.getByText("Payload and headers").click();
  const headers = await delivery.locator("pre").first().textContent();
  check(headers.includes("x-bunq-server-signature"), "a delivery shows its signature header");
  const before = await page.locator("#deliveries article").count();
  await delivery.getByRole("button", { name: "Resend" }).click();
  await page.getByRole("status").filter({ hasText: "queued again" }).waitFor();
  check(true, "resend queues a delivery again");
  await shot(page, "deliveries");
  // A new delivery appears without a reload: cancel the provision in another tab.
  await page.getByLabel("Status", { exact: true }).selectOption("");
  await page.getByRole("button", { name: "Filter" }).click();
  const count = await page.locator("#deliveries article").count();
  const other = await context.newPage();
  await other.goto(`${url}/_provisio/ui/provisions/${provisionId}`);
  await other.getByRole("button", { name: "Cancel provision" }).click();
  await other.getByRole("status").filter({ hasText: "Cancel provision: done." }).waitFor();
  await page.waitForFunction(
    (n) => document.querySelectorAll("#deliveries article").length > n, count, { timeout: 15000 });
  check(before >= 1, "the list follows new deliveries live, without a reload");
  await other.close();

  // Requests, accounts.
  await page.goto(`${url}/_provisio/ui/requests`);
  check(await page.locator("td", { hasText: "/v1/partner-user-provision" }).count() >= 1,
    "the request log lists the API's requests");
  await shot(page, "requests");
  await page.goto(`${url}/_provisio/ui/accounts`);
  await page.getByLabel(/User id/).fill(process.env.USER_ID || partnerId);
  await page.getByRole("button", { name: "Show accounts" }).click();
  await page.getByRole("heading", { name: /Accounts of user/ }).waitFor();
  await shot(page, "accounts");

  // Cards: the user's card is listed; a merchant's payment is approved, then settled.
  await page.getByRole("link", { name: "Cards", exact: true }).click();
  await page.getByLabel(/User id/).fill(process.env.USER_ID || partnerId);
  await page.getByRole("button", { name: "Show cards" }).click();
  const cardRow = page.locator("#cards tbody tr", { hasText: "Team lunches" });
  await cardRow.waitFor();
  check((await cardRow.locator("td").first().textContent()) === cardId, "the user's card is listed");
  await page.getByLabel("Card", { exact: true }).selectOption(cardId);
  await page.getByLabel("Amount").fill("12.50");
  await page.getByLabel("Merchant", { exact: true }).fill("Coffee BV");
  await page.getByRole("button", { name: "Authorize" }).click();
  const approval = page.getByRole("status").filter({ hasText: "12.50 EUR at Coffee BV, ALLOWED" });
  await approval.waitFor();
  check(true, "a merchant's payment on the card is approved");
  await page.getByLabel("Amount").fill("1.00");
  await page.getByLabel("Ask for 3DS").check();
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.getByRole("status").filter({ hasText: "waits for the user's answer" }).waitFor();
  check(await page.locator("#challenges tbody tr", { hasText: "PENDING" }).count() === 1,
    "a 3DS challenge waits for the user");
  await shot(page, "cards");
  await cardRow.getByRole("link", { name: /transactions/ }).click();
  const paid = page.locator("#card-transactions tbody tr", { hasText: "Coffee BV" });
  await paid.waitFor();
  check((await paid.textContent()).includes("AUTHORISED"), "the card transaction is authorized");
  await paid.getByRole("button", { name: "Settle" }).click();
  await page.getByRole("status").filter({ hasText: "settled" }).waitFor();
  check((await paid.textContent()).includes("SETTLED"), "settle settles it");
  check(await paid.getByRole("button").count() === 0, "a settled transaction has no buttons left");
  await shot(page, "card-transactions");

  // Every card transaction of the partner, on a 1366 px laptop screen: a new one is listed
  // with Settle and Reverse in view, no sideways scrolling needed.
  await page.goto(`${url}/_provisio/ui/cards?user=${process.env.USER_ID || partnerId}`);
  await page.getByLabel("Card", { exact: true }).selectOption(cardId);
  await page.getByLabel("Amount").fill("3.10");
  await page.getByLabel("Merchant", { exact: true }).fill("Bakery BV");
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.getByRole("status").filter({ hasText: "3.10 EUR at Bakery BV, ALLOWED" }).waitFor();
  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await laptop.addCookies(await context.cookies());
  const wide = await laptop.newPage();
  await wide.goto(`${url}/_provisio/ui/cards`);
  await wide.getByRole("link", { name: "every card transaction" }).click();
  await wide.getByLabel("Partner id").fill(partnerId);
  await wide.getByLabel("Authorization").selectOption("AUTHORISED");
  await wide.getByRole("button", { name: "Filter" }).click();
  const bakery = wide.locator("#card-transactions tbody tr", { hasText: "Bakery BV" });
  await bakery.waitFor();
  check(await wide.locator("#card-transactions tbody tr", { hasText: "DECLINED" }).count() === 0,
    "the list of every card transaction is filtered by authorization");
  const inView = async (name) => {
    const box = await bakery.getByRole("button", { name }).boundingBox();
    return box !== null && box.x >= 0 && box.x + box.width <= 1366;
  };
  check(await inView("Settle") && await inView("Reverse"),
    "Settle and Reverse are in view at 1366 px in the list across the partner");
  await wide.screenshot({ path: join(shots, "card-transactions-all.png") });
  await bakery.getByRole("button", { name: "Reverse" }).click();
  await wide.getByRole("status").filter({ hasText: "reversed" }).waitFor();
  check(await wide.locator("#card-transactions tbody tr", { hasText: "Bakery BV" }).count() === 0,
    "reversed from the list, it leaves the AUTHORISED filter");

  // The user's page: everything of the user, its request for money among it.
  await wide.goto(`${url}/_provisio/ui/users/${process.env.USER_ID || partnerId}`);
  await wide.getByRole("heading", { name: "Requests for money" }).waitFor();
  const asked = wide.locator("#user-requests tbody tr", { hasText: "Lunch money" });
  check((await asked.textContent()).includes("8.40 EUR") && (await asked.textContent()).includes("PENDING"),
    "the user's page shows its request for money, PENDING");
  for (const heading of ["Draft payments", "Scheduled payments", "Events", "Webhooks sent", "Connected apps"]) {
    check(await wide.getByRole("heading", { name: heading, exact: true }).count() === 1,
      `the user's page has a section "${heading}"`);
  }
  check((await wide.locator("#user-events").textContent()).includes("RequestInquiry"),
    "its events include the request");
  await wide.screenshot({ path: join(shots, "user.png"), fullPage: true });
  await laptop.close();

  // A phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  await phone.addCookies(await context.cookies());
  const small = await phone.newPage();
  await small.goto(`${url}/_provisio/ui/provisions/${provisionId}`);
  check((await small.locator("#state").textContent()).length > 0, "the provision page opens on a phone");
  const fits = () => document.documentElement.scrollWidth <= window.innerWidth;
  check(await small.evaluate(fits), "the provision page fits a phone's width");
  await small.screenshot({ path: join(shots, "provision-phone.png") });
  await small.goto(`${url}/_provisio/ui/partners/${partnerId}`);
  check(await small.evaluate(fits), "the provision list fits a phone's width");
  await small.screenshot({ path: join(shots, "provisions-phone.png") });
  await small.goto(`${url}/_provisio/ui/deliveries`);
  check(await small.evaluate(fits), "the webhooks page fits a phone's width");
  await small.goto(`${url}/_provisio/ui/cards?user=${process.env.USER_ID || partnerId}`);
  check(await small.evaluate(fits), "the cards page fits a phone's width");

  // Search from the bar at the top of every page: the provision's external_uuid finds it.
  await page.goto(`${url}/_provisio/ui/deliveries`);
  const search = page.getByRole("searchbox", { name: "Search" });
  await search.fill(externalUuid);
  await search.press("Enter");
  await page.getByRole("heading", { name: "Search", exact: true }).waitFor();
  check(await page.locator(`main a[href="/_provisio/ui/provisions/${provisionId}"]`).count() >= 1,
    "the search finds the provision by its external_uuid");

  // The users list, filtered by partner, follows a scenario run in antab tab live.
  await page.goto(`${url}/_provisio/ui/users?partner=${partnerId}`);
  const users = page.locator("#users tbody tr");
  await users.first().waitFor();
  const listed = await users.count();
  const tab = await context.newPage();
  await tab.goto(`${url}/_provisio/ui/sandbox`);
  await tab.getByLabel("Partner", { exact: true }).selectOption(partnerId);
  await tab.getByLabel("Scenario", { exact: true }).selectOption("active-user");
  await tab.getByRole("button", { name: "Run", exact: true }).click();
  await tab.waitForURL(/\/_provisio\/ui\/provisions\/\d+$/);
  check((await tab.locator("#state").textContent()).includes("ACTIVE"),
    "a scenario run from the sandbox page lands on its ACTIVE provision");
  await page.waitForFunction((n) => document.querySelectorAll("#users tbody tr").length > n,
    listed, { timeout: 15000 });
  check(true, "the filtered users list shows the scenario's user without a reload");
  await tab.close();

  // The virtual clock, in every page's header: +1d moves it a day.
  const clockWas = await page.locator("#clock-now").textContent();
  await page.getByRole("button", { name: /^\+1d/ }).click();
  await page.waitForFunction((b) => document.querySelector("#clock-now")?.textContent !== b, clockWas);
  check(true, "+1d moves the virtual clock, shown in the header");
  await shot(page, "users");

  // bunq's consent page (oauth.sandbox.bunq.com/auth): approving the partner's OAuth client
  // sends the browser to the client's callback with a code and the state it was given.
  const callback = "https://partner.example/cb";
  await page.route("https://partner.example/**", (route) => route.fulfill({ status: 200, body: "ok" }));
  await page.goto(`${url}/auth?response_type=code&client_id=${encodeURIComponent(oauthClientId)}`
    + `&redirect_uri=${encodeURIComponent(callback)}&state=browser-state`);
  await page.getByRole("heading", { name: /^Connect your account to / }).waitFor();
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await page.waitForURL(/^https:\/\/partner\.example\/cb\?/);
  const back = new URL(page.url());
  check(back.searchParams.get("state") === "browser-state" && (back.searchParams.get("code") || "") !== "",
    "approving on the consent page returns to the callback with a code and the state");

  // Signing out ends the session.
  await page.goto(`${url}/_provisio/ui/`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login$/);
  await page.goto(`${url}/_provisio/ui/`);
  check(page.url().endsWith("/_provisio/ui/login"), "signing out ends the session");
  console.log("dashboard: all checks passed");
} finally {
  await browser.close();
}
