// The browser tier for the conference console: seed 004's conference carried from its plan
// to approved minutes and an issued conclusion notice by the people who do it (the office
// schedules and records it, the secretary runs the hall on a laptop, the chair concludes and
// approves), with the clicks and the time it took.
//   node tests/browser/conference.mjs SOURCE_DIR BUILD_DIR
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { apiCall, check, newCommune, launchBrowser, newPage, root, shots, signInAs, startGateway, token } from "./harness.mjs";

let gateway, browser;
const call = (method, path, body, bearer) => apiCall(gateway.url, method, path, body, bearer);
const password = "Hoi-nghi-2026";
const laptop = { width: 1280, height: 800 };

before(async () => {
  gateway = await startGateway();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  gateway?.child.kill();
});

// A commune like seed 004's (its two hamlets) with seed 004's plan (published, or as typed
// in: a draft without its number), and the tokens the set-up uses.
async function communeWithSeed004(id, publish = true) {
  const admin = token("", "admin");
  await newCommune(gateway.url, id, "Xã Thử Hội Nghị", [["an-son", "Thôn An Sơn"], ["an-lau", "Thôn An Lâu"]], 5000);
  const office = token(id, "government_office,party_office,chair");
  const seed = JSON.parse(readFileSync(`${root}/deploy/demo/plans/004-bac-thanh-mien-2026.json`, "utf8"));
  const plan = await call("POST", `/v1/tenants/${id}/plans`, publish ? { ...seed.plan, documentNumber: "31/KH-UBND", issueDate: "2026-03-20" } : seed.plan, office);
  if (publish) {
    await call("POST", `/v1/${plan.name}:approve`, {}, office);
    await call("POST", `/v1/${plan.name}:publish`, {}, office);
  }
  return { admin, office, seed, plan };
}

test("seed 004's year: its plan, its opinions from the forms to approved answers, its conference, the notice and the promise", async () => {
  const id = `browser-hn-${Date.now()}`;
  const { admin, office, seed, plan } = await communeWithSeed004(id, false);
  const people = {
    office: ["vanphong", "Nguyễn Thị Hoa", ["government_office", "party_office"]],
    chair: ["chutich", "Khổng Quốc Toàn", ["chair"]],
    secretary: ["thuky", "Lê Thị Thư", ["secretary"]],
    department: ["phongkt", "Võ Văn Kinh", ["department"]],
  };
  for (const [username, displayName, roles] of Object.values(people)) {
    const department = roles.includes("department") ? "Phòng Kinh tế" : undefined;
    await call("POST", "/v1/accounts", { account: { username: `${username}.${id}`, displayName, tenant: `tenants/${id}`, roles, department }, password }, admin);
  }

  // What the year takes, in clicks (a file chosen or a box ticked counts as one) and time.
  let clicks = 0;
  const click = async (locator) => {
    ++clicks;
    await locator.click();
  };
  const started = Date.now();

  // The plan as typed in: the chair approves it, the office publishes it with its number.
  const chairPage = await newPage(browser, laptop);
  await signInAs(chairPage, gateway.url, `chutich.${id}`, password, "/can-bo/ke-hoach");
  await click(chairPage.getByTestId("plan").getByRole("button", { name: "Phê duyệt" }));
  await chairPage.getByTestId("plan").filter({ hasText: "Đã phê duyệt" }).waitFor();
  const desk = await newPage(browser, laptop);
  await signInAs(desk, gateway.url, `vanphong.${id}`, password, "/can-bo/ke-hoach");
  await desk.getByLabel("Số, ký hiệu").fill("31/KH-UBND");
  await click(desk.getByRole("button", { name: "Ban hành" }));
  await desk.getByTestId("plan").filter({ hasText: "Đã ban hành" }).waitFor();

  // The round for the plan's conference, and the typed-in forms uploaded.
  await desk.goto(`${gateway.url}/can-bo/y-kien/nhap`);
  await click(desk.getByText("Mở đợt lấy ý kiến mới"));
  await desk.getByLabel("Cho hội nghị").selectOption({ index: 1 });
  await click(desk.getByRole("button", { name: "Mở đợt" }));
  await desk.getByLabel("Tệp CSV").waitFor();
  const quote = (text) => `"${String(text ?? "").replaceAll('"', '""')}"`;
  const rows = JSON.parse(readFileSync(`${root}/deploy/demo/opinions.json`, "utf8")).rows;
  const csv = ["hamlet,text,submitter_name", ...rows.map((r) => [r.hamlet, quote(r.text), quote(r.submitterName)].join(","))].join("\n");
  ++clicks;
  await desk.getByLabel("Tệp CSV").setInputFiles({ name: "phieu-004.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await click(desk.getByRole("button", { name: "Tải lên" }));
  await desk.getByTestId("import-result").filter({ hasText: `Đã lưu ${rows.length} phiếu mới` }).waitFor();
  const codes = await desk.getByTestId("import-result").locator("td.code").allTextContents();
  assert.equal(codes.length, rows.length);

  // The two forms on An Sơn's field road are one item; each item is classified.
  await desk.goto(`${gateway.url}/can-bo/y-kien?trang-thai=RECEIVED`);
  const opinion = (page, code) => page.getByTestId("opinion").filter({ hasText: code });
  await opinion(desk, codes[0]).waitFor();
  await click(desk.getByRole("button", { name: `Tìm ý kiến trùng với ${codes[0]}` }));
  await click(opinion(desk, codes[0]).getByTestId("duplicates").getByLabel(new RegExp(codes[1])));
  await click(opinion(desk, codes[0]).getByRole("button", { name: "Gộp các ý kiến đã chọn vào ý kiến này" }));
  await opinion(desk, codes[0]).filter({ hasText: "2 người cùng ý kiến" }).waitFor();
  const items = [0, 2, 3, 4, 5].map((i) => codes[i]);
  for (const code of items) {
    await click(opinion(desk, code).getByRole("button", { name: "Phân loại" }));
    await opinion(desk, code).getByRole("heading", { name: /Đã phân loại/ }).waitFor();
  }
  // All five go to the economy department at once.
  await desk.goto(`${gateway.url}/can-bo/y-kien?trang-thai=CLASSIFIED`);
  await opinion(desk, items[0]).waitFor();
  const bulk = desk.getByRole("region", { name: "Xử lý nhiều ý kiến cùng lúc" });
  for (const code of items) await click(desk.getByLabel(`Chọn ý kiến ${code}`));
  await bulk.getByLabel("Việc", { exact: true }).selectOption({ label: "Giao cho cơ quan, phòng ban" });
  await bulk.getByLabel("Cơ quan, phòng ban", { exact: true }).fill("Phòng Kinh tế");
  await click(bulk.getByRole("button", { name: "Áp dụng cho các ý kiến đã chọn" }));
  await desk.getByTestId("bulk-result").filter({ hasText: "xong 5 ý kiến" }).waitFor();

  // The department drafts each answer; the office approves them together.
  const department = await newPage(browser, laptop);
  await signInAs(department, gateway.url, `phongkt.${id}`, password, "/can-bo/y-kien?trang-thai=ASSIGNED");
  for (const code of items) {
    const c = opinion(department, code);
    await c.getByLabel("Nội dung trả lời").fill(`Phòng Kinh tế đã tiếp nhận và xử lý kiến nghị ${code}; kết quả báo cáo tại hội nghị.`);
    await click(c.getByRole("button", { name: "Gửi dự thảo trả lời" }));
    await c.getByRole("heading", { name: /Đang soạn trả lời/ }).waitFor();
  }
  await desk.goto(`${gateway.url}/can-bo/y-kien?trang-thai=ANSWER_DRAFTED`);
  await opinion(desk, items[0]).waitFor();
  for (const code of items) await click(desk.getByLabel(`Chọn ý kiến ${code}`));
  await bulk.getByLabel("Việc", { exact: true }).selectOption({ label: "Duyệt nội dung trả lời" });
  await click(bulk.getByRole("button", { name: "Áp dụng cho các ý kiến đã chọn" }));
  await desk.getByTestId("bulk-result").filter({ hasText: "xong 5 ý kiến" }).waitFor();
  const answered = (await call("GET", `/v1/tenants/${id}/opinions?pageSize=100`, undefined, office)).opinions;
  assert.deepEqual(answered.map((o) => o.state).sort(), ["ANSWER_APPROVED", "ANSWER_APPROVED", "ANSWER_APPROVED", "ANSWER_APPROVED", "ANSWER_APPROVED", "MERGED"]);
  await desk.goto(`${gateway.url}/can-bo/hoi-nghi`);

  // The office schedules the planned conference and, its date being past, records it as held.
  const planned = desk.getByTestId("planned-conference");
  await planned.first().waitFor();
  assert.equal(await planned.count(), 1, "seed 004 plans one conference");
  const date = seed.plan.conferences[0].windowStartDate;
  await planned.getByLabel("Tên hội nghị").fill("Hội nghị đối thoại với Nhân dân thôn An Sơn, An Lâu");
  await planned.getByLabel("Ngày tổ chức").fill(date);
  await planned.getByLabel("Chủ trì").fill("Khổng Quốc Toàn, Chủ tịch UBND xã");
  await planned.getByLabel("Thư ký").fill("Lê Thị Thư, công chức Văn phòng - Thống kê");
  // The round opened for this conference is already chosen.
  assert.notEqual(await planned.getByLabel("Ý kiến thu thập trước").inputValue(), "");
  await check(desk, "console-sessions-plan");
  await click(planned.getByRole("button", { name: "Lập lịch hội nghị" }));
  const card = desk.getByTestId("session");
  await card.filter({ hasText: "Đã lên lịch, chưa thông báo" }).waitFor();
  assert.equal(await desk.getByTestId("planned-conference").count(), 0, "the conference is scheduled once");
  const past = date < new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });
  if (past) {
    // Without a reason a past date is refused, in place.
    await click(card.getByRole("button", { name: "Ghi nhận hội nghị đã tổ chức" }));
    await card.getByRole("alert").filter({ hasText: "Ngày hội nghị đã qua" }).waitFor();
    await card.getByLabel("Lý do nhập sau khi đã tổ chức").fill("Hội nghị đã tổ chức đúng ngày, nhập lại từ biên bản giấy");
    await click(card.getByRole("button", { name: "Ghi nhận hội nghị đã tổ chức" }));
  } else {
    await click(card.getByRole("button", { name: "Thông báo hội nghị" }));
  }
  await card.filter({ hasText: "Đã thông báo" }).waitFor();
  await check(desk, "console-sessions");
  const [session] = (await call("GET", `/v1/tenants/${id}/sessions`, undefined, office)).sessions;
  const sessionId = session.name.split("/").pop();

  // The secretary opens it and runs the hall from a laptop.
  const hall = await newPage(browser, laptop);
  await signInAs(hall, gateway.url, `thuky.${id}`, password, "/can-bo/hoi-nghi");
  if (past) {
    await click(hall.getByTestId("session").getByRole("button", { name: "Khai mạc hội nghị" }));
  } else {
    // Within the lead time only the chair may open; the secretary is not offered it.
    assert.equal(await hall.getByRole("button", { name: "Khai mạc hội nghị" }).count(), 0);
    await call("POST", `/v1/${session.name}:open`, { overrideReason: "Thử nghiệm" }, token(id, "chair"));
    await hall.goto(`${gateway.url}/can-bo/hoi-nghi/${sessionId}`);
  }
  await hall.waitForURL(new RegExp(`/can-bo/hoi-nghi/${sessionId}$`));
  await hall.getByTestId("session-state").filter({ hasText: "Đang diễn ra" }).waitFor();
  await hall.getByTestId("step-timer").waitFor();

  // Attendance per group.
  await hall.getByLabel(/^Có mặt: /).first().fill("87");
  await click(hall.getByRole("button", { name: "Lưu số người có mặt" }));
  await hall.waitForFunction(() => document.querySelector('[data-testid="present"]')?.textContent === "87");

  // The agenda, step by step, to the citizens' statements.
  const advance = async (n) => {
    await click(hall.getByRole("button", { name: new RegExp(`^Sang bước ${n}:`) }));
    await hall.getByRole("button", { name: new RegExp(`^Sang bước ${n + 1}:`) }).waitFor();
  };
  for (let n = 2; n <= 4; ++n) await advance(n);

  // Three speakers register; the third is dragged to the front, then the second is moved up
  // twice with the buttons a keyboard reaches.
  const register = async (name, hamlet, topic) => {
    if (!(await hall.getByLabel("Họ tên").isVisible())) await click(hall.getByText("Đăng ký người phát biểu"));
    await hall.getByLabel("Họ tên").fill(name);
    await hall.getByLabel("Thôn, tổ dân phố").selectOption({ label: hamlet });
    await hall.getByLabel("Vấn đề").fill(topic);
    await click(hall.getByRole("button", { name: "Đăng ký", exact: true }));
    await hall.getByTestId("speaker").filter({ hasText: name }).waitFor();
  };
  await register("Nguyễn Văn Bình", "Thôn An Sơn", "Mương tiêu");
  await register("Trần Thị Cúc", "Thôn An Lâu", "Đường liên thôn");
  await register("Phạm Văn Dũng", "Thôn An Sơn", "Điện chiếu sáng");
  const speaker = (name) => hall.getByTestId("speaker").filter({ hasText: name });
  ++clicks;
  await speaker("Phạm Văn Dũng").dragTo(speaker("Nguyễn Văn Bình"));
  await hall.waitForFunction(() => document.querySelector('[data-testid="speaker"]')?.textContent?.startsWith("1. Phạm Văn Dũng"));
  const place = (n, text) => hall.waitForFunction(([n, text]) => document.querySelectorAll('[data-testid="speaker"]')[n]?.textContent?.startsWith(text), [n, text]);
  await click(speaker("Trần Thị Cúc").getByRole("button", { name: "Đưa Trần Thị Cúc lên trước" }));
  await place(1, "2. Trần Thị Cúc");
  await click(speaker("Trần Thị Cúc").getByRole("button", { name: "Đưa Trần Thị Cúc lên trước" }));
  await place(0, "1. Trần Thị Cúc");
  const stored = (await call("GET", `/v1/${session.name}/speakers`, undefined, office)).speakers;
  assert.deepEqual(stored.map((p) => p.fullName), ["Trần Thị Cúc", "Phạm Văn Dũng", "Nguyễn Văn Bình"], "the queue's order is the service's");
  await check(hall, "console-hall-queue");

  // The first in the queue is called, speaks, is answered and says whether satisfied.
  await click(speaker("Trần Thị Cúc").getByRole("button", { name: "Mời phát biểu" }));
  const speaking = hall.locator("li.speaker.on-floor");
  await speaking.getByTestId("speaker-timer").waitFor();
  await speaking.getByLabel("Tóm tắt ý kiến phát biểu").fill("Đường liên thôn An Lâu xuống cấp, đề nghị sửa trước Tết");
  await click(speaking.getByRole("button", { name: "Ghi ý kiến" }));
  await speaking.filter({ hasText: "Ý kiến: Đường liên thôn" }).waitFor();
  await speaking.getByLabel("Người trả lời").fill("Chủ tịch UBND xã");
  await speaking.getByLabel("Nội dung trả lời").fill("Xã đưa vào kế hoạch sửa chữa quý I năm 2027");
  await click(speaking.getByRole("button", { name: "Ghi câu trả lời" }));
  await speaking.filter({ hasText: "Trả lời (Chủ tịch UBND xã)" }).waitFor();
  await speaking.getByLabel("Ý kiến lại của người phát biểu").fill("Đề nghị làm sớm hơn");
  await speaking.getByLabel("Người phát biểu", { exact: true }).selectOption("NOT_SATISFIED");
  await click(speaking.getByRole("button", { name: "Ghi ý kiến lại" }));
  await speaking.filter({ hasText: "Chưa hài lòng" }).waitFor();
  await check(hall, "console-hall-speaking");

  // The opinion sent beforehand is answered in the room.
  const opinions = hall.getByRole("region", { name: /Ý kiến thu thập trước/ });
  await click(opinions.getByLabel(/bê tông hóa tuyến đường nội đồng/));
  await click(opinions.getByRole("button", { name: "Đánh dấu đã trả lời tại hội nghị" }));
  // Read again: the item itself now says so (the button's own words do not count).
  await opinions.locator("li").filter({ hasText: /bê tông hóa tuyến đường nội đồng/ }).filter({ hasText: "· đã trả lời tại hội nghị" }).waitFor();
  const after = await call("GET", `/v1/${session.name}`, undefined, office);
  assert.equal(after.opinionsAnswered.length, 1);

  for (let n = 5; n <= 6; ++n) await advance(n);
  await click(hall.getByRole("button", { name: /^Sang bước 7:/ }));
  await hall.getByText("Kết luận của chủ trì").waitFor();
  // The secretary does not conclude: the form is the chair's.
  assert.equal(await hall.getByRole("button", { name: "Kết luận hội nghị" }).count(), 0);

  // The chair concludes on a laptop of their own; an item without its agency is refused.
  const chair = chairPage;
  await chair.goto(`${gateway.url}/can-bo/hoi-nghi/${sessionId}`);
  // The statement made in the room starts the first item; the chair words it as concluded.
  await click(chair.getByRole("button", { name: "Lấy 1 ý kiến phát biểu làm nội dung" }));
  assert.equal(await chair.getByLabel("Vấn đề nhân dân nêu").inputValue(), "Đường liên thôn An Lâu xuống cấp, đề nghị sửa trước Tết");
  await chair.getByLabel("Vấn đề nhân dân nêu").fill("Sửa đường liên thôn An Lâu");
  await chair.getByLabel("Kết quả").selectOption("OUTCOME_UNRESOLVED");
  await chair.getByLabel("Việc phải làm").fill("Lập dự toán, sửa chữa mặt đường");
  await click(chair.getByRole("button", { name: "Kết luận hội nghị" }));
  await chair.getByRole("alert").filter({ hasText: "cơ quan thực hiện" }).waitFor();
  await chair.getByLabel("Cơ quan thực hiện").fill("Phòng Kinh tế");
  await click(chair.getByRole("button", { name: "Thêm nội dung" }));
  await chair.getByLabel("Vấn đề nhân dân nêu").nth(1).fill("Nạo vét mương tiêu thôn An Sơn");
  await chair.getByLabel("Kết quả").nth(1).selectOption("OUTCOME_RESOLVED_ON_SPOT");
  await check(chair, "console-hall-conclusion");
  await click(chair.getByRole("button", { name: "Kết luận hội nghị" }));
  await chair.getByTestId("session-state").filter({ hasText: "biên bản chờ phê duyệt" }).waitFor();
  assert.equal(await chair.getByTestId("conclusion").locator("li").count(), 2);
  // Intake hears of it: the opinion answered in the room is now ANSWERED (issue 19, item 10).
  let inRoom;
  for (let i = 0; i < 50 && inRoom?.state !== "ANSWERED"; ++i) {
    if (i) await new Promise((r) => setTimeout(r, 100));  // applied by intake from the event
    inRoom = await call("GET", `/v1/${after.opinionsAnswered[0]}`, undefined, office);
  }
  assert.equal(inRoom.state, "ANSWERED");

  // The secretary completes the minutes and approves them; the chair approves them too.
  await hall.reload();
  const text = hall.getByLabel("Nội dung biên bản");
  await text.waitFor();
  assert.match(await text.inputValue(), /Trần Thị Cúc/, "the draft minutes carry the record");
  await text.fill(`${await text.inputValue()}\nHội nghị kết thúc lúc 10 giờ 30 cùng ngày.`);
  // Saved when the page has read the minutes again (with their new etag) and drawn them
  // anew: the old form, with the old etag, is gone before approving.
  const drawn = await text.elementHandle();
  const reread = hall.waitForResponse((r) => r.request().method() === "GET" && r.url().endsWith("/minutes"));
  await click(hall.getByRole("button", { name: "Lưu biên bản" }));
  await reread;
  await drawn.waitForElementState("hidden");
  await click(hall.getByRole("button", { name: "Phê duyệt biên bản" }));
  await hall.getByTestId("approvals").filter({ hasText: /^Thư ký: / }).waitFor();
  await chair.reload();
  await click(chair.getByRole("button", { name: "Phê duyệt biên bản" }));
  await chair.getByRole("heading", { name: "Biên bản hội nghị (đã phê duyệt)" }).waitFor();
  assert.match(await chair.getByTestId("minutes").textContent(), /Hội nghị kết thúc lúc 10 giờ 30/);
  assert.match(await chair.textContent("main"), /Mã kiểm tra: sha256:[0-9a-f]{64}/);
  // Who approved, by name; and those left in the queue did not get the floor.
  assert.deepEqual(
    (await chair.getByTestId("approvals").locator("li").allTextContents()).map((t) => t.replace(/, \d.*$/, "")).sort(),
    ["Chủ trì: Khổng Quốc Toàn", "Thư ký: Lê Thị Thư"],
  );
  assert.match(await chair.getByTestId("speaker").filter({ hasText: "Nguyễn Văn Bình" }).textContent(), /chưa được phát biểu/);
  await check(chair, "console-hall-minutes");
  const minutes = await call("GET", `/v1/${session.name}/minutes`, undefined, office);
  assert.equal(minutes.state, "MINUTES_APPROVED");
  assert.deepEqual(minutes.approvals.map((a) => a.capacity).sort(), ["chair", "secretary"]);
  // The approved minutes as printed: the People's Committee's header, the secretary's edit,
  // the two signers and the hash below; on a phone too.
  await click(chair.getByTestId("minutes-print"));
  await chair.getByRole("heading", { level: 1, name: "BIÊN BẢN" }).waitFor();
  const printed = await chair.innerText("body");
  assert.match(printed, /ỦY BAN NHÂN DÂN/);
  assert.match(printed, /Hội nghị kết thúc lúc 10 giờ 30 cùng ngày\./);
  assert.match(printed, /THƯ KÝ[\s\S]*Lê Thị Thư/);
  assert.match(printed, /CHỦ TRÌ[\s\S]*Khổng Quốc Toàn/);
  assert.equal(printed.match(/THƯ KÝ\n/g)?.length, 1, "the signatures are printed once, below the edit");
  assert.ok(printed.includes(minutes.contentHash), "the hash is printed on the minutes");
  await chair.screenshot({ path: `${shots}/minutes-hall-print-laptop.png`, fullPage: true });
  await chair.setViewportSize({ width: 360, height: 800 });
  await chair.screenshot({ path: `${shots}/minutes-hall-print-360.png`, fullPage: true });
  await chair.setViewportSize(laptop);
  await chair.goBack();

  // The office issues the conclusion notice the conference left as a draft.
  await click(chair.getByRole("link", { name: /Thông báo kết luận hội nghị/ }));
  const notice = chair.getByTestId("notice").filter({ hasText: "Thông báo kết luận" });
  for (let i = 0; i < 50 && (await notice.count()) === 0; ++i) {
    await new Promise((r) => setTimeout(r, 100));  // drafted by the notices service from the event
    await chair.reload();
    await chair.getByRole("heading", { name: "Thông báo chờ ban hành" }).waitFor();
  }
  // Its own deadline in working days, and the law's 10 days to make the results public.
  assert.match(await notice.textContent(), /hạn ban hành \d{2}\/\d{2}\/\d{4}.*công khai kết quả trước \d{2}\/\d{2}\/\d{4}/);
  await check(chair, "console-notice-conclusion");
  await chair.setViewportSize({ width: 360, height: 800 });
  await check(chair, "console-notice-conclusion-360");
  await chair.setViewportSize(laptop);
  const signer = notice.getByLabel("Người ký (chức vụ, họ tên)");
  if (!(await signer.inputValue())) {
    await signer.fill("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nKhổng Quốc Toàn");
    await click(notice.getByRole("button", { name: "Lưu dự thảo" }));
    await notice.getByLabel("Người ký (chức vụ, họ tên)").filter({ hasText: "Khổng Quốc Toàn" }).waitFor();
  }
  await notice.getByLabel("Số, ký hiệu").fill("45/TB-UBND");
  await click(notice.getByRole("button", { name: "Ban hành" }));
  await notice.filter({ hasText: "Đã ban hành" }).waitFor();
  // The promise: Phòng Kinh tế reports on it within its 7 working days, then resolves it.
  await department.goto(`${gateway.url}/can-bo/ket-luan`);
  const promise = department.getByTestId("commitment").filter({ hasText: "Sửa đường liên thôn An Lâu" });
  for (let i = 0; i < 50 && (await promise.count()) === 0; ++i) {
    await new Promise((r) => setTimeout(r, 100));  // made by supervision from the conclusion
    await department.reload();
  }
  await promise.getByLabel("Báo cáo bằng văn bản của cơ quan").fill("Đã lập dự toán sửa 1,2 km mặt đường; khởi công tháng 1.");
  await click(promise.getByRole("button", { name: "Gửi báo cáo" }));
  await promise.getByRole("heading", { name: /Đã báo cáo kết quả/ }).waitFor();
  await promise.getByLabel("Chuyển sang").selectOption("COMMITMENT_RESOLVED");
  await promise.getByLabel("Kết quả hoặc lý do").fill("Đã sửa xong mặt đường, nghiệm thu.");
  await click(promise.getByRole("button", { name: "Cập nhật" }));
  await promise.getByRole("heading", { name: /Đã giải quyết/ }).waitFor();

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`seed 004's year, from the plan's approval to the promise resolved: ${clicks} clicks, ${seconds} s in the test`);

  const issued = (await call("GET", `/v1/tenants/${id}/notices?state=NOTICE_ISSUED`, undefined, office)).notices;
  const conclusion = issued.find((n) => n.kind === "NOTICE_CONCLUSION");
  assert.equal(conclusion?.documentNumber, "45/TB-UBND");
  assert.match(conclusion.body, /Sửa đường liên thôn An Lâu/);
  assert.match(conclusion.resultsDueDate, /^\d{4}-\d{2}-\d{2}$/);
  const closed = await call("GET", `/v1/${session.name}`, undefined, office);
  assert.equal(closed.state, "SESSION_CLOSED");
  for (const page of [desk, hall, chair, department]) {
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test("the hall screen stays usable on a phone, read only for an account that may not run it", async () => {
  // Checked on the same kind of commune with a session in progress, opened through the API.
  const id = `browser-hn2-${Date.now()}`;
  const { admin, office, plan } = await communeWithSeed004(id);
  const today = new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });
  const session = await call("POST", `/v1/tenants/${id}/sessions`, {
    plan: plan.name, conferenceId: "1", title: "Hội nghị thử", date: today, startTime: "07:30", venue: "Nhà văn hóa", chair: "Chủ tịch UBND xã",
  }, office);
  await call("POST", `/v1/${session.name}:announce`, {}, office);
  await call("POST", `/v1/${session.name}:open`, { overrideReason: "Thử" }, office);
  await call("POST", "/v1/accounts", { account: { username: `mttq.${id}`, displayName: "Đỗ Văn Mặt Trận", tenant: `tenants/${id}`, roles: ["front"] }, password }, admin);

  // The Front records in the hall but does not run it: no step buttons, no calling.
  const phone = await newPage(browser);
  // The desk lists the conference under way, one tap from its hall screen.
  await signInAs(phone, gateway.url, `mttq.${id}`, password, "/can-bo");
  await phone.getByRole("link", { name: "Hội nghị thử", exact: true }).click();
  await phone.waitForURL(new RegExp(`/can-bo/hoi-nghi/${session.name.split("/").pop()}$`));
  await phone.getByTestId("step-timer").waitFor();
  assert.equal(await phone.getByRole("button", { name: /^Sang bước/ }).count(), 0);
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(phone, "console-hall-phone");
  // Nor can it through the API behind the page, with its session's own CSRF token.
  const refused = await phone.evaluate(async (name) => {
    const { csrfToken } = await (await fetch("/auth/session")).json();
    const r = await fetch(`/v1/${name}:advance`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
      body: JSON.stringify({ step: 2 }),
    });
    return { status: r.status, body: await r.text() };
  }, session.name);
  assert.equal(refused.status, 403);
  assert.match(refused.body, /ROLE_FORBIDDEN/);
  // The conferences page on the phone: the one under way, with its hall and screen links.
  await phone.getByRole("link", { name: "Các hội nghị" }).click();
  await phone.getByTestId("session").filter({ hasText: "Đang diễn ra" }).waitFor();
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scrolling");
  await check(phone, "console-sessions-phone");
  await phone.context().close();
});
