// Signing in to the console with a built-in account.
import { h } from "../../dom";
import { alert, field, firstMissing, page } from "../../layout";
import { ApiError } from "../../api/errors";
import { currentSession, send, signIn } from "../../console/session";
import { consolePath } from "../../console/frame";

// Where to go once signed in: a console page named by ?tiep=, else the desk.
function next(): string {
  const wanted = new URLSearchParams(location.search).get("tiep") ?? "";
  return wanted.startsWith(consolePath()) && !wanted.startsWith("//") ? wanted : consolePath();
}

export async function signInPage(): Promise<void> {
  if (await currentSession()) {
    location.replace(next());
    return;
  }
  const username = h("input", {
    id: "username",
    name: "username",
    autocomplete: "username",
    autocapitalize: "none",
    spellcheck: "false",
    required: "",
  });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: "",
  });
  // Shown once the service says the account also has a second factor.
  const code = h("input", { id: "totp", name: "totp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", pattern: "[0-9]{6}" });
  const codeField = field("Mã xác thực (6 chữ số trong ứng dụng xác thực)", code);
  codeField.hidden = true;
  const message = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Đăng nhập");
  const form = h(
    "form",
    { novalidate: "" },
    field("Tên đăng nhập", username),
    field("Mật khẩu", password),
    codeField,
    message,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    if (firstMissing(message, codeField.hidden ? [username, password] : [username, password, code])) return;
    submit.setAttribute("disabled", "");
    try {
      await signIn(username.value.trim(), password.value, codeField.hidden ? "" : code.value.trim());
      location.assign(next());
    } catch (error) {
      if (error instanceof ApiError && error.reason === "TOTP_REQUIRED") {
        // The password was right: the code is all that is missing; the password stays.
        codeField.hidden = false;
        message.replaceChildren(alert(error));
        code.focus();
        return;
      }
      password.value = "";
      code.value = "";
      message.replaceChildren(alert(error));
      password.focus();
    } finally {
      submit.removeAttribute("disabled");
    }
  });
  // The province's identity provider, when this deployment has one; a failed return from it
  // comes back here with ?loi=REASON.
  const methods = await send<{ oidcProvider?: string }>("GET", "/auth/methods").catch(() => ({ oidcProvider: undefined }));
  const failed = new URLSearchParams(location.search).get("loi");
  const provider = methods.oidcProvider
    ? h(
        "section",
        { class: "oidc" },
        h("a", { class: "button", href: "/auth/oidc/start", "data-testid": "oidc" }, `Đăng nhập qua ${methods.oidcProvider}`),
        h("p", { class: "hint" }, "Hoặc đăng nhập bằng tài khoản do xã cấp:"),
      )
    : null;
  page(
    null,
    null,
    h("h1", {}, "Đăng nhập bàn làm việc"),
    h("p", { class: "hint" }, "Dành cho cán bộ xã, phường. Người dân gửi ý kiến không cần đăng nhập."),
    failed && /^[A-Z_]{1,40}$/.test(failed) ? alert(new ApiError(failed, 401, "")) : null,
    provider,
    form,
  );
  username.focus();
}
