// The console's first page: what is due in the commune, overdue first, counted on the
// commune's working-day calendar (the services compute every due date).
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { alert } from "../../layout";
import { label, noticeKinds, vnDate } from "../../format";
import { loadCommune } from "../../commune";
import { consolePage, consolePath, signedIn } from "../../console/frame";
import { consoleSessionStates } from "./sessions";
import { communeOf } from "../../console/session";
import { escalationCard, provinceView } from "./province";

type Task = Of<"dialogue.v1.TaskView">;
type Notice = Of<"dialogue.v1.Notice">;


// A task due, with the button that records it done (the plan's own record of it).
function taskItem(task: Task, done: (item: HTMLElement) => void): HTMLElement {
  const t = task.task ?? {};
  const button = h("button", { type: "button", class: "secondary small" }, "Đã xong");
  const message = h("div", { "aria-live": "polite" });
  const item = h(
    "li",
    { class: task.overdue ? "due overdue" : "due" },
    h("span", { class: "what" }, t.description ?? ""),
    h(
      "span",
      { class: "detail" },
      `${t.responsibleUnit ?? ""} · hạn ${vnDate(t.resolvedDueDate)}`,
      task.overdue ? " · quá hạn" : "",
    ),
    button,
    message,
  );
  button.setAttribute("aria-label", `Đã xong: ${t.description ?? ""}`);
  button.addEventListener("click", async () => {
    button.setAttribute("disabled", "");
    message.replaceChildren();
    const [tenant, plan, id] = (task.name ?? "").match(/^tenants\/([^/]+)\/plans\/([^/]+)\/tasks\/([^/]+)$/)?.slice(1) ?? [];
    try {
      await get(
        api.POST("/v1/tenants/{tenant}/plans/{plan}/tasks/{task}:complete", {
          params: { path: { tenant, plan, task: id } },
          body: {},
        }),
      );
      done(item);
    } catch (error) {
      message.replaceChildren(alert(error));
      button.removeAttribute("disabled");
    }
  });
  return item;
}

function section(title: string, empty: string, items: HTMLElement[]): HTMLElement[] {
  return [
    h("h2", {}, title, " ", h("span", { class: "count" }, `(${items.length})`)),
    items.length ? h("ul", { class: "due-list" }, items) : h("p", { class: "muted" }, empty),
  ];
}

export async function desk(): Promise<void> {
  const session = await signedIn();
  if (!session) return;
  const commune = communeOf(session.account);
  if (!commune) return provinceView(session);
  const info = await loadCommune(commune);
  // A district answers what the communes under it sent up (its office and chair).
  const inbox =
    info.kind === "DISTRICT"
      ? await get(api.GET("/v1/tenants/{tenant}/escalations", { params: { path: { tenant: commune }, query: { pageSize: 1000 } } })).then(
          (r) => r.escalations ?? [],
          () => null,
        )
      : null;
  const [overdue, soon, notices, lateOpinions, sessions] = await Promise.allSettled([
    get(api.GET("/v1/tenants/{tenant}/tasks", { params: { path: { tenant: commune }, query: { overdueOnly: true } } })),
    get(api.GET("/v1/tenants/{tenant}/tasks", { params: { path: { tenant: commune }, query: { dueWithinDays: 14 } } })),
    get(api.GET("/v1/tenants/{tenant}/notices", { params: { path: { tenant: commune }, query: { state: "NOTICE_DRAFT" } } })),
    get(
      api.GET("/v1/tenants/{tenant}/opinions", {
        params: { path: { tenant: commune }, query: { filter: "overdue = true", pageSize: 100 } },
      }),
    ),
    get(api.GET("/v1/tenants/{tenant}/sessions", { params: { path: { tenant: commune } } })),
  ]);
  // Conferences under way, ahead within 14 days, or held with their minutes unapproved.
  const horizon = new Date(Date.now() + 14 * 86400e3).toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });
  const conferences = (sessions.status === "fulfilled" ? (sessions.value.sessions ?? []) : [])
    .filter(
      (c) =>
        c.state === "SESSION_IN_PROGRESS" ||
        c.state === "SESSION_CONCLUDED" ||
        ((c.state === "SESSION_SCHEDULED" || c.state === "SESSION_ANNOUNCED") && (c.date ?? "") <= horizon),
    )
    .sort((a, b) => (a.date ?? "").localeCompare(b.date ?? ""));
  const tasks: Task[] = [];
  for (const r of [overdue, soon]) {
    if (r.status === "fulfilled") {
      for (const t of r.value.tasks ?? []) if (!tasks.some((x) => x.name === t.name)) tasks.push(t);
    }
  }
  tasks.sort((a, b) => Number(!!b.overdue) - Number(!!a.overdue) || (a.task?.resolvedDueDate ?? "").localeCompare(b.task?.resolvedDueDate ?? ""));
  const drafts: Notice[] = notices.status === "fulfilled" ? (notices.value.notices ?? []) : [];
  const failures = [overdue, soon, notices, lateOpinions, sessions].filter((r) => r.status === "rejected");
  // A task recorded done leaves the list, and the count says so.
  const taskDone = (item: HTMLElement) => {
    const list = item.parentElement;
    item.remove();
    const count = list?.previousElementSibling?.querySelector(".count");
    if (count && list) count.textContent = `(${list.children.length})`;
  };
  consolePage(
    session.account,
    info.name,
    "",
    h("h1", {}, "Việc cần làm"),
    failures.length ? alert((failures[0] as PromiseRejectedResult).reason) : null,
    inbox
      ? [
          h("h2", {}, "Kiến nghị các xã chuyển lên ", h("span", { class: "count" }, `(${inbox.length})`)),
          inbox.length
            ? h("section", { "aria-label": "Kiến nghị chuyển lên chờ trả lời" }, inbox.map(escalationCard))
            : h("p", { class: "muted" }, "Không có kiến nghị nào chờ cấp huyện trả lời."),
        ]
      : null,
    section(
      "Nhiệm vụ theo kế hoạch",
      "Không có nhiệm vụ quá hạn hay đến hạn trong 14 ngày tới.",
      tasks.map((task) => taskItem(task, taskDone)),
    ),
    section(
      "Hội nghị",
      "Không có hội nghị nào đang diễn ra hay trong 14 ngày tới.",
      conferences.map((c) => {
        const id = (c.name ?? "").split("/").pop() ?? "";
        const held = c.state === "SESSION_IN_PROGRESS" || c.state === "SESSION_CONCLUDED";
        return h(
          "li",
          { class: "due" },
          h("a", { class: "what", href: consolePath(held ? `hoi-nghi/${id}` : "hoi-nghi") }, c.title || "Hội nghị đối thoại"),
          h(
            "span",
            { class: "detail" },
            `${c.startTime ?? ""} ngày ${vnDate(c.date)} · `,
            c.state === "SESSION_SCHEDULED" ? "chưa thông báo" : label(consoleSessionStates, c.state),
          ),
        );
      }),
    ),
    section(
      "Thông báo chưa ban hành",
      "Không có thông báo nào đang chờ ban hành.",
      drafts.map((n) =>
        h(
          "li",
          { class: n.overdue ? "due overdue" : "due" },
          h("a", { class: "what", href: consolePath("thong-bao") }, n.title || label(noticeKinds, n.kind) || "Thông báo"),
          h("span", { class: "detail" }, `hạn ban hành ${vnDate(n.dueDate)}`, n.overdue ? " · quá hạn" : ""),
        ),
      ),
    ),
    section(
      "Ý kiến quá hạn trả lời",
      "Không có ý kiến nào quá hạn trả lời.",
      (lateOpinions.status === "fulfilled" ? (lateOpinions.value.opinions ?? []) : []).map((o) =>
        h(
          "li",
          { class: "due overdue" },
          h("a", { class: "what", href: `${consolePath("y-kien")}?qua-han=1` }, (o.text ?? "").slice(0, 140)),
          h("span", { class: "detail" }, `mã ${o.receiptCode ?? ""} · hạn ${vnDate(o.answerDueDate)}`),
        ),
      ),
    ),
  );
}
