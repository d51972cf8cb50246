// Who may do what in the commune: its accounts with their roles, read by its staff; the
// chair creates its staff's accounts and sets a new password for one that is forgotten or
// locked (which also ends that account's sessions). The service decides; a chair cannot
// create province or administrator accounts, nor touch another commune's.
import { api, get, type Of } from "../../api/client";
import { h } from "../../dom";
import { field } from "../../layout";
import { vnDateTime } from "../../format";
import { loadCommune } from "../../commune";
import { consolePage, mayAct, signedInStaff, stepForm } from "../../console/frame";
import { roleName } from "../../console/session";
import { qrCode } from "../../qr";

type Account = Of<"dialogue.v1.Account">;

// The roles a commune's accounts hold, in the order the office thinks of them.
const communeRoles = ["chair", "government_office", "party_office", "front", "secretary", "department", "hamlet_lead"];

function roleText(a: Account): string {
  return (a.roles ?? []).map((r) => (r === "department" && a.department ? `${roleName(r)} (${a.department})` : roleName(r))).join(", ");
}

function accountRow(a: Account, chair: boolean, refresh: () => void): HTMLElement {
  const password = h("input", { id: `password-${a.username}`, type: "password", autocomplete: "new-password" });
  return h(
    "tr",
    { "data-testid": "account" },
    h("td", { "data-label": "Tên đăng nhập", class: "code" }, a.username ?? ""),
    h("td", { "data-label": "Họ tên" }, a.displayName ?? ""),
    h("td", { "data-label": "Vai trò" }, roleText(a)),
    h(
      "td",
      { "data-label": "Tình trạng" },
      a.locked ? h("strong", { class: "late" }, "Đang bị khóa") : "Đang dùng",
      a.totpEnabled ? " · xác thực hai bước" : "",
      a.oidcSubject ? " · đăng nhập qua cổng định danh" : "",
      a.createTime ? h("span", { class: "detail" }, ` · tạo ${vnDateTime(a.createTime)}`) : ""),
    chair
      ? h(
          "td",
          {},
          h(
            "details",
            { class: "register" },
            h("summary", {}, "Đặt lại mật khẩu"),
            stepForm(
              [field(`Mật khẩu mới cho ${a.username}`, password)],
              "Lưu mật khẩu mới",
              () => get(api.POST("/v1/accounts/{account}:resetPassword", { params: { path: { account: a.username ?? "" } }, body: { password: password.value } })),
              () => refresh(),
            ),
          ),
        )
      : null,
  );
}

// The signed-in person's own second factor: a secret shown as a QR code for the
// authenticator app (and as text to type), turned on once the app's first code is given.
function secondFactor(me: Account | undefined, refresh: () => void): HTMLElement[] {
  if (!me) return [];
  const heading = h("h2", { id: "hai-buoc" }, "Xác thực hai bước cho tài khoản của bạn");
  if (me.totpEnabled) {
    return [heading, h("p", { "data-testid": "totp-state" }, "Đã bật: mỗi lần đăng nhập cần thêm mã 6 chữ số trong ứng dụng xác thực. Mất điện thoại thì nhờ Chủ tịch xã đặt lại mật khẩu.")];
  }
  const area = h("div", { "aria-live": "polite" });
  const start = stepForm(
    [h("p", { class: "hint" }, "Dùng ứng dụng xác thực trên điện thoại (Google Authenticator, Microsoft Authenticator, FreeOTP…).")],
    "Bật xác thực hai bước",
    () => get(api.POST("/v1/accounts/{account}:beginTotp", { params: { path: { account: me.username ?? "" } }, body: {} })),
    (enrollment) => {
      const code = h("input", { id: "totp-code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" });
      start.remove();
      area.replaceChildren(
        qrCode(enrollment.uri ?? "", "Mã QR để thêm tài khoản vào ứng dụng xác thực"),
        h("p", {}, "Hoặc nhập khóa: ", h("span", { class: "code", "data-testid": "totp-secret" }, enrollment.secret ?? "")),
        stepForm(
          [field("Mã 6 chữ số ứng dụng đang hiện", code)],
          "Xác nhận và bật",
          () => get(api.POST("/v1/accounts/{account}:confirmTotp", { params: { path: { account: me.username ?? "" } }, body: { code: code.value.trim() } })),
          () => refresh(),
        ),
      );
      code.focus();
    },
  );
  return [heading, start, area];
}

function createForm(tenant: string, refresh: () => void): HTMLElement {
  const username = h("input", { id: "new-username", autocomplete: "off", placeholder: `vanphong.${tenant}` });
  const name = h("input", { id: "new-name", autocomplete: "off" });
  const department = h("input", { id: "new-department", autocomplete: "off", placeholder: "Phòng Kinh tế" });
  const password = h("input", { id: "new-password", type: "password", autocomplete: "new-password" });
  const subject = h("input", { id: "new-oidc", autocomplete: "off", spellcheck: "false" });
  const boxes = communeRoles.map((r) => h("input", { id: `role-${r}`, type: "checkbox", value: r }));
  const roles = h(
    "fieldset",
    { class: "whole" },
    h("legend", {}, "Vai trò"),
    boxes.map((b) => h("div", { class: "choice" }, b, h("label", { for: b.id }, roleName(b.value)))),
  );
  return stepForm(
    [
      field("Tên đăng nhập", username),
      field("Họ tên", name),
      field("Mật khẩu ban đầu (ít nhất 10 ký tự; bỏ trống nếu chỉ đăng nhập qua cổng định danh)", password),
      roles,
      field("Phòng, ban (cho vai trò Phòng chuyên môn)", department),
      field("Mã định danh của người này ở cổng định danh của tỉnh (nếu có)", subject),
    ],
    "Tạo tài khoản",
    () =>
      get(
        api.POST("/v1/accounts", {
          body: {
            account: {
              username: username.value.trim(),
              displayName: name.value.trim(),
              tenant: `tenants/${tenant}`,
              roles: boxes.filter((b) => b.checked).map((b) => b.value),
              department: department.value.trim() || undefined,
              oidcSubject: subject.value.trim() || undefined,
            },
            password: password.value,
          },
        }),
      ),
    () => refresh(),
  );
}

export async function accountsPage(): Promise<void> {
  const staff = await signedInStaff();
  if (!staff) return;
  const { session, tenant } = staff;
  const [commune, listed] = await Promise.all([
    loadCommune(tenant),
    get(api.GET("/v1/accounts", { params: { query: { tenant: `tenants/${tenant}` } } })),
  ]);
  const chair = mayAct(session.account.roles ?? [], "chair");
  const refresh = () => void accountsPage();
  const accounts = [...(listed.accounts ?? [])].sort((a, b) => (a.username ?? "").localeCompare(b.username ?? ""));
  consolePage(
    session.account,
    commune.name,
    "tai-khoan",
    h("h1", {}, "Tài khoản của xã"),
    h(
      "table",
      { "data-testid": "accounts" },
      h("thead", {}, h("tr", {}, ["Tên đăng nhập", "Họ tên", "Vai trò", "Tình trạng", chair ? "Mật khẩu" : null].filter(Boolean).map((t) => h("th", { scope: "col" }, t as string)))),
      h("tbody", {}, accounts.map((a) => accountRow(a, chair, refresh))),
    ),
    chair ? [h("h2", {}, "Tạo tài khoản cho cán bộ của xã"), createForm(tenant, refresh)] : h("p", { class: "muted" }, "Chủ tịch xã tạo tài khoản và đặt lại mật khẩu."),
    secondFactor(
      accounts.find((a) => a.username === session.account.username),
      refresh,
    ),
  );
}
