// The opinions inbox: the commune's opinions by state, each with the one next step it
// needs (classify, assign, draft the answer, approve or return it), done in place. A
// department's own staff see only what was assigned to their department (the service
// decides; the page just shows what it is given).
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { alert, field } from "../../layout";
import { ApiError } from "../../api/errors";
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
  ["MERGED", "Đã gộp vào ý kiến khác"],
];

type Context = { commune: CommuneInfo; topics: Topic[]; roles: string[]; all: Opinion[]; reload: (summary?: HTMLElement) => void };

// What may be done to many opinions at once, the state each needs, and who may.
const bulkSteps: { value: string; text: string; state: string; roles: string[] }[] = [
  { value: "classify", text: "Phân loại vào lĩnh vực", state: "RECEIVED", roles: ["front", "government_office"] },
  { value: "assign", text: "Giao cho cơ quan, phòng ban", state: "CLASSIFIED", roles: ["government_office"] },
  { value: "approve", text: "Duyệt nội dung trả lời", state: "ANSWER_DRAFTED", roles: ["government_office", "chair"] },
];
const mergers = ["front", "government_office"];

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

// Opinions of the same round alike to `o`, side by side with it; those ticked are folded
// into it (they become MERGED, it counts their supporters).
function duplicatesStep(ctx: Context, o: Opinion): HTMLElement | null {
  if (!["RECEIVED", "CLASSIFIED"].includes(o.state ?? "") || !mayAct(ctx.roles, ...mergers)) return null;
  const panel = h("div", { class: "duplicates" });
  const find = h("button", { type: "button", class: "secondary small" }, "Tìm ý kiến trùng");
  find.setAttribute("aria-label", `Tìm ý kiến trùng với ${o.receiptCode ?? ""}`);
  find.addEventListener("click", async () => {
    find.setAttribute("disabled", "");
    try {
      const found = await get(api.GET("/v1/tenants/{tenant}/opinions/{opinion}:duplicates", { params: { path: path(o) } }));
      const candidates = (found.candidates ?? []).filter((c) => ["RECEIVED", "CLASSIFIED"].includes(c.opinion?.state ?? ""));
      if (!candidates.length) {
        panel.replaceChildren(h("p", { class: "muted", role: "status" }, "Không thấy ý kiến nào giống ý kiến này trong cùng đợt."));
        return;
      }
      const boxes = candidates.map((c) => h("input", { id: `merge-${lastId(o.name)}-${lastId(c.opinion?.name)}`, type: "checkbox", value: c.opinion?.name ?? "" }));
      panel.replaceChildren(
        h(
          "div",
          { class: "side-by-side", "data-testid": "duplicates" },
          h("div", {}, h("h3", {}, "Ý kiến này"), h("p", { class: "text" }, o.text ?? ""), h("p", { class: "detail" }, hamletName(ctx.commune, o.hamlet))),
          h(
            "div",
            {},
            h("h3", {}, `Ý kiến giống (${candidates.length})`),
            candidates.map((c, i) =>
              h(
                "div",
                { class: "choice candidate" },
                boxes[i],
                h(
                  "label",
                  { for: boxes[i].id },
                  c.opinion?.text ?? "",
                  h("span", { class: "detail" }, ` ${c.opinion?.receiptCode ?? ""} · ${hamletName(ctx.commune, c.opinion?.hamlet)} · giống ${Math.round((c.similarity ?? 0) * 100)}%`),
                ),
              ),
            ),
          ),
        ),
        stepForm(
          [],
          "Gộp các ý kiến đã chọn vào ý kiến này",
          () =>
            get(
              api.POST("/v1/tenants/{tenant}/opinions/{opinion}:merge", {
                params: { path: path(o) },
                body: { sources: boxes.filter((b) => b.checked).map((b) => b.value) },
              }),
            ),
          () => ctx.reload(),
        ),
      );
    } catch (error) {
      panel.replaceChildren(alert(error));
    } finally {
      find.removeAttribute("disabled");
    }
  });
  return h("div", {}, find, panel);
}

// A merged opinion is taken out again: it gets back the state it had.
function unmergeStep(ctx: Context, card: HTMLElement, o: Opinion): HTMLElement | null {
  if (o.state !== "MERGED" || !mayAct(ctx.roles, ...mergers)) return null;
  return stepForm(
    [],
    "Tách ra (bỏ gộp)",
    () => get(api.POST("/v1/tenants/{tenant}/opinions/{opinion}:unmerge", { params: { path: path(o) }, body: { etag: o.etag } })),
    (changed) => replaceCard(card, opinionCard(ctx, changed)),
  );
}

// The form that applies one step to every opinion ticked on the page, one call each (each
// with the etag read); what could not be done is said opinion by opinion.
function bulkForm(ctx: Context): HTMLElement | null {
  const steps = bulkSteps.filter((b) => mayAct(ctx.roles, ...b.roles) && ctx.all.some((o) => o.state === b.state));
  if (!steps.length) return null;
  const what = h("select", { id: "bulk-step" }, steps.map((b) => h("option", { value: b.value }, b.text)));
  const topic = h("select", { id: "bulk-topic" }, ctx.topics.map((t) => h("option", { value: t.id ?? "" }, t.displayName ?? t.id ?? "")));
  const department = h("input", { id: "bulk-department", list: "departments", autocomplete: "off" });
  const days = h("input", { id: "bulk-days", type: "number", min: "1", max: "60", value: "10", inputmode: "numeric" });
  const topicField = field("Lĩnh vực", topic);
  const assignFields = [field("Cơ quan, phòng ban", department), field("Thời hạn trả lời (ngày làm việc)", days)];
  const showFields = () => {
    topicField.hidden = what.value !== "classify";
    for (const f of assignFields) f.hidden = what.value !== "assign";
  };
  what.addEventListener("change", showFields);
  showFields();
  const send = async (o: Opinion) => {
    const where = { params: { path: path(o) } };
    switch (what.value) {
      case "classify":
        return get(api.POST("/v1/tenants/{tenant}/opinions/{opinion}:classify", { ...where, body: { topic: topic.value, etag: o.etag } }));
      case "assign":
        return get(
          api.POST("/v1/tenants/{tenant}/opinions/{opinion}:assign", {
            ...where,
            body: { department: department.value.trim(), workingDays: Number(days.value), etag: o.etag },
          }),
        );
      default:
        return get(api.POST("/v1/tenants/{tenant}/opinions/{opinion}:approveAnswer", { ...where, body: { etag: o.etag } }));
    }
  };
  return h(
    "section",
    { class: "bulk", "aria-labelledby": "bulk-heading" },
    h("h2", { id: "bulk-heading" }, "Xử lý nhiều ý kiến cùng lúc"),
    stepForm(
      [field("Việc", what), topicField, ...assignFields],
      "Áp dụng cho các ý kiến đã chọn",
      async () => {
        const step = bulkSteps.find((b) => b.value === what.value)!;
        const chosen = [...document.querySelectorAll<HTMLInputElement>("input.select:checked")]
          .map((b) => ctx.all.find((o) => o.name === b.value))
          .filter((o): o is Opinion => !!o);
        const fitting = chosen.filter((o) => o.state === step.state);
        if (!fitting.length) throw new ApiError("NOTHING_SELECTED", 400, "");
        const refused: HTMLElement[] = [];
        for (const o of fitting) {
          try {
            await send(o);
          } catch (error) {
            refused.push(h("li", {}, `${o.receiptCode ?? ""}: ${(error as Error).message}`));
          }
        }
        const skipped = chosen.length - fitting.length;
        return h(
          "div",
          { class: refused.length ? "alert" : "success", role: "status", "data-testid": "bulk-result" },
          h("p", {}, `${step.text}: xong ${fitting.length - refused.length} ý kiến${skipped ? `; bỏ qua ${skipped} ý kiến không ở bước này` : ""}.`),
          refused.length ? [h("p", {}, "Không làm được:"), h("ul", {}, refused)] : [],
        );
      },
      (summary) => ctx.reload(summary),
    ),
  );
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
        (o.supporterCount ?? 1) > 1 && `${o.supporterCount} người cùng ý kiến`,
        o.mergedInto && `gộp vào ý kiến ${ctx.all.find((x) => x.name === o.mergedInto)?.receiptCode ?? lastId(o.mergedInto)}`,
        o.answerDueDate && `hạn trả lời ${vnDate(o.answerDueDate)}${o.overdue ? " (quá hạn)" : ""}`,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
    o.answer ? h("div", { class: "answer" }, h("h3", {}, "Nội dung trả lời"), h("p", {}, o.answer)) : null,
    o.returnNote ? h("p", { class: "hint" }, `Văn phòng trả lại: ${o.returnNote}`) : null,
    nextStep(ctx, card, o),
    duplicatesStep(ctx, o),
    unmergeStep(ctx, card, o),
  ];
  if (bulkSteps.some((b) => b.state === o.state && mayAct(ctx.roles, ...b.roles))) {
    const box = h("input", { id: `select-${lastId(o.name)}`, type: "checkbox", class: "select", value: o.name ?? "" });
    parts.unshift(h("div", { class: "choice" }, box, h("label", { for: box.id }, `Chọn ý kiến ${o.receiptCode ?? ""}`)));
  }
  card.append(...parts.filter((p): p is HTMLElement => p !== null));
  return card;
}

// `summary`: what the last bulk step did, shown above the list read again.
export async function opinions(summary?: HTMLElement): Promise<void> {
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
  const list = listed.opinions ?? [];
  const ctx: Context = {
    commune,
    topics: topics.topics ?? [],
    roles: session.account.roles ?? [],
    all: list,
    reload: (next) => void opinions(next),
  };
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
    summary ?? null,
    bulkForm(ctx),
    list.map((o) => opinionCard(ctx, o)),
  );
}
