// The venue screen, for the projector at the back of the hall: the agenda step and its
// timer, the speaker on the floor and the next three, in large type, live over SSE and
// reconnecting by itself; a QR code lets people register to speak from their phones.
import type { Of } from "../api/client";
import { errorOf } from "../api/errors";
import { h } from "../dom";
import { communePath } from "../layout";
import { loadCommune } from "../commune";
import { qrCode } from "../qr";
import { clock } from "../format";

type View = Of<"dialogue.v1.SessionLiveView">;

const stateText: Record<string, string> = {
  SESSION_ANNOUNCED: "Hội nghị sắp bắt đầu",
  SESSION_IN_PROGRESS: "",
  SESSION_CONCLUDED: "Hội nghị đã kết thúc. Cảm ơn bà con đã tham dự.",
  SESSION_CLOSED: "Hội nghị đã kết thúc. Cảm ơn bà con đã tham dự.",
  SESSION_POSTPONED: "Hội nghị tạm hoãn",
  SESSION_CANCELLED: "Hội nghị đã hủy",
};

export async function screen(id: string, session: string): Promise<void> {
  const commune = await loadCommune(id);
  document.body.classList.add("screen");
  document.title = `Màn hình hội nghị · ${commune.name}`;
  const title = h("h1", {}, "Hội nghị đối thoại");
  const step = h("p", { class: "step", "data-testid": "step" });
  const timer = h("p", { class: "timer", "aria-hidden": "true" });
  const notice = h("p", { class: "state" });
  const speaking = h("div", { class: "speaking", "aria-live": "polite" });
  const queue = h("ol", { class: "queue", "aria-label": "Người phát biểu tiếp theo" });
  const status = h("p", { class: "connection", role: "status" }, "Đang kết nối…");
  const register = communePath(id, `hoi-nghi/${session}/dang-ky`);
  const full = h("button", { type: "button", class: "secondary" }, "Toàn màn hình");
  full.addEventListener("click", () => void document.documentElement.requestFullscreen?.());
  document.getElementById("app")!.replaceChildren(
    h(
      "div",
      { class: "stage" },
      h("div", { class: "main" }, h("p", { class: "commune" }, commune.name), title, notice, step, timer, speaking),
      h(
        "aside",
        {},
        h("h2", {}, "Tiếp theo"),
        queue,
        h("div", { class: "register" }, qrCode(`${location.origin}${register}`, "Mã QR để đăng ký phát biểu bằng điện thoại"), h("p", {}, "Quét mã để đăng ký phát biểu")),
        status,
        full,
      ),
    ),
  );

  let view: View | null = null;
  let received = Date.now();
  const render = () => {
    if (!view) return;
    const passed = (Date.now() - received) / 1000;
    title.textContent = view.title ?? "Hội nghị đối thoại";
    notice.textContent = stateText[view.state ?? ""] ?? "";
    const s = view.currentStep;
    const live = view.state === "SESSION_IN_PROGRESS";
    step.textContent = live && s ? `Bước ${s.number}/${view.stepCount}: ${s.title}` : "";
    const elapsed = (view.stepElapsedSeconds ?? 0) + passed;
    const limit = (s?.limitMinutes ?? 0) * 60;
    timer.textContent = live && s ? (limit ? `${clock(elapsed)} / ${clock(limit)}` : clock(elapsed)) : "";
    timer.classList.toggle("over", live && limit > 0 && elapsed > limit);
    const p = view.speaking;
    if (live && p?.fullName) {
      const spoke = (p.elapsedSeconds ?? 0) + passed;
      const max = (view.speakerLimitMinutes ?? 0) * 60;
      speaking.replaceChildren(
        h("p", { class: "label" }, "Đang phát biểu"),
        h("p", { class: "name", "data-testid": "speaker" }, p.fullName),
        h("p", { class: "detail" }, [p.hamlet, p.topic].filter(Boolean).join(" · ")),
        h("p", { class: max && spoke > max ? "timer over" : "timer" }, max ? `${clock(spoke)} / ${clock(max)}` : clock(spoke)),
      );
    } else {
      speaking.replaceChildren();
    }
    const next = (view.queue ?? []).slice(0, 3);
    queue.replaceChildren(
      ...(next.length
        ? next.map((q) => h("li", {}, h("span", { class: "name" }, q.fullName ?? ""), h("span", { class: "detail" }, [q.hamlet, q.topic].filter(Boolean).join(" · "))))
        : [h("li", { class: "muted" }, "Chưa có người đăng ký")]),
    );
  };
  setInterval(render, 1000);

  // EventSource reconnects by itself when the stream ends or the network drops.
  const source = new EventSource(`/v1/tenants/${id}/sessions/${session}:watch`);
  source.onopen = () => {
    status.textContent = "Đang trực tiếp";
    status.classList.remove("lost");
  };
  source.onmessage = (event) => {
    view = JSON.parse(event.data) as View;
    received = Date.now();
    render();
  };
  source.addEventListener("error", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string" && data) {
      // The server said why (e.g. a session not announced): no point in reconnecting.
      const error = errorOf(0, JSON.parse(data));
      status.textContent = error.message;
      status.classList.add("lost");
      source.close();
      return;
    }
    status.textContent = "Mất kết nối, đang kết nối lại…";
    status.classList.add("lost");
  });
}
