// Writing a plan in the console: a new one from the standard template (the order of work the
// seeds share, with each task's date counted from the conference), and a draft's content
// edited in place (its title, topics, conferences and tasks). The service checks the plan
// as a whole; what it refuses is said with the field at fault.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { field } from "../../layout";
import { label, today } from "../../format";
import { stepForm } from "../../console/frame";
import { roleName } from "../../console/session";

type Plan = Of<"dialogue.v1.Plan">;
type Conference = NonNullable<Plan["conferences"]>[number];
type Task = NonNullable<Plan["tasks"]>[number];
type TaskKind = NonNullable<Task["kind"]>;
type Role = "front" | "department" | "government_office" | "party_office" | "hamlet_lead";

// The template's tasks: what, by whom, and when relative to the conference (days).
const templateTasks: [TaskKind, Role, string, string, number][] = [
  ["OPINION_COLLECTION", "front", "Ủy ban MTTQ xã", "Phát, thu phiếu lấy ý kiến; phân loại, tổng hợp ý kiến, kiến nghị của Nhân dân", -15],
  ["ANSWER_DRAFTING", "department", "Các phòng, ban chuyên môn", "Dự thảo văn bản trả lời các ý kiến, kiến nghị thuộc lĩnh vực phụ trách", -10],
  ["SYNTHESIS_REPORT", "government_office", "Văn phòng HĐND - UBND xã", "Tổng hợp báo cáo trả lời các ý kiến, kiến nghị của Nhân dân", -8],
  ["ANNOUNCEMENT", "government_office", "Văn phòng HĐND - UBND xã", "Thông báo thời gian, địa điểm, nội dung hội nghị trên loa truyền thanh, trang thông tin điện tử và Zalo của xã", -7],
  ["INVITATION", "party_office", "Văn phòng Đảng ủy", "Phát hành giấy mời các thành phần dự hội nghị", -5],
  ["VENUE", "hamlet_lead", "Trưởng các thôn", "Chuẩn bị hội trường, cơ sở vật chất phục vụ hội nghị", -1],
  ["UPWARD_REPORT", "government_office", "Văn phòng HĐND - UBND xã", "Báo cáo kết quả tổ chức hội nghị đối thoại về Ban Xây dựng Đảng", 15],
  ["SUPERVISION", "front", "Ủy ban MTTQ xã", "Đưa nội dung kết luận hội nghị vào chương trình giám sát", 30],
];

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// A plan as the standard template writes it for `commune` (its place name), issued by the
// People's Committee, with one conference held between `start` and `end`.
export function templatePlan(commune: string, place: string, year: number, start: string, end: string): Plan {
  return {
    issuingBody: "PEOPLES_COMMITTEE",
    issuingAuthority: `Ủy ban nhân dân ${commune.replace(/^(Xã|Phường)\s/, (m) => m.toLowerCase())}`,
    place,
    year,
    title: `Kế hoạch tổ chức Hội nghị đối thoại trực tiếp giữa người đứng đầu cấp ủy, chính quyền với Nhân dân ${commune} năm ${year}`,
    legalBases: ["Luật Tổ chức chính quyền địa phương năm 2025", "Luật Thực hiện dân chủ ở cơ sở năm 2022"],
    purposes: ["Lắng nghe, tiếp thu ý kiến, kiến nghị của Nhân dân; kịp thời giải quyết những vấn đề Nhân dân quan tâm, bức xúc."],
    requirements: ["Hội nghị được tổ chức dân chủ, công khai, đúng trình tự; thông báo trước ít nhất 7 ngày trên các phương tiện thông tin đại chúng."],
    topics: ["Tình hình kinh tế - xã hội, quốc phòng - an ninh của xã", "Những vấn đề Nhân dân quan tâm, kiến nghị"],
    form: "IN_PERSON",
    hosts: ["Bí thư Đảng ủy xã", "Chủ tịch UBND xã"],
    participantGroups: [{ description: "Cán bộ, đảng viên và Nhân dân các thôn" }],
    conferences: [
      {
        id: "1",
        title: "Hội nghị đối thoại",
        windowStartDate: start,
        windowEndDate: end,
        venue: "Hội trường UBND xã",
        opinionDeadlineDate: addDays(start, -15),
        announceByDate: addDays(start, -7),
      },
    ],
    tasks: templateTasks.map(([kind, role, unit, description, offset], i) => ({
      id: `t${i + 1}`,
      kind,
      responsibleRole: role,
      responsibleUnit: unit,
      description,
      relativeDue: { conferenceId: "1", offsetDays: offset },
    })),
    distribution: ["Thường trực Đảng ủy xã", "Ủy ban MTTQ xã", "Các thôn", "Lưu: VT"],
    signer: { capacity: "TM. ỦY BAN NHÂN DÂN", title: "CHỦ TỊCH" },
  };
}

// The form that creates a year's plan from the template.
export function newPlanForm(tenant: string, commune: string, nextYear: number, done: () => void): HTMLElement {
  const year = h("input", { id: "new-year", type: "number", min: "2020", max: "2100", value: String(nextYear), inputmode: "numeric" });
  const place = h("input", { id: "new-place", autocomplete: "off", value: commune.replace(/^(Xã|Phường)\s/, "") });
  const start = h("input", { id: "new-start", type: "date" });
  const end = h("input", { id: "new-end", type: "date" });
  return h(
    "details",
    { class: "register" },
    h("summary", {}, "Lập kế hoạch mới theo mẫu"),
    h("p", { class: "hint" }, "Mẫu có một hội nghị và các nhiệm vụ chuẩn bị theo trình tự chung (lấy ý kiến, trả lời, tổng hợp, thông báo, giấy mời, hội trường, báo cáo, giám sát), hạn tính từ ngày hội nghị; sửa lại sau khi lập."),
    stepForm(
      [field("Năm", year), field("Địa danh ghi ở dòng ngày tháng", place), field("Hội nghị sớm nhất vào ngày", start), field("Muộn nhất vào ngày", end)],
      "Lập kế hoạch",
      () =>
        get(
          api.POST("/v1/tenants/{tenant}/plans", {
            params: { path: { tenant } },
            body: templatePlan(commune, place.value.trim(), Number(year.value), start.value, end.value || start.value),
          }),
        ),
      () => done(),
    ),
  );
}

const taskKinds: Record<string, string> = {
  OPINION_COLLECTION: "Lấy ý kiến",
  ANSWER_DRAFTING: "Dự thảo trả lời",
  SYNTHESIS_REPORT: "Báo cáo tổng hợp",
  ANNOUNCEMENT: "Thông báo",
  INVITATION: "Giấy mời",
  VENUE: "Hội trường",
  UPWARD_REPORT: "Báo cáo cấp trên",
  SUPERVISION: "Giám sát",
  OTHER: "Việc khác",
};
const roles: Role[] = ["front", "government_office", "party_office", "department", "hamlet_lead"];

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

// One conference's row of fields; `value()` is the conference as edited (what the row does
// not show is kept), or null when it is to be dropped.
function conferenceRow(key: string, c: Conference) {
  const title = h("input", { id: `c-title-${key}`, value: c.title ?? "" });
  const start = h("input", { id: `c-start-${key}`, type: "date", value: c.windowStartDate ?? "" });
  const end = h("input", { id: `c-end-${key}`, type: "date", value: c.windowEndDate ?? "" });
  const venue = h("input", { id: `c-venue-${key}`, value: c.venue ?? "" });
  const drop = h("input", { id: `c-drop-${key}`, type: "checkbox" });
  const box = h(
    "fieldset",
    { class: "conclusion-item" },
    h("legend", {}, `Hội nghị ${c.id ?? ""}`),
    field("Tên hội nghị", title),
    field("Sớm nhất", start),
    field("Muộn nhất", end),
    field("Địa điểm", venue),
    h("div", { class: "choice" }, drop, h("label", { for: drop.id }, "Bỏ hội nghị này")),
  );
  const value = (): Conference | null =>
    drop.checked ? null : { ...c, title: title.value.trim(), windowStartDate: start.value, windowEndDate: end.value || start.value, venue: venue.value.trim() };
  return { box, value };
}

// One task's row; a task dated from a conference keeps that rule (its offset is edited).
function taskRow(key: string, t: Task) {
  const description = h("input", { id: `t-desc-${key}`, value: t.description ?? "" });
  const unit = h("input", { id: `t-unit-${key}`, value: t.responsibleUnit ?? "" });
  const role = h(
    "select",
    { id: `t-role-${key}` },
    roles.map((r) => h("option", { value: r, selected: r === t.responsibleRole }, roleName(r))),
  );
  const relative = !!t.relativeDue;
  const due = relative
    ? h("input", { id: `t-offset-${key}`, type: "number", value: String(t.relativeDue?.offsetDays ?? 0), inputmode: "numeric" })
    : h("input", { id: `t-due-${key}`, type: "date", value: t.dueDate ?? "" });
  const drop = h("input", { id: `t-drop-${key}`, type: "checkbox" });
  const box = h(
    "fieldset",
    { class: "conclusion-item" },
    h("legend", {}, `${label(taskKinds, t.kind)} (${t.id ?? ""})`),
    field("Việc phải làm", description),
    field("Đơn vị thực hiện", unit),
    field("Vai trò trên hệ thống", role),
    field(relative ? `Hạn: số ngày so với hội nghị ${t.relativeDue?.conferenceId ?? ""} (âm là trước)` : "Hạn hoàn thành", due),
    h("div", { class: "choice" }, drop, h("label", { for: drop.id }, "Bỏ nhiệm vụ này")),
  );
  const value = (): Task | null => {
    if (drop.checked) return null;
    const { resolvedDueDate: _resolved, done: _done, doneNote: _note, ...kept } = t;
    const base = { ...kept, description: description.value.trim(), responsibleUnit: unit.value.trim(), responsibleRole: role.value };
    return relative
      ? { ...base, relativeDue: { conferenceId: t.relativeDue?.conferenceId, offsetDays: Number(due.value) } }
      : { ...base, dueDate: due.value };
  };
  return { box, value };
}

// A draft plan's content, edited and saved with the etag read.
export function editPlanForm(p: Plan, done: () => void): HTMLElement {
  const key = (p.name ?? "").split("/").pop() ?? "";
  const title = h("textarea", { id: `title-${key}`, rows: "2" }, p.title ?? "");
  const topics = h("textarea", { id: `topics-${key}`, rows: "4" }, (p.topics ?? []).join("\n"));
  const conferences = (p.conferences ?? []).map((c) => conferenceRow(`${key}-${c.id}`, c));
  const tasks = (p.tasks ?? []).map((t) => taskRow(`${key}-${t.id}`, t));
  const conferenceList = h("div", { class: "conclusion-items" }, conferences.map((r) => r.box));
  const taskList = h("div", { class: "conclusion-items" }, tasks.map((r) => r.box));
  const addConference = h("button", { type: "button", class: "secondary" }, "Thêm hội nghị");
  addConference.addEventListener("click", () => {
    const ids = [...(p.conferences ?? []).map((c) => Number(c.id) || 0), conferences.length];
    const row = conferenceRow(`${key}-new${conferences.length}`, { id: String(Math.max(...ids) + 1), windowStartDate: today() });
    conferences.push(row);
    conferenceList.append(row.box);
    row.box.querySelector("input")?.focus();
  });
  const addTask = h("button", { type: "button", class: "secondary" }, "Thêm nhiệm vụ");
  addTask.addEventListener("click", () => {
    const row = taskRow(`${key}-new${tasks.length}`, { id: `t${Date.now().toString(36)}`, kind: "OTHER", responsibleRole: "government_office", dueDate: today() });
    tasks.push(row);
    taskList.append(row.box);
    row.box.querySelector("input")?.focus();
  });
  return h(
    "details",
    { class: "register" },
    h("summary", {}, "Sửa nội dung kế hoạch"),
    stepForm(
      [
        field("Tên kế hoạch", title),
        field("Nội dung đối thoại (mỗi dòng một nội dung)", topics),
        h("h3", { class: "whole" }, "Các hội nghị"),
        conferenceList,
        h("div", { class: "whole" }, addConference),
        h("h3", { class: "whole" }, "Nhiệm vụ chuẩn bị"),
        taskList,
        h("div", { class: "whole" }, addTask),
      ],
      "Lưu kế hoạch",
      () =>
        get(
          api.PATCH("/v1/tenants/{tenant}/plans/{plan}", {
            params: { path: { tenant: (p.name ?? "").split("/")[1], plan: key }, query: { updateMask: "title,topics,conferences,tasks" } },
            body: {
              title: title.value.trim(),
              topics: lines(topics.value),
              conferences: conferences.map((r) => r.value()).filter((c): c is Conference => c !== null),
              tasks: tasks.map((r) => r.value()).filter((t): t is Task => t !== null),
              etag: p.etag,
            },
          }),
        ),
      () => done(),
    ),
  );
}
