// The commune's conferences: each planned conference of a published plan that has none yet,
// with the form that schedules it; every session, newest first, with its next step as the
// account's roles allow (announce, open, postpone, cancel) and the way into the hall screen.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { communePath, field } from "../../layout";
import { label, sessionStates, today, vnDate, vnDateRange } from "../../format";
import { lastId, loadCommune } from "../../commune";
import { consolePage, consolePath, mayAct, signedInStaff, stepForm } from "../../console/frame";

type Session = Of<"dialogue.v1.Session">;
type Plan = Of<"dialogue.v1.Plan">;
type Round = Of<"dialogue.v1.Round">;
type Ctx = { tenant: string; roles: string[]; rounds: Round[]; refresh: () => void };

// The console also shows what citizens never see: a session not yet announced, and one
// whose minutes still wait for their approvals.
export const consoleSessionStates: Record<string, string> = {
  ...sessionStates,
  SESSION_SCHEDULED: "Đã lên lịch, chưa thông báo",
  SESSION_CONCLUDED: "Đã kết thúc, biên bản chờ phê duyệt",
  SESSION_CLOSED: "Đã kết thúc, biên bản đã phê duyệt",
};

export const organisers = ["party_office", "government_office", "front", "chair"];
export const runners = ["chair", "secretary", "government_office"];

export function sessionPath(s: Session) {
  return { tenant: (s.name ?? "").split("/")[1], session: lastId(s.name) };
}

function step(ctx: Ctx, controls: HTMLElement[], button: string, send: () => Promise<unknown>): HTMLElement {
  return stepForm(controls, button, send, () => ctx.refresh());
}

function reasonField(id: string, text: string): [HTMLElement, HTMLInputElement] {
  const input = h("input", { id, autocomplete: "off" });
  return [field(text, input), input];
}

function steps(ctx: Ctx, s: Session): HTMLElement[] {
  const id = lastId(s.name);
  const may = (...roles: string[]) => mayAct(ctx.roles, ...roles);
  const path = { params: { path: sessionPath(s) } };
  const out: HTMLElement[] = [];
  if (s.state === "SESSION_SCHEDULED" && may(...organisers)) {
    // A conference held on its date and entered afterwards says why.
    const passed = (s.date ?? "") < today();
    const [reasonControl, reason] = reasonField(`after-${id}`, "Lý do nhập sau khi đã tổ chức");
    out.push(
      step(ctx, passed ? [reasonControl] : [], passed ? "Ghi nhận hội nghị đã tổ chức" : "Thông báo hội nghị", () =>
        get(
          api.POST("/v1/tenants/{tenant}/sessions/{session}:announce", {
            ...path,
            body: { etag: s.etag, afterTheFactReason: passed ? reason.value.trim() : undefined },
          }),
        ),
      ),
    );
  }
  if (s.state === "SESSION_ANNOUNCED" && may(...runners)) {
    // Before the announcement's lead time has run, only the chair opens, with a reason.
    const early = !!s.earliestOpenDate && today() < s.earliestOpenDate;
    const [reasonControl, reason] = reasonField(`override-${id}`, "Lý do khai mạc trước thời hạn thông báo");
    if (!early || may("chair")) {
      out.push(
        step(ctx, early ? [reasonControl] : [], "Khai mạc hội nghị", async () => {
          await get(
            api.POST("/v1/tenants/{tenant}/sessions/{session}:open", {
              ...path,
              body: { etag: s.etag, overrideReason: early ? reason.value.trim() : undefined },
            }),
          );
          location.assign(consolePath(`hoi-nghi/${id}`));
        }),
      );
    }
  }
  if ((s.state === "SESSION_SCHEDULED" || s.state === "SESSION_ANNOUNCED") && may(...organisers)) {
    const [reasonControl, reason] = reasonField(`postpone-${id}`, "Lý do hoãn");
    const date = h("input", { id: `new-date-${id}`, type: "date" });
    const [cancelControl, cancelReason] = reasonField(`cancel-${id}`, "Lý do hủy");
    // Rarely needed, so folded away under the main step.
    out.push(
      h(
        "details",
        { class: "register" },
        h("summary", {}, "Hoãn hoặc hủy hội nghị"),
        step(ctx, [reasonControl, field("Ngày tổ chức mới (nếu đã biết)", date)], "Hoãn hội nghị", () =>
          get(
            api.POST("/v1/tenants/{tenant}/sessions/{session}:postpone", {
              ...path,
              body: { etag: s.etag, reason: reason.value.trim(), newDate: date.value || undefined },
            }),
          ),
        ),
        step(ctx, [cancelControl], "Hủy hội nghị", () =>
          get(api.POST("/v1/tenants/{tenant}/sessions/{session}:cancel", { ...path, body: { etag: s.etag, reason: cancelReason.value.trim() } })),
        ),
      ),
    );
  }
  return out;
}

function sessionCard(ctx: Ctx, s: Session): HTMLElement {
  const id = lastId(s.name);
  const live = ["SESSION_IN_PROGRESS", "SESSION_CONCLUDED", "SESSION_CLOSED"].includes(s.state ?? "");
  return h(
    "article",
    { class: "opinion", "data-testid": "session" },
    h("h2", {}, s.title || "Hội nghị đối thoại", " · ", label(consoleSessionStates, s.state)),
    h(
      "p",
      { class: "detail" },
      [`${s.startTime ?? ""} ngày ${vnDate(s.date)}`, s.venue, (s.hamletNames ?? []).join(", "), s.chair && `chủ trì: ${s.chair}`]
        .filter(Boolean)
        .join(" · "),
    ),
    ...[s.postponeReason && `Lý do hoãn: ${s.postponeReason}`, s.cancelReason && `Lý do hủy: ${s.cancelReason}`, s.afterTheFactReason && `Nhập sau khi tổ chức: ${s.afterTheFactReason}`]
      .filter(Boolean)
      .map((t) => h("p", { class: "detail" }, t as string)),
    ...(s.warnings ?? []).map((w) => h("p", { class: "hint" }, w)),
    live || s.state === "SESSION_ANNOUNCED"
      ? h(
          "p",
          {},
          live ? h("a", { href: consolePath(`hoi-nghi/${id}`) }, "Điều hành hội nghị, biên bản") : null,
          live ? " · " : null,
          h("a", { href: communePath(ctx.tenant, `hoi-nghi/${id}/man-hinh`) }, "Màn hình hội trường"),
        )
      : null,
    ...steps(ctx, s),
  );
}

// A planned conference without a session: the form that schedules it, filled from the plan.
function scheduleCard(ctx: Ctx, plan: Plan, conference: NonNullable<Plan["conferences"]>[number]): HTMLElement {
  const key = `${lastId(plan.name)}-${conference.id ?? ""}`;
  const title = h("input", { id: `title-${key}`, value: conference.title ?? "" });
  const date = h("input", { id: `date-${key}`, type: "date", value: conference.windowStartDate ?? "", required: true });
  const time = h("input", { id: `time-${key}`, type: "time", value: "07:30", required: true });
  const venue = h("input", { id: `venue-${key}`, value: conference.venue ?? "" });
  const chair = h("input", { id: `chair-${key}`, placeholder: "Nguyễn Văn A, Chủ tịch UBND xã" });
  const secretary = h("input", { id: `secretary-${key}`, placeholder: "Trần Thị B, công chức Văn phòng" });
  const round = h(
    "select",
    { id: `round-${key}` },
    h("option", { value: "" }, "— Không gắn đợt nào —"),
    ctx.rounds.map((r) => h("option", { value: r.name ?? "", selected: r.conferenceId === conference.id && r.plan === plan.name }, r.title ?? "")),
  );
  const planned = conference.windowStartDate ? `Kế hoạch: ${vnDateRange(conference.windowStartDate, conference.windowEndDate)}` : "";
  return h(
    "article",
    { class: "opinion", "data-testid": "planned-conference" },
    h("h2", {}, conference.title || `Hội nghị ${conference.id ?? ""}`, " · chưa lập lịch"),
    h("p", { class: "detail" }, [`Kế hoạch năm ${plan.year ?? ""}`, planned].filter(Boolean).join(" · ")),
    step(
      ctx,
      [
        field("Tên hội nghị", title),
        field("Ngày tổ chức", date),
        field("Giờ bắt đầu", time),
        field("Địa điểm", venue),
        field("Chủ trì (họ tên, chức vụ)", chair),
        field("Thư ký", secretary),
        field("Ý kiến thu thập trước (đợt)", round),
      ],
      "Lập lịch hội nghị",
      () =>
        get(
          api.POST("/v1/tenants/{tenant}/sessions", {
            params: { path: { tenant: ctx.tenant } },
            body: {
              plan: plan.name,
              conferenceId: conference.id,
              title: title.value.trim(),
              date: date.value,
              startTime: time.value,
              venue: venue.value.trim(),
              chair: chair.value.trim(),
              secretary: secretary.value.trim(),
              round: round.value || undefined,
            },
          }),
        ),
    ),
  );
}

export async function sessionsPage(): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const roles = session.account.roles ?? [];
  const [commune, listed, plans, rounds] = await Promise.all([
    loadCommune(tenant),
    get(api.GET("/v1/tenants/{tenant}/sessions", { params: { path: { tenant } } })),
    get(api.GET("/v1/tenants/{tenant}/plans", { params: { path: { tenant }, query: { filter: "state = PUBLISHED", pageSize: 100 } } })),
    get(api.GET("/v1/tenants/{tenant}/rounds", { params: { path: { tenant } } })).catch(() => ({ rounds: [] as Round[] })),
  ]);
  const sessions = [...(listed.sessions ?? [])].sort((a, b) => (b.date ?? "").localeCompare(a.date ?? ""));
  const ctx: Ctx = { tenant, roles, rounds: rounds.rounds ?? [], refresh: () => void sessionsPage() };
  // A planned conference is scheduled once; a cancelled session frees it again.
  const scheduled = new Set(sessions.filter((s) => s.state !== "SESSION_CANCELLED").map((s) => `${s.plan}#${s.conferenceId}`));
  const unscheduled = mayAct(roles, ...organisers)
    ? (plans.plans ?? []).flatMap((p) => (p.conferences ?? []).filter((c) => !scheduled.has(`${p.name}#${c.id}`)).map((c) => scheduleCard(ctx, p, c)))
    : [];
  consolePage(
    session.account,
    commune.name,
    "hoi-nghi",
    h("h1", {}, "Hội nghị đối thoại"),
    unscheduled,
    sessions.length ? sessions.map((s) => sessionCard(ctx, s)) : h("p", { class: "muted" }, "Xã chưa lập lịch hội nghị nào."),
  );
}
