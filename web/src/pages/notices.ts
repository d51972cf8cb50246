// The commune's issued notices: the list, and one notice in its printed layout with the
// text read on the loudspeaker.
import { api, get, type Of } from "../api/client";
import { h } from "../dom";
import { communePath, page } from "../layout";
import { loadCommune, lastId } from "../commune";
import { label, noticeKinds, vnDate } from "../format";

type Notice = Of<"dialogue.v1.PublishedNotice">;

async function published(tenant: string, pageToken = "") {
  return get(
    api.GET("/v1/tenants/{tenant}/notices:published", {
      params: { path: { tenant }, query: { pageSize: 50, pageToken } },
    }),
  );
}

export async function notices(id: string): Promise<void> {
  const commune = await loadCommune(id);
  const feed = await published(id);
  const list = feed.notices ?? [];
  page(
    commune,
    "thong-bao",
    h("h1", {}, "Thông báo"),
    list.length
      ? h(
          "ul",
          { class: "notices" },
          list.map((n) =>
            h(
              "li",
              {},
              h("a", { href: communePath(id, `thong-bao/${lastId(n.name)}`) }, n.title ?? ""),
              h("div", { class: "muted" }, `${label(noticeKinds, n.kind)} số ${n.documentNumber ?? ""}, ngày ${vnDate(n.issueDate)}`),
            ),
          ),
        )
      : h("p", {}, "Chưa có thông báo."),
    h("p", {}, h("a", { href: `/v1/tenants/${id}/notices:atom` }, "Nhận thông báo mới qua RSS/Atom")),
  );
}

export async function notice(id: string, noticeId: string): Promise<void> {
  const commune = await loadCommune(id);
  let found: Notice | undefined;
  let token = "";
  for (let pages = 0; pages < 20 && !found; ++pages) {
    const feed = await published(id, token);
    found = (feed.notices ?? []).find((n) => lastId(n.name) === noticeId);
    token = feed.nextPageToken ?? "";
    if (!token) break;
  }
  if (!found) {
    page(commune, "thong-bao", h("h1", {}, "Không tìm thấy thông báo"), h("p", {}, "Thông báo này không có hoặc chưa được ban hành."), h("p", {}, h("a", { href: communePath(id, "thong-bao") }, "Xem các thông báo")));
    return;
  }
  const print = h("button", { type: "button", class: "secondary" }, "In thông báo");
  print.addEventListener("click", () => window.print());
  page(
    commune,
    "thong-bao",
    h("h1", {}, found.title ?? ""),
    h("p", { class: "muted" }, `${label(noticeKinds, found.kind)} số ${found.documentNumber ?? ""}, ngày ${vnDate(found.issueDate)}`),
    h("div", { class: "document", "data-testid": "document" }, found.documentText ?? ""),
    h(
      "p",
      { class: "no-print" },
      print,
      " ",
      h("a", { href: `/v1/${found.name}:render?format=html`, "data-testid": "render-html" }, "Bản in khổ A4"),
      " · ",
      h("a", { href: `/v1/${found.name}:render?format=docx`, "data-testid": "render-docx" }, "Tải về (.docx)"),
    ),
    found.broadcastScript &&
      h(
        "section",
        { class: "broadcast" },
        h("h2", {}, "Nội dung phát trên loa truyền thanh"),
        (found.airTimes ?? []).length > 0 &&
          h("p", {}, "Phát vào: ", (found.airTimes ?? []).map((t) => `${t.slice(11, 16)} ngày ${vnDate(t)}`).join("; "), "."),
        h("div", { class: "script" }, found.broadcastScript),
      ),
  );
}
