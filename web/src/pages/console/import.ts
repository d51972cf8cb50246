// Typed-in survey forms, uploaded as a CSV file: every stored form's receipt code, to write
// on the paper form, and every refused row with the reason, to correct and upload again
// (rows stored before are recognised and not stored twice).
import { api, get, type Of } from "../../api/client";
import { ApiError } from "../../api/errors";
import { h } from "../../dom";
import { alert, field } from "../../layout";
import { renderLink, committeeSigner, vnDate } from "../../format";
import { loadCommune } from "../../commune";
import { consolePage, consolePath, mayAct, signedInStaff, stepForm } from "../../console/frame";
import { send } from "../../console/session";

type Imported = Of<"dialogue.v1.ImportOpinionsResponse">;

// A refused row's reason, as a clerk correcting the file reads it.
const rowReasons: Record<string, string> = {
  HAMLET_UNKNOWN: "Thôn, tổ dân phố không có trong danh sách của xã.",
  HAMLET_REQUIRED: "Thiếu thôn, tổ dân phố.",
  TEXT_REQUIRED: "Thiếu nội dung ý kiến.",
  TEXT_TOO_LONG: "Nội dung quá dài.",
  CHANNEL_UNKNOWN: "Hình thức tiếp nhận không đúng.",
};

async function upload(tenant: string, round: string, file: File): Promise<Imported> {
  const path = `/v1/tenants/${tenant}/opinions:importCsv?round=${encodeURIComponent(round)}`;
  return send<Imported>("POST", path, await file.text(), "text/csv");
}

function result(imported: Imported): HTMLElement {
  const receipts = imported.receipts ?? [];
  const errors = imported.errors ?? [];
  return h(
    "div",
    { "data-testid": "import-result" },
    h(
      "p",
      { class: errors.length ? "alert" : "success", role: "status" },
      `Đã lưu ${imported.stored ?? 0} phiếu mới`,
      imported.alreadyStored ? `, ${imported.alreadyStored} phiếu đã có từ lần tải trước` : "",
      errors.length ? `; ${errors.length} dòng chưa lưu được, xem bên dưới.` : ".",
    ),
    receipts.length
      ? [
          h("h2", {}, "Mã tiếp nhận của từng phiếu"),
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, h("th", {}, "Dòng"), h("th", {}, "Mã tiếp nhận"))),
            h(
              "tbody",
              {},
              receipts.map((r) =>
                h("tr", {}, h("td", { "data-label": "Dòng" }, r.row ?? 0), h("td", { class: "code", "data-label": "Mã" }, r.receiptCode ?? "")),
              ),
            ),
          ),
        ]
      : null,
    errors.length
      ? [
          h("h2", {}, "Dòng chưa lưu"),
          h(
            "table",
            { "data-testid": "import-errors" },
            h("thead", {}, h("tr", {}, h("th", {}, "Dòng"), h("th", {}, "Lý do"))),
            h(
              "tbody",
              {},
              errors.map((e) =>
                h("tr", {}, h("td", { "data-label": "Dòng" }, e.row ?? 0), h("td", { "data-label": "Lý do" }, rowReasons[e.reason ?? ""] ?? e.message ?? "")),
              ),
            ),
          ),
        ]
      : null,
  );
}

type Plan = Of<"dialogue.v1.Plan">;
type Round = Of<"dialogue.v1.Round">;

// The commune's rounds: their dates, what each holds (and how much came after its
// deadline), their synthesis report to print or file, each corrected in place or deleted
// while it is empty.
function roundList(rounds: Round[], plans: Plan[], editable: boolean, done: () => void): HTMLElement {
  return h(
    "section",
    { "aria-labelledby": "rounds-heading" },
    h("h2", { id: "rounds-heading" }, "Các đợt lấy ý kiến"),
    h(
      "ul",
      { class: "cards" },
      rounds.map((r) => {
        const [, tenant = "", , id = ""] = (r.name ?? "").split("/");
        const title = h("input", { id: `round-${id}-title`, value: r.title ?? "", autocomplete: "off" });
        const deadline = h("input", { id: `round-${id}-deadline`, type: "date", value: r.opinionDeadlineDate ?? "" });
        const answers = h("input", { id: `round-${id}-answers`, type: "date", value: r.answerDueDate ?? "" });
        const path = { params: { path: { tenant, round: id } } };
        const late = r.receivedLate ?? 0;
        const synthesis = `/v1/${r.name}/synthesis:render`;
        const signer = committeeSigner(plans.find((p) => p.name === r.plan));
        return h(
          "li",
          { "data-testid": "round" },
          h("h3", {}, r.title ?? ""),
          h(
            "p",
            {},
            r.opinionDeadlineDate ? `Hạn thu phiếu ${vnDate(r.opinionDeadlineDate)}` : "Chưa đặt hạn thu phiếu",
            r.answerDueDate ? ` · hạn trả lời ${vnDate(r.answerDueDate)}` : "",
            ` · ${r.opinions ?? 0} ý kiến`,
            late ? h("strong", {}, ` (${late} nhận sau hạn)`) : "",
          ),
          h(
            "p",
            { class: "inline-links" },
            "Báo cáo tổng hợp ý kiến, kiến nghị: ",
            h("a", { href: renderLink(synthesis, "html", signer), "data-testid": "synthesis-print" }, "Bản in khổ A4"),
            " · ",
            h("a", { href: renderLink(synthesis, "docx", signer) }, "Tải về để ký (.docx)"),
          ),
          editable
            ? h(
                "details",
                {},
                h("summary", {}, "Sửa hoặc xóa đợt"),
                stepForm(
                  [field("Tên đợt", title), field("Hạn thu phiếu", deadline), field("Hạn trả lời", answers)],
                  "Lưu thay đổi",
                  () =>
                    get(
                      api.PATCH("/v1/tenants/{tenant}/rounds/{round}", {
                        ...path,
                        body: { title: title.value.trim(), opinionDeadlineDate: deadline.value, answerDueDate: answers.value },
                      }),
                    ),
                  () => done(),
                ),
                (r.opinions ?? 0) === 0
                  ? stepForm([], "Xóa đợt", () => get(api.DELETE("/v1/tenants/{tenant}/rounds/{round}", path)), () => done())
                  : h("p", { class: "hint" }, "Đợt đã có ý kiến nên không xóa được."),
              )
            : null,
        );
      }),
    ),
  );
}

// Opening a round of opinions, tied to a published plan's conference when there is one.
function roundForm(tenant: string, plans: Plan[], done: () => void): HTMLElement {
  const title = h("input", { id: "round-title", autocomplete: "off" });
  const conferences = plans.flatMap((p) => (p.conferences ?? []).map((c) => ({ plan: p.name ?? "", year: p.year, c })));
  const conference = h(
    "select",
    { id: "round-conference" },
    h("option", { value: "" }, "— Không gắn hội nghị nào —"),
    conferences.map((x, i) => h("option", { value: String(i) }, `Năm ${x.year ?? ""}: ${x.c.title || `Hội nghị ${x.c.id ?? ""}`}`)),
  );
  const deadline = h("input", { id: "round-deadline", type: "date" });
  const answers = h("input", { id: "round-answers", type: "date" });
  // The plan's own dates, when a conference is chosen and the fields are still empty (the
  // service fills them from the plan too when they are left empty).
  conference.addEventListener("change", () => {
    const x = conferences[Number(conference.value)];
    if (!x || conference.value === "") return;
    if (!title.value) title.value = `Lấy ý kiến trước ${x.c.title || "hội nghị đối thoại"} năm ${x.year ?? ""}`;
    if (!deadline.value && x.c.opinionDeadlineDate) deadline.value = x.c.opinionDeadlineDate;
  });
  return h(
    "details",
    { class: "register" },
    h("summary", {}, "Mở đợt lấy ý kiến mới"),
    stepForm(
      [field("Tên đợt", title), field("Cho hội nghị", conference), field("Hạn thu phiếu", deadline), field("Hạn trả lời", answers)],
      "Mở đợt",
      () => {
        const x = conference.value === "" ? undefined : conferences[Number(conference.value)];
        return get(
          api.POST("/v1/tenants/{tenant}/rounds", {
            params: { path: { tenant } },
            body: {
              title: title.value.trim(),
              plan: x?.plan,
              conferenceId: x?.c.id,
              opinionDeadlineDate: deadline.value || undefined,
              answerDueDate: answers.value || undefined,
            },
          }),
        );
      },
      () => done(),
    ),
  );
}

export async function importPage(): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const [commune, rounds, plans] = await Promise.all([
    loadCommune(tenant),
    get(api.GET("/v1/tenants/{tenant}/rounds", { params: { path: { tenant } } })),
    get(api.GET("/v1/tenants/{tenant}/plans", { params: { path: { tenant }, query: { filter: "state = PUBLISHED", pageSize: 100 } } })),
  ]);
  const list = [...(rounds.rounds ?? [])].reverse();  // newest first
  const round = h(
    "select",
    { id: "round", required: "" },
    list.map((r) => h("option", { value: r.name ?? "" }, r.title ?? "", r.opinionDeadlineDate ? ` (hạn ${vnDate(r.opinionDeadlineDate)})` : "")),
  );
  const file = h("input", { id: "file", type: "file", accept: ".csv,text/csv", required: "" });
  const message = h("div", { "aria-live": "polite" });
  const send = h("button", { type: "submit" }, "Tải lên");
  const form = h(
    "form",
    {},
    field("Đợt lấy ý kiến", round),
    field("Tệp CSV", file, h("p", { class: "hint" }, "Dòng đầu ghi tên cột: ", h("code", {}, "hamlet,text,submitter_name,submitter_contact"), " (mã thôn, nội dung, họ tên, điện thoại). Mã hóa UTF-8.")),
    send,
    message,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    const chosen = file.files?.[0];
    if (!chosen) {
      message.replaceChildren(alert(new ApiError("FIELD_REQUIRED", 400, "")));
      file.focus();
      return;
    }
    send.setAttribute("disabled", "");
    try {
      message.replaceChildren(result(await upload(tenant, round.value, chosen)));
    } catch (error) {
      message.replaceChildren(alert(error));
    } finally {
      send.removeAttribute("disabled");
    }
  });
  consolePage(
    session.account,
    commune.name,
    "y-kien",
    h("h1", {}, "Nhập phiếu lấy ý kiến"),
    list.length ? form : h("p", {}, "Xã chưa mở đợt lấy ý kiến nào."),
    mayAct(session.account.roles ?? [], "government_office") ? roundForm(tenant, plans.plans ?? [], () => void importPage()) : null,
    list.length ? roundList(list, plans.plans ?? [], mayAct(session.account.roles ?? [], "government_office"), () => void importPage()) : null,
    h("p", {}, h("a", { href: consolePath("y-kien") }, "Về danh sách ý kiến")),
  );
}
