// The frame of every console page: who is signed in, for which commune, and signing out.
import { h, show, type Child } from "../dom";
import { app } from "../layout";
import { roleName, signOut, type Account } from "./session";

export const consolePath = (page = ""): string => `/can-bo${page ? "/" + page : ""}`;

export function consolePage(account: Account, communeName: string, ...content: (Child | Child[])[]): void {
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
        h("span", { class: "account" }, `${account.displayName} (${(account.roles ?? []).map(roleName).join(", ")})`),
      ),
      out,
    ),
  );
  document.title = `${communeName} · Bàn làm việc`;
  document.body.querySelector("header.site")?.remove();
  document.body.prepend(header);
  show(app(), ...content);
}
