// Follow an opinion by its receipt code: its state and steps, the answer, the commitment
// the conference made of it and its progress, and the petitioner's feedback.
import { api, get, type Of } from "../api/client";
import { h } from "../dom";
import { alert, communePath, field, page } from "../layout";
import { loadCommune, type CommuneInfo } from "../commune";
import {
  commitmentStates,
  label,
  opinionStates,
  opinionSteps,
  vnDate,
  vnDateTime,
} from "../format";

type Status = Of<"dialogue.v1.OpinionStatus">;
type Promise_ = Of<"dialogue.v1.PublicCommitment">;

export async function follow(id: string, code: string): Promise<void> {
  const commune = await loadCommune(id);
  const input = h("input", {
    id: "code",
    name: "code",
    value: code,
    required: true,
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    placeholder: "XXXX-XXXX-XXXX",
  });
  const form = h(
    "form",
    { class: "inline", role: "search" },
    h("label", { for: "code" }, "Mã tiếp nhận"),
    input,
    h("button", { type: "submit" }, "Tra cứu"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = input.value.trim().toUpperCase();
    if (wanted) location.assign(communePath(id, `theo-doi/${encodeURIComponent(wanted)}`));
  });
  if (!code) {
    page(commune, "theo-doi", h("h1", {}, "Theo dõi ý kiến"), h("p", {}, "Nhập mã tiếp nhận in trên phiếu hoặc nhận được khi gửi ý kiến trực tuyến."), form);
    return;
  }
  const receipt = { params: { path: { tenant: id, receipt: code } } };
  let status: Status;
  try {
    status = await get(api.GET("/v1/tenants/{tenant}/receipts/{receipt}", receipt));
  } catch (error) {
    page(commune, "theo-doi", h("h1", {}, "Theo dõi ý kiến"), alert(error), form);
    return;
  }
  const promises = await get(api.GET("/v1/tenants/{tenant}/receipts/{receipt}/commitments", receipt)).then(
    (r) => r.commitments ?? [],
    (error) => error as Error,
  );
  page(
    commune,
    "theo-doi",
    h("h1", {}, "Theo dõi ý kiến"),
    opinion(status),
    h("h2", {}, "Kết luận của hội nghị"),
    promises instanceof Error
      ? alert(promises)
      : promises.length
        ? promises.map((p) => commitment(commune, code, p))
        : h("p", {}, "Ý kiến chưa có nội dung kết luận cần theo dõi."),
    h("h2", {}, "Tra cứu mã khác"),
    form,
  );
}

function opinion(s: Status): HTMLElement {
  const state = s.state ?? "RECEIVED";
  const reached = opinionSteps.indexOf(state === "ANSWER_DRAFTED" ? "ASSIGNED" : state);
  return h(
    "section",
    {},
    h("p", {}, "Mã tiếp nhận: ", h("strong", { class: "code" }, s.receiptCode ?? "")),
    h("p", { class: "lead", "data-testid": "opinion-state" }, label(opinionStates, state)),
    reached >= 0 &&
      h(
        "ol",
        { class: "steps", "aria-label": "Các bước giải quyết" },
        opinionSteps.map((step, i) =>
          h(
            "li",
            { class: i <= reached ? "done" : "", "aria-current": i === reached ? "step" : undefined },
            label(opinionStates, step),
          ),
        ),
      ),
    h(
      "dl",
      {},
      h("dt", {}, "Ngày tiếp nhận"),
      h("dd", {}, vnDateTime(s.receiveTime)),
      h("dt", {}, "Cập nhật lần cuối"),
      h("dd", {}, vnDateTime(s.updateTime)),
      (s.supporterCount ?? 0) > 1 && [h("dt", {}, "Số người cùng kiến nghị"), h("dd", {}, String(s.supporterCount))],
      s.routedTo && [h("dt", {}, "Chuyển đến"), h("dd", {}, `${s.routedTo}${s.routeReason ? ` (${s.routeReason})` : ""}`)],
    ),
    s.answer && h("section", { class: "answer" }, h("h2", {}, "Trả lời"), h("p", { "data-testid": "answer" }, s.answer)),
  );
}

function commitment(commune: CommuneInfo, code: string, c: Promise_): HTMLElement {
  const id = (c.name ?? "").split("/").pop() ?? "";
  return h(
    "article",
    { class: "commitment" },
    h("h3", {}, c.summary ?? ""),
    h(
      "dl",
      {},
      h("dt", {}, "Việc phải làm"),
      h("dd", {}, c.action ?? ""),
      h("dt", {}, "Cơ quan thực hiện"),
      h("dd", {}, c.agency ?? ""),
      c.dueDate && [h("dt", {}, "Hạn"), h("dd", {}, vnDate(c.dueDate))],
      h("dt", {}, "Kết quả"),
      h("dd", {}, label(commitmentStates, c.state), c.overdue ? h("span", { class: "late" }, " (quá hạn)") : null),
    ),
    (c.progress ?? []).length > 0 &&
      h(
        "ol",
        { class: "history", "aria-label": "Tiến độ" },
        (c.progress ?? []).map((p) =>
          h("li", {}, `${vnDate(p.date)}: ${label(commitmentStates, p.state)}`, p.note ? ` — ${p.note}` : ""),
        ),
      ),
    feedback(commune, code, id, c),
  );
}

// Once the result is in, the petitioner says whether it satisfies them; if not, they may
// ask the Front to look at it again.
function feedback(commune: CommuneInfo, code: string, id: string, c: Promise_): HTMLElement {
  const finished = ["COMMITMENT_RESOLVED", "COMMITMENT_CANNOT_RESOLVE"];
  if (!finished.includes(c.state ?? "")) {
    return h("p", { class: "hint" }, "Khi có kết quả giải quyết, bạn có thể cho biết mình có hài lòng hay không.");
  }
  if (c.feedbackGiven) {
    return h(
      "p",
      { class: "hint" },
      c.satisfied ? "Bạn đã cho biết hài lòng với kết quả." : "Bạn đã cho biết chưa hài lòng với kết quả.",
      c.reopenRequested ? " Đề nghị xem xét lại đã được gửi tới Mặt trận xã." : "",
    );
  }
  const prefix = `fb-${id}`;
  const yes = h("input", { type: "radio", name: `${prefix}-ok`, id: `${prefix}-yes`, value: "yes" });
  const no = h("input", { type: "radio", name: `${prefix}-ok`, id: `${prefix}-no`, value: "no" });
  const comment = h("textarea", { id: `${prefix}-comment`, rows: 3, maxlength: 2000 });
  const reopen = h("input", { type: "checkbox", id: `${prefix}-reopen` });
  const message = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "feedback" },
    h(
      "fieldset",
      {},
      h("legend", {}, "Bạn có hài lòng với kết quả giải quyết?"),
      h("div", { class: "choice" }, yes, h("label", { for: `${prefix}-yes` }, "Hài lòng")),
      h("div", { class: "choice" }, no, h("label", { for: `${prefix}-no` }, "Chưa hài lòng")),
    ),
    field("Ý kiến thêm (không bắt buộc)", comment),
    h("div", { class: "choice" }, reopen, h("label", { for: `${prefix}-reopen` }, "Đề nghị xem xét lại (khi chưa hài lòng)")),
    message,
    h("button", { type: "submit" }, "Gửi đánh giá"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();  // an earlier alert no longer applies
    if (!yes.checked && !no.checked) {
      message.replaceChildren(h("p", { class: "alert", role: "alert" }, "Xin chọn Hài lòng hoặc Chưa hài lòng."));
      return;
    }
    try {
      await get(
        api.POST("/v1/tenants/{tenant}/receipts/{receipt}/commitments/{commitment}:feedback", {
          params: { path: { tenant: commune.id, receipt: code, commitment: id } },
          body: { satisfied: yes.checked, comment: comment.value, requestReopen: reopen.checked },
        }),
      );
      location.reload();
    } catch (error) {
      message.replaceChildren(alert(error));
    }
  });
  return form;
}
