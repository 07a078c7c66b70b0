// The dashboards' flow in a real browser: Debian's Chromium, driven by puppeteer-core, opens a
// small dashboard page (page/) served from a second origin against a real ledgerd that allows
// that origin (--cors-origin), and a third origin it does not allow.
//   node dashboard_test.mjs --ledgerd BUILD/bin/ledgerd --out BUILD/browser
// Checks: sign-in, the wallet with X-Ledger-Position, a payment with Idempotency-Key whose retry
// answers the first answer, the feed opened with a stream ticket receiving the payment's
// notification live, a used ticket refused, and the page of an origin not allowed blocked.
// Saves OUT/dashboard.png, the page after the flow. Exits 1 on any failed check.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const kChromium = "/usr/bin/chromium";
const kDeadlineMs = 90_000;
const here = path.dirname(fileURLToPath(import.meta.url));

function option(name) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0 || at + 1 >= process.argv.length) {
    console.error(`usage: node dashboard_test.mjs --ledgerd PATH --out DIR (missing --${name})`);
    process.exit(2);
  }
  return path.resolve(process.argv[at + 1]);
}

let passed = 0;
let failed = 0;
function check(what, ok, detail = "") {
  if (ok) {
    passed += 1;
    console.log(`ok   ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL ${what}${detail ? `: ${detail}` : ""}`);
  }
}

// A static server of page/ on a free loopback port; answers its origin.
async function servePage() {
  const files = { "/": "index.html", "/index.html": "index.html", "/dashboard.js": "dashboard.js" };
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };
  const server = http.createServer((request, response) => {
    const file = files[new URL(request.url, "http://x").pathname];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": types[path.extname(file)], "Cache-Control": "no-store" });
    response.end(readFileSync(path.join(here, "page", file)));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

// Starts ledgerd on a free port with `args`; resolves with the process and its origin.
function startLedgerd(ledgerd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(ledgerd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const listening = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (listening) resolve({ child, origin: listening[1] });
    });
    child.stderr.on("data", (chunk) => process.stderr.write(`ledgerd: ${chunk}`));
    child.on("exit", (code) => reject(new Error(`ledgerd exited with ${code} before listening:\n${out}`)));
  });
}

// A call from this process (no Origin), for the test's own set-up.
async function apiCall(origin, method, route, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(origin + route, { method, headers, body: body && JSON.stringify(body) });
  const answer = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

async function main() {
  const ledgerd = option("ledgerd");
  const out = option("out");
  if (!existsSync(kChromium)) {
    console.error(`${kChromium} is missing: install Debian's chromium (scripts/bootstrap chromium; ` +
                  "scripts/test does it)");
    process.exit(1);
  }
  mkdirSync(out, { recursive: true });
  const scratch = mkdtempSync(path.join(tmpdir(), "ledger-browser-"));
  const cleanups = [() => rmSync(scratch, { recursive: true, force: true })];
  try {
    const dashboard = await servePage();
    const stranger = await servePage();
    cleanups.push(() => dashboard.server.close(), () => stranger.server.close());
    const data = path.join(scratch, "data");
    const { child, origin: apiOrigin } = await startLedgerd(ledgerd, [
      "--data-dir", data, "--listen", "127.0.0.1:0", "--cors-origin", dashboard.origin,
      "--password-cost", "10", "--threads", "2"]);
    cleanups.push(() => child.kill("SIGTERM"));

    // Set-up, as the operators would: a client with $20.00 in the wallet.
    const password = readFileSync(path.join(data, "initial-admin-password"), "utf8").trim();
    const admin = (await apiCall(apiOrigin, "POST", "/api/auth/login/",
                                 { email: "admin@localhost", password })).token;
    await apiCall(apiOrigin, "POST", "/api/users/", {
      email: "dana@example.com", password: "dana's long password", name: "Dana Client", role: "client" }, admin);
    const dana = (await apiCall(apiOrigin, "POST", "/api/auth/login/",
                                { email: "dana@example.com", password: "dana's long password" })).token;
    const topup = await apiCall(apiOrigin, "POST", "/api/wallet/topup/",
                                { amount: "20.00", payment_method: "card" }, dana);
    await apiCall(apiOrigin, "POST", `/api/wallet/topups/${topup.id}/confirm/`,
                  { provider_reference: "browser-test" }, admin);

    const browser = await puppeteer.launch({
      executablePath: kChromium,
      headless: true,
      userDataDir: path.join(scratch, "chromium"),
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync"],
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.setViewport({ width: 820, height: 900 });
    const consoleLines = [];
    page.on("console", (message) => consoleLines.push(message.text()));
    await page.goto(`${dashboard.origin}/?api=${encodeURIComponent(apiOrigin)}`);

    // Sign in through the form, as a person would.
    await page.type("#email", "dana@example.com");
    await page.type("#password", "dana's long password");
    await page.click("#login");
    const signedIn = await page.evaluate(() => window.lastLogin);
    check("sign-in from the dashboard's origin answers 200", signedIn.status === 200,
          JSON.stringify(signedIn));
    check("the wallet reads $20.00", signedIn.wallet && signedIn.wallet.body.balance === "20.00",
          JSON.stringify(signedIn.wallet));
    check("the page reads X-Ledger-Position (exposed)",
          signedIn.wallet && /^[0-9]+$/.test(signedIn.wallet.position || ""),
          JSON.stringify(signedIn.wallet));

    // The feed, opened with a ticket, before paying: the payment's notification arrives live.
    const ticket = await page.evaluate(() => window.dashboard.openFeed());
    check("a stream ticket opens the feed with EventSource", /^lst_[0-9a-f]{64}$/.test(ticket), ticket);

    await page.click("#pay");
    const paid = await page.evaluate(() => window.lastPayment);
    check("the payment answers 201 with a transaction", paid.status === 201 && paid.body.transaction,
          JSON.stringify(paid));
    const key = await page.$eval("#payment", (element) => element.textContent.match(/key (\S+)\)/)[1]);
    const retried = await page.evaluate((k) => window.dashboard.pay("2.50", k), key);
    check("a retry with the same Idempotency-Key answers the first answer",
          retried.status === 201 && retried.body.transaction.id === paid.body.transaction.id &&
          retried.body.balance === "17.50", JSON.stringify(retried));
    const wallet = await page.evaluate(() => window.dashboard.refreshWallet());
    check("the retry moved no money: $17.50", wallet.body.balance === "17.50", JSON.stringify(wallet.body));
    check("the wallet's X-Ledger-Position is at least the payment's position",
          Number(wallet.position) >= paid.body.position, `${wallet.position} < ${paid.body.position}`);

    await page.waitForFunction(
      () => (window.notifications || []).some((n) => n.message.includes("$2.50")), { timeout: 15_000 })
      .catch(() => {});
    const live = await page.evaluate(() => window.notifications);
    check("the payment's notification arrives live on the feed",
          live.some((n) => n.message.includes("$2.50")), JSON.stringify(live));

    const reopened = await page.evaluate((t) => window.dashboard.reopenWith(t), ticket);
    check("EventSource with a used ticket is refused", reopened === "refused", reopened);
    const usedStatus = await page.evaluate((t) => window.dashboard.streamStatus(t), ticket);
    check("a used ticket answers 401, readable by the page", usedStatus === 401, String(usedStatus));
    await page.evaluate((t) => window.dashboard.note(`used ticket: ${t.slice(0, 8)}… refused (401)`), ticket);

    // The same page from an origin not allowed: the browser blocks the call.
    const strangerPage = await browser.newPage();
    await strangerPage.goto(`${stranger.origin}/?api=${encodeURIComponent(apiOrigin)}`);
    const blocked = await strangerPage.evaluate(
      () => window.dashboard.login("dana@example.com", "dana's long password"));
    check("a page from an origin not allowed is blocked (fetch fails)",
          blocked.blocked === true && /TypeError/.test(blocked.error), JSON.stringify(blocked));
    await page.evaluate((origin) => window.dashboard.note(`page on ${origin}: sign-in blocked by CORS`),
                        stranger.origin);

    // A tab in the background draws no frames, and a screenshot of it waits for one that may never
    // come: the stranger's tab is closed and the dashboard brought to the front first. The wait is
    // bounded, so a stuck capture fails this check instead of the whole flow's deadline.
    await strangerPage.close();
    await page.bringToFront();
    const screenshot = path.join(out, "dashboard.png");
    await Promise.race([
      page.screenshot({ path: screenshot, fullPage: true }),
      new Promise((resolve) => setTimeout(resolve, 20_000)),
    ]);
    check("the page's screenshot is saved", existsSync(screenshot), screenshot);
    console.log(`screenshot: ${screenshot}`);
    if (failed > 0 && consoleLines.length > 0) console.log(`page console:\n${consoleLines.join("\n")}`);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`cleanup: ${error.message}`);
      }
    }
  }
}

const deadline = setTimeout(() => {
  console.log(`FAIL the flow did not finish within ${kDeadlineMs / 1000} s`);
  process.exit(1);
}, kDeadlineMs);
try {
  await main();
} catch (error) {
  failed += 1;
  console.log(`FAIL ${error.stack || error}`);
}
clearTimeout(deadline);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
