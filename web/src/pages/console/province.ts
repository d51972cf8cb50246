// The province's view: what its communes sent up, to answer (the upper level's inbox, the
// most urgent first); and its communes side by side for a year (conferences planned and
// held, conclusion notices on time, commitments resolved on time, overdue), as a table and
// as bars, with the same figures as a CSV file.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { field } from "../../layout";
import { vnDate } from "../../format";
import { lastId } from "../../commune";
import { consolePage, consolePath, replaceCard, stepForm } from "../../console/frame";
import type { Signed } from "../../console/session";

type Summary = Of<"dialogue.v1.CommuneSummary">;
type Escalation = Of<"dialogue.v1.Escalation">;
type Commitment = Of<"dialogue.v1.Commitment">;
type Outcome = NonNullable<Of<"dialogue.v1.EscalationAnswer">["outcome"]>;

const outcomes: [Outcome, string][] = [
  ["UPPER_TAKEN_UP", "Cấp trên tiếp nhận giải quyết"],
  ["UPPER_RESOLVED", "Đã giải quyết"],
  ["UPPER_CANNOT_RESOLVE", "Không thể giải quyết"],
  ["UPPER_RETURNED", "Trả lại xã (thuộc thẩm quyền xã)"],
];

function answeredText(c: Commitment): string {
  const a = c.upperAnswer ?? {};
  const outcome = outcomes.find(([v]) => v === a.outcome)?.[1] ?? "";
  return [`Đã trả lời ngày ${vnDate(a.date)}`, outcome, a.dueDate && `hạn ${vnDate(a.dueDate)}`, a.answer].filter(Boolean).join(" · ");
}

// One item a commune sent up: what, from where, by when, why; and the answer form.
export function escalationCard(e: Escalation): HTMLElement {
  const c = e.commitment ?? {};
  const id = lastId(c.name);
  const card = h("article", { class: c.overdue ? "opinion overdue" : "opinion", "data-testid": "escalation" });
  const outcome = h("select", { id: `outcome-${id}` }, outcomes.map(([v, t]) => h("option", { value: v }, t)));
  const due = h("input", { id: `upper-due-${id}`, type: "date" });
  const body = h("input", { id: `body-${id}`, maxlength: 200, placeholder: "Ví dụ: Sở Xây dựng" });
  const answer = h("textarea", { id: `answer-${id}`, rows: "3", maxlength: 5000 });
  const dueField = field("Hạn cấp trên giải quyết", due);
  outcome.addEventListener("change", () => (dueField.hidden = outcome.value !== "UPPER_TAKEN_UP"));
  const [tenant, commitment] = [(c.name ?? "").split("/")[1], id];
  const form = c.upperAnswer
    ? h("p", { class: "detail", "data-testid": "upper-answer" }, answeredText(c))
    : stepForm(
        [field("Trả lời", outcome), dueField, field("Cơ quan trả lời", body), field("Nội dung trả lời", answer)],
        "Gửi trả lời",
        () =>
          get(
            api.POST("/v1/tenants/{tenant}/commitments/{commitment}:answerEscalation", {
              params: { path: { tenant, commitment } },
              body: {
                etag: c.etag,
                answer: {
                  outcome: outcome.value as Outcome,
                  answer: answer.value.trim(),
                  body: body.value.trim(),
                  dueDate: outcome.value === "UPPER_TAKEN_UP" ? due.value : undefined,
                },
              },
            }),
          ),
        (done) => replaceCard(card, escalationCard({ ...e, commitment: done })),
      );
  card.append(
    h("h3", { tabindex: "-1" }, e.commune ?? "", " · ", c.summary ?? ""),
    h("p", { class: "text" }, c.action ?? ""),
    h(
      "p",
      { class: "detail" },
      [e.sessionTitle && `${e.sessionTitle} (${vnDate(c.conferenceDate)})`, c.dueDate && `hạn ${vnDate(c.dueDate)}`, e.reason && `lý do: ${e.reason}`]
        .filter(Boolean)
        .join(" · "),
    ),
    c.overdue ? h("p", { class: "late" }, "quá hạn giải quyết") : "",
    form,
  );
  return card;
}

const percent = (part = 0, whole = 0) => (whole ? Math.round((100 * part) / whole) : 0);

// A bar for `value` out of `max`, with the figure written beside it. The width is set
// through the CSSOM: the pages' CSP allows no inline style attributes.
function bar(value: number, max: number, text: string, late = false): HTMLElement[] {
  const fill = h("span", { class: "fill" });
  fill.style.width = `${max ? Math.max(value ? 2 : 0, Math.round((100 * value) / max)) : 0}%`;
  return [h("span", { class: late ? "bar late-bar" : "bar", "aria-hidden": "true" }, fill), h("span", { class: "figure" }, text)];
}

function row(c: Summary): HTMLElement {
  return h(
    "tr",
    { class: c.notYetHeld ? "not-held" : undefined },
    h("th", { scope: "row" }, c.displayName ?? c.tenant ?? ""),
    h("td", { "data-label": "Hội nghị đã tổ chức / kế hoạch" }, `${c.conferencesHeld ?? 0}/${c.conferencesPlanned ?? 0}`, c.notYetHeld ? " (chưa tổ chức)" : ""),
    h("td", { "data-label": "Thông báo kết luận đúng hạn" }, `${c.conclusionNoticesOnTime ?? 0}/${c.conclusionNoticesIssued ?? 0}`),
    h("td", { "data-label": "Nội dung kết luận" }, c.commitments ?? 0),
    h("td", { "data-label": "Đã giải quyết (đúng hạn)" }, `${c.resolved ?? 0} (${percent(c.resolvedOnTime, c.resolved)}% đúng hạn)`),
    h("td", { "data-label": "Quá hạn", class: c.overdue ? "late" : undefined }, c.overdue ?? 0),
    h("td", { "data-label": "Chuyển cấp trên" }, c.escalated ?? 0),
  );
}

export async function provinceView(session: Signed): Promise<void> {
  const province = (session.account.province ?? "").replace(/^provinces\//, "");
  const query = new URLSearchParams(location.search);
  const thisYear = new Date().getFullYear();
  const year = Number(query.get("nam")) || thisYear;
  const [report, inbox] = await Promise.all([
    get(api.GET("/v1/provinces/{province}/supervisionReport", { params: { path: { province }, query: { year } } })),
    get(api.GET("/v1/provinces/{province}/escalations", { params: { path: { province }, query: { pageSize: 1000 } } })),
  ]);
  const escalations = inbox.escalations ?? [];
  const communes = report.communes ?? [];
  const maxPlanned = Math.max(1, ...communes.map((c) => c.conferencesPlanned ?? 0));
  const maxOverdue = Math.max(1, ...communes.map((c) => c.overdue ?? 0));
  const yearSelect = h(
    "select",
    { id: "nam", name: "nam" },
    [thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => h("option", { value: y, selected: y === year }, y)),
  );
  const totals = report.totals ?? {};
  consolePage(
    session.account,
    "Cấp tỉnh",
    "",
    h("h1", {}, "Kiến nghị các xã, phường chuyển lên"),
    h(
      "section",
      { "aria-label": "Kiến nghị chuyển lên chờ trả lời" },
      escalations.length
        ? [h("p", { class: "lead" }, `${escalations.length} kiến nghị chờ cấp tỉnh trả lời, việc gấp trước.`), ...escalations.map(escalationCard)]
        : h("p", { class: "muted" }, "Không có kiến nghị nào chờ cấp tỉnh trả lời."),
    ),
    h("h2", {}, `Các xã, phường năm ${year}`),
    h(
      "form",
      { class: "filters", method: "get", action: consolePath() },
      field("Năm", yearSelect),
      h("button", { type: "submit", class: "secondary" }, "Xem"),
      h(
        "a",
        { class: "button", href: `/v1/provinces/${province}/supervisionReport:csv?year=${year}`, download: `bao-cao-${province}-${year}.csv` },
        "Tải tệp CSV",
      ),
      h(
        "a",
        { class: "button secondary", href: `/v1/provinces/${province}/supervisionReport:render?format=html&year=${year}`, "data-testid": "province-report-print" },
        "Bản in báo cáo",
      ),
      h("a", { class: "button secondary", href: `/v1/provinces/${province}/supervisionReport:render?format=docx&year=${year}` }, "Báo cáo (.docx)"),
    ),
    h(
      "p",
      { class: "lead" },
      `${totals.conferencesHeld ?? 0}/${totals.conferencesPlanned ?? 0} hội nghị đã tổ chức; `,
      `${totals.overdue ?? 0} nội dung kết luận quá hạn; `,
      `${(report.notYetHeld ?? []).length} xã, phường chưa tổ chức.`,
    ),
    h(
      "table",
      { "data-testid": "province-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Xã, phường", "Hội nghị đã tổ chức / kế hoạch", "Thông báo kết luận đúng hạn", "Nội dung kết luận", "Đã giải quyết (đúng hạn)", "Quá hạn", "Chuyển cấp trên"].map((t) =>
            h("th", { scope: "col" }, t),
          ),
        ),
      ),
      h("tbody", {}, communes.map(row)),
    ),
    h("h3", {}, "Hội nghị đã tổ chức so với kế hoạch"),
    h(
      "ul",
      { class: "bars", "aria-label": "Hội nghị đã tổ chức so với kế hoạch" },
      communes.map((c) =>
        h(
          "li",
          {},
          h("span", { class: "name" }, c.displayName ?? ""),
          bar(c.conferencesHeld ?? 0, maxPlanned, `${c.conferencesHeld ?? 0}/${c.conferencesPlanned ?? 0}`),
        ),
      ),
    ),
    h("h3", {}, "Nội dung kết luận quá hạn"),
    h(
      "ul",
      { class: "bars", "aria-label": "Nội dung kết luận quá hạn" },
      communes.map((c) =>
        h("li", {}, h("span", { class: "name" }, c.displayName ?? ""), bar(c.overdue ?? 0, maxOverdue, String(c.overdue ?? 0), true)),
      ),
    ),
  );
}
