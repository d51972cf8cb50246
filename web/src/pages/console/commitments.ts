// The board of the conference's promises: grouped by the agency that must act, overdue
// ones first and marked, each with its next step as the account's roles allow: the
// agency's written report and progress, the office's decision that it cannot be done or
// goes to the upper level, and the Front's check, which may reopen it.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { field } from "../../layout";
import { commitmentStates, label, committeeSigner, renderLink, vnDate } from "../../format";
import { lastId, loadCommune } from "../../commune";
import { consolePage, mayAct, replaceCard, signedInStaff, stepForm } from "../../console/frame";

type Commitment = Of<"dialogue.v1.Commitment">;
type Ctx = { roles: string[] };
type State = Of<"dialogue.v1.RecordProgressRequest">["state"];
type Rating = Of<"dialogue.v1.RecordCheckRequest">["rating"];

const progressTo: [string, string][] = [
  ["COMMITMENT_IN_PROGRESS", "Đang giải quyết"],
  ["COMMITMENT_RESOLVED", "Đã giải quyết"],
  ["COMMITMENT_CANNOT_RESOLVE", "Không thể giải quyết"],
  ["COMMITMENT_ESCALATED", "Chuyển cấp trên"],
];
const ratings: [string, string][] = [
  ["RATING_DONE", "Đạt"],
  ["RATING_PARTLY", "Đạt một phần"],
  ["RATING_NOT_DONE", "Không đạt"],
];

function path(c: Commitment) {
  return { tenant: (c.name ?? "").split("/")[1], commitment: lastId(c.name) };
}

function step(ctx: Ctx, card: HTMLElement, controls: HTMLElement[], button: string, send: () => Promise<Commitment>): HTMLElement {
  return stepForm(controls, button, send, (c) => replaceCard(card, commitmentCard(ctx, c)));
}

function nextStep(ctx: Ctx, card: HTMLElement, c: Commitment): HTMLElement | null {
  const id = lastId(c.name);
  const may = (...roles: string[]) => mayAct(ctx.roles, ...roles);
  const progress = (state: State, note: string) =>
    get(
      api.POST("/v1/tenants/{tenant}/commitments/{commitment}:recordProgress", {
        params: { path: path(c) },
        body: { state, note, reason: note, etag: c.etag },
      }),
    );
  switch (c.state) {
    case "COMMITMENT_ASSIGNED": {
      if (!may("department", "government_office", "chair")) return null;
      const note = h("textarea", { id: `report-${id}`, rows: "3" });
      return step(ctx, card, [field("Báo cáo bằng văn bản của cơ quan", note)], "Gửi báo cáo", () =>
        progress("COMMITMENT_REPORTED", note.value.trim()),
      );
    }
    case "COMMITMENT_REPORTED":
    case "COMMITMENT_IN_PROGRESS": {
      if (!may("department", "government_office", "chair")) return null;
      const to = h("select", { id: `to-${id}` }, progressTo.map(([v, t]) => h("option", { value: v }, t)));
      const note = h("textarea", { id: `note-${id}`, rows: "2" });
      return step(ctx, card, [field("Chuyển sang", to), field("Kết quả hoặc lý do", note)], "Cập nhật", () =>
        progress(to.value as State, note.value.trim()),
      );
    }
    case "COMMITMENT_RESOLVED":
    case "COMMITMENT_CANNOT_RESOLVE": {
      if (!may("front")) return null;
      const findings = h("textarea", { id: `findings-${id}`, rows: "2" });
      const rating = h("select", { id: `rating-${id}` }, ratings.map(([v, t]) => h("option", { value: v }, t)));
      const reopen = h("input", { id: `reopen-${id}`, type: "checkbox" });
      const due = h("input", { id: `due-${id}`, type: "date" });
      return step(
        ctx,
        card,
        [
          field("Kết quả giám sát", findings),
          field("Đánh giá", rating),
          h("div", { class: "choice" }, reopen, h("label", { for: reopen.id }, "Mở lại để giải quyết tiếp")),
          field("Hạn mới (khi mở lại)", due),
        ],
        "Ghi kết quả giám sát",
        () =>
          get(
            api.POST("/v1/tenants/{tenant}/commitments/{commitment}:check", {
              params: { path: path(c) },
              body: {
                findings: findings.value.trim(),
                rating: rating.value as Rating,
                reopen: reopen.checked,
                newDueDate: reopen.checked ? due.value : undefined,
                etag: c.etag,
              },
            }),
          ),
      );
    }
    default:
      return null;
  }
}

function commitmentCard(ctx: Ctx, c: Commitment): HTMLElement {
  const late = c.overdue || c.reportOverdue;
  const card = h("article", { class: late ? "opinion overdue" : "opinion", "data-testid": "commitment" });
  const flags = [
    c.overdue && "quá hạn giải quyết",
    c.reportOverdue && "quá hạn báo cáo",
    !c.reportOverdue && c.reportLate && c.reportDate && `báo cáo trễ hạn (nộp ${vnDate(c.reportDate)})`,
    c.reopenRequested && "người dân đề nghị xem xét lại",
  ].filter(Boolean);
  const parts: (HTMLElement | null)[] = [
    h("h3", { tabindex: "-1" }, c.summary ?? "", " · ", label(commitmentStates, c.state)),
    h("p", { class: "text" }, c.action ?? ""),
    h(
      "p",
      { class: "detail" },
      [
        c.sessionTitle && `${c.sessionTitle} (${vnDate(c.conferenceDate)})`,
        c.dueDate && `hạn ${vnDate(c.dueDate)}`,
        c.reportDueDate && `báo cáo trước ${vnDate(c.reportDueDate)}`,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
    flags.length ? h("p", { class: "late" }, flags.join("; ")) : null,
    c.upperAnswer
      ? h(
          "p",
          { class: "detail", "data-testid": "upper-answer" },
          `Cấp trên trả lời${c.upperAnswer.body ? ` (${c.upperAnswer.body})` : ""} ngày ${vnDate(c.upperAnswer.date)}: ${c.upperAnswer.answer ?? ""}`,
        )
      : null,
    nextStep(ctx, card, c),
  ];
  card.append(...parts.filter((p): p is HTMLElement => p !== null));
  return card;
}

export async function commitmentsPage(): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const overdueOnly = new URLSearchParams(location.search).get("qua-han") === "1";
  const year = new Date().getFullYear();
  const [commune, listed, plans] = await Promise.all([
    loadCommune(tenant),
    get(
      api.GET("/v1/tenants/{tenant}/commitments", {
        params: { path: { tenant }, query: { overdueOnly, pageSize: 500 } },
      }),
    ),
    get(api.GET("/v1/tenants/{tenant}/plans", { params: { path: { tenant }, query: { filter: "state = PUBLISHED", pageSize: 100 } } })).catch(
      () => ({ plans: [] as Of<"dialogue.v1.Plan">[] }),
    ),
  ]);
  // The year's results report, signed by whoever signed the committee's plan of the year.
  const signer = committeeSigner((plans.plans ?? []).find((p) => p.year === year && p.issuingBody === "PEOPLES_COMMITTEE"));
  const report = `/v1/tenants/${tenant}/supervisionReport:render`;
  const ctx: Ctx = { roles: session.account.roles ?? [] };
  const byAgency = new Map<string, Commitment[]>();
  for (const c of listed.commitments ?? []) {
    const agency = c.agency || "Chưa rõ cơ quan";
    byAgency.set(agency, [...(byAgency.get(agency) ?? []), c]);
  }
  const groups = [...byAgency.entries()].sort(([a], [b]) => a.localeCompare(b, "vi"));
  const box = h("input", { id: "qua-han", name: "qua-han", type: "checkbox", value: "1", checked: overdueOnly });
  consolePage(
    session.account,
    commune.name,
    "ket-luan",
    h("h1", {}, "Theo dõi thực hiện kết luận"),
    h(
      "p",
      {},
      `Báo cáo kết quả thực hiện năm ${year}: `,
      h("a", { href: renderLink(report, "html", signer), "data-testid": "results-report-print" }, "Bản in khổ A4"),
      " · ",
      h("a", { href: renderLink(report, "docx", signer) }, "Tải về để ký (.docx)"),
    ),
    h(
      "form",
      { class: "filters", method: "get" },
      h("div", { class: "choice" }, box, h("label", { for: "qua-han" }, "Chỉ việc quá hạn")),
      h("button", { type: "submit", class: "secondary" }, "Lọc"),
    ),
    groups.length
      ? groups.map(([agency, items]) => {
          const late = items.filter((c) => c.overdue || c.reportOverdue).length;
          items.sort((a, b) => Number(!!(b.overdue || b.reportOverdue)) - Number(!!(a.overdue || a.reportOverdue)));
          return h(
            "section",
            { "aria-label": agency, "data-testid": "agency" },
            h("h2", {}, agency, " ", h("span", { class: "count" }, `(${items.length} việc${late ? `, ${late} quá hạn` : ""})`)),
            items.map((c) => commitmentCard(ctx, c)),
          );
        })
      : h("p", { class: "muted" }, "Chưa có nội dung kết luận nào cần theo dõi."),
  );
}
