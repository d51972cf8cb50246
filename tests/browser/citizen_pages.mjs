// The browser tier: the citizens' pages and the venue screen in Debian's headless Chromium,
// driven by playwright-core, against the real stack that scripts/test starts. Each page is
// checked by axe-core and photographed (PNG files under BUILD/browser-screenshots).
//   node tests/browser/citizen_pages.mjs SOURCE_DIR BUILD_DIR
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { apiCall, check, communeWithCommitments, freePort, launchBrowser, newPage, shots, startGateway, token } from "./harness.mjs";

let gateway, broken, browser;
const call = (method, path, body, bearer) => apiCall(gateway.url, method, path, body, bearer);

before(async () => {
  gateway = await startGateway();
  broken = await startGateway({ DIALOGUE_INTAKE_ADDR: `127.0.0.1:${await freePort()}` });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  gateway?.child.kill();
  broken?.child.kill();
});

test("a citizen submits an opinion on a phone and follows it to the published answer", async () => {
  const page = await newPage(browser);
  await page.goto(`${gateway.url}/xa/bac-thanh-mien/gop-y`);
  await page.getByRole("heading", { name: "Gửi ý kiến, kiến nghị" }).waitFor();
  await check(page, "submit-form");
  // Nothing chosen: the form says what is missing, in Vietnamese, and sends nothing.
  await page.getByRole("button", { name: "Gửi ý kiến" }).click();
  await page.getByRole("alert").filter({ hasText: "Xin chọn thôn" }).waitFor();
  await page.getByLabel("Thôn, tổ dân phố nơi bạn ở (bắt buộc)").selectOption({ label: "Thôn An Sơn" });
  await page.getByLabel("Nội dung ý kiến, kiến nghị (bắt buộc)").fill(
    "Đề nghị xã sửa đường giao thông nội đồng thôn An Sơn, mùa mưa lầy lội, xe chở lúa không đi được.",
  );
  // The topic is suggested as the citizen types, as the service will suggest it to staff.
  const hint = (await page.locator("#topic-hint").textContent()).replace("Lĩnh vực gợi ý: ", "");
  // Read with its marks: "xe chở lúa" is carrying rice, not a market ("chợ").
  assert.equal(hint, "Xây dựng nông thôn mới");
  await page.getByLabel("Họ và tên").fill("Nguyễn Văn Nông");
  // A reply by Zalo needs a phone number: said so, on the contact field, and nothing is sent.
  const contact = page.getByLabel("Số điện thoại, thư điện tử hoặc địa chỉ");
  await contact.fill("nong@example.vn");
  await page.getByLabel("Nhận câu trả lời và kết quả giải quyết qua").selectOption({ label: "Zalo" });
  await page.getByRole("button", { name: "Gửi ý kiến" }).click();
  await page.getByRole("alert").filter({ hasText: "Zalo cần số điện thoại" }).waitFor();
  assert.equal(await contact.getAttribute("aria-invalid"), "true");
  await check(page, "submit-contact-invalid");
  await contact.fill("0912 000 222");
  await page.getByRole("button", { name: "Gửi ý kiến" }).click();
  const receipt = page.getByTestId("receipt");
  await receipt.waitFor();
  const code = (await receipt.textContent()).trim();
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.equal(await page.getByRole("img", { name: /Mã QR/ }).count(), 1);
  // Readable at 360 px: nothing wider than the screen.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(page, "submit-receipt");

  // The commune answers it through the API, as its staff do.
  const status = await call("GET", `/v1/tenants/bac-thanh-mien/receipts/${code}`);
  const staff = token("bac-thanh-mien", "front,government_office,department,chair");
  const topics = await call("GET", "/v1/tenants/bac-thanh-mien/topics");
  const opinion = status.opinion;
  const stored = await call("GET", `/v1/${opinion}`, undefined, staff);
  assert.equal(topics.topics.find((t) => t.id === stored.suggestedTopic)?.displayName, hint);
  assert.deepEqual(stored.submitter, { name: "Nguyễn Văn Nông", contact: "0912 000 222", replyVia: "REPLY_ZALO" });
  await call("POST", `/v1/${opinion}:classify`, { topic: topics.topics[0].id }, staff);
  await call("POST", `/v1/${opinion}:assign`, { department: "Phòng Kinh tế", workingDays: 10 }, staff);
  const answer = "Xã đã đưa tuyến đường nội đồng thôn An Sơn vào kế hoạch làm đường năm sau.";
  await call("POST", `/v1/${opinion}:draftAnswer`, { answer }, staff);
  await call("POST", `/v1/${opinion}:approveAnswer`, {}, staff);
  await call("POST", `/v1/${opinion}:markAnswered`, {}, staff);

  await page.getByRole("link", { name: "Theo dõi ý kiến này" }).click();
  await page.getByTestId("answer").waitFor();
  assert.equal(await page.getByTestId("opinion-state").textContent(), "Đã trả lời");
  assert.equal(await page.getByTestId("answer").textContent(), answer);
  await check(page, "follow-answered");

  // A code that does not exist: said so, and the form stays to try again.
  await page.getByLabel("Mã tiếp nhận").fill("ZZZZ-ZZZZ-ZZZZ");
  await page.getByRole("button", { name: "Tra cứu" }).click();
  await page.getByRole("alert").filter({ hasText: "Không tìm thấy ý kiến" }).waitFor();
  await check(page, "follow-unknown");
  await page.context().close();
});

test("the venue screen shows the chair's step change within a second", async () => {
  // A session of its own, announced and opened by the chair through the API.
  const office = token("dien-chau", "government_office,chair");
  const plans = await call("GET", "/v1/tenants/dien-chau/plans");
  const plan = plans.plans.find((p) => p.state === "PUBLISHED");
  const date = new Date(Date.now() + 14 * 86400e3).toISOString().slice(0, 10);
  const session = await call(
    "POST",
    `/v1/tenants/dien-chau/sessions?requestId=browser-${Date.now()}`,
    { plan: plan.name, conferenceId: "2", title: "Hội nghị đối thoại (thử màn hình)", date, startTime: "07:30", venue: "Hội trường UBND xã", chair: "Chủ tịch UBND xã", secretary: "Văn phòng" },
    office,
  );
  await call("POST", `/v1/${session.name}:announce`, {}, office);
  await call("POST", `/v1/${session.name}:open`, { overrideReason: "Thử màn hình hội trường" }, office);
  const id = session.name.split("/").pop();

  const screen = await newPage(browser, { width: 1280, height: 720 });
  await screen.goto(`${gateway.url}/xa/dien-chau/hoi-nghi/${id}/man-hinh`);
  const step = screen.getByTestId("step");
  await screen.waitForFunction(() => document.querySelector("[data-testid=step]")?.textContent?.startsWith("Bước 1/"));
  await screen.getByText("Đang trực tiếp").waitFor();

  // A citizen registers to speak from a phone, through the page the QR code leads to.
  const phone = await newPage(browser);
  await phone.goto(`${gateway.url}/xa/dien-chau/hoi-nghi/${id}/dang-ky`);
  await phone.getByLabel("Họ và tên (bắt buộc)").fill("Trần Thị Hoa");
  await phone.getByLabel("Vấn đề muốn phát biểu").fill("Nước sạch cho xóm 3");
  assert.equal(await phone.locator("nav [aria-current]").count(), 0, "no menu entry is this page");
  await check(phone, "speak-form");
  await phone.getByRole("button", { name: "Đăng ký phát biểu" }).click();
  await phone.getByText(/Bạn ở vị trí số 1/).waitFor();
  await check(phone, "speak-registered");
  await phone.context().close();
  await screen.locator(".queue").getByText("Trần Thị Hoa").waitFor({ timeout: 5000 });

  // The chair moves to step 2: the screen shows it within one second.
  assert.match(await step.textContent(), /^Bước 1\//);
  const started = Date.now();
  await call("POST", `/v1/${session.name}:advance`, { step: 2 }, office);
  await screen.waitForFunction(
    () => document.querySelector("[data-testid=step]")?.textContent?.startsWith("Bước 2/"),
    null,
    { timeout: 1000, polling: 20 },
  );
  const took = Date.now() - started;
  console.log(`# the venue screen showed the step change ${took} ms after the chair's call returned`);
  assert.ok(took <= 1000, `took ${took} ms`);
  await check(screen, "venue-screen");

  // The gateway goes away (a restart, a dropped line): the screen says so, reconnects by
  // itself when it is back, and shows what changed meanwhile.
  const port = new URL(gateway.url).port;
  gateway.child.kill();
  await new Promise((resolve) => gateway.child.once("exit", resolve));
  await screen.getByText("Mất kết nối, đang kết nối lại…").waitFor({ timeout: 5000 });
  gateway = await startGateway({}, Number(port));
  await call("POST", `/v1/${session.name}:advance`, { step: 3 }, office);
  await screen.waitForFunction(
    () => document.querySelector("[data-testid=step]")?.textContent?.startsWith("Bước 3/"),
    null,
    { timeout: 15000 },
  );
  await screen.getByText("Đang trực tiếp").waitFor();
  await screen.context().close();
});

test("every public page is usable at 360 px and passes axe-core", async () => {
  const page = await newPage(browser);
  const feed = await call("GET", "/v1/tenants/bac-thanh-mien/notices:published");
  const notice = feed.notices[0].name.split("/").pop();
  for (const [name, path, heading] of [
    ["communes", "/", "Đối thoại với Nhân dân"],
    ["home-dien-chau", "/xa/dien-chau", "Đối thoại với Nhân dân Xã Diễn Châu"],
    ["home-bac-thanh-mien", "/xa/bac-thanh-mien", "Đối thoại với Nhân dân Xã Bắc Thanh Miện"],
    ["home-cao-thuong", "/xa/cao-thuong", "Đối thoại với Nhân dân Thị trấn Cao Thượng"],
    ["follow-empty", "/xa/bac-thanh-mien/theo-doi", "Theo dõi ý kiến"],
    ["notices", "/xa/bac-thanh-mien/thong-bao", "Thông báo"],
    ["notice", `/xa/bac-thanh-mien/thong-bao/${notice}`, feed.notices[0].title],
    ["dialogue-request", "/xa/bac-thanh-mien/de-nghi-doi-thoai", "Đề nghị tổ chức đối thoại"],
    ["not-found", "/khong-co-trang-nay", "Không có trang này"],
  ]) {
    await page.goto(`${gateway.url}${path}`);
    await page.getByRole("heading", { level: 1, name: heading, exact: true }).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), `${name}: no sideways scrolling`);
    await check(page, name);
    // And as a clerk's laptop shows it.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${shots}/${name}-laptop.png`, fullPage: true });
    await page.setViewportSize({ width: 360, height: 780 });
  }
  // A voter asks for a dialogue: the count the page shows goes up by one.
  await page.goto(`${gateway.url}/xa/bac-thanh-mien/de-nghi-doi-thoai`);
  const count = async () => Number((await page.locator("p.lead").textContent()).match(/^\d+/)[0]);
  const asked = await count();
  await page.getByLabel("Họ và tên cử tri (bắt buộc)").fill(`Cử tri ${Date.now()}`);
  await page.getByLabel("Thôn, tổ dân phố (bắt buộc)").selectOption({ label: "Thôn An Lâu" });
  await page.getByLabel(/Số điện thoại hoặc địa chỉ/).fill(`09${String(Date.now()).slice(-8)}`);
  await page.getByLabel("Vấn đề cần đối thoại (bắt buộc)").fill("Ô nhiễm từ trại chăn nuôi gần khu dân cư");
  await page.getByRole("button", { name: "Gửi đề nghị" }).click();
  await page.getByText("Đã nhận đề nghị của bạn").waitFor();
  assert.equal(await count(), asked + 1);
  await check(page, "dialogue-requested");
  // A ward's residential groups, chosen by their khu phố (seed 003's Hoài Thanh).
  await page.goto(`${gateway.url}/xa/hoai-thanh/de-nghi-doi-thoai`);
  const groups = page.getByLabel("Thôn, tổ dân phố (bắt buộc)");
  await groups.waitFor();
  assert.deepEqual(await groups.locator("optgroup").evaluateAll((g) => g.map((x) => x.label)), ["Khu phố 1", "Khu phố 2", "Khu phố 3"]);
  assert.equal(await groups.locator("optgroup").first().locator("option").count(), 3);
  await groups.selectOption({ label: "Tổ dân phố 4" });
  await check(page, "dialogue-request-ward");

  // The home page names the next conference with its lunar date, and offers the calendar.
  await page.goto(`${gateway.url}/xa/dien-chau`);
  await page.getByText(/âm lịch/).first().waitFor();
  const ics = await page.getByRole("link", { name: "Thêm vào lịch" }).getAttribute("href");
  const calendar = await fetch(`${gateway.url}${ics}`);
  assert.equal(calendar.status, 200);
  assert.match(await calendar.text(), /BEGIN:VCALENDAR/);
  // A Party committee's plan is headed as the committee's, a People's Committee's as its own.
  assert.match(await page.getByTestId("plan-document").textContent(), /^Kế hoạch số 05-KH\/ĐU \(số mẫu\) ngày 15\/01\/2026 của Đảng ủy xã Diễn Châu: /);
  // The plan as the Party committee signed it: the Party's header, not the state motto.
  await page.getByTestId("plan-print").click();
  await page.getByRole("heading", { level: 1, name: "KẾ HOẠCH" }).waitFor();
  assert.equal((await page.locator(".motto").textContent()).trim(), "ĐẢNG CỘNG SẢN VIỆT NAM");
  assert.match(await page.locator(".date").textContent(), /^Diễn Châu, ngày 15 tháng 01 năm 2026$/);
  await page.setViewportSize({ width: 1280, height: 1100 });
  await page.screenshot({ path: `${shots}/plan-print-laptop.png`, fullPage: true });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto(`${gateway.url}/xa/dien-chau`);
  await page.goto(`${gateway.url}/xa/bac-thanh-mien`);
  assert.match(await page.getByTestId("plan-document").textContent(), /^Kế hoạch số 01\/KH-UBND \(số minh họa\) ngày \d{2}\/\d{2}\/2026 của Ủy ban nhân dân xã Bắc Thanh Miện: /);
  // The minutes of the conference the demo held (seed 004's year), as they were approved:
  // printed with their hash, on a phone.
  const held = page.getByTestId("held-sessions");
  assert.match(await held.textContent(), /\d{2}\/\d{2}\/2026: /);
  await held.getByTestId("minutes-print").first().click();
  await page.getByRole("heading", { level: 1, name: "BIÊN BẢN" }).waitFor();
  const minutes = await page.innerText("body");
  assert.match(minutes, /ỦY BAN NHÂN DÂN\s+XÃ BẮC THANH MIỆN/);
  assert.match(minutes, /Mã kiểm tra \(SHA-256\) của biên bản đã phê duyệt: sha256:[0-9a-f]{64}/);
  await page.screenshot({ path: `${shots}/minutes-print-360.png`, fullPage: true });
  // A township's page shows the dialogue its district holds with its people in the hall of
  // a neighbouring commune (seed 002), and leads to the district's own page.
  await page.goto(`${gateway.url}/xa/cao-thuong`);
  await page.getByText("Thị trấn Cao Thượng chưa ban hành kế hoạch đối thoại năm nay.").waitFor();
  const upper = page.getByTestId("upper-level");
  assert.match(await upper.textContent(), /Bí thư Huyện ủy đối thoại với Xã Cao Xá, thị trấn Cao Thượng ngày \d{2}\/03\/2018, tại Hội trường UBND xã Cao Xá/);
  await upper.getByRole("link", { name: "Xem trang của Huyện Tân Yên" }).click();
  await page.getByRole("heading", { level: 1, name: "Đối thoại với Nhân dân Huyện Tân Yên", exact: true }).waitFor();
  assert.match(await page.getByTestId("plan-document").textContent(), /của Ban Thường vụ Huyện ủy: /);
  // The keyboard reaches the menu and the form's fields in order.
  await page.goto(`${gateway.url}/xa/bac-thanh-mien/gop-y`);
  await page.getByRole("heading", { name: "Gửi ý kiến, kiến nghị" }).waitFor();
  const focused = [];
  for (let i = 0; i < 14; ++i) {
    await page.keyboard.press("Tab");
    focused.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim()));
  }
  for (const want of ["Gửi ý kiến", "hamlet", "text", "name", "contact", "reply-via"]) {
    assert.ok(focused.includes(want), `Tab reaches ${want}: ${focused.join(" | ")}`);
  }
  await page.context().close();
});

test("an issued notice opens as an A4 document to print and as a .docx to edit", async () => {
  const page = await newPage(browser);
  const feed = await call("GET", "/v1/tenants/bac-thanh-mien/notices:published");
  const name = feed.notices[0].name;
  await page.goto(`${gateway.url}/xa/bac-thanh-mien/thong-bao/${name.split("/").pop()}`);
  await page.getByTestId("render-html").click();
  await page.getByRole("heading", { level: 1, name: /^(THÔNG BÁO|GIẤY MỜI)$/ }).waitFor();
  assert.equal((await page.locator(".issuer").first().innerText()).trim(), "ỦY BAN NHÂN DÂN\nXÃ BẮC THANH MIỆN");
  assert.match(await page.locator(".date").textContent(), /^Bắc Thanh Miện, ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm \d{4}$/);
  await page.setViewportSize({ width: 1280, height: 1100 });
  await page.screenshot({ path: `${shots}/notice-print-laptop.png`, fullPage: true });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: `${shots}/notice-print.png`, fullPage: true });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  const docx = await fetch(`${gateway.url}/v1/${name}:render?format=docx`);
  assert.equal(docx.status, 200);
  assert.match(docx.headers.get("content-disposition") ?? "", /^attachment; filename="van-ban-[0-9A-Za-z-]+\.docx"$/);
  const bytes = Buffer.from(await docx.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), "PK");
  await page.context().close();
});

test("a petitioner follows the conference's promise and says it did not satisfy them", async () => {
  // A commune of its own with a conference held today that promises to act on a citizen's
  // opinion.
  const { id, staff, receipt, commitments: promises } = await communeWithCommitments(gateway.url, [
    { summary: "Lắp đèn đường trục chính thôn Đông", agency: "Phòng Kinh tế", action: "Khảo sát và lắp 12 bộ đèn" },
  ]);
  await call("POST", `/v1/${promises[0].name}:recordProgress`, { state: "COMMITMENT_REPORTED", note: "Đã khảo sát, chờ kinh phí" }, staff);

  // While it is worked on, the petitioner sees the report and is told when to give feedback.
  const page = await newPage(browser);
  const follow = `${gateway.url}/xa/${id}/theo-doi/${receipt.receiptCode}`;
  await page.goto(follow);
  await page.getByRole("heading", { name: "Lắp đèn đường trục chính thôn Đông" }).waitFor();
  await page.getByText("Đã báo cáo kết quả").first().waitFor();
  await page.getByText(/Khi có kết quả giải quyết/).waitFor();
  assert.equal(await page.getByRole("button", { name: "Gửi đánh giá" }).count(), 0);
  await check(page, "follow-commitment");
  await call("POST", `/v1/${promises[0].name}:recordProgress`, { state: "COMMITMENT_RESOLVED", note: "Đã lắp 4 bộ đèn" }, staff);
  await page.goto(follow);
  await page.getByText("Đã giải quyết").first().waitFor();
  // Sending without a choice is refused on the page; then "not satisfied", asking again.
  await page.getByRole("button", { name: "Gửi đánh giá" }).click();
  await page.getByRole("alert").filter({ hasText: "Xin chọn" }).waitFor();
  await page.getByLabel("Chưa hài lòng", { exact: true }).check();
  await page.getByLabel("Ý kiến thêm (không bắt buộc)").fill("Mới khảo sát, chưa lắp đèn nào.");
  await page.getByLabel(/Đề nghị xem xét lại/).check();
  await page.getByRole("button", { name: "Gửi đánh giá" }).click();
  await page.waitForFunction(() =>
    document.querySelector(".feedback [role=alert]") || document.body.textContent.includes("Bạn đã cho biết"));
  assert.equal(await page.locator(".feedback [role=alert]").count(), 0,
    await page.locator(".feedback [role=alert]").first().textContent().catch(() => ""));
  await page.getByText("Bạn đã cho biết chưa hài lòng với kết quả.").waitFor();
  await page.getByText(/Đề nghị xem xét lại đã được gửi/).waitFor();
  const seen = await call("GET", `/v1/${promises[0].name}`, undefined, staff);
  assert.equal(seen.reopenRequested, true);
  assert.equal(seen.notSatisfiedCount, 1);
  await check(page, "follow-feedback-given");

  // The commune's home lists what the conference concluded and where it stands.
  await page.goto(`${gateway.url}/xa/${id}`);
  await page.getByRole("heading", { name: /Hội nghị đối thoại thử/, level: 3 }).waitFor();
  await page.getByText("Đã giải quyết 1 trên 1 nội dung kết luận.").waitFor();
  await check(page, "home-results");
  await page.context().close();
});

test("a service that is down gives a clear Vietnamese message, not a blank page", async () => {
  const page = await newPage(browser);
  // The intake service cannot be reached: the form that needs it says so...
  await page.goto(`${broken.url}/xa/bac-thanh-mien/gop-y`);
  await page.getByRole("alert").filter({ hasText: "Hệ thống đang tạm gián đoạn" }).waitFor();
  await page.getByRole("button", { name: "Thử lại" }).waitFor();
  await check(page, "outage-submit");
  // ...and the home page still shows what the other services hold.
  await page.goto(`${broken.url}/xa/bac-thanh-mien`);
  await page.getByRole("heading", { name: "Thông báo", level: 2 }).waitFor();
  assert.ok((await page.getByRole("alert").count()) >= 1);
  assert.match(await page.getByRole("alert").first().textContent(), /Hệ thống đang tạm gián đoạn/);
  await check(page, "outage-home");
  await page.context().close();
});
