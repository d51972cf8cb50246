// The browser tier for the office's console: signing in with a built-in account, the desk of
// what is due, the session cookie the page cannot read, CSRF and commune isolation enforced by
// the server (not only hidden in the page), and signing out.
//   node tests/browser/console.mjs SOURCE_DIR BUILD_DIR
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { apiCall, check, newCommune, communeWithCommitments, launchBrowser, newPage, root, shots, signInAs, startGateway, token } from "./harness.mjs";

let gateway, browser;

// RFC 4648 base32 to bytes, and RFC 6238's code for a 30-second step (what an authenticator
// app computes), to act as the app in the tests.
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
}
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1e6).padStart(6, "0");
}
const call = (method, path, body, bearer) => apiCall(gateway.url, method, path, body, bearer);
const commune = "bac-thanh-mien";
const username = `vanphong.browser-${Date.now()}`;
const password = "Van-phong-2026";
const department = { username: `phongkt.browser-${Date.now()}`, name: "Phòng Kinh tế" };
const provincial = `tinh.browser-${Date.now()}`;

before(async () => {
  gateway = await startGateway();
  browser = await launchBrowser();
  await call(
    "POST",
    "/v1/accounts",
    {
      account: { username, displayName: "Nguyễn Thị Hoa", tenant: `tenants/${commune}`, roles: ["government_office", "party_office"] },
      password,
    },
    token("", "admin"),
  );
  await call(
    "POST",
    "/v1/accounts",
    {
      account: {
        username: department.username,
        displayName: "Võ Văn Kinh",
        tenant: `tenants/${commune}`,
        roles: ["department"],
        department: department.name,
      },
      password,
    },
    token("", "admin"),
  );
  await call(
    "POST",
    "/v1/accounts",
    { account: { username: provincial, displayName: "Đặng Thu Hà", province: "provinces/demo", roles: ["province"] }, password },
    token("", "admin"),
  );
});

const signIn = (page, who, next = "/can-bo") => signInAs(page, gateway.url, who, password, next);

after(async () => {
  await browser?.close();
  gateway?.child.kill();
});

// What the page's own scripts get from a fetch, cookies and all.
const fetchIn = (page, method, path, headers = {}) =>
  page.evaluate(
    async ([method, path, headers]) => {
      const r = await fetch(path, { method, headers: { "Content-Type": "application/json", ...headers }, body: method === "GET" ? undefined : "{}" });
      return { status: r.status, body: await r.text() };
    },
    [method, path, headers],
  );

test("a clerk signs in, sees what is due, cannot forge or cross communes, and signs out", async () => {
  const page = await newPage(browser);
  // The desk sends an unsigned visitor to sign in, and back afterwards.
  await page.goto(`${gateway.url}/can-bo`);
  await page.waitForURL(/\/can-bo\/dang-nhap\?tiep=%2Fcan-bo$/);
  await page.getByRole("heading", { name: "Đăng nhập bàn làm việc" }).waitFor();
  await check(page, "console-sign-in");

  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("alert").filter({ hasText: "Xin điền đủ" }).waitFor();
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill("mat-khau-sai-roi");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("alert").filter({ hasText: "Tên đăng nhập hoặc mật khẩu không đúng." }).waitFor();
  assert.equal(await page.getByLabel("Mật khẩu").inputValue(), "", "a wrong password is cleared");
  await check(page, "console-sign-in-refused");

  await page.getByLabel("Mật khẩu").fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(/\/can-bo$/);
  await page.getByRole("heading", { name: "Việc cần làm" }).waitFor();
  assert.match(await page.locator("header.console").textContent(), /Xã Bắc Thanh Miện.*Nguyễn Thị Hoa/);

  // The desk lists exactly the tasks the API counts as overdue or due within 14 days.
  const office = token(commune, "government_office");
  const overdue = await call("GET", `/v1/tenants/${commune}/tasks?overdueOnly=true`, undefined, office);
  const soon = await call("GET", `/v1/tenants/${commune}/tasks?dueWithinDays=14`, undefined, office);
  const due = new Set([...(overdue.tasks ?? []), ...(soon.tasks ?? [])].map((t) => t.name));
  const tasks = page.getByRole("heading", { name: /Nhiệm vụ theo kế hoạch/ });
  assert.equal(await tasks.textContent(), `Nhiệm vụ theo kế hoạch (${due.size})`);
  const drafts = await call("GET", `/v1/tenants/${commune}/notices?state=NOTICE_DRAFT`, undefined, office);
  assert.equal(
    await page.getByRole("heading", { name: /Thông báo chưa ban hành/ }).textContent(),
    `Thông báo chưa ban hành (${(drafts.notices ?? []).length})`,
  );
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(page, "console-desk");

  // Recording a task done goes through the typed client, which sends the CSRF token.
  assert.ok(due.size > 0, "the demo plan has tasks due");
  const first = page.getByRole("button", { name: /^Đã xong: / }).first();
  const description = (await first.getAttribute("aria-label")).replace("Đã xong: ", "");
  await first.click();
  await page.waitForFunction(
    (n) => document.querySelector("h2 .count")?.textContent === `(${n})`,
    due.size - 1,
  );
  const all = await call("GET", `/v1/tenants/${commune}/tasks?includeDone=true&pageSize=200`, undefined, office);
  const done = all.tasks.find((t) => t.task.description === description);
  assert.equal(done?.task.done, true);

  // The audit log shows the sign-in and the task done, by this clerk, with the plan's name.
  await page.getByRole("link", { name: "Nhật ký" }).click();
  const mine = page.getByTestId("audit-log").locator("tbody tr").filter({ hasText: username });
  for (let i = 0; i < 50 && (await mine.filter({ hasText: "Hoàn thành nhiệm vụ" }).count()) === 0; ++i) {
    await new Promise((r) => setTimeout(r, 100));  // the record travels as an event
    await page.reload();
    await page.getByRole("heading", { name: "Nhật ký thao tác" }).waitFor();
  }
  const plan = done.name.replace(/\/tasks\/[^/]+$/, "");
  assert.equal(await mine.filter({ hasText: "Hoàn thành nhiệm vụ" }).filter({ hasText: plan }).count(), 1);
  assert.ok((await mine.filter({ hasText: "Đăng nhập" }).count()) >= 1);
  await check(page, "console-audit");
  await page.getByRole("link", { name: "Việc cần làm" }).click();
  await page.getByRole("heading", { name: "Việc cần làm" }).waitFor();

  // The session is an HttpOnly, Secure, SameSite=Strict cookie the page's scripts never see.
  const [cookie] = (await page.context().cookies()).filter((c) => c.name === "dialogue_session");
  assert.ok(cookie, "the session cookie is set");
  assert.deepEqual([cookie.httpOnly, cookie.secure, cookie.sameSite], [true, true, "Strict"]);
  assert.ok(!(await page.evaluate(() => document.cookie)).includes("dialogue_session"));

  // A change without the session's CSRF token is refused, and nothing is stored.
  const forged = await fetchIn(page, "POST", `/v1/tenants/${commune}/notices`);
  assert.equal(forged.status, 403);
  assert.match(forged.body, /CSRF_TOKEN_INVALID/);
  // Another commune's records stay closed, whatever the page tries.
  const other = await fetchIn(page, "GET", "/v1/tenants/dien-chau/auditEvents");
  assert.equal(other.status, 403);
  const own = await fetchIn(page, "GET", `/v1/tenants/${commune}/auditEvents`);
  assert.equal(own.status, 200);
  assert.match(own.body, /"action":"SIGN_IN"/);

  // A laptop in the office sees the same desk in a wider column.
  const laptop = await newPage(browser, { width: 1280, height: 800 });
  await laptop.context().addCookies([cookie]);
  await laptop.goto(`${gateway.url}/can-bo`);
  await laptop.getByRole("heading", { name: "Việc cần làm" }).waitFor();
  await check(laptop, "console-desk-1280");
  await laptop.context().close();

  // Signing out ends the session on the server: the cookie opens nothing afterwards.
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.waitForURL(/\/can-bo\/dang-nhap$/);
  const after = await fetch(`${gateway.url}/v1/tenants/${commune}/auditEvents`, {
    headers: { Cookie: `dialogue_session=${cookie.value}` },
  });
  assert.equal(after.status, 401);
  await page.goto(`${gateway.url}/can-bo`);
  await page.waitForURL(/\/can-bo\/dang-nhap/);
  await page.context().close();
});

test("a round's forms go from a CSV upload to approved answers in the console, department by department", async () => {
  const rounds = await call("GET", `/v1/tenants/${commune}/rounds`);
  const round = rounds.rounds.at(-1);
  const stamp = Date.now();
  const office = await newPage(browser, { width: 1280, height: 900 });
  await signIn(office, username, "/can-bo/y-kien/nhap");

  // Three typed-in forms, one with a hamlet the commune does not have.
  const csv = [
    "hamlet,text,submitter_name",
    `an-son,"Đề nghị nạo vét kênh tưới thôn An Sơn, trước vụ chiêm (${stamp})",Nguyễn Văn Ân`,
    "thon-khong-co,Đề nghị sửa cầu tràn,",
    `an-lau,Đề nghị tổ chức giải bóng chuyền thôn An Lâu dịp Tết (${stamp}),`,
  ].join("\n");
  await office.getByLabel("Đợt lấy ý kiến", { exact: true }).selectOption(round.name);
  await office.getByLabel("Tệp CSV").setInputFiles({ name: "phieu.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await office.getByRole("button", { name: "Tải lên" }).click();
  const result = office.getByTestId("import-result");
  await result.waitFor();
  assert.match(await result.getByRole("status").textContent(), /Đã lưu 2 phiếu mới; 1 dòng chưa lưu được/);
  const codes = await result.locator("table").first().locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)),
  );
  assert.deepEqual(codes.map(([row]) => row), ["1", "3"]);
  assert.equal(
    await office.getByTestId("import-errors").locator("tbody tr").textContent(),
    "2Thôn, tổ dân phố không có trong danh sách của xã.",
  );
  await check(office, "console-import");
  const ours = { receiptCode: codes[0][1] };
  const theirs = { receiptCode: codes[1][1] };
  assert.equal((await call("GET", `/v1/tenants/${commune}/receipts/${ours.receiptCode}`)).state, "RECEIVED");
  const card = (page, code) => page.getByTestId("opinion").filter({ hasText: code });

  await office.goto(`${gateway.url}/can-bo/y-kien?trang-thai=RECEIVED`);
  for (const [receipt, unit] of [[ours, department.name], [theirs, "Phòng Văn hóa - Xã hội"]]) {
    const c = card(office, receipt.receiptCode);
    await c.getByRole("button", { name: "Phân loại" }).click();
    await c.getByRole("heading", { name: /Đã phân loại/ }).waitFor();
    await c.getByLabel("Giao cho cơ quan, phòng ban").fill(unit);
    await c.getByRole("button", { name: "Giao giải quyết" }).click();
    await c.getByRole("heading", { name: /Đã giao cơ quan giải quyết/ }).waitFor();
  }
  await check(office, "console-opinions-1280");

  // The department sees only what was assigned to it, also when it asks the API directly.
  const dept = await newPage(browser);
  await signIn(dept, department.username, "/can-bo/y-kien?trang-thai=ASSIGNED");
  await card(dept, ours.receiptCode).waitFor();
  assert.equal(await card(dept, theirs.receiptCode).count(), 0, "another department's opinion is not shown");
  const other = await call("GET", `/v1/tenants/${commune}/receipts/${theirs.receiptCode}`);
  const refused = await fetchIn(dept, "GET", `/v1/${other.opinion}`);
  assert.equal(refused.status, 403);
  assert.match(refused.body, /OTHER_DEPARTMENT/);
  const answer = "Phòng Kinh tế đã đưa việc nạo vét kênh An Sơn vào kế hoạch thủy lợi tháng 12.";
  const c = card(dept, ours.receiptCode);
  await c.getByLabel("Nội dung trả lời").fill(answer);
  await c.getByRole("button", { name: "Gửi dự thảo trả lời" }).click();
  await c.getByRole("heading", { name: /Đang soạn trả lời/ }).waitFor();
  assert.equal(await c.getByRole("button", { name: "Duyệt trả lời" }).count(), 0, "a department does not approve");
  assert.ok(await dept.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(dept, "console-opinions-department");

  // The office approves the draft; the citizen's follow page would now show it.
  await office.goto(`${gateway.url}/can-bo/y-kien?trang-thai=ANSWER_DRAFTED`);
  const drafted = card(office, ours.receiptCode);
  await drafted.getByText(answer).waitFor();
  await drafted.getByRole("button", { name: "Duyệt trả lời" }).click();
  await drafted.getByRole("heading", { name: /Đã duyệt nội dung trả lời/ }).waitFor();
  const followed = await call("GET", `/v1/tenants/${commune}/receipts/${ours.receiptCode}`);
  assert.equal(followed.state, "ANSWER_APPROVED");
  assert.equal(followed.answer, answer);
  await office.context().close();
  await dept.context().close();
});

test("a round opened for the plan's conference takes the plan's dates, is corrected and, while empty, deleted", async () => {
  // A commune with seed 004's plan, published, and a round that already holds an opinion.
  const id = `browser-dot-${Date.now()}`;
  await newCommune(gateway.url, id, "Xã Thử Đợt", [["an-son", "Thôn An Sơn"], ["an-lau", "Thôn An Lâu"]]);
  const officeToken = token(id, "government_office,chair");
  const seed = JSON.parse(readFileSync(`${root}/deploy/demo/plans/004-bac-thanh-mien-2026.json`, "utf8"));
  const plan = await call("POST", `/v1/tenants/${id}/plans`, seed.plan, officeToken);
  await call("POST", `/v1/${plan.name}:approve`, {}, officeToken);
  await call("POST", `/v1/${plan.name}:publish`, { documentNumber: "31/KH-UBND", issueDate: "2026-01-05" }, officeToken);
  const later = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
  const full = await call("POST", `/v1/tenants/${id}/rounds`, { title: "Đợt đã có ý kiến", opinionDeadlineDate: later, answerDueDate: later }, officeToken);
  await call("POST", `/v1/tenants/${id}/opinions:submit`, { round: full.name, hamlet: "an-son", text: "Đề nghị sửa đường trục chính thôn An Sơn" });
  await call("POST", "/v1/accounts", { account: { username: `vanphong.${id}`, displayName: "Khổng Quốc Toàn", tenant: `tenants/${id}`, roles: ["government_office"] }, password }, token("", "admin"));
  const office = await newPage(browser, { width: 1280, height: 900 });
  await signIn(office, `vanphong.${id}`, "/can-bo/y-kien/nhap");
  const title = `Lấy ý kiến bổ sung (${Date.now()})`;
  await office.getByText("Mở đợt lấy ý kiến mới").click();
  const conference = office.getByLabel("Cho hội nghị");
  await conference.selectOption(await conference.locator("option", { hasText: "Năm 2026" }).first().getAttribute("value"));
  await office.getByLabel("Tên đợt").first().fill(title);
  await office.getByLabel("Hạn thu phiếu").first().fill("");  // left to the plan
  await office.getByRole("button", { name: "Mở đợt" }).click();
  const ours = office.getByTestId("round").filter({ hasText: title });
  await ours.waitFor();
  // Seed 004: opinions by 15/04, the departments' written answers by 20/04.
  assert.match(await ours.textContent(), /Hạn thu phiếu 15\/04\/2026 · hạn trả lời 20\/04\/2026 · 0 ý kiến/);
  await check(office, "console-rounds");
  // The round's synthesis report is signed by its plan's signer.
  await ours.getByTestId("synthesis-print").click();
  await office.getByRole("heading", { level: 1, name: "BÁO CÁO" }).waitFor();
  assert.match(await office.innerText("body"), /TM\. ỦY BAN NHÂN DÂN\s+CHỦ TỊCH\s+Khổng Quốc Toàn/);
  await office.goBack();

  // A deadline on the conference's first day is refused, in words, and nothing changes.
  await ours.getByText("Sửa hoặc xóa đợt").click();
  await ours.getByLabel("Hạn thu phiếu").fill("2026-04-23");
  await ours.getByRole("button", { name: "Lưu thay đổi" }).click();
  await ours.getByRole("alert").filter({ hasText: "trước ngày bắt đầu hội nghị" }).waitFor();
  await ours.getByLabel("Hạn thu phiếu").fill("2026-04-14");
  await ours.getByRole("button", { name: "Lưu thay đổi" }).click();
  const moved = office.getByTestId("round").filter({ hasText: title });
  await moved.filter({ hasText: "Hạn thu phiếu 14/04/2026" }).waitFor();

  // Empty, it can be deleted; a round holding opinions says why it cannot.
  await moved.getByText("Sửa hoặc xóa đợt").click();
  await moved.getByRole("button", { name: "Xóa đợt" }).click();
  await office.getByRole("heading", { name: "Các đợt lấy ý kiến" }).waitFor();
  await office.waitForFunction((t) => ![...document.querySelectorAll("[data-testid=round] h3")].some((e) => e.textContent === t), title);
  const held = office.getByTestId("round").filter({ hasText: /[1-9]\d* ý kiến/ }).first();
  await held.getByText("Sửa hoặc xóa đợt").click();
  await held.getByText("Đợt đã có ý kiến nên không xóa được.").waitFor();
  // Its synthesis report, as the document the office signs; no plan, so no signer's name.
  await held.getByTestId("synthesis-print").click();
  await office.getByRole("heading", { level: 1, name: "BÁO CÁO" }).waitFor();
  const printed = await office.innerText("body");
  assert.match(printed, /ỦY BAN NHÂN DÂN\s+XÃ THỬ ĐỢT/);
  assert.match(printed, /Tổng số ý kiến, kiến nghị đã tiếp nhận: 1\./);
  assert.match(printed, /Theo thôn, tổ dân phố: Thôn An Sơn 1\./);
  assert.match(printed, /1\. \(Thôn An Sơn\) Đề nghị sửa đường trục chính thôn An Sơn/);
  assert.match(printed, /CHỦ TỊCH\s+\(chữ ký, họ và tên\)/);
  await office.screenshot({ path: `${shots}/synthesis-print-laptop.png`, fullPage: true });
  await office.goBack();
  const small = await newPage(browser);
  await signIn(small, `vanphong.${id}`, "/can-bo/y-kien/nhap");
  await small.getByRole("heading", { name: "Các đợt lấy ý kiến" }).waitFor();
  await check(small, "console-rounds-360");
  assert.ok(await small.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await office.context().close();
  await small.context().close();
});

test("the province sees its communes side by side, as a table, as bars and as a CSV file", async () => {
  const page = await newPage(browser, { width: 1280, height: 900 });
  await signIn(page, provincial);
  const year = new Date().getFullYear();
  await page.getByRole("heading", { name: `Các xã, phường năm ${year}` }).waitFor();
  // One row per commune of the report the server gives this account.
  const report = JSON.parse((await fetchIn(page, "GET", `/v1/provinces/demo/supervisionReport?year=${year}`)).body);
  assert.ok(report.communes.length >= 3, "the demo province's communes");
  const rows = page.getByTestId("province-table").locator("tbody tr");
  assert.equal(await rows.count(), report.communes.length);
  const first = report.communes[0];
  assert.match(
    await rows.first().textContent(),
    new RegExp(`^${first.displayName}${first.conferencesHeld ?? 0}/${first.conferencesPlanned ?? 0}`),
  );
  assert.equal(await page.locator("ul.bars").first().locator("li").count(), report.communes.length);
  // The CSV link gives the same figures as a file.
  const href = await page.getByRole("link", { name: "Tải tệp CSV" }).getAttribute("href");
  const csv = await fetchIn(page, "GET", href);
  assert.equal(csv.status, 200);
  assert.equal(csv.body.trim().split("\n").length, report.communes.length + 2, "header, communes, totals");
  await check(page, "console-province-1280");
  // The same figures as the report the upper level files, commune by commune.
  await page.getByTestId("province-report-print").click();
  await page.getByRole("heading", { level: 1, name: "BÁO CÁO" }).waitFor();
  const printed = await page.innerText("body");
  assert.match(printed, /ỦY BAN NHÂN DÂN\s+TỈNH MẪU/);
  assert.match(printed, /TM\. ỦY BAN NHÂN DÂN\s+CHỦ TỊCH/);
  assert.match(printed, new RegExp(`Toàn tỉnh có ${report.communes.length} xã, phường`));
  assert.ok(printed.includes(`1. ${first.displayName}: hội nghị ${first.conferencesHeld ?? 0}/${first.conferencesPlanned ?? 0}`));
  await page.screenshot({ path: `${shots}/province-report-print-laptop.png`, fullPage: true });
  await page.goBack();
  await page.getByRole("heading", { name: `Các xã, phường năm ${year}` }).waitFor();
  // A province reads; it does not act for a commune, whatever the page sends.
  const forged = await page.evaluate(async () => {
    const session = await (await fetch("/auth/session")).json();
    const r = await fetch("/v1/tenants/dien-chau/plans", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrfToken },
      body: JSON.stringify({ year: 2030, title: "Kế hoạch do tỉnh viết" }),
    });
    return r.status;
  });
  assert.equal(forged, 403);
  await page.context().close();
});

test("the province answers what a commune sent up, and the commune reads the answer", async () => {
  const later = (days) => new Date(Date.now() + days * 86400e3).toISOString().slice(0, 10);
  const summary = `Nâng cấp đê bao sông Hồng ${Date.now()}`;
  const { id, staff, commitments } = await communeWithCommitments(gateway.url, [
    { summary, agency: "UBND tỉnh", action: "Bố trí vốn nâng cấp 2 km đê bao" },
  ]);
  const [sent] = commitments;
  const reported = await call("POST", `/v1/${sent.name}:recordProgress`, { state: "COMMITMENT_REPORTED", note: "Đã khảo sát", etag: sent.etag }, staff);
  await call("POST", `/v1/${sent.name}:recordProgress`, { state: "COMMITMENT_ESCALATED", reason: "Vốn vượt khả năng ngân sách xã", etag: reported.etag }, staff);

  const page = await newPage(browser, { width: 1280, height: 900 });
  await signIn(page, provincial);
  await page.getByRole("heading", { name: "Kiến nghị các xã, phường chuyển lên" }).waitFor();
  const card = page.getByTestId("escalation").filter({ hasText: summary });
  await card.getByText("lý do: Vốn vượt khả năng ngân sách xã").waitFor();
  await check(page, "console-province-inbox-1280");
  const small = await newPage(browser);
  await signIn(small, provincial);
  await small.getByTestId("escalation").filter({ hasText: summary }).waitFor();
  assert.ok(await small.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(small, "console-province-360");
  // Taken up needs its date: refused without one, then sent.
  await card.getByLabel("Nội dung trả lời").fill("Tỉnh đưa tuyến đê vào kế hoạch đầu tư công năm sau.");
  await card.getByLabel("Cơ quan trả lời").fill("Sở Nông nghiệp và Môi trường");
  await card.getByRole("button", { name: "Gửi trả lời" }).click();
  await card.getByRole("alert").waitFor();
  await card.getByLabel("Hạn cấp trên giải quyết").fill(later(200));
  await card.getByRole("button", { name: "Gửi trả lời" }).click();
  await card.getByTestId("upper-answer").filter({ hasText: "Cấp trên tiếp nhận giải quyết" }).waitFor();
  await check(page, "console-province-answered-1280");

  // The commune's record carries the answer, and its board shows it.
  const stored = await call("GET", `/v1/${sent.name}`, undefined, staff);
  assert.equal(stored.upperAnswer.answer, "Tỉnh đưa tuyến đê vào kế hoạch đầu tư công năm sau.");
  assert.equal(stored.upperAnswer.outcome, "UPPER_TAKEN_UP");
  assert.equal(stored.dueDate, later(200));
  await call("POST", "/v1/accounts", { account: { username: `vanphong.${id}`, displayName: "Cán bộ thử", tenant: `tenants/${id}`, roles: ["government_office"] }, password }, token("", "admin"));
  const office = await newPage(browser);
  await signIn(office, `vanphong.${id}`, "/can-bo/ket-luan");
  await office.getByTestId("upper-answer").filter({ hasText: "Cấp trên trả lời (Sở Nông nghiệp và Môi trường)" }).waitFor();
  await check(office, "console-commitment-upper-answer-360");
  await Promise.all([page.context().close(), small.context().close(), office.context().close()]);
});

test("a district answers on its desk what a commune under it sent up", async () => {
  const summary = `Sửa cầu treo liên xã ${Date.now()}`;
  const { staff, commitments } = await communeWithCommitments(
    gateway.url,
    [{ summary, agency: "UBND huyện", action: "Bố trí vốn sửa cầu treo", beyondCommune: true }],
    { parent: "tenants/tan-yen" },
  );
  const districtOffice = `vanphong.tan-yen-${Date.now()}`;
  await call(
    "POST",
    "/v1/accounts",
    { account: { username: districtOffice, displayName: "Lê Văn Huyện", tenant: "tenants/tan-yen", roles: ["government_office"] }, password },
    token("", "admin"),
  );
  const page = await newPage(browser, { width: 1280, height: 900 });
  await signIn(page, districtOffice);
  await page.getByRole("heading", { name: /Kiến nghị các xã chuyển lên/ }).waitFor();
  const card = page.getByTestId("escalation").filter({ hasText: summary });
  await card.getByText("lý do: Vượt thẩm quyền cấp xã").waitFor();
  await check(page, "console-district-inbox-1280");
  const small = await newPage(browser);
  await signIn(small, districtOffice);
  await small.getByTestId("escalation").filter({ hasText: summary }).waitFor();
  assert.ok(await small.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(small, "console-district-inbox-360");

  await card.getByLabel("Trả lời", { exact: true }).selectOption("UPPER_RESOLVED");
  await card.getByLabel("Nội dung trả lời").fill("Huyện đã sửa xong cầu treo.");
  await card.getByRole("button", { name: "Gửi trả lời" }).click();
  await card.getByTestId("upper-answer").filter({ hasText: "Đã giải quyết" }).waitFor();
  const stored = await call("GET", `/v1/${commitments[0].name}`, undefined, staff);
  assert.equal(stored.state, "COMMITMENT_RESOLVED");
  assert.equal(stored.upperAnswer.answeredBy, districtOffice);
  // A commune's own office has no district inbox on its desk.
  const commune = await newPage(browser);
  await signIn(commune, username);
  await commune.getByRole("heading", { name: "Việc cần làm" }).waitFor();
  assert.equal(await commune.getByRole("heading", { name: /Kiến nghị các xã chuyển lên/ }).count(), 0);
  await Promise.all([page.context().close(), small.context().close(), commune.context().close()]);
});

test("the office edits a notice draft, issues it with its number, and sees it issued", async () => {
  const office = token(commune, "government_office,party_office,chair");
  const stamp = Date.now();
  const draft = await call(
    "POST",
    `/v1/tenants/${commune}/notices`,
    { kind: "NOTICE_GENERAL", title: `Thông báo lịch tiếp dân (${stamp})`, body: "Nội dung dự thảo." },
    office,
  );
  const page = await newPage(browser);
  await signIn(page, username, "/can-bo/thong-bao");
  const card = page.getByTestId("notice").filter({ hasText: String(stamp) });
  await card.waitFor();
  const body = "UBND xã tiếp công dân vào thứ Năm hằng tuần tại trụ sở UBND xã.";
  await card.getByLabel("Nội dung").fill(body);
  await card.getByLabel("Người ký (chức vụ, họ tên)").fill("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Bình");
  await card.getByRole("button", { name: "Lưu dự thảo" }).click();
  await card.getByLabel("Nội dung").filter({ hasText: body }).waitFor();
  // Issuing without a number is refused and says why.
  await card.getByRole("button", { name: "Ban hành" }).click();
  await card.getByRole("alert").filter({ hasText: "Xin ghi số, ký hiệu" }).waitFor();
  await check(page, "console-notice-draft");
  await card.getByLabel("Số, ký hiệu").fill(`${stamp % 1000}/TB-UBND`);
  await card.getByRole("button", { name: "Ban hành" }).click();
  const issued = page.getByTestId("notice").filter({ hasText: "Đã ban hành" }).filter({ hasText: String(stamp) });
  await issued.waitFor();
  assert.match(await issued.textContent(), new RegExp(`Số ${stamp % 1000}/TB-UBND`));
  await issued.getByRole("link", { name: "Bản in và nội dung đọc trên loa" }).waitFor();
  const stored = await call("GET", `/v1/${draft.name}`, undefined, office);
  assert.deepEqual([stored.state, stored.body, stored.documentNumber], ["NOTICE_ISSUED", body, `${stamp % 1000}/TB-UBND`]);
  await check(page, "console-notice-issued");
  await page.context().close();
});

test("the commitments board: the agency reports and resolves, the Front checks and reopens", async () => {
  const later = (days) => new Date(Date.now() + days * 86400e3).toISOString().slice(0, 10);
  const { id } = await communeWithCommitments(gateway.url, [
    { summary: "Lắp đèn đường trục chính thôn Đông", agency: "Phòng Kinh tế", action: "Khảo sát và lắp 12 bộ đèn" },
    { summary: "Sửa nhà văn hóa thôn Đông", agency: "Phòng Văn hóa - Xã hội", action: "Lợp lại mái trước mùa mưa" },
  ]);
  const make = (who, roles) =>
    call("POST", "/v1/accounts", { account: { username: who, displayName: "Cán bộ thử", tenant: `tenants/${id}`, roles }, password }, token("", "admin"));
  await make(`vanphong.${id}`, ["government_office", "chair"]);
  await make(`mttq.${id}`, ["front"]);

  const office = await newPage(browser, { width: 1280, height: 900 });
  await signIn(office, `vanphong.${id}`, "/can-bo/ket-luan");
  const agencies = office.getByTestId("agency");
  await agencies.first().waitFor();
  assert.deepEqual(
    await agencies.locator("h2").allTextContents(),
    ["Phòng Kinh tế (1 việc)", "Phòng Văn hóa - Xã hội (1 việc)"],
  );
  const card = office.getByTestId("commitment").filter({ hasText: "Lắp đèn đường" });
  await card.getByLabel("Báo cáo bằng văn bản của cơ quan").fill("Đã khảo sát 12 vị trí, dự toán 180 triệu đồng.");
  await card.getByRole("button", { name: "Gửi báo cáo" }).click();
  await card.getByRole("heading", { name: /Đã báo cáo kết quả/ }).waitFor();
  // Resolving needs its result written: refused without, then done.
  await card.getByLabel("Chuyển sang").selectOption("COMMITMENT_RESOLVED");
  await card.getByRole("button", { name: "Cập nhật" }).click();
  await card.getByRole("alert").waitFor();
  await card.getByLabel("Kết quả hoặc lý do").fill("Đã lắp xong 12 bộ đèn, nghiệm thu ngày hôm nay.");
  await card.getByRole("button", { name: "Cập nhật" }).click();
  await card.getByRole("heading", { name: /Đã giải quyết/ }).waitFor();
  assert.equal(await card.getByRole("button", { name: "Ghi kết quả giám sát" }).count(), 0, "the office does not check its own work");
  await check(office, "console-commitments-1280");
  // The year's results report, as the document the commune sends upward.
  await office.getByTestId("results-report-print").click();
  await office.getByRole("heading", { level: 1, name: "BÁO CÁO" }).waitFor();
  const report = await office.innerText("body");
  assert.match(report, /Kết quả thực hiện các nội dung kết luận tại hội nghị đối thoại năm \d{4}/);
  assert.match(report, /Tổng số nội dung phải thực hiện: 2; đã giải quyết 1, trong đó đúng hạn 1 \(100,0%\)\./);
  assert.match(report, /- Phòng Kinh tế: 1 nội dung; đã giải quyết 1/);
  // The year's plan is the Party committee's (seed 000): its signer does not sign for the
  // People's Committee, whose chair's block is left for the name.
  assert.doesNotMatch(report, /BAN THƯỜNG VỤ/);
  assert.match(report, /TM\. ỦY BAN NHÂN DÂN\s+CHỦ TỊCH\s+\(chữ ký, họ và tên\)/);
  await office.screenshot({ path: `${shots}/results-report-print-laptop.png`, fullPage: true });
  await office.goBack();

  // The Front checks the result and reopens it with a new due date.
  const front = await newPage(browser);
  await signIn(front, `mttq.${id}`, "/can-bo/ket-luan");
  const checked = front.getByTestId("commitment").filter({ hasText: "Lắp đèn đường" });
  await checked.getByLabel("Kết quả giám sát").fill("Còn 2 bộ đèn chưa sáng ở cuối thôn.");
  await checked.getByLabel("Đánh giá").selectOption("RATING_PARTLY");
  await checked.getByLabel("Mở lại để giải quyết tiếp").check();
  await checked.getByLabel("Hạn mới (khi mở lại)").fill(later(20));
  await checked.getByRole("button", { name: "Ghi kết quả giám sát" }).click();
  await checked.getByRole("heading", { name: /Đang giải quyết/ }).waitFor();
  assert.ok(await front.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(front, "console-commitments-front");
  const staff = token(id, "government_office");
  const stored = (await call("GET", `/v1/tenants/${id}/commitments`, undefined, staff)).commitments.find((c) =>
    c.summary.startsWith("Lắp đèn"),
  );
  assert.deepEqual([stored.state, stored.reopenCount, stored.dueDate], ["COMMITMENT_IN_PROGRESS", 1, later(20)]);
  await office.context().close();
  await front.context().close();
});

test("a plan is approved, published with its number and copied to the next year from the console", async () => {
  const id = `browser-kh-${Date.now()}`;
  await newCommune(gateway.url, id, "Xã Thử Kế Hoạch", [["an-son", "Thôn An Sơn"], ["an-lau", "Thôn An Lâu"]], 5000);
  // Seed 004's plan, as the office typed it: no number or date yet.
  const seed = JSON.parse(readFileSync(`${root}/deploy/demo/plans/004-bac-thanh-mien-2026.json`, "utf8"));
  const plan = await call("POST", `/v1/tenants/${id}/plans`, seed.plan, token(id, "government_office"));
  await call("POST", "/v1/accounts", {
    account: { username: `vanphong.${id}`, displayName: "Khổng Quốc Toàn", tenant: `tenants/${id}`, roles: ["chair", "government_office", "party_office"] },
    password,
  }, token("", "admin"));
  const page = await newPage(browser);
  await signIn(page, `vanphong.${id}`, "/can-bo/ke-hoach");
  const card = (text) => page.getByTestId("plan").filter({ hasText: text });
  await card("Năm 2026 · Dự thảo").getByRole("button", { name: "Phê duyệt" }).click();
  const approved = card("Năm 2026 · Đã phê duyệt");
  await approved.waitFor();
  // Publishing asks only for what the plan lacks: its signer is there, its number is not.
  assert.equal(await approved.getByLabel("Họ tên người ký").count(), 0);
  await approved.getByRole("button", { name: "Ban hành" }).click();
  await approved.getByRole("alert").waitFor();
  await approved.getByLabel("Số, ký hiệu").fill("31/KH-UBND");
  await approved.getByRole("button", { name: "Ban hành" }).click();
  const published = card("Năm 2026 · Đã ban hành");
  await published.waitFor();
  assert.match(await published.textContent(), /Số 31\/KH-UBND/);
  await check(page, "console-plans");
  await published.getByRole("button", { name: "Sao chép sang năm 2027" }).click();
  await card("Năm 2027 · Dự thảo").waitFor();
  const stored = await call("GET", `/v1/${plan.name}`, undefined, token(id, "government_office"));
  assert.deepEqual([stored.state, stored.documentNumber], ["PUBLISHED", "31/KH-UBND"]);
  await page.context().close();
});

test("the chair creates a staff account and unlocks a locked one; other staff only read the list", async () => {
  const id = `browser-tk-${Date.now()}`;
  const admin = token("", "admin");
  await newCommune(gateway.url, id, "Xã Thử Tài Khoản", [["thon-1", "Thôn 1"]]);
  for (const [who, name, roles] of [["chutich", "Trần Văn Chủ", ["chair"]], ["vanphong", "Lê Thị Văn", ["government_office"]]]) {
    await call("POST", "/v1/accounts", { account: { username: `${who}.${id}`, displayName: name, tenant: `tenants/${id}`, roles }, password }, admin);
  }
  const page = await newPage(browser, { width: 1280, height: 800 });
  await signIn(page, `chutich.${id}`, "/can-bo/tai-khoan");
  await page.getByTestId("account").first().waitFor();
  assert.equal(await page.getByTestId("account").count(), 2);

  // A password too short is refused in place and nothing is stored.
  const secretary = `thuky.${id}`;
  await page.getByLabel("Tên đăng nhập").fill(secretary);
  await page.getByLabel("Họ tên").fill("Phạm Thị Thư");
  await page.getByLabel("Mật khẩu ban đầu").fill("ngan");
  await page.getByLabel("Thư ký").check();
  await page.getByRole("button", { name: "Tạo tài khoản" }).click();
  await page.getByRole("alert").filter({ hasText: "Mật khẩu cần ít nhất 10 ký tự." }).waitFor();
  assert.equal((await call("GET", `/v1/accounts?tenant=tenants/${id}`, undefined, admin)).accounts.length, 2);
  await page.getByLabel("Mật khẩu ban đầu").fill("Thu-ky-2026-moi");
  await page.getByRole("button", { name: "Tạo tài khoản" }).click();
  await page.getByTestId("account").filter({ hasText: secretary }).waitFor();
  assert.match(await page.getByTestId("account").filter({ hasText: secretary }).textContent(), /Phạm Thị Thư.*Thư ký.*Đang dùng/);
  await check(page, "console-accounts");

  // The office's account is locked by wrong passwords; the chair sets a new one, which
  // lifts the lock, and the old password no longer opens it.
  const office = `vanphong.${id}`;
  let locked = false;
  for (let i = 0; i < 8 && !locked; ++i) {
    const r = await fetch(`${gateway.url}/auth/sign-in`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: office, password: "sai-mat-khau-roi" }),
    });
    locked = (await r.text()).includes("ACCOUNT_LOCKED");
  }
  assert.ok(locked, "repeated failures lock the account");
  await page.reload();
  const row = page.getByTestId("account").filter({ hasText: office });
  await row.filter({ hasText: "Đang bị khóa" }).waitFor();
  await row.getByText("Đặt lại mật khẩu").click();
  await row.getByLabel(`Mật khẩu mới cho ${office}`).fill("Van-phong-moi-2026");
  await row.getByRole("button", { name: "Lưu mật khẩu mới" }).click();
  await page.getByTestId("account").filter({ hasText: office }).filter({ hasText: "Đang dùng" }).waitFor();
  const old = await fetch(`${gateway.url}/auth/sign-in`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: office, password }),
  });
  assert.equal(old.status, 401);

  // The office reads the list, is offered no form, and the service refuses it one anyway.
  const clerk = await newPage(browser);
  await signInAs(clerk, gateway.url, office, "Van-phong-moi-2026", "/can-bo/tai-khoan");
  await clerk.getByTestId("account").first().waitFor();
  assert.equal(await clerk.getByRole("button", { name: "Tạo tài khoản" }).count(), 0);
  await check(clerk, "console-accounts-360");
  const refused = await clerk.evaluate(async (tenant) => {
    const { csrfToken } = await (await fetch("/auth/session")).json();
    const r = await fetch("/v1/accounts", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
      body: JSON.stringify({ account: { username: `gia.${tenant}`, displayName: "Giả", tenant: `tenants/${tenant}`, roles: ["chair"] }, password: "Mat-khau-gia-2026" }),
    });
    return { status: r.status, body: await r.text() };
  }, id);
  assert.equal(refused.status, 403);
  assert.match(refused.body, /ACCOUNT_ADMIN_ONLY/);
  await page.context().close();
  await clerk.context().close();

  // The new secretary turns on a second factor for their own account; signing in then asks
  // for the authenticator app's code after the password.
  const own = await newPage(browser);
  await signInAs(own, gateway.url, secretary, "Thu-ky-2026-moi", "/can-bo/tai-khoan");
  await own.getByRole("button", { name: "Bật xác thực hai bước" }).click();
  const secret = base32((await own.getByTestId("totp-secret").textContent()).trim());
  assert.equal(await own.locator("svg.qr").count(), 1, "the QR code for the app");
  await check(own, "console-accounts-totp-qr");
  const step = Math.floor(Date.now() / 30000);
  await own.getByLabel("Mã 6 chữ số ứng dụng đang hiện").fill(totp(secret, step + 40));
  await own.getByRole("button", { name: "Xác nhận và bật" }).click();
  await own.getByRole("alert").filter({ hasText: "Mã chưa đúng" }).waitFor();
  await own.getByLabel("Mã 6 chữ số ứng dụng đang hiện").fill(totp(secret, step));
  await own.getByRole("button", { name: "Xác nhận và bật" }).click();
  await own.getByTestId("totp-state").waitFor();
  await check(own, "console-accounts-totp");
  await own.getByRole("button", { name: "Đăng xuất" }).click();
  await own.waitForURL(/\/can-bo\/dang-nhap$/);
  await own.getByLabel("Tên đăng nhập").fill(secretary);
  await own.getByLabel("Mật khẩu").fill("Thu-ky-2026-moi");
  await own.getByRole("button", { name: "Đăng nhập" }).click();
  await own.getByRole("alert").filter({ hasText: "xác thực hai bước" }).waitFor();
  await check(own, "console-sign-in-totp");
  await own.getByLabel(/^Mã xác thực/).fill(totp(secret, step + 1));  // the next code: the last is spent
  await own.getByRole("button", { name: "Đăng nhập" }).click();
  await own.waitForURL(/\/can-bo$/);
  await own.context().close();
});

test("the inbox merges a duplicate side by side and undoes it, and classifies and assigns many opinions at once", async () => {
  const id = `browser-hm-${Date.now()}`;
  const admin = token("", "admin");
  await newCommune(gateway.url, id, "Xã Thử Hộp Thư", [["an-son", "Thôn An Sơn"], ["an-lau", "Thôn An Lâu"]]);
  await call("POST", "/v1/accounts", { account: { username: `vanphong.${id}`, displayName: "Lê Thị Văn", tenant: `tenants/${id}`, roles: ["government_office"] }, password }, admin);
  const office = token(id, "government_office");
  const later = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
  const round = await call("POST", `/v1/tenants/${id}/rounds`, { title: "Đợt thử", opinionDeadlineDate: later, answerDueDate: later }, office);
  const texts = [
    ["an-son", "Đề nghị sửa chữa đường trục chính thôn An Sơn đang hư hỏng nặng"],
    ["an-son", "Đề nghị sửa đường trục chính thôn An Sơn hư hỏng nặng"],
    ["an-lau", "Đề nghị lắp thêm đèn chiếu sáng ngõ xóm thôn An Lâu"],
    ["an-lau", "Đề nghị tổ chức lớp dạy bơi cho trẻ em vào dịp hè"],
  ];
  const codes = [];
  for (const [hamlet, text] of texts) codes.push((await call("POST", `/v1/tenants/${id}/opinions:submit`, { round: round.name, hamlet, text })).receiptCode);
  // The state as the office's API lists it (a citizen following a merged form is shown the
  // one it was merged into).
  const opinionOf = async (code) =>
    (await call("GET", `/v1/tenants/${id}/opinions?pageSize=100`, undefined, office)).opinions.find((o) => o.receiptCode === code);
  const state = async (code) => (await opinionOf(code)).state;
  const page = await newPage(browser, { width: 1280, height: 900 });
  await signIn(page, `vanphong.${id}`, "/can-bo/y-kien?trang-thai=RECEIVED");
  const card = (code) => page.getByTestId("opinion").filter({ hasText: code });
  await card(codes[0]).waitFor();

  // The second form is found alike to the first, shown beside it, and merged into it.
  await page.getByRole("button", { name: `Tìm ý kiến trùng với ${codes[0]}` }).click();
  const alike = card(codes[0]).getByTestId("duplicates");
  await alike.waitFor();
  assert.match(await alike.textContent(), new RegExp(`${codes[1]}.*giống \\d+%`));
  assert.doesNotMatch(await alike.textContent(), new RegExp(codes[3]), "an unrelated opinion is not offered");
  await alike.getByLabel(new RegExp(codes[1])).check();
  await check(page, "console-opinions-duplicates");
  await page.setViewportSize({ width: 360, height: 780 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(page, "console-opinions-duplicates-360");
  await page.setViewportSize({ width: 1280, height: 900 });
  await card(codes[0]).getByRole("button", { name: "Gộp các ý kiến đã chọn vào ý kiến này" }).click();
  await card(codes[0]).filter({ hasText: "2 người cùng ý kiến" }).waitFor();
  assert.equal(await card(codes[1]).count(), 0);
  assert.equal(await state(codes[1]), "MERGED");

  const bulk = page.getByRole("region", { name: "Xử lý nhiều ý kiến cùng lúc" });
  // Nothing chosen: said in place, nothing changed.
  await bulk.getByRole("button", { name: "Áp dụng cho các ý kiến đã chọn" }).click();
  await bulk.getByRole("alert").filter({ hasText: "Xin chọn ít nhất một ý kiến" }).waitFor();

  // Three classified at once; one of them changed meanwhile by someone else is refused by
  // its etag and said by its code, the other two are done.
  const topics = (await call("GET", `/v1/tenants/${id}/topics`, undefined, office)).topics;
  const current = await opinionOf(codes[3]);
  for (const i of [0, 2, 3]) await page.getByLabel(`Chọn ý kiến ${codes[i]}`).check();
  await call("POST", `/v1/${current.name}:classify`, { topic: topics[0].id, etag: current.etag }, office);
  await bulk.getByLabel("Việc", { exact: true }).selectOption({ label: "Phân loại vào lĩnh vực" });
  await bulk.getByLabel("Lĩnh vực", { exact: true }).selectOption(topics[0].id);
  await bulk.getByRole("button", { name: "Áp dụng cho các ý kiến đã chọn" }).click();
  const result = page.getByTestId("bulk-result");
  await result.waitFor();
  assert.match(await result.textContent(), /xong 2 ý kiến/);
  assert.match(await result.textContent(), new RegExp(`${codes[3]}: Nội dung vừa được người khác sửa`));
  assert.deepEqual(await Promise.all(codes.map(state)), ["CLASSIFIED", "MERGED", "CLASSIFIED", "CLASSIFIED"]);

  // The three classified are assigned to one department at once.
  await page.goto(`${gateway.url}/can-bo/y-kien?trang-thai=CLASSIFIED`);
  await card(codes[0]).waitFor();
  for (const i of [0, 2, 3]) await page.getByLabel(`Chọn ý kiến ${codes[i]}`).check();
  await bulk.getByLabel("Việc", { exact: true }).selectOption({ label: "Giao cho cơ quan, phòng ban" });
  await bulk.getByLabel("Cơ quan, phòng ban", { exact: true }).fill("Phòng Kinh tế");
  await bulk.getByRole("button", { name: "Áp dụng cho các ý kiến đã chọn" }).click();
  await page.getByTestId("bulk-result").filter({ hasText: "xong 3 ý kiến" }).waitFor();
  await check(page, "console-opinions-bulk");
  assert.deepEqual(await Promise.all([0, 2, 3].map((i) => state(codes[i]))), ["ASSIGNED", "ASSIGNED", "ASSIGNED"]);

  // The merge is undone from the merged opinion's card.
  await page.goto(`${gateway.url}/can-bo/y-kien?trang-thai=MERGED`);
  await card(codes[1]).getByRole("button", { name: "Tách ra (bỏ gộp)" }).click();
  await card(codes[1]).getByRole("heading", { name: /Đã tiếp nhận/ }).waitFor();
  assert.equal(await state(codes[1]), "RECEIVED");
  assert.equal((await opinionOf(codes[0])).supporterCount ?? 1, 1);
  await page.context().close();
});

test("a plan is written from the template and its draft edited in the console", async () => {
  const id = `browser-mau-${Date.now()}`;
  const admin = token("", "admin");
  await newCommune(gateway.url, id, "Xã Thử Mẫu", [["thon-1", "Thôn 1"]]);
  await call("POST", "/v1/accounts", {
    account: { username: `vanphong.${id}`, displayName: "Lê Thị Văn", tenant: `tenants/${id}`, roles: ["government_office", "party_office"] }, password,
  }, admin);
  const office = token(id, "government_office");
  const page = await newPage(browser, { width: 1280, height: 900 });
  await signIn(page, `vanphong.${id}`, "/can-bo/ke-hoach");
  const year = new Date().getFullYear() + 1;
  await page.getByText("Lập kế hoạch mới theo mẫu").click();
  await page.getByLabel("Năm").fill(String(year));
  await page.getByLabel("Hội nghị sớm nhất vào ngày").fill(`${year}-05-11`);
  await page.getByLabel("Muộn nhất vào ngày").fill(`${year}-05-20`);
  await page.getByRole("button", { name: "Lập kế hoạch" }).click();
  const draft = page.getByTestId("plan").filter({ hasText: `Năm ${year} · Dự thảo` });
  await draft.waitFor();
  let [plan] = (await call("GET", `/v1/tenants/${id}/plans`, undefined, office)).plans;
  assert.equal(plan.conferences.length, 1);
  assert.equal(plan.tasks.length, 8);
  assert.equal(plan.tasks.find((t) => t.kind === "ANNOUNCEMENT").resolvedDueDate, `${year}-05-04`, "seven days before");

  // The draft's content: the conference renamed, a second one added, the hall task dropped
  // and the announcement given two more days. A window ending before it starts is refused
  // first, and nothing is stored.
  await draft.getByText("Sửa nội dung kế hoạch").click();
  await draft.getByLabel("Tên hội nghị").first().fill("Hội nghị đối thoại kỳ I");
  await draft.getByRole("button", { name: "Thêm hội nghị" }).click();
  await draft.getByLabel("Tên hội nghị").nth(1).fill("Hội nghị đối thoại kỳ II");
  await draft.getByLabel("Sớm nhất").nth(1).fill(`${year}-10-20`);
  await draft.getByLabel("Muộn nhất").nth(1).fill(`${year}-10-10`);
  await draft.getByRole("group", { name: /Hội trường/ }).getByLabel("Bỏ nhiệm vụ này").check();
  await draft.getByRole("group", { name: /Thông báo/ }).getByLabel(/^Hạn: số ngày/).fill("-9");
  await draft.getByRole("button", { name: "Lưu kế hoạch" }).click();
  await draft.getByRole("alert").filter({ hasText: "Ngày muộn nhất của hội nghị đang trước ngày sớm nhất." }).waitFor();
  assert.equal((await call("GET", `/v1/${plan.name}`, undefined, office)).conferences.length, 1);
  await check(page, "console-plan-edit");
  await draft.getByLabel("Muộn nhất").nth(1).fill(`${year}-10-30`);
  await draft.getByRole("button", { name: "Lưu kế hoạch" }).click();
  await page.getByTestId("plan").filter({ hasText: "Hội nghị đối thoại kỳ II" }).waitFor();
  plan = await call("GET", `/v1/${plan.name}`, undefined, office);
  assert.deepEqual(plan.conferences.map((c) => c.title), ["Hội nghị đối thoại kỳ I", "Hội nghị đối thoại kỳ II"]);
  assert.equal(plan.tasks.length, 7);
  assert.ok(!plan.tasks.some((t) => t.kind === "VENUE"));
  assert.equal(plan.tasks.find((t) => t.kind === "ANNOUNCEMENT").resolvedDueDate, `${year}-05-02`);
  await page.context().close();
});
