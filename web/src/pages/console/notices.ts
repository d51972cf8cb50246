// The commune's notices: drafts with their due dates (overdue first), edited and issued in
// place with their number, date and signer; issued ones with their printed layout and the
// deliveries on each channel.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { communePath, field } from "../../layout";
import { label, noticeKinds, today, vnDate, vnDateTime } from "../../format";
import { lastId, loadCommune } from "../../commune";
import { consolePage, replaceCard, signedInStaff, stepForm } from "../../console/frame";

type Notice = Of<"dialogue.v1.Notice">;
type Delivery = Of<"dialogue.v1.Delivery">;

const channels: Record<string, string> = {
  VIA_ZALO: "Zalo",
  VIA_SMS: "Tin nhắn SMS",
  VIA_EMAIL: "Thư điện tử",
  VIA_LOUDSPEAKER: "Loa truyền thanh",
  VIA_WEB: "Trang thông tin",
  VIA_IN_APP: "Ứng dụng",
};
const deliveryStates: Record<string, string> = {
  DELIVERY_QUEUED: "Đang chờ gửi",
  DELIVERY_SENT: "Đã gửi",
  DELIVERY_FAILED: "Gửi không được",
};

function where(n: Notice) {
  return { tenant: (n.name ?? "").split("/")[1], notice: lastId(n.name) };
}

// A form whose submit calls `send` and puts the notice it returns in place of `card`.
function form(card: HTMLElement, tenant: string, controls: HTMLElement[], button: string, send: () => Promise<Notice>): HTMLElement {
  return stepForm(controls, button, send, async (n) => replaceCard(card, await noticeCard(n, tenant)));
}

function deliveriesTable(deliveries: Delivery[]): HTMLElement {
  if (!deliveries.length) return h("p", { class: "muted" }, "Không có tin gửi riêng (chỉ đăng công khai).");
  return h(
    "table",
    { "data-testid": "deliveries" },
    h("thead", {}, h("tr", {}, ["Kênh", "Người nhận", "Tình trạng", "Số lần gửi"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      deliveries.map((d) =>
        h(
          "tr",
          {},
          h("td", { "data-label": "Kênh" }, label(channels, d.channel)),
          h("td", { "data-label": "Người nhận" }, d.recipient ?? ""),
          h("td", { "data-label": "Tình trạng" }, label(deliveryStates, d.state), d.sentTime ? ` (${vnDateTime(d.sentTime)})` : ""),
          h("td", { "data-label": "Số lần gửi" }, d.attempts ?? 0),
        ),
      ),
    ),
  );
}

async function noticeCard(n: Notice, tenant: string): Promise<HTMLElement> {
  const id = lastId(n.name);
  const draft = n.state === "NOTICE_DRAFT";
  const card = h("article", { class: n.overdue ? "opinion overdue" : "opinion", "data-testid": "notice" });
  const parts: (HTMLElement | null)[] = [
    h("h2", { tabindex: "-1" }, n.title || label(noticeKinds, n.kind), " · ", draft ? "Dự thảo" : "Đã ban hành"),
    h(
      "p",
      { class: "detail" },
      [
        label(noticeKinds, n.kind),
        draft && n.dueDate && `hạn ban hành ${vnDate(n.dueDate)}${n.overdue ? " (quá hạn)" : ""}`,
        draft && n.resultsDueDate && `công khai kết quả trước ${vnDate(n.resultsDueDate)}`,
        !draft && `Số ${n.documentNumber ?? ""}, ngày ${vnDate(n.issueDate)}`,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
    ...(n.warnings ?? []).map((w) => h("p", { class: "hint" }, w)),
  ];
  if (draft) {
    const title = h("input", { id: `title-${id}`, value: n.title ?? "" });
    const body = h("textarea", { id: `body-${id}`, rows: "6" }, n.body ?? "");
    const signer = h("textarea", { id: `signer-${id}`, rows: "3" }, n.signer ?? "");
    parts.push(
      form(card, tenant, [field("Tiêu đề", title), field("Nội dung", body), field("Người ký (chức vụ, họ tên)", signer)], "Lưu dự thảo", () =>
        get(
          api.PATCH("/v1/tenants/{tenant}/notices/{notice}", {
            params: { path: where(n), query: { updateMask: "title,body,signer" } },
            body: { title: title.value.trim(), body: body.value.trim(), signer: signer.value.trim(), etag: n.etag },
          }),
        ),
      ),
    );
    const number = h("input", { id: `number-${id}`, autocomplete: "off", placeholder: "12/TB-UBND" });
    const date = h("input", { id: `date-${id}`, type: "date", value: today() });
    parts.push(
      form(card, tenant, [field("Số, ký hiệu", number), field("Ngày ban hành", date)], "Ban hành", () =>
        get(
          api.POST("/v1/tenants/{tenant}/notices/{notice}:issue", {
            params: { path: where(n) },
            body: { documentNumber: number.value.trim(), issueDate: date.value, etag: n.etag },
          }),
        ),
      ),
    );
  } else {
    const deliveries = await get(
      api.GET("/v1/tenants/{tenant}/notices/{notice}/deliveries", { params: { path: where(n) } }),
    ).catch(() => ({ deliveries: [] as Delivery[] }));
    parts.push(
      h("p", {}, h("a", { href: communePath(tenant, `thong-bao/${id}`) }, "Bản in và nội dung đọc trên loa")),
      deliveriesTable(deliveries.deliveries ?? []),
    );
  }
  card.append(...parts.filter((p): p is HTMLElement => p !== null));
  return card;
}

export async function noticesPage(): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const issued = new URLSearchParams(location.search).get("da-ban-hanh") === "1";
  const [commune, listed] = await Promise.all([
    loadCommune(tenant),
    get(
      api.GET("/v1/tenants/{tenant}/notices", {
        params: { path: { tenant }, query: { state: issued ? "NOTICE_ISSUED" : "NOTICE_DRAFT", pageSize: 50 } },
      }),
    ),
  ]);
  const notices = [...(listed.notices ?? [])].sort((a, b) => Number(!!b.overdue) - Number(!!a.overdue));
  consolePage(
    session.account,
    commune.name,
    "thong-bao",
    h("h1", {}, issued ? "Thông báo đã ban hành" : "Thông báo chờ ban hành"),
    h(
      "p",
      {},
      issued
        ? h("a", { href: "?da-ban-hanh=0" }, "Xem thông báo chờ ban hành")
        : h("a", { href: "?da-ban-hanh=1" }, "Xem thông báo đã ban hành"),
    ),
    notices.length ? await Promise.all(notices.map((n) => noticeCard(n, tenant))) : h("p", { class: "muted" }, "Không có thông báo nào."),
  );
}
