// The conference in the hall, on the secretary's laptop: the agenda with the current step's
// timer and the step after it, attendance per group, the speaker queue (drag or move to
// reorder, call, record the statement, who answered, the follow-up), the opinions collected
// beforehand that the room answered, the chair's conclusion, and the minutes with their
// approvals. Every step is the service's; the page reads the session again after each one.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { alert, communePath, field } from "../../layout";
import { clock, label, opinionStates, vnDate, vnDateTime } from "../../format";
import { hamletName, lastId, loadCommune, type CommuneInfo } from "../../commune";
import { consolePage, consolePath, mayAct, signedInStaff, stepForm } from "../../console/frame";
import { consoleSessionStates, runners, sessionPath } from "./sessions";

type Session = Of<"dialogue.v1.Session">;
type Speaker = Of<"dialogue.v1.Speaker">;
type Attendance = Of<"dialogue.v1.Attendance">;
type Minutes = Of<"dialogue.v1.Minutes">;
type Report = Of<"dialogue.v1.SynthesisReport">;
type Ctx = {
  s: Session;
  commune: CommuneInfo;
  roles: string[];
  path: { tenant: string; session: string };
  // Reads the page again and puts the focus on the heading of `section`.
  refresh: (section: string) => Promise<void>;
};

// Who records what happens in the room (the service's kRecord), and who concludes.
const recorders = ["chair", "secretary", "government_office", "front"];
const outcomes: Record<string, string> = {
  OUTCOME_ACCEPTED: "Tiếp thu",
  OUTCOME_RESOLVED_ON_SPOT: "Giải quyết tại hội nghị",
  OUTCOME_UNRESOLVED: "Chưa giải quyết, giao xử lý",
};
const satisfactions: Record<string, string> = { SATISFIED: "Hài lòng", NOT_SATISFIED: "Chưa hài lòng" };
const speakerStates: Record<string, string> = {
  SPEAKER_WAITING: "Đang chờ",
  SPEAKER_SPEAKING: "Đang phát biểu",
  SPEAKER_DONE: "Đã phát biểu",
};

let ticking: number | undefined;
// Kept across the page's re-reads: the secretary says it once for a run of moves.
let moveReason = "Theo điều hành của chủ trì";

function section(id: string, title: string, ...content: (HTMLElement | HTMLElement[] | null)[]): HTMLElement {
  return h("section", { class: "hall-part", "aria-labelledby": id }, h("h2", { id, tabindex: "-1" }, title), ...content);
}

function elapsedSince(timestamp: string | undefined): number {
  return timestamp ? (Date.now() - new Date(timestamp).getTime()) / 1000 : 0;
}

// "03:10 / 05:00", marked once over its limit.
function timer(start: string | undefined, limitMinutes: number, testid: string): HTMLElement {
  const out = h("p", { class: "hall-timer", "data-testid": testid, role: "timer", "aria-live": "off" });
  const tick = () => {
    const elapsed = elapsedSince(start);
    out.textContent = limitMinutes ? `${clock(elapsed)} / ${clock(limitMinutes * 60)}` : clock(elapsed);
    out.classList.toggle("over", limitMinutes > 0 && elapsed > limitMinutes * 60);
  };
  tick();
  (out as HTMLElement & { tick?: () => void }).tick = tick;
  return out;
}

function agenda(ctx: Ctx): HTMLElement {
  const { s } = ctx;
  const steps = s.agenda ?? [];
  const current = s.currentStep ?? 0;
  const live = s.state === "SESSION_IN_PROGRESS";
  const now = steps.find((a) => a.number === current);
  const next = steps.find((a) => a.number === current + 1);
  return section(
    "hall-agenda",
    "Chương trình",
    h(
      "ol",
      { class: "steps" },
      steps.map((a) =>
        h(
          "li",
          { class: (a.number ?? 0) < current || !live ? "done" : "", "aria-current": a.number === current && live ? "step" : undefined },
          a.title ?? "",
          a.limitMinutes ? ` (${a.limitMinutes} phút)` : "",
        ),
      ),
    ),
    live && now ? timer(now.startTime, now.limitMinutes ?? 0, "step-timer") : null,
    live && next && mayAct(ctx.roles, ...runners)
      ? stepForm([], `Sang bước ${next.number}: ${next.title ?? ""}`, () =>
          get(api.POST("/v1/tenants/{tenant}/sessions/{session}:advance", { params: { path: ctx.path }, body: { step: next.number } })),
        () => ctx.refresh("hall-agenda"),
        )
      : null,
  );
}

function attendance(ctx: Ctx, a: Attendance): HTMLElement {
  const groups = a.groups ?? [];
  const may = mayAct(ctx.roles, ...recorders) && ["SESSION_ANNOUNCED", "SESSION_IN_PROGRESS"].includes(ctx.s.state ?? "");
  const inputs = groups.map((g, i) =>
    h("input", { id: `present-${i}`, type: "number", min: "0", inputmode: "numeric", value: String(g.present ?? 0), "aria-label": `Có mặt: ${g.name ?? ""}` }),
  );
  const table = h(
    "table",
    { "data-testid": "attendance" },
    h("thead", {}, h("tr", {}, ["Thành phần", "Dự kiến", "Có mặt"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      groups.map((g, i) =>
        h("tr", {}, h("td", {}, g.name ?? ""), h("td", {}, g.expected ?? 0), h("td", {}, may ? inputs[i] : String(g.present ?? 0))),
      ),
      h("tr", { class: "total" }, h("th", { scope: "row" }, "Tổng"), h("td", {}, a.expected ?? 0), h("td", { "data-testid": "present" }, a.present ?? 0)),
    ),
  );
  return section(
    "hall-attendance",
    "Điểm danh",
    groups.length ? table : h("p", { class: "muted" }, "Hội nghị chưa có thành phần dự kiến."),
    may && groups.length
      ? stepForm(
          [],
          "Lưu số người có mặt",
          () =>
            get(
              api.POST("/v1/tenants/{tenant}/sessions/{session}/attendance:record", {
                params: { path: ctx.path },
                body: { counts: groups.map((g, i) => ({ group: g.name, present: Number(inputs[i].value || 0) })) },
              }),
            ),
          () => ctx.refresh("hall-attendance"),
        )
      : null,
  );
}

function speakerPath(ctx: Ctx, p: Speaker) {
  return { params: { path: { ...ctx.path, speaker: lastId(p.name) } } };
}

// The queue's order changes for a reason the record keeps; the field above the queue says it.
function move(ctx: Ctx, p: Speaker, position: number): Promise<unknown> {
  return get(
    api.POST("/v1/tenants/{tenant}/sessions/{session}/speakers/{speaker}:move", { ...speakerPath(ctx, p), body: { position, reason: moveReason.trim() } }),
  );
}

function speakerItem(ctx: Ctx, p: Speaker, last: number): HTMLElement {
  const id = lastId(p.name);
  const live = ctx.s.state === "SESSION_IN_PROGRESS";
  const run = live && mayAct(ctx.roles, ...runners);
  const record = live && mayAct(ctx.roles, ...recorders);
  const message = h("div", { "aria-live": "polite" });
  // Those still waiting when the conference ended did not get the floor.
  const ended = ["SESSION_CONCLUDED", "SESSION_CLOSED"].includes(ctx.s.state ?? "");
  const stateText = ended && p.state === "SPEAKER_WAITING" ? "chưa được phát biểu" : label(speakerStates, p.state);
  const item = h(
    "li",
    { class: `speaker ${p.state === "SPEAKER_SPEAKING" ? "on-floor" : ""}`, "data-testid": "speaker", "data-speaker": id },
    h("span", { class: "what" }, p.position ? `${p.position}. ` : "", p.fullName ?? "", p.written ? " (câu hỏi viết)" : ""),
    h("span", { class: "detail" }, [p.hamlet, p.topic, p.receiptCode && `mã ${p.receiptCode}`, stateText].filter(Boolean).join(" · ")),
    p.statement ? h("p", { class: "text" }, "Ý kiến: ", p.statement) : null,
    ...(p.answers ?? []).map((a) => h("p", { class: "text" }, `Trả lời (${a.answeredBy ?? ""}): `, a.summary ?? "")),
    p.followUp || p.satisfaction
      ? h("p", { class: "text" }, "Ý kiến lại: ", p.followUp ?? "", p.satisfaction ? ` (${label(satisfactions, p.satisfaction)})` : "")
      : null,
    message,
  );
  const act = (button: HTMLButtonElement, send: () => Promise<unknown>) => {
    button.addEventListener("click", async () => {
      button.setAttribute("disabled", "");
      message.replaceChildren();
      try {
        await send();
        await ctx.refresh("hall-speakers");
      } catch (error) {
        message.replaceChildren(alert(error));
        button.removeAttribute("disabled");
      }
    });
    return button;
  };
  if (p.state === "SPEAKER_WAITING" && run) {
    const who = p.fullName ?? "";
    const tools = h(
      "div",
      { class: "tools" },
      act(h("button", { type: "button", class: "small" }, `Mời phát biểu`), () =>
        get(api.POST("/v1/tenants/{tenant}/sessions/{session}/speakers/{speaker}:call", { ...speakerPath(ctx, p), body: {} })),
      ),
      (p.position ?? 1) > 1 ? act(h("button", { type: "button", class: "secondary small", "aria-label": `Đưa ${who} lên trước` }, "↑ Lên"), () => move(ctx, p, (p.position ?? 1) - 1)) : null,
      (p.position ?? 1) < last ? act(h("button", { type: "button", class: "secondary small", "aria-label": `Đưa ${who} xuống sau` }, "↓ Xuống"), () => move(ctx, p, (p.position ?? 1) + 1)) : null,
    );
    item.querySelector(".detail")!.after(tools);
    // Drag onto another waiting speaker to take their place in the queue.
    item.setAttribute("draggable", "true");
    item.addEventListener("dragstart", (e) => e.dataTransfer?.setData("text/plain", id));
  }
  if (run || record) {
    item.addEventListener("dragover", (e) => {
      if (p.state === "SPEAKER_WAITING") e.preventDefault();
    });
    item.addEventListener("drop", async (e) => {
      e.preventDefault();
      const dragged = e.dataTransfer?.getData("text/plain");
      if (!dragged || dragged === id) return;
      try {
        await move(ctx, { name: `${ctx.s.name}/speakers/${dragged}` }, p.position ?? 1);
        await ctx.refresh("hall-speakers");
      } catch (error) {
        message.replaceChildren(alert(error));
      }
    });
  }
  if (p.state === "SPEAKER_SPEAKING" && record) {
    item.append(timer(p.callTime, ctx.s.speakerLimitMinutes ?? 0, "speaker-timer"));
    const statement = h("textarea", { id: `statement-${id}`, rows: "3" }, p.statement ?? "");
    item.append(
      stepForm([field("Tóm tắt ý kiến phát biểu", statement)], "Ghi ý kiến", () =>
        get(api.POST("/v1/tenants/{tenant}/sessions/{session}/speakers/{speaker}:statement", { ...speakerPath(ctx, p), body: { summary: statement.value.trim() } })),
      () => ctx.refresh("hall-speakers"),
      ),
    );
  }
  if ((p.state === "SPEAKER_SPEAKING" || p.state === "SPEAKER_DONE") && record) {
    const by = h("input", { id: `answered-by-${id}`, placeholder: "Chủ tịch UBND xã" });
    const summary = h("textarea", { id: `answer-${id}`, rows: "3" });
    item.append(
      stepForm([field("Người trả lời", by), field("Nội dung trả lời", summary)], "Ghi câu trả lời", () =>
        get(
          api.POST("/v1/tenants/{tenant}/sessions/{session}/speakers/{speaker}:answer", {
            ...speakerPath(ctx, p),
            body: { answer: { answeredBy: by.value.trim(), summary: summary.value.trim() } },
          }),
        ),
      () => ctx.refresh("hall-speakers"),
      ),
    );
  }
  if ((p.answers ?? []).length && !p.satisfaction && record) {
    const text = h("textarea", { id: `follow-up-${id}`, rows: "2" });
    const satisfied = h(
      "select",
      { id: `satisfaction-${id}` },
      h("option", { value: "" }, "— Chưa nói —"),
      Object.entries(satisfactions).map(([v, t]) => h("option", { value: v }, t)),
    );
    item.append(
      stepForm([field("Ý kiến lại của người phát biểu", text), field("Người phát biểu", satisfied)], "Ghi ý kiến lại", () =>
        get(
          api.POST("/v1/tenants/{tenant}/sessions/{session}/speakers/{speaker}:followUp", {
            ...speakerPath(ctx, p),
            body: { summary: text.value.trim(), satisfaction: (satisfied.value || undefined) as "SATISFIED" | undefined },
          }),
        ),
      () => ctx.refresh("hall-speakers"),
      ),
    );
  }
  return item;
}

function speakers(ctx: Ctx, list: Speaker[]): HTMLElement {
  const live = ctx.s.state === "SESSION_IN_PROGRESS";
  const waiting = list.filter((p) => p.state === "SPEAKER_WAITING").length;
  // The one speaking, then the queue in its order, then those who have spoken.
  const ordered = ["SPEAKER_SPEAKING", "SPEAKER_WAITING", "SPEAKER_DONE"].flatMap((state) => list.filter((p) => p.state === state));
  const name = h("input", { id: "speaker-name", autocomplete: "off", required: true });
  const hamlet = h(
    "select",
    { id: "speaker-hamlet" },
    h("option", { value: "" }, "— Thôn, tổ dân phố —"),
    ctx.commune.hamlets.map((x) => h("option", { value: x.name }, x.name)),
  );
  const topic = h("input", { id: "speaker-topic", autocomplete: "off" });
  const code = h("input", { id: "speaker-code", autocomplete: "off", class: "code" });
  const written = h("input", { id: "speaker-written", type: "checkbox" });
  const reorder = live && waiting > 1 && mayAct(ctx.roles, ...runners);
  const reason = h("input", { id: "move-reason", value: moveReason, autocomplete: "off" });
  reason.addEventListener("input", () => (moveReason = reason.value));
  return section(
    "hall-speakers",
    `Người phát biểu (${list.length}, còn chờ ${waiting})`,
    reorder
      ? field(
          "Lý do đổi thứ tự (kéo thả hoặc bấm Lên, Xuống)",
          reason,
        )
      : null,
    ordered.length
      ? h("ul", { class: "due-list speakers", "data-testid": "speakers" }, ordered.map((p) => speakerItem(ctx, p, waiting)))
      : h("p", { class: "muted" }, "Chưa có ai đăng ký phát biểu."),
    live && mayAct(ctx.roles, ...recorders)
      ? h(
          "details",
          { class: "register" },
          h("summary", {}, "Đăng ký người phát biểu"),
          stepForm(
            [
              field("Họ tên", name),
              field("Thôn, tổ dân phố", hamlet),
              field("Vấn đề", topic),
              field("Mã tiếp nhận ý kiến đã gửi (nếu có)", code),
              h("div", { class: "choice" }, written, h("label", { for: written.id }, "Câu hỏi viết nộp tại hội trường")),
            ],
            "Đăng ký",
            () =>
              get(
                api.POST("/v1/tenants/{tenant}/sessions/{session}/speakers", {
                  params: { path: ctx.path },
                  body: { fullName: name.value.trim(), hamlet: hamlet.value, topic: topic.value.trim(), receiptCode: code.value.trim() || undefined, written: written.checked },
                }),
              ),
            () => ctx.refresh("hall-speakers"),
          ),
        )
      : null,
  );
}

function preCollected(ctx: Ctx, report: Report | null, answered: string[]): HTMLElement | null {
  const items = report?.itemsList ?? [];
  if (!ctx.s.round || !items.length) return null;
  const may = ctx.s.state === "SESSION_IN_PROGRESS" && mayAct(ctx.roles, ...recorders);
  const done = new Set([...answered, ...(ctx.s.opinionsAnswered ?? [])]);
  const boxes = items.map((item, i) => h("input", { id: `opinion-${i}`, type: "checkbox", value: item.opinion ?? "", disabled: done.has(item.opinion ?? "") || !may, checked: done.has(item.opinion ?? "") }));
  return section(
    "hall-opinions",
    `Ý kiến thu thập trước (${items.length})`,
    h(
      "ul",
      { class: "due-list" },
      items.map((item, i) =>
        h(
          "li",
          {},
          h("div", { class: "choice" }, boxes[i], h("label", { for: boxes[i].id }, item.text ?? "")),
          h("span", { class: "detail" }, [item.topicName, item.hamletName || hamletName(ctx.commune, item.hamlet), item.department, label(opinionStates, item.state), done.has(item.opinion ?? "") && "đã trả lời tại hội nghị"].filter(Boolean).join(" · ")),
          item.answer ? h("p", { class: "text" }, "Trả lời: ", item.answer) : null,
        ),
      ),
    ),
    may
      ? stepForm([], "Đánh dấu đã trả lời tại hội nghị", () =>
          get(
            api.POST("/v1/tenants/{tenant}/sessions/{session}:markOpinionsAnswered", {
              params: { path: ctx.path },
              body: { opinions: boxes.filter((b) => b.checked && !b.disabled).map((b) => b.value) },
            }),
          ),
        () => ctx.refresh("hall-opinions"),
        )
      : null,
  );
}

// One conclusion item's fields; `n` numbers the ids.
function conclusionRow(n: number, dueDefault: string, raised = "") {
  const summary = h("textarea", { id: `item-summary-${n}`, rows: "2" }, raised);
  const outcome = h(
    "select",
    { id: `item-outcome-${n}` },
    h("option", { value: "" }, "— Kết quả —"),
    Object.entries(outcomes).map(([v, t]) => h("option", { value: v }, t)),
  );
  const agency = h("input", { id: `item-agency-${n}`, placeholder: "Phòng Kinh tế" });
  const action = h("input", { id: `item-action-${n}` });
  const due = h("input", { id: `item-due-${n}`, type: "date", value: dueDefault });
  const beyond = h("input", { id: `item-beyond-${n}`, type: "checkbox" });
  const box = h(
    "fieldset",
    { class: "conclusion-item" },
    h("legend", {}, `Nội dung ${n}`),
    field("Vấn đề nhân dân nêu", summary),
    field("Kết quả", outcome),
    field("Cơ quan thực hiện", agency),
    field("Việc phải làm", action),
    field("Hạn hoàn thành", due),
    h("div", { class: "choice" }, beyond, h("label", { for: beyond.id }, "Vượt thẩm quyền của xã (đề nghị cấp trên)")),
  );
  const value = () => ({
    summary: summary.value.trim(),
    outcome: (outcome.value || undefined) as "OUTCOME_ACCEPTED" | undefined,
    agency: agency.value.trim(),
    action: action.value.trim(),
    dueDate: outcome.value === "OUTCOME_UNRESOLVED" ? due.value : undefined,
    beyondCommune: beyond.checked,
  });
  return { box, value };
}

// `spoken`: the speakers, whose statements can start the items.
function conclusion(ctx: Ctx, spoken: Speaker[]): HTMLElement | null {
  const { s } = ctx;
  const concluded = (s.conclusion ?? []).length > 0;
  if (concluded) {
    return section(
      "hall-conclusion",
      "Kết luận của chủ trì",
      h(
        "ol",
        { "data-testid": "conclusion" },
        (s.conclusion ?? []).map((c) =>
          h(
            "li",
            {},
            c.summary ?? "",
            h("span", { class: "detail" }, " — ", [label(outcomes, c.outcome), c.agency, c.action, c.dueDate && `hạn ${vnDate(c.dueDate)}`].filter(Boolean).join(" · ")),
          ),
        ),
      ),
    );
  }
  if (s.state !== "SESSION_IN_PROGRESS") return null;
  const last = (s.agenda ?? []).length;
  const chair = mayAct(ctx.roles, "chair");
  if ((s.currentStep ?? 0) < last) {
    return chair ? section("hall-conclusion", "Kết luận của chủ trì", h("p", { class: "muted" }, `Chủ trì kết luận ở bước cuối (bước ${last}).`)) : null;
  }
  if (!chair) {
    return section("hall-conclusion", "Kết luận của chủ trì", h("p", { class: "muted" }, "Chủ trì ghi kết luận trên tài khoản của mình; tải lại trang để thấy kết luận và biên bản."));
  }
  const due = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  const rows = [conclusionRow(1, due)];
  const list = h("div", { class: "conclusion-items" }, rows[0].box);
  const add = (raised = "") => {
    const row = conclusionRow(rows.length + 1, due, raised);
    rows.push(row);
    list.append(row.box);
    return row;
  };
  const more = h("button", { type: "button", class: "secondary" }, "Thêm nội dung");
  more.addEventListener("click", () => add().box.querySelector("textarea")?.focus());
  // Each statement recorded in the room as an item to conclude on (the first empty row first).
  const statements = spoken.map((p) => p.statement ?? "").filter(Boolean);
  const fromRoom = h("button", { type: "button", class: "secondary" }, `Lấy ${statements.length} ý kiến phát biểu làm nội dung`);
  fromRoom.addEventListener("click", () => {
    for (const text of statements) {
      const empty = rows.find((r) => !r.value().summary);
      if (empty) empty.box.querySelector("textarea")!.value = text;
      else add(text);
    }
    fromRoom.remove();
  });
  const complex = h("input", { id: "conclusion-complex", type: "checkbox", checked: !!s.complex });
  return section(
    "hall-conclusion",
    "Kết luận của chủ trì",
    stepForm(
      [list, h("div", { class: "choice whole" }, complex, h("label", { for: complex.id }, "Vụ việc phức tạp (thông báo kết luận được thêm thời hạn)"))],
      "Kết luận hội nghị",
      () =>
        get(
          api.POST("/v1/tenants/{tenant}/sessions/{session}:conclude", {
            params: { path: ctx.path },
            body: { etag: s.etag, items: rows.map((r) => r.value()).filter((v) => v.summary || v.outcome), complex: complex.checked },
          }),
        ),
      () => ctx.refresh("hall-minutes"),
      statements.length ? [more, fromRoom] : [more],
    ),
  );
}

// `people`: the commune's accounts by username, to name who approved.
function minutesPart(ctx: Ctx, m: Minutes | null, people: Map<string, string>): HTMLElement | null {
  if (!m) return null;
  const draft = m.state === "MINUTES_DRAFT";
  const approvals = m.approvals ?? [];
  const capacities: Record<string, string> = { chair: "Chủ trì", secretary: "Thư ký" };
  const text = h("textarea", { id: "minutes-text", rows: "16", class: "document" }, m.text ?? "");
  const minutesPath = { params: { path: ctx.path } };
  return section(
    "hall-minutes",
    draft ? "Biên bản hội nghị (dự thảo)" : "Biên bản hội nghị (đã phê duyệt)",
    draft && mayAct(ctx.roles, "secretary")
      ? stepForm([field("Nội dung biên bản", text)], "Lưu biên bản", () =>
          get(api.PATCH("/v1/tenants/{tenant}/sessions/{session}/minutes", { ...minutesPath, body: { text: text.value, etag: m.etag } })),
        () => ctx.refresh("hall-minutes"),
        )
      : h("div", { class: "document", "data-testid": "minutes" }, m.text ?? ""),
    h(
      "ul",
      { "data-testid": "approvals" },
      approvals.length
        ? approvals.map((a) => h("li", {}, `${label(capacities, a.capacity)}: ${people.get(a.subject ?? "") ?? a.subject ?? ""}, ${vnDateTime(a.time)}`))
        : h("li", { class: "muted" }, "Chưa có ai phê duyệt; biên bản cần chủ trì và thư ký phê duyệt."),
    ),
    m.contentHash ? h("p", { class: "detail code" }, `Mã kiểm tra: ${m.contentHash}`) : null,
    draft
      ? null
      : h(
          "p",
          {},
          h("a", { href: `/v1/${m.name}:render?format=html`, "data-testid": "minutes-print" }, "Bản in khổ A4"),
          " · ",
          h("a", { href: `/v1/${m.name}:render?format=docx` }, "Tệp đã phê duyệt (.docx)"),
        ),
    draft && mayAct(ctx.roles, "chair", "secretary")
      ? stepForm([], "Phê duyệt biên bản", () =>
          get(api.POST("/v1/tenants/{tenant}/sessions/{session}/minutes:approve", { ...minutesPath, body: { etag: m.etag } })),
        () => ctx.refresh("hall-minutes"),
        )
      : null,
    h("p", {}, h("a", { href: consolePath("thong-bao") }, "Thông báo kết luận hội nghị (dự thảo để ban hành)")),
  );
}

export async function hall(id: string, focus = ""): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const path = { tenant, session: id };
  const s = await get(api.GET("/v1/tenants/{tenant}/sessions/{session}", { params: { path } }));
  const held = ["SESSION_CONCLUDED", "SESSION_CLOSED"].includes(s.state ?? "");
  const [commune, attended, listed, minutes, pre, accounts] = await Promise.all([
    loadCommune(tenant),
    get(api.GET("/v1/tenants/{tenant}/sessions/{session}/attendance", { params: { path } })),
    get(api.GET("/v1/tenants/{tenant}/sessions/{session}/speakers", { params: { path } })),
    held ? get(api.GET("/v1/tenants/{tenant}/sessions/{session}/minutes", { params: { path } })) : Promise.resolve(null),
    s.round ? get(api.GET("/v1/tenants/{tenant}/sessions/{session}/preCollectedOpinions", { params: { path } })).catch(() => null) : Promise.resolve(null),
    held ? get(api.GET("/v1/accounts", { params: { query: { tenant: `tenants/${tenant}` } } })).catch(() => null) : Promise.resolve(null),
  ]);
  const people = new Map((accounts?.accounts ?? []).map((a) => [a.username ?? "", a.displayName ?? ""]));
  const ctx: Ctx = {
    s,
    commune,
    roles: session.account.roles ?? [],
    path: sessionPath(s),
    refresh: (part) => hall(id, part),
  };
  window.clearInterval(ticking);
  consolePage(
    session.account,
    commune.name,
    "hoi-nghi",
    h("h1", {}, s.title || "Hội nghị đối thoại"),
    h(
      "p",
      { class: "detail", "data-testid": "session-state" },
      [label(consoleSessionStates, s.state), `${s.startTime ?? ""} ngày ${vnDate(s.date)}`, s.venue, s.chair && `chủ trì: ${s.chair}`, s.secretary && `thư ký: ${s.secretary}`]
        .filter(Boolean)
        .join(" · "),
    ),
    (s.warnings ?? []).map((w) => h("p", { class: "hint" }, w)),
    h(
      "p",
      {},
      h("a", { href: consolePath("hoi-nghi") }, "Các hội nghị"),
      " · ",
      h("a", { href: communePath(tenant, `hoi-nghi/${id}/man-hinh`), target: "_blank" }, "Mở màn hình hội trường"),
    ),
    h(
      "div",
      { class: "hall" },
      h("div", {}, agenda(ctx), attendance(ctx, attended), preCollected(ctx, pre?.report ?? null, pre?.answeredInRoom ?? [])),
      h("div", {}, speakers(ctx, listed.speakers ?? [])),
    ),
    conclusion(ctx, listed.speakers ?? []),
    minutesPart(ctx, minutes, people),
  );
  const timers = [...document.querySelectorAll<HTMLElement & { tick?: () => void }>(".hall-timer")];
  if (timers.length) ticking = window.setInterval(() => timers.forEach((t) => t.tick?.()), 1000);
  if (focus) document.getElementById(focus)?.focus();
}
