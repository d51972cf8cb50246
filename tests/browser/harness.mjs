// What the browser tier's files share: the stack's programs, a gateway of the test's own,
// tokens, Debian's Chromium, and the check every page passes (axe-core, no page errors, a
// screenshot under BUILD/browser-screenshots).
//   node tests/browser/<file>.mjs SOURCE_DIR BUILD_DIR
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";

export const [root, build] = process.argv.slice(2);
const require = createRequire(`${root}/web/package.json`);
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const shots = `${build}/browser-screenshots`;
mkdirSync(shots, { recursive: true });

// A port below the ephemeral range that nothing listens on.
export async function freePort() {
  for (;;) {
    const port = 10000 + Math.floor(Math.random() * 22000);
    const free = await new Promise((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

// A gateway of our own in front of the stack's services, serving web/dist, so that this
// tier neither spends nor is limited by the shared gateway's public budget. `env` changes
// its configuration (a dead intake address, for the outage test).
export async function startGateway(env = {}, port = 0) {
  port ||= await freePort();
  const metrics = await freePort();
  const child = spawn(`${build}/gateway/gateway`, [], {
    env: {
      ...process.env,
      DIALOGUE_GATEWAY_LISTEN: `127.0.0.1:${port}`,
      DIALOGUE_METRICS_LISTEN: `127.0.0.1:${metrics}`,
      DIALOGUE_STATIC_DIR: `${root}/web/dist`,
      DIALOGUE_PUBLIC_REQUESTS_PER_SECOND: "500",
      DIALOGUE_PUBLIC_BURST: "1000",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; ++i) {
    try {
      // Answering (the calendar is the planning service's); /readyz would also want intake.
      if ((await fetch(`${url}/v1/calendar:convert?solarDate=2026-01-01`)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error("the test's gateway did not become ready");
}

export function token(tenant, roles) {
  const who = tenant ? ["--tenant", tenant] : [];
  return execFileSync(`${build}/tools/dialoguectl/dialoguectl`, ["token", ...who, "--roles", roles], {
    env: process.env,
  })
    .toString()
    .trim();
}

// A JSON call to the gateway at `url`, as the staff's tools make it; fails the test unless OK.
export async function apiCall(url, method, path, body, bearer) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

// A commune of the demo province for one test, made by an administrator through the gateway
// at `url`; `hamlets` as [id, name] pairs.
export async function newCommune(url, id, displayName, hamlets, voterCount = 3000, parent = "") {
  await apiCall(url, "POST", `/v1/tenants?tenantId=${id}`, {
    displayName, kind: "COMMUNE", province: "provinces/demo", voterCount, parent,
    hamlets: hamlets.map(([hamlet, name]) => ({ id: hamlet, displayName: name })),
  }, token("", "admin"));
}

// A commune of its own, set up through the gateway at `url` as its staff would: a published
// plan (seed 000's), a round, a citizen's opinion, and a conference held today whose
// conclusion promises each of `items` ({summary, agency, action}) on that opinion. Waits
// for supervision to make the commitments; returns them with the commune's id, a staff
// token and the opinion's receipt. With `parent` ("tenants/tan-yen"), a commune of that
// district.
export async function communeWithCommitments(url, items, { parent = "" } = {}) {
  const call = (method, path, body, bearer) => apiCall(url, method, path, body, bearer);
  const id = `browser-${Date.now()}`;
  const today = new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });
  const later = (days) => new Date(Date.now() + days * 86400e3).toISOString().slice(0, 10);
  await newCommune(url, id, "Xã Thử Nghiệm", [["thon-dong", "Thôn Đông"]], 1000, parent);
  const staff = token(id, "party_office,government_office,front,department,chair,secretary");
  const seed = JSON.parse(readFileSync(`${root}/deploy/demo/plans/000-dien-chau-2026.json`, "utf8"));
  const plan = await call("POST", `/v1/tenants/${id}/plans`, seed.plan, staff);
  await call("POST", `/v1/${plan.name}:approve`, {}, staff);
  await call("POST", `/v1/${plan.name}:publish`, {}, staff);
  const round = await call("POST", `/v1/tenants/${id}/rounds`, { title: "Đợt lấy ý kiến thử", opinionDeadlineDate: later(10), answerDueDate: later(20) }, staff);
  const receipt = await call("POST", `/v1/tenants/${id}/opinions:submit`, {
    round: round.name, hamlet: "thon-dong", text: "Đề nghị lắp đèn đường trục chính thôn Đông",
  });
  const { opinion } = await call("GET", `/v1/tenants/${id}/receipts/${receipt.receiptCode}`);
  const session = await call("POST", `/v1/tenants/${id}/sessions`, {
    plan: plan.name, conferenceId: seed.plan.conferences[0].id, title: "Hội nghị đối thoại thử", date: today,
    startTime: "07:30", venue: "Nhà văn hóa thôn Đông", chair: "Chủ tịch UBND xã", secretary: "Văn phòng",
  }, staff);
  await call("POST", `/v1/${session.name}:announce`, {}, staff);
  const opened = await call("POST", `/v1/${session.name}:open`, { overrideReason: "Thử kết luận" }, staff);
  for (let step = 2; step <= opened.agenda.length; ++step) {
    await call("POST", `/v1/${session.name}:advance`, { step }, staff);
  }
  await call("POST", `/v1/${session.name}:conclude`, {
    items: items.map((item) => ({ ...item, outcome: "OUTCOME_UNRESOLVED", dueDate: later(60), opinions: [opinion] })),
  }, staff);
  // Supervision makes the commitments from the session's event.
  let commitments = [];
  for (let i = 0; i < 100 && commitments.length < items.length; ++i) {
    commitments = (await call("GET", `/v1/tenants/${id}/commitments`, undefined, staff)).commitments ?? [];
    if (commitments.length < items.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(commitments.length, items.length, "the conclusion became commitments");
  return { id, staff, receipt, commitments };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.DIALOGUE_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    timeout: 30000,
  });
}

export async function newPage(browser, viewport = { width: 360, height: 780 }) {
  const context = await browser.newContext({ viewport, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && !/Failed to load resource/.test(m.text()) && problems.push(m.text()));
  page.problems = problems;
  return page;
}

// Signs `who` in through the sign-in page of the gateway at `url` and waits for the page it
// goes on to.
export async function signInAs(page, url, who, password, next = "/can-bo") {
  await page.goto(`${url}/can-bo/dang-nhap?tiep=${encodeURIComponent(next)}`);
  await page.getByLabel("Tên đăng nhập").fill(who);
  await page.getByLabel("Mật khẩu").fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL((u) => u.pathname + u.search === next);
}

// No serious or critical axe-core violation (WCAG 2 A and AA), and a screenshot.
export async function check(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  // Through the DevTools protocol: the page's own CSP (no inline scripts) stays on.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"] } }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `${name}: accessibility`,
  );
  assert.deepEqual(page.problems, [], `${name}: errors in the page`);
}

