// Register to speak at the conference from a phone (the venue screen shows the QR code).
import { api, get } from "../api/client";
import { h } from "../dom";
import { alert, field, firstMissing, page } from "../layout";
import { hamletSelect, loadCommune } from "../commune";

export async function speak(id: string, session: string): Promise<void> {
  const commune = await loadCommune(id);
  const name = h("input", { id: "name", required: true, autocomplete: "name", maxlength: 200 });
  const hamlet = hamletSelect(commune, "hamlet", "name", false);
  const topic = h("input", { id: "topic", maxlength: 200 });
  const code = h("input", { id: "receipt", autocomplete: "off", placeholder: "XXXX-XXXX-XXXX" });
  const message = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Đăng ký phát biểu");
  const requestId = crypto.randomUUID();
  const form = h(
    "form",
    { novalidate: true },
    field("Họ và tên (bắt buộc)", name),
    field("Thôn, tổ dân phố", hamlet),
    field("Vấn đề muốn phát biểu", topic),
    field("Mã tiếp nhận ý kiến đã gửi (nếu có)", code),
    message,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();  // an earlier alert no longer applies
    if (firstMissing(message, [name])) return;
    button.disabled = true;
    try {
      const made = await get(
        api.POST("/v1/tenants/{tenant}/sessions/{session}/speakers", {
          params: { path: { tenant: id, session }, query: { requestId } },
          body: { fullName: name.value, hamlet: hamlet.value, topic: topic.value, receiptCode: code.value.trim() },
        }),
      );
      form.replaceChildren(
        h("p", { class: "success", role: "status" }, `Đã đăng ký. Bạn ở vị trí số ${made.position ?? ""} trong danh sách phát biểu. Xin theo dõi màn hình tại hội trường.`),
      );
    } catch (error) {
      message.replaceChildren(alert(error));
      button.disabled = false;
    }
  });
  page(commune, null, h("h1", {}, "Đăng ký phát biểu tại hội nghị"), form);
}
