// A few lines of DOM building instead of a framework: the pages are small and mostly text.
export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

// h("a", { href: "/x", class: "button" }, "text", child): attributes with a value of false
// or undefined are left out; "on..." attributes are event listeners.
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces what `el` shows, and moves the keyboard focus to its first heading so that a
// screen reader announces the new content.
export function show(el: HTMLElement, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
  const heading = el.querySelector<HTMLElement>("h1, h2");
  if (heading && el.dataset.focus !== "off") {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}
