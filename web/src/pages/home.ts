// A commune's public home: the year's plan in plain words, the next conference, the open
// round of opinions, the dialogue requests, the notices and what past conferences promised.
// Each part loads on its own: one service down leaves a message in its part, not a blank page.
import { api, get, type Of } from "../api/client";
import { h } from "../dom";
import { alert, communePath, page } from "../layout";
import { loadCommune, lastId, type CommuneInfo } from "../commune";
import {
  commitmentStates,
  dialogueForms,
  label,
  noticeKinds,
  sessionStates,
  today,
  vnDate,
  weekday,
  withLunar,
} from "../format";

export async function home(id: string): Promise<void> {
  const commune = await loadCommune(id);
  const tenant = { path: { tenant: id } };
  const sessions = get(api.GET("/v1/tenants/{tenant}/sessions", { params: tenant }));
  const parts = await Promise.allSettled([
    get(api.GET("/v1/tenants/{tenant}/plans", { params: tenant })).then((r) => plan(commune, r)),
    commune.parent ? upperLevel(commune) : Promise.resolve(null),
    sessions.then((r) => nextSession(commune, r)),
    sessions.then((r) => heldSessions(r)),
    get(api.GET("/v1/tenants/{tenant}/rounds", { params: tenant })).then((r) => round(commune, r)),
    get(api.GET("/v1/tenants/{tenant}/dialogueRequests", { params: tenant })).then((r) =>
      requests(commune, r),
    ),
    get(
      api.GET("/v1/tenants/{tenant}/notices:published", {
        params: { path: { tenant: id }, query: { pageSize: 5 } },
      }),
    ).then((r) => latestNotices(commune, r)),
    get(api.GET("/v1/tenants/{tenant}/commitments", { params: tenant })).then((r) =>
      results(r),
    ),
  ]);
  const titles = [
    "Kế hoạch năm",
    "Đối thoại của cấp trên",
    "Hội nghị sắp tới",
    "Biên bản các hội nghị",
    "Lấy ý kiến",
    "Đề nghị đối thoại",
    "Thông báo",
    "Kết quả các hội nghị",
  ];
  page(
    commune,
    "",
    h("h1", {}, `Đối thoại với Nhân dân ${commune.name}`),
    ...parts.map((p, i) =>
      p.status === "fulfilled" ? p.value : h("section", {}, h("h2", {}, titles[i]), alert(p.reason)),
    ),
  );
}

type Plans = Of<"dialogue.v1.ListPlansResponse">;

async function plan(commune: CommuneInfo, plans: Plans): Promise<HTMLElement> {
  const year = Number(today().slice(0, 4));
  const all = plans.plans ?? [];
  const p = all.find((x) => x.year === year) ?? all.sort((a, b) => (b.year ?? 0) - (a.year ?? 0))[0];
  if (!p) {
    return h("section", {}, h("h2", {}, "Kế hoạch năm"), h("p", {}, `${commune.name} chưa ban hành kế hoạch đối thoại năm nay.`));
  }
  const conferences = p.conferences ?? [];
  const form = label(dialogueForms, p.form);
  return h(
    "section",
    {},
    h("h2", {}, `Kế hoạch năm ${p.year}`),
    h(
      "p",
      {},
      `Năm ${p.year}, ${commune.name} tổ chức ${conferences.length} hội nghị đối thoại`,
      form ? ` theo hình thức ${form}` : "",
      (p.hosts ?? []).length ? `, do ${(p.hosts ?? []).join(" và ")} chủ trì` : "",
      ".",
    ),
    (p.topics ?? []).length > 0 &&
      h("p", {}, "Nội dung đối thoại: ", h("span", {}, (p.topics ?? []).join("; ")), "."),
    conferences.length > 0 &&
      h(
        "ul",
        {},
        conferences.map((c) =>
          h(
            "li",
            {},
            h("strong", {}, c.title || `Hội nghị ${c.id}`),
            ": ",
            c.windowStartDate === c.windowEndDate || !c.windowEndDate
              ? `ngày ${vnDate(c.windowStartDate)}`
              : `từ ${vnDate(c.windowStartDate)} đến ${vnDate(c.windowEndDate)}`,
            c.venue ? `, tại ${c.venue}` : "",
            c.opinionDeadlineDate ? `; nhận ý kiến đến ${vnDate(c.opinionDeadlineDate)}` : "",
            ".",
          ),
        ),
      ),
    h(
      "p",
      { class: "muted", "data-testid": "plan-document" },
      `Kế hoạch số ${p.documentNumber ?? ""}`,
      p.issueDate ? ` ngày ${vnDate(p.issueDate)}` : "",
      ` của ${issuedBy(p)}: ${p.title ?? ""}. `,
      h("a", { href: `/v1/${p.name}:render?format=html`, "data-testid": "plan-print" }, "Xem văn bản"),
      " · ",
      h("a", { href: `/v1/${p.name}:render?format=docx` }, "Tải về (.docx)"),
    ),
  );
}

// Who issued the plan, as it names itself: a Party committee's plan is the committee's,
// not the People's Committee's (seeds 000 and 001).
function issuedBy(p: Of<"dialogue.v1.Plan">): string {
  if (p.issuingAuthority) return p.issuingAuthority;
  switch (p.issuingBody) {
    case "PARTY_COMMITTEE":
      return "cấp ủy Đảng";
    case "UPPER_LEVEL":
      return "cấp trên";
    default:
      return "Ủy ban nhân dân";
  }
}

// The dialogues the commune's district holds with its people (seed 002: the district
// secretary meets each commune in its own hall), from the district's published plans.
async function upperLevel(commune: CommuneInfo): Promise<HTMLElement | null> {
  const district = { path: { tenant: commune.parent } };
  const [upper, plans] = await Promise.all([
    get(api.GET("/v1/tenants/{tenant}", { params: district })),
    get(api.GET("/v1/tenants/{tenant}/plans", { params: district })),
  ]);
  const mine = `tenants/${commune.id}`;
  const held = (plans.plans ?? [])
    .sort((a, b) => (b.year ?? 0) - (a.year ?? 0))
    .flatMap((p) => (p.conferences ?? []).filter((c) => (c.communes ?? []).includes(mine)).map((c) => ({ p, c })));
  if (held.length === 0) return null;
  const name = upper.displayName ?? commune.parent;
  return h(
    "section",
    { "data-testid": "upper-level" },
    h("h2", {}, "Đối thoại của cấp trên"),
    h("ul", {}, held.map(({ p, c }) =>
      h(
        "li",
        {},
        h("strong", {}, (p.hosts ?? []).join(" và ") || issuedBy(p)),
        ` đối thoại với ${c.title || commune.name}`,
        c.sessionDate
          ? ` ngày ${vnDate(c.sessionDate)}`
          : c.windowStartDate === c.windowEndDate || !c.windowEndDate
            ? ` ngày ${vnDate(c.windowStartDate)}`
            : ` từ ${vnDate(c.windowStartDate)} đến ${vnDate(c.windowEndDate)}`,
        c.venue ? `, tại ${c.venue}` : "",
        ". ",
        h("a", { href: communePath(commune.parent) }, `Xem trang của ${name}`),
      ),
    )),
  );
}

type Sessions = Of<"dialogue.v1.ListSessionsResponse">;

// The conferences whose minutes the secretary and the chair approved: the minutes to read,
// print or file, as they were approved.
function heldSessions(list: Sessions): HTMLElement | null {
  const closed = (list.sessions ?? [])
    .filter((s) => s.state === "SESSION_CLOSED")
    .sort((a, b) => (b.date ?? "").localeCompare(a.date ?? ""));
  if (!closed.length) return null;
  return h(
    "section",
    { "data-testid": "held-sessions" },
    h("h2", {}, "Biên bản các hội nghị"),
    h(
      "ul",
      {},
      closed.map((s) =>
        h(
          "li",
          {},
          `${vnDate(s.date)}: ${s.title ?? ""}. `,
          h("a", { href: `/v1/${s.name}/minutes:render?format=html`, "data-testid": "minutes-print" }, "Xem biên bản"),
          " · ",
          h("a", { href: `/v1/${s.name}/minutes:render?format=docx` }, "Tải về (.docx)"),
        ),
      ),
    ),
  );
}

async function nextSession(commune: CommuneInfo, list: Sessions): Promise<HTMLElement> {
  const now = today();
  const live = ["SESSION_ANNOUNCED", "SESSION_IN_PROGRESS", "SESSION_POSTPONED"];
  const upcoming = (list.sessions ?? [])
    .filter((s) => live.includes(s.state ?? "") && (s.date ?? "") >= now)
    .sort((a, b) => (a.date ?? "").localeCompare(b.date ?? ""));
  const ics = `/v1/tenants/${commune.id}/sessions:ics`;
  const s = upcoming[0] ?? (list.sessions ?? []).find((x) => x.state === "SESSION_IN_PROGRESS");
  if (!s) {
    return h(
      "section",
      {},
      h("h2", {}, "Hội nghị sắp tới"),
      h("p", {}, "Chưa có hội nghị nào được thông báo."),
      h("p", {}, h("a", { href: ics }, "Nhận lịch hội nghị vào điện thoại (tệp .ics)")),
    );
  }
  const id = lastId(s.name);
  const date = await withLunar(s.date ?? "");
  return h(
    "section",
    { class: "next" },
    h("h2", {}, "Hội nghị sắp tới"),
    h("p", { class: "lead" }, s.title ?? ""),
    h(
      "dl",
      {},
      h("dt", {}, "Thời gian"),
      h("dd", {}, `${s.startTime ?? ""}, ${weekday(s.date ?? "")} ${date}`),
      h("dt", {}, "Địa điểm"),
      h("dd", {}, s.venue || "Sẽ thông báo sau"),
      (s.hamletNames ?? []).length > 0 && [h("dt", {}, "Địa bàn"), h("dd", {}, (s.hamletNames ?? []).join(", "))],
      h("dt", {}, "Chủ trì"),
      h("dd", {}, s.chair ?? ""),
      h("dt", {}, "Tình trạng"),
      h(
        "dd",
        {},
        label(sessionStates, s.state),
        s.state === "SESSION_POSTPONED" && s.postponeReason ? ` (${s.postponeReason})` : "",
      ),
    ),
    h("h3", {}, "Cách tham gia"),
    h(
      "ul",
      {},
      h("li", {}, "Gửi ý kiến trước hội nghị: ", h("a", { href: communePath(commune.id, "gop-y") }, "gửi ý kiến trực tuyến"), " hoặc qua trưởng thôn, Mặt trận xã."),
      h("li", {}, "Đăng ký phát biểu tại hội nghị: ", h("a", { href: communePath(commune.id, `hoi-nghi/${id}/dang-ky`) }, "đăng ký bằng điện thoại"), "."),
      s.state === "SESSION_IN_PROGRESS" &&
        h("li", {}, h("a", { href: communePath(commune.id, `hoi-nghi/${id}/man-hinh`) }, "Theo dõi trực tiếp diễn biến hội nghị")),
    ),
    h("p", {}, h("a", { class: "button", href: ics }, "Thêm vào lịch")),
  );
}

type Rounds = Of<"dialogue.v1.ListRoundsResponse">;

// The round whose opinions are still taken: the latest with no deadline or one not passed.
export function openRound(rounds: Rounds) {
  const now = today();
  return (rounds.rounds ?? [])
    .filter((r) => !r.opinionDeadlineDate || r.opinionDeadlineDate >= now)
    .sort((a, b) => (b.createTime ?? "").localeCompare(a.createTime ?? ""))[0];
}

async function round(commune: CommuneInfo, rounds: Rounds): Promise<HTMLElement> {
  const open = openRound(rounds);
  return h(
    "section",
    {},
    h("h2", {}, "Lấy ý kiến"),
    open
      ? [
          h(
            "p",
            {},
            `Đang lấy ý kiến: ${open.title ?? ""}`,
            open.opinionDeadlineDate ? `, đến hết ngày ${vnDate(open.opinionDeadlineDate)}` : "",
            ".",
          ),
          h("p", {}, h("a", { class: "button", href: communePath(commune.id, "gop-y") }, "Gửi ý kiến")),
        ]
      : h("p", {}, "Hiện chưa có đợt lấy ý kiến nào đang mở."),
    h("p", {}, "Đã gửi ý kiến? ", h("a", { href: communePath(commune.id, "theo-doi") }, "Theo dõi bằng mã tiếp nhận"), "."),
  );
}

type Requests = Of<"dialogue.v1.ListDialogueRequestsResponse">;

async function requests(commune: CommuneInfo, r: Requests): Promise<HTMLElement> {
  return h(
    "section",
    {},
    h("h2", {}, "Đề nghị đối thoại"),
    h(
      "p",
      {},
      r.threshold
        ? `${r.openCount ?? 0} trên ${r.threshold} cử tri cần thiết đã đề nghị tổ chức một hội nghị đối thoại.`
        : `${r.openCount ?? 0} cử tri đã đề nghị tổ chức một hội nghị đối thoại.`,
    ),
    h("p", {}, h("a", { href: communePath(commune.id, "de-nghi-doi-thoai") }, "Đề nghị đối thoại")),
  );
}

type Feed = Of<"dialogue.v1.ListPublishedNoticesResponse">;

async function latestNotices(commune: CommuneInfo, feed: Feed): Promise<HTMLElement> {
  const list = feed.notices ?? [];
  return h(
    "section",
    {},
    h("h2", {}, "Thông báo"),
    list.length
      ? h(
          "ul",
          {},
          list.map((n) =>
            h(
              "li",
              {},
              h("a", { href: communePath(commune.id, `thong-bao/${lastId(n.name)}`) }, n.title ?? ""),
              ` (${label(noticeKinds, n.kind)}, ${vnDate(n.issueDate)})`,
            ),
          ),
        )
      : h("p", {}, "Chưa có thông báo."),
    h("p", {}, h("a", { href: communePath(commune.id, "thong-bao") }, "Tất cả thông báo")),
  );
}

type Commitments = Of<"dialogue.v1.ListCommitmentsResponse">;

async function results(list: Commitments): Promise<HTMLElement> {
  const bySession = new Map<string, NonNullable<Commitments["commitments"]>>();
  for (const c of list.commitments ?? []) {
    const key = `${c.sessionTitle ?? ""}|${c.conferenceDate ?? ""}`;
    bySession.set(key, [...(bySession.get(key) ?? []), c]);
  }
  if (bySession.size === 0) {
    return h("section", {}, h("h2", {}, "Kết quả các hội nghị"), h("p", {}, "Chưa có kết luận nào cần theo dõi."));
  }
  return h(
    "section",
    {},
    h("h2", {}, "Kết quả các hội nghị"),
    [...bySession.entries()].map(([key, items]) => {
      const [title, date] = key.split("|");
      const done = items.filter((c) => c.state === "COMMITMENT_RESOLVED").length;
      return h(
        "article",
        { class: "conference" },
        h("h3", {}, `${title} (${vnDate(date)})`),
        h("p", {}, `Đã giải quyết ${done} trên ${items.length} nội dung kết luận.`),
        h(
          "table",
          {},
          h("caption", { class: "visually-hidden" }, `Kết luận của ${title}`),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Nội dung"), h("th", { scope: "col" }, "Cơ quan thực hiện"), h("th", { scope: "col" }, "Hạn"), h("th", { scope: "col" }, "Kết quả"))),
          h(
            "tbody",
            {},
            items.map((c) =>
              h(
                "tr",
                {},
                h("td", {}, c.summary ?? "", c.action ? h("div", { class: "muted" }, c.action) : null),
                h("td", { "data-label": "Cơ quan thực hiện" }, c.agency ?? ""),
                h("td", { "data-label": "Hạn" }, vnDate(c.dueDate)),
                h(
                  "td",
                  { "data-label": "Kết quả" },
                  label(commitmentStates, c.state),
                  c.overdue ? h("span", { class: "late" }, " (quá hạn)") : null,
                ),
              ),
            ),
          ),
        ),
      );
    }),
  );
}
