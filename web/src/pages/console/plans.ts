// The commune's plans, newest year first: each with its conferences and its next step as
// the account's roles allow: approve a draft, publish an approved plan with the number,
// date and signer it may still lack, revise or copy a published one to the next year.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { field } from "../../layout";
import { label, today, vnDate, vnDateRange } from "../../format";
import { lastId, loadCommune } from "../../commune";
import { consolePage, mayAct, signedInStaff, stepForm } from "../../console/frame";
import { editPlanForm, newPlanForm } from "./plan_editor";

type Plan = Of<"dialogue.v1.Plan">;
type Ctx = { roles: string[]; refresh: () => void };

const planStates: Record<string, string> = {
  DRAFT: "Dự thảo",
  APPROVED: "Đã phê duyệt",
  PUBLISHED: "Đã ban hành",
  CLOSED: "Đã kết thúc",
  CANCELLED: "Đã hủy",
  SUPERSEDED: "Đã được thay thế",
};

function where(p: Plan) {
  return { tenant: (p.name ?? "").split("/")[1], plan: lastId(p.name) };
}

// A form for one step; after it the list is read again (a copy or a revision adds a plan).
function step(ctx: Ctx, controls: HTMLElement[], button: string, send: () => Promise<unknown>): HTMLElement {
  return stepForm(controls, button, send, () => ctx.refresh());
}

function steps(ctx: Ctx, p: Plan): HTMLElement[] {
  const id = lastId(p.name);
  const may = (...roles: string[]) => mayAct(ctx.roles, ...roles);
  const transition = { params: { path: where(p) } };
  switch (p.state) {
    case "DRAFT":
      return [
        may("party_office", "government_office") ? editPlanForm(p, ctx.refresh) : null,
        may("chair") ? step(ctx, [], "Phê duyệt", () => get(api.POST("/v1/tenants/{tenant}/plans/{plan}:approve", { ...transition, body: { etag: p.etag } }))) : null,
      ].filter((e): e is HTMLElement => e !== null);
    case "APPROVED": {
      if (!may("party_office", "government_office")) return [];
      const number = h("input", { id: `number-${id}`, autocomplete: "off", placeholder: "12/KH-UBND" });
      const date = h("input", { id: `date-${id}`, type: "date", value: today() });
      const capacity = h("input", { id: `capacity-${id}`, placeholder: "TM. ỦY BAN NHÂN DÂN" });
      const title = h("input", { id: `signer-title-${id}`, placeholder: "CHỦ TỊCH" });
      const name = h("input", { id: `signer-name-${id}` });
      // Only what the plan still lacks is asked for.
      const controls = [
        !p.documentNumber && field("Số, ký hiệu", number),
        !p.issueDate && field("Ngày ban hành", date),
        !p.signer?.fullName && [field("Thẩm quyền ký", capacity), field("Chức vụ người ký", title), field("Họ tên người ký", name)],
      ]
        .flat()
        .filter((c): c is HTMLElement => !!c);
      return [
        step(ctx, controls, "Ban hành", () =>
          get(
            api.POST("/v1/tenants/{tenant}/plans/{plan}:publish", {
              ...transition,
              body: {
                etag: p.etag,
                documentNumber: p.documentNumber ? undefined : number.value.trim(),
                issueDate: p.issueDate ? undefined : date.value,
                signer: p.signer?.fullName ? undefined : { capacity: capacity.value.trim(), title: title.value.trim(), fullName: name.value.trim() },
              },
            }),
          ),
        ),
      ];
    }
    case "PUBLISHED":
      if (!may("party_office", "government_office")) return [];
      return [
        step(ctx, [], `Sao chép sang năm ${(p.year ?? 0) + 1}`, () =>
          get(api.POST("/v1/tenants/{tenant}/plans/{plan}:copy", { ...transition, body: { year: (p.year ?? 0) + 1 } })),
        ),
        step(ctx, [], "Điều chỉnh (lập bản sửa đổi)", () =>
          get(api.POST("/v1/tenants/{tenant}/plans/{plan}:revise", { ...transition, body: {} })),
        ),
      ];
    default:
      return [];
  }
}

function planCard(ctx: Ctx, p: Plan): HTMLElement {
  return h(
    "article",
    { class: "opinion", "data-testid": "plan" },
    h("h2", {}, `Năm ${p.year ?? ""} · ${label(planStates, p.state)}`, p.revision && p.revision > 1 ? ` (sửa đổi lần ${p.revision - 1})` : ""),
    h("p", { class: "text" }, p.title ?? ""),
    h(
      "p",
      { class: "detail" },
      [p.documentNumber && `Số ${p.documentNumber}`, p.issueDate && `ngày ${vnDate(p.issueDate)}`, p.signer?.fullName && `người ký ${p.signer.fullName}`]
        .filter(Boolean)
        .join(" · ") || "Chưa có số, ngày ban hành",
    ),
    (p.conferences ?? []).length
      ? h(
          "ul",
          {},
          (p.conferences ?? []).map((c) =>
            h(
              "li",
              {},
              c.title || `Hội nghị ${c.id ?? ""}`,
              c.venue ? ` tại ${c.venue}` : "",
              c.windowStartDate
                ? ` — ${vnDateRange(c.windowStartDate, c.windowEndDate)}`
                : "",
            ),
          ),
        )
      : null,
    h("p", { class: "detail" }, `${(p.tasks ?? []).length} nhiệm vụ chuẩn bị`),
    ...steps(ctx, p),
  );
}

export async function plansPage(): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const [commune, listed] = await Promise.all([
    loadCommune(tenant),
    get(api.GET("/v1/tenants/{tenant}/plans", { params: { path: { tenant }, query: { pageSize: 100 } } })),
  ]);
  const plans = [...(listed.plans ?? [])].sort((a, b) => (b.year ?? 0) - (a.year ?? 0) || (b.revision ?? 0) - (a.revision ?? 0));
  const ctx: Ctx = { roles: session.account.roles ?? [], refresh: () => void plansPage() };
  consolePage(
    session.account,
    commune.name,
    "ke-hoach",
    h("h1", {}, "Kế hoạch đối thoại"),
    mayAct(ctx.roles, "party_office", "government_office")
      ? newPlanForm(tenant, commune.name, Math.max(new Date().getFullYear(), ...plans.map((p) => (p.year ?? 0) + 1)), ctx.refresh)
      : null,
    plans.length ? plans.map((p) => planCard(ctx, p)) : h("p", { class: "muted" }, "Xã chưa có kế hoạch nào."),
  );
}
