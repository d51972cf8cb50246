// The opinions inbox: the commune's opinions by state, each with the one next step it
// needs (classify, assign, draft the answer, approve or return it), done in place. A
// department's own staff see only what was assigned to their department (the service
// decides; the page just shows what it is given).
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { alert, field } from "../../layout";
import { label, opinionStates, vnDate } from "../../format";
import { hamletName, lastId, loadCommune, type CommuneInfo } from "../../commune";
import { consolePage, consolePath, mayAct, replaceCard, signedInStaff, stepForm } from "../../console/frame";

type Opinion = Of<"dialogue.v1.Opinion">;
type Topic = Of<"dialogue.v1.Topic">;

// The states a clerk filters by, in the order work moves.
const filters: [string, string][] = [
  ["", "Tất cả"],
  ["RECEIVED", "Mới tiếp nhận"],
  ["CLASSIFIED", "Đã phân loại, chờ giao"],
  ["ASSIGNED", "Chờ soạn trả lời"],
  ["ANSWER_DRAFTED", "Chờ duyệt trả lời"],
  ["ANSWER_APPROVED", "Đã duyệt"],
  ["ANSWERED", "Đã trả lời"],
];

type Context = { commune: CommuneInfo; topics: Topic[]; roles: string[] };

function path(opinion: Opinion) {
  const [, tenant, , id] = (opinion.name ?? "").split("/");
  return { tenant, opinion: id };
}

// One action's form inside an opinion's card; `send` makes the call and returns the
// opinion as changed, which replaces the card.
function action(
  ctx: Context,
  card: HTMLElement,
  controls: HTMLElement[],
  button: string,
  send: () => Promise<Opinion>,
  extra: HTMLElement[] = [],
): HTMLElement {
  return stepForm(controls, button, send, (o) => replaceCard(card, opinionCard(ctx, o)), extra);
}

function nextStep(ctx: Context, card: HTMLElement, o: Opinion): HTMLElement | null {
  const id = lastId(o.name);
  const where = { params: { path: path(o) }, body: {} };
  const may = (...roles: string[]) => mayAct(ctx.roles, ...roles);
  switch (o.state) {
    case "RECEIVED": {
      if (!may("front", "government_office")) return null;
      const topic = h(
        "select",
        { id: `topic-${id}`, required: "" },
        ctx.topics.map((t) => h("option", { value: t.id ?? "", selected: t.id === o.suggestedTopic }, t.displayName ?? t.id ?? "")),
      );
      return action(ctx, card, [field("Lĩnh vực", topic)], "Phân loại", () =>
        get(api.POST("/v1/tenants/{tenant}/opinions/{opinion}:classify", { ...where, body: { topic: topic.value, etag: o.etag } })),
      );
    }
    case "CLASSIFIED": {
      if (!may("government_office")) return null;
      const department = h("input", { id: `department-${id}`, required: "", list: "departments", autocomplete: "off" });
      const days = h("input", { id: `days-${id}`, type: "number", min: "1", max: "60", value: "10", inputmode: "numeric" });
      return action(
        ctx,
        card,
        [field("Giao cho cơ quan, phòng ban", department), field("Thời hạn trả lời (ngày làm việc)", days)],
        "Giao giải quyết",
        () =>
          get(
            api.POST("/v1/tenants/{tenant}/opinions/{opinion}:assign", {
              ...where,
              body: { department: department.value.trim(), workingDays: Number(days.value), etag: o.etag },
            }),
          ),
      );
    }
    case "ASSIGNED": {
      if (!may("department", "government_office")) return null;
      const answer = h("textarea", { id: `answer-${id}`, rows: "4", required: "" }, o.answer ?? "");
      return action(ctx, card, [field("Nội dung trả lời", answer)], "Gửi dự thảo trả lời", () =>
        get(
          api.POST("/v1/tenants/{tenant}/opinions/{opinion}:draftAnswer", {
            ...where,
            body: { answer: answer.value.trim(), etag: o.etag },
          }),
        ),
      );
    }
    case "ANSWER_DRAFTED": {
      if (!may("government_office", "chair")) return null;
      const note = h("input", { id: `note-${id}`, autocomplete: "off" });
      const back = h("button", { type: "button", class: "secondary" }, "Trả lại để sửa");
      const form = action(ctx, card, [field("Ghi chú khi trả lại (bắt buộc nếu trả lại)", note)], "Duyệt trả lời", () =>
        get(api.POST("/v1/tenants/{tenant}/opinions/{opinion}:approveAnswer", { ...where, body: { etag: o.etag } })),
        [back],
      );
      back.addEventListener("click", async () => {
        const message = form.querySelector("[aria-live]") as HTMLElement;
        message.replaceChildren();
        try {
          const changed = await get(
            api.POST("/v1/tenants/{tenant}/opinions/{opinion}:returnAnswer", {
              ...where,
              body: { note: note.value.trim(), etag: o.etag },
            }),
          );
          card.replaceWith(opinionCard(ctx, changed));
        } catch (error) {
          message.replaceChildren(alert(error));
        }
      });
      return form;
    }
    default:
      return null;
  }
}

function opinionCard(ctx: Context, o: Opinion): HTMLElement {
  const topic = ctx.topics.find((t) => t.id === o.topic)?.displayName ?? "";
  const card = h("article", { class: o.overdue ? "opinion overdue" : "opinion", "data-testid": "opinion" });
  const parts: (HTMLElement | null)[] = [
    h("h2", { tabindex: "-1" }, h("span", { class: "code" }, o.receiptCode ?? ""), " · ", label(opinionStates, o.state)),
    h("p", { class: "text" }, o.text ?? ""),
    h(
      "p",
      { class: "detail" },
      [
        hamletName(ctx.commune, o.hamlet),
        topic && `lĩnh vực: ${topic}`,
        o.department && `giao: ${o.department}`,
        o.answerDueDate && `hạn trả lời ${vnDate(o.answerDueDate)}${o.overdue ? " (quá hạn)" : ""}`,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
    o.answer ? h("div", { class: "answer" }, h("h3", {}, "Nội dung trả lời"), h("p", {}, o.answer)) : null,
    o.returnNote ? h("p", { class: "hint" }, `Văn phòng trả lại: ${o.returnNote}`) : null,
    nextStep(ctx, card, o),
  ];
  card.append(...parts.filter((p): p is HTMLElement => p !== null));
  return card;
}

export async function opinions(): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const query = new URLSearchParams(location.search);
  const state = filters.some(([value]) => value === query.get("trang-thai")) ? (query.get("trang-thai") ?? "") : "";
  const overdue = query.get("qua-han") === "1";
  const conditions = [state && `state = ${state}`, overdue && "overdue = true"].filter(Boolean).join(" AND ");
  const [commune, topics, listed] = await Promise.all([
    loadCommune(tenant),
    get(api.GET("/v1/tenants/{tenant}/topics", { params: { path: { tenant } } })),
    get(
      api.GET("/v1/tenants/{tenant}/opinions", {
        params: { path: { tenant }, query: { filter: conditions || undefined, pageSize: 100 } },
      }),
    ),
  ]);
  const ctx: Context = { commune, topics: topics.topics ?? [], roles: session.account.roles ?? [] };
  const stateSelect = h(
    "select",
    { id: "trang-thai", name: "trang-thai" },
    filters.map(([value, text]) => h("option", { value, selected: value === state }, text)),
  );
  const overdueBox = h("input", { id: "qua-han", name: "qua-han", type: "checkbox", value: "1", checked: overdue });
  const filter = h(
    "form",
    { class: "filters", method: "get", action: location.pathname },
    field("Trạng thái", stateSelect),
    h("div", { class: "choice" }, overdueBox, h("label", { for: "qua-han" }, "Chỉ ý kiến quá hạn")),
    h("button", { type: "submit", class: "secondary" }, "Lọc"),
  );
  const list = listed.opinions ?? [];
  const departments = [...new Set(list.map((o) => o.department).filter(Boolean))] as string[];
  consolePage(
    session.account,
    commune.name,
    "y-kien",
    h("h1", {}, "Ý kiến, kiến nghị"),
    h("p", {}, h("a", { href: consolePath("y-kien/nhap") }, "Nhập phiếu lấy ý kiến từ tệp CSV")),
    filter,
    h("p", { class: "muted", role: "status" }, `${list.length} ý kiến${listed.nextPageToken ? " (100 đầu tiên)" : ""}`),
    h("datalist", { id: "departments" }, departments.map((d) => h("option", { value: d }))),
    list.map((o) => opinionCard(ctx, o)),
  );
}
