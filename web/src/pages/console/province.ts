// The province's view: its communes side by side for a year (conferences planned and
// held, conclusion notices on time, commitments resolved on time, overdue), as a table and
// as bars, with the same figures as a CSV file.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { field } from "../../layout";
import { consolePage, consolePath } from "../../console/frame";
import type { Signed } from "../../console/session";

type Summary = Of<"dialogue.v1.CommuneSummary">;

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
  const report = await get(
    api.GET("/v1/provinces/{province}/supervisionReport", { params: { path: { province }, query: { year } } }),
  );
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
    h("h1", {}, `Các xã, phường năm ${year}`),
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
    h("h2", {}, "Hội nghị đã tổ chức so với kế hoạch"),
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
    h("h2", {}, "Nội dung kết luận quá hạn"),
    h(
      "ul",
      { class: "bars", "aria-label": "Nội dung kết luận quá hạn" },
      communes.map((c) =>
        h("li", {}, h("span", { class: "name" }, c.displayName ?? ""), bar(c.overdue ?? 0, maxOverdue, String(c.overdue ?? 0), true)),
      ),
    ),
  );
}
