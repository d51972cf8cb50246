// Submit an opinion without an account: the hamlet by name, the text (a topic is suggested
// as the citizen types), an optional contact and how the answer should reach them; then the
// receipt code, large, copyable and as a QR code of the follow page.
import { api, get, type Of } from "../api/client";
import { ApiError } from "../api/errors";
import { h } from "../dom";
import { alert, communePath, field, firstMissing, page } from "../layout";
import { hamletSelect, loadCommune, type CommuneInfo } from "../commune";
import { vnDate } from "../format";
import { qrCode } from "../qr";
import { openRound } from "./home";

type Topic = Of<"dialogue.v1.Topic">;

// Lower case without diacritics, so "duong" matches "đường".
export function plain(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
}

const TONES: Record<string, string> = { "\u0300": "1", "\u0301": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5" };

// Lower case, each word's tone moved to its end as a digit and its other marks kept:
// "chợ" -> "chơ5", "hoá" and "hóa" -> "hoa2" (the intake service's FoldTones).
export function toned(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFD")
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((w) => w)
    .map((w) => {
      let tone = "";
      const shape = w.replace(/[\u0300\u0301\u0303\u0309\u0323]/g, (m) => ((tone = TONES[m]), ""));
      return shape.normalize("NFC") + tone;
    })
    .join(" ");
}

const marked = (t: string) => /[\u0300-\u036f]/.test(t.normalize("NFD")) || /[đĐ]/.test(t);

// The topic whose keywords appear most in `text` (a keyword of n words counts n), the
// first on a tie: the same rule as the intake service's own suggestion. A text written
// with its marks is read with them ("chở" is not "chợ"); one typed without marks, or a
// keyword given without them, matches on the bare letters.
export function suggestTopic(topics: Topic[], text: string): Topic | undefined {
  const words = (t: string) => ` ${plain(t).replace(/[^a-z0-9]+/g, " ").trim()} `;
  const bare = words(text);
  const withMarks = marked(text) ? ` ${toned(text)} ` : "";
  let best: Topic | undefined;
  let top = 0;
  for (const t of topics) {
    let score = 0;
    for (const k of t.keywords ?? []) {
      const phrase = words(k);
      if (!phrase.trim()) continue;
      const found = withMarks && marked(k) ? withMarks.includes(` ${toned(k)} `) : bare.includes(phrase);
      if (found) score += phrase.trim().split(" ").length;
    }
    if (score > top) [best, top] = [t, score];
  }
  return best;
}

export async function submit(id: string): Promise<void> {
  const commune = await loadCommune(id);
  const tenant = { params: { path: { tenant: id } } };
  const [rounds, topics] = await Promise.all([
    get(api.GET("/v1/tenants/{tenant}/rounds", tenant)),
    get(api.GET("/v1/tenants/{tenant}/topics", tenant)).catch(() => ({ topics: [] as Topic[] })),
  ]);
  const round = openRound(rounds);
  if (!round) {
    page(
      commune,
      "gop-y",
      h("h1", {}, "Gửi ý kiến, kiến nghị"),
      h("p", {}, "Hiện chưa có đợt lấy ý kiến nào đang mở. Xin quay lại khi xã thông báo đợt lấy ý kiến mới."),
    );
    return;
  }
  const requestId = crypto.randomUUID();  // the same id on a retry stores the opinion once
  const message = h("div", { "aria-live": "polite" });
  const suggestion = h("p", { id: "topic-hint", class: "hint", "aria-live": "polite" });
  const hamlet = hamletSelect(commune, "hamlet");
  const text = h("textarea", {
    id: "text",
    name: "text",
    rows: 6,
    required: true,
    maxlength: 10000,
    "aria-describedby": "topic-hint",
  });
  text.addEventListener("input", () => {
    const t = suggestTopic(topics.topics ?? [], text.value);
    suggestion.textContent = t ? `Lĩnh vực gợi ý: ${t.displayName}` : "";
  });
  const name = h("input", { id: "name", name: "name", autocomplete: "name", maxlength: 200 });
  const contact = h("input", { id: "contact", name: "contact", autocomplete: "tel", maxlength: 200 });
  // How the answer reaches them; by default as the contact suggests (SMS to a phone number).
  const replyVia = h(
    "select",
    { id: "reply-via", name: "replyVia" },
    h("option", { value: "REPLY_VIA_UNSPECIFIED" }, "Theo liên hệ đã ghi (SMS hoặc thư điện tử)"),
    h("option", { value: "REPLY_SMS" }, "Tin nhắn SMS"),
    h("option", { value: "REPLY_ZALO" }, "Zalo"),
    h("option", { value: "REPLY_EMAIL" }, "Thư điện tử"),
    h("option", { value: "REPLY_NONE" }, "Không nhắn, tôi tự xem bằng mã tiếp nhận"),
  ) as HTMLSelectElement;
  const button = h("button", { type: "submit" }, "Gửi ý kiến");
  const form = h(
    "form",
    { novalidate: true },
    field("Thôn, tổ dân phố nơi bạn ở (bắt buộc)", hamlet),
    field("Nội dung ý kiến, kiến nghị (bắt buộc)", text, suggestion),
    h(
      "fieldset",
      {},
      h("legend", {}, "Thông tin liên hệ (không bắt buộc)"),
      h("p", { class: "hint" }, "Chỉ cán bộ xã xem được, để liên hệ khi cần làm rõ và báo cho bạn câu trả lời."),
      field("Họ và tên", name),
      field("Số điện thoại, thư điện tử hoặc địa chỉ", contact),
      field("Nhận câu trả lời và kết quả giải quyết qua", replyVia),
    ),
    message,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();  // an earlier alert no longer applies
    if (firstMissing(message, [[hamlet, "HAMLET_UNKNOWN"], [text, "TEXT_REQUIRED"]])) return;
    button.disabled = true;
    button.textContent = "Đang gửi…";
    try {
      const receipt = await get(
        api.POST("/v1/tenants/{tenant}/opinions:submit", {
          params: { path: { tenant: id } },
          body: {
            round: round.name,
            hamlet: hamlet.value,
            text: text.value,
            submitter: {
              name: name.value,
              contact: contact.value,
              replyVia: replyVia.value as NonNullable<Of<"dialogue.v1.Submitter">["replyVia"]>,
            },
            requestId,
          },
        }),
      );
      showReceipt(commune, receipt.receiptCode ?? "");
    } catch (error) {
      const field = error instanceof ApiError ? error.field : "";
      const bad =
        field === "hamlet" ? hamlet : field === "text" ? text : field === "submitter.contact" ? contact : null;
      bad?.setAttribute("aria-invalid", "true");
      message.replaceChildren(alert(error));
      button.disabled = false;
      button.textContent = "Gửi ý kiến";
    }
  });
  page(
    commune,
    "gop-y",
    h("h1", {}, "Gửi ý kiến, kiến nghị"),
    h(
      "p",
      {},
      `Đợt lấy ý kiến: ${round.title ?? ""}`,
      round.opinionDeadlineDate ? `, nhận đến hết ngày ${vnDate(round.opinionDeadlineDate)}` : "",
      ". Ý kiến được tổng hợp để trả lời tại hội nghị đối thoại hoặc bằng văn bản.",
    ),
    form,
  );
}

function showReceipt(commune: CommuneInfo, code: string): void {
  const followPath = communePath(commune.id, `theo-doi/${code}`);
  const followUrl = `${location.origin}${followPath}`;
  const copied = h("span", { role: "status", class: "hint" });
  const copy = h("button", { type: "button", class: "secondary" }, "Sao chép mã");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code);
      copied.textContent = " Đã sao chép.";
    } catch {
      copied.textContent = " Không sao chép được; xin ghi lại mã.";
    }
  });
  page(
    commune,
    "gop-y",
    h("h1", {}, "Đã nhận ý kiến của bạn"),
    h("p", {}, "Mã tiếp nhận của bạn:"),
    h("p", { class: "receipt", "data-testid": "receipt" }, code),
    h("p", {}, copy, copied),
    h("p", {}, "Giữ mã này (hoặc chụp mã QR) để theo dõi việc giải quyết và câu trả lời."),
    qrCode(followUrl, `Mã QR dẫn tới trang theo dõi ý kiến mã ${code}`),
    h("p", {}, h("a", { class: "button", href: followPath }, "Theo dõi ý kiến này")),
  );
}
