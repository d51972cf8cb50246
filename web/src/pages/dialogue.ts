// Ask for a dialogue: when a tenth of the commune's voters (its rule) ask, the commune must
// hold one. Shows how many have asked.
import { api, get } from "../api/client";
import { h } from "../dom";
import { alert, field, firstMissing, page } from "../layout";
import { hamletSelect, loadCommune } from "../commune";

export async function dialogue(id: string): Promise<void> {
  const commune = await loadCommune(id);
  const params = { params: { path: { tenant: id } } };
  const counts = await get(api.GET("/v1/tenants/{tenant}/dialogueRequests", params));
  const count = h("p", { class: "lead", "aria-live": "polite" });
  const setCount = (open: number) => {
    count.textContent = counts.threshold
      ? `${open} trên ${counts.threshold} cử tri cần thiết đã đề nghị.`
      : `${open} cử tri đã đề nghị.`;
  };
  setCount(counts.openCount ?? 0);
  const voter = h("input", { id: "voter", required: true, autocomplete: "name", maxlength: 200 });
  const hamlet = hamletSelect(commune, "hamlet");
  const contact = h("input", { id: "contact", required: true, autocomplete: "tel", maxlength: 200 });
  const matter = h("textarea", { id: "matter", rows: 4, required: true, maxlength: 2000 });
  const message = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Gửi đề nghị");
  const form = h(
    "form",
    { novalidate: true },
    field("Họ và tên cử tri (bắt buộc)", voter),
    field("Thôn, tổ dân phố (bắt buộc)", hamlet),
    field("Số điện thoại hoặc địa chỉ (bắt buộc, chỉ cán bộ xã xem được)", contact),
    field("Vấn đề cần đối thoại (bắt buộc)", matter),
    message,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();  // an earlier alert no longer applies
    if (firstMissing(message, [voter, hamlet, contact, matter])) return;
    button.disabled = true;
    try {
      const made = await get(
        api.POST("/v1/tenants/{tenant}/dialogueRequests", {
          params: { path: { tenant: id } },
          body: { voterName: voter.value, hamlet: hamlet.value, contact: contact.value, matter: matter.value },
        }),
      );
      const now = await get(api.GET("/v1/tenants/{tenant}/dialogueRequests", params));
      setCount(now.openCount ?? 0);
      form.replaceChildren(
        h(
          "p",
          { class: "success", role: "status" },
          made.state === "FORWARDED"
            ? "Đã nhận đề nghị của bạn. Số cử tri đề nghị đã đủ: xã sẽ tổ chức hội nghị đối thoại."
            : "Đã nhận đề nghị của bạn.",
        ),
      );
    } catch (error) {
      message.replaceChildren(alert(error));
      button.disabled = false;
    }
  });
  page(
    commune,
    "de-nghi-doi-thoai",
    h("h1", {}, "Đề nghị tổ chức đối thoại"),
    h(
      "p",
      {},
      "Khi đủ số cử tri đề nghị theo quy định (10% cử tri của xã), Ủy ban nhân dân xã phải tổ chức hội nghị đối thoại về vấn đề được nêu. Mỗi cử tri đề nghị một lần.",
    ),
    count,
    form,
  );
}
