// The frame every citizen page shares: the commune's name, the menu and a place for errors.
import { h, show, type Child } from "./dom";
import { ApiError } from "./api/errors";

export const app = () => document.getElementById("app") as HTMLElement;

export type Commune = { id: string; name: string };

export function communePath(commune: string, page = ""): string {
  return `/xa/${commune}${page ? "/" + page : ""}`;
}

const menu: [string, string][] = [
  ["", "Trang chủ"],
  ["gop-y", "Gửi ý kiến"],
  ["theo-doi", "Theo dõi ý kiến"],
  ["thong-bao", "Thông báo"],
  ["de-nghi-doi-thoai", "Đề nghị đối thoại"],
];

// The page of `commune` (its display name once known) with `content`; `current` is the
// menu entry to mark (null: a page the menu does not list).
export function page(
  commune: Commune | null,
  current: string | null,
  ...content: (Child | Child[])[]
): void {
  const header = h(
    "header",
    { class: "site" },
    h("p", { class: "brand" }, h("a", { href: "/" }, "Đối thoại với Nhân dân")),
    commune && h("p", { class: "commune" }, commune.name),
    commune &&
      h(
        "nav",
        { "aria-label": "Các trang của xã" },
        h(
          "ul",
          {},
          menu.map(([path, text]) =>
            h(
              "li",
              {},
              h(
                "a",
                {
                  href: communePath(commune.id, path),
                  "aria-current": path === current ? "page" : undefined,
                },
                text,
              ),
            ),
          ),
        ),
      ),
  );
  document.title = commune ? `${commune.name} · Đối thoại với Nhân dân` : "Đối thoại với Nhân dân";
  const body = document.body;
  body.querySelector("header.site")?.remove();
  body.prepend(header);
  show(app(), ...content);
}

// A clear message in place of a page that could not load.
export function failure(error: unknown, commune: Commune | null = null): void {
  const retry = h("button", { type: "button" }, "Thử lại");
  retry.addEventListener("click", () => location.reload());
  page(
    commune,
    null,
    h("h1", {}, "Chưa tải được trang"),
    alert(error),
    h("p", {}, retry, " ", h("a", { href: "/" }, "Về trang đầu")),
  );
}

export function notFound(): void {
  page(
    null,
    null,
    h("h1", {}, "Không có trang này"),
    h("p", {}, "Đường dẫn không đúng hoặc trang đã được chuyển. ", h("a", { href: "/" }, "Về trang đầu"), "."),
  );
}

export function alert(error: unknown): HTMLElement {
  const message =
    error instanceof ApiError ? error.message : "Có lỗi xảy ra. Xin tải lại trang hoặc thử lại sau.";
  return h("p", { class: "alert", role: "alert" }, message);
}

export function loading(): void {
  app().replaceChildren(h("p", { class: "muted", role: "status" }, "Đang tải…"));
}

// A labelled form field: the label names `control` (by its id) for screen readers and taps.
export function field(label: string, control: HTMLElement, ...after: Child[]): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, ...after);
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

// Checks a form's required fields in order: the first one left empty is marked, focused and
// explained in `message` by its reason code (FIELD_REQUIRED unless given). True when one is
// missing.
export function firstMissing(message: HTMLElement, required: (Control | [Control, string])[]): boolean {
  const entries = required.map((r): [Control, string] => (Array.isArray(r) ? r : [r, "FIELD_REQUIRED"]));
  for (const [control] of entries) control.removeAttribute("aria-invalid");
  const missing = entries.find(([control]) => !control.value.trim());
  if (!missing) return false;
  missing[0].setAttribute("aria-invalid", "true");
  message.replaceChildren(alert(new ApiError(missing[1], 400, "")));
  missing[0].focus();
  return true;
}
