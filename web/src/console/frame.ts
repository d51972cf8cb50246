// The frame of every console page: who is signed in, for which commune, and signing out.
import { h, show, type Child } from "../dom";
import { alert, app } from "../layout";
import { communeOf, currentSession, roleName, signOut, type Account, type Signed } from "./session";

export const consolePath = (page = ""): string => `/can-bo${page ? "/" + page : ""}`;

// A commune's staff work on its records; a province account reads its communes.
const communeMenu: [string, string][] = [
  ["", "Việc cần làm"],
  ["ke-hoach", "Kế hoạch"],
  ["y-kien", "Ý kiến"],
  ["hoi-nghi", "Hội nghị"],
  ["thong-bao", "Thông báo"],
  ["ket-luan", "Kết luận"],
  ["nhat-ky", "Nhật ký"],
  ["tai-khoan", "Tài khoản"],
];
const provinceMenu: [string, string][] = [["", "Các xã, phường"]];

// The session of the signed-in clerk; with none, the browser goes to sign in (and comes
// back here afterwards) and the page renders nothing.
export async function signedIn(): Promise<Signed | null> {
  const session = await currentSession();
  if (!session) {
    location.replace(`${consolePath("dang-nhap")}?tiep=${encodeURIComponent(location.pathname + location.search)}`);
  }
  return session;
}

// The signed-in staff of a commune and the commune's id; a province account is sent to its
// own view (the desk) and the page renders nothing.
export async function signedInStaff(): Promise<{ session: Signed; tenant: string } | null> {
  const session = await signedIn();
  if (!session) return null;
  const tenant = communeOf(session.account);
  if (!tenant) {
    location.replace(consolePath());
    return null;
  }
  return { session, tenant };
}

// A console page of `communeName`; `current` is the menu entry to mark.
export function consolePage(
  account: Account,
  communeName: string,
  current: string,
  ...content: (Child | Child[])[]
): void {
  const out = h("button", { type: "button", class: "secondary" }, "Đăng xuất");
  out.addEventListener("click", async () => {
    out.setAttribute("disabled", "");
    try {
      await signOut();
    } finally {
      location.assign(consolePath("dang-nhap"));
    }
  });
  const header = h(
    "header",
    { class: "site console" },
    h("p", { class: "brand" }, h("a", { href: consolePath() }, "Bàn làm việc · Đối thoại với Nhân dân")),
    h(
      "div",
      { class: "who" },
      h(
        "p",
        { class: "commune" },
        communeName,
        h("span", { class: "account" }, `${account.displayName} (${(account.roles ?? []).map((r) => (r === "department" && account.department) || roleName(r)).join(", ")})`),
      ),
      out,
    ),
    h(
      "nav",
      { "aria-label": "Bàn làm việc" },
      h(
        "ul",
        {},
        (account.tenant ? communeMenu : provinceMenu).map(([path, text]) =>
          h("li", {}, h("a", { href: consolePath(path), "aria-current": path === current ? "page" : undefined }, text)),
        ),
      ),
    ),
  );
  document.title = `${communeName} · Bàn làm việc`;
  document.body.querySelector("header.site")?.remove();
  document.body.prepend(header);
  show(app(), ...content);
}

// Whether an account with `roles` is offered a step that `wanted` may take (the services
// decide; this only spares people a button that would be refused).
export function mayAct(roles: string[], ...wanted: string[]): boolean {
  return roles.includes("admin") || wanted.some((r) => roles.includes(r));
}

// The form of one step on a record: `send` makes the call and `done` shows its result (a
// card replaced, the page read again). A failure is said inside the form, which stays for
// another try.
export function stepForm<T>(
  controls: HTMLElement[],
  button: string,
  send: () => Promise<T>,
  done: (result: T) => void | Promise<void>,
  extra: HTMLElement[] = [],
): HTMLElement {
  const message = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, button);
  const form = h("form", { class: "action" }, ...controls, message, submit, ...extra);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.replaceChildren();
    submit.setAttribute("disabled", "");
    try {
      await done(await send());
    } catch (error) {
      message.replaceChildren(alert(error));
      submit.removeAttribute("disabled");
    }
  });
  return form;
}

// Puts `next` in place of `card` and gives its heading the focus.
export function replaceCard(card: HTMLElement, next: HTMLElement): void {
  card.replaceWith(next);
  next.querySelector<HTMLElement>("h2, h3")?.focus();
}
