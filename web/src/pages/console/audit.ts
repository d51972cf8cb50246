// The commune's audit log: every sign-in and every change made in its name, newest first,
// with who, what, which record and from where. Read-only: nobody edits it.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { vnDateTime } from "../../format";
import { loadCommune } from "../../commune";
import { consolePage, consolePath, signedInStaff } from "../../console/frame";

type AuditEvent = Of<"dialogue.v1.AuditEvent">;

const actions: Record<string, string> = {
  SIGN_IN: "Đăng nhập",
  SIGN_IN_FAILED: "Đăng nhập không thành công",
  SIGN_IN_LOCKED: "Đăng nhập khi tài khoản đang bị khóa",
  SIGN_OUT: "Đăng xuất",
  ACCOUNT_CREATED: "Tạo tài khoản",
  PASSWORD_RESET: "Đặt lại mật khẩu",
  CreatePlan: "Tạo kế hoạch",
  UpdatePlan: "Sửa kế hoạch",
  ApprovePlan: "Phê duyệt kế hoạch",
  PublishPlan: "Ban hành kế hoạch",
  RevisePlan: "Điều chỉnh kế hoạch",
  CompleteTask: "Hoàn thành nhiệm vụ",
  AddTenantDayOff: "Thêm ngày nghỉ",
  RemoveTenantDayOff: "Bỏ ngày nghỉ",
  ClassifyOpinion: "Phân loại ý kiến",
  AssignOpinion: "Giao giải quyết ý kiến",
  DraftAnswer: "Soạn trả lời",
  ApproveAnswer: "Duyệt trả lời",
  ReturnAnswer: "Trả lại dự thảo trả lời",
  ImportOpinionsCsv: "Nhập phiếu lấy ý kiến",
  CreateNotice: "Tạo thông báo",
  UpdateNotice: "Sửa thông báo",
  IssueNotice: "Ban hành thông báo",
  UpdateWebhooks: "Sửa kênh gửi tin",
  UpdateNoticeTemplate: "Sửa mẫu thông báo",
  CreateSession: "Tạo hội nghị",
  AnnounceSession: "Thông báo hội nghị",
};

function row(e: AuditEvent): HTMLElement {
  // A sign-in names how it was made (its target): "oidc" at the province's provider.
  const viaProvider = e.action === "SIGN_IN" && e.target === "oidc";
  return h(
    "tr",
    {},
    h("td", { "data-label": "Thời gian" }, vnDateTime(e.time)),
    h("td", { "data-label": "Người thực hiện" }, e.actor ?? ""),
    h("td", { "data-label": "Việc" }, viaProvider ? "Đăng nhập qua cổng định danh" : actions[e.action ?? ""] ?? e.action ?? ""),
    h("td", { "data-label": "Hồ sơ", class: "code" }, viaProvider ? "" : e.target ?? ""),
    h("td", { "data-label": "Từ địa chỉ" }, e.client ?? ""),
  );
}

export async function audit(): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const token = new URLSearchParams(location.search).get("trang") ?? undefined;
  const [commune, page] = await Promise.all([
    loadCommune(tenant),
    get(
      api.GET("/v1/tenants/{tenant}/auditEvents", {
        params: { path: { tenant }, query: { pageSize: 100, pageToken: token } },
      }),
    ),
  ]);
  const events = page.events ?? [];
  consolePage(
    session.account,
    commune.name,
    "nhat-ky",
    h("h1", {}, "Nhật ký thao tác"),
    h("p", { class: "hint" }, "Mọi lần đăng nhập và mọi thay đổi hồ sơ của xã, ghi cùng lúc với thay đổi; không ai sửa được."),
    events.length
      ? h(
          "table",
          { "data-testid": "audit-log" },
          h(
            "thead",
            {},
            h("tr", {}, ["Thời gian", "Người thực hiện", "Việc", "Hồ sơ", "Từ địa chỉ"].map((t) => h("th", { scope: "col" }, t))),
          ),
          h("tbody", {}, events.map(row)),
        )
      : h("p", { class: "muted" }, "Chưa có gì trong nhật ký."),
    page.nextPageToken
      ? h("p", {}, h("a", { href: `${consolePath("nhat-ky")}?trang=${encodeURIComponent(page.nextPageToken)}` }, "Xem các thao tác cũ hơn"))
      : null,
  );
}
