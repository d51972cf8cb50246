// Vietnamese display of dates, times and the states the API names in English.
import { api, type Of } from "./api/client";

// Who signs the People's Committee's reports, as the render calls take it (lines of
// authority, title and name): the signer of its plan, when `plan` is the committee's own;
// a Party committee's signer does not sign for the People's Committee.
export function committeeSigner(plan: Of<"dialogue.v1.Plan"> | undefined): string {
  const s = plan?.issuingBody === "PEOPLES_COMMITTEE" ? plan.signer : undefined;
  return s ? [s.capacity, s.title, s.fullName].filter(Boolean).join("\n") : "";
}

// A document's print page or .docx: `path` ("/v1/…:render") in `format`, signed by `signer`.
export function renderLink(path: string, format: "html" | "docx", signer = ""): string {
  const query = new URLSearchParams({ format });
  if (signer) query.set("signer", signer);
  return `${path}?${query}`;
}

// "2026-04-26" -> "26/04/2026"
export function vnDate(isoDate: string | undefined): string {
  if (!isoDate) return "";
  const [y, m, d] = isoDate.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

// A planned window: "23/04/2026 đến 30/04/2026", or the one date when it is a single day.
export function vnDateRange(start: string | undefined, end: string | undefined): string {
  return end && end !== start ? `${vnDate(start)} đến ${vnDate(end)}` : vnDate(start);
}

// A timestamp -> "26/04/2026 08:30" in Vietnam time.
export function vnDateTime(timestamp: string | undefined): string {
  if (!timestamp) return "";
  const t = new Date(timestamp);
  if (Number.isNaN(t.getTime())) return "";
  const parts = new Intl.DateTimeFormat("vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).formatToParts(t);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("day")}/${part("month")}/${part("year")} ${part("hour")}:${part("minute")}`;
}

// Today in Vietnam as YYYY-MM-DD.
export function today(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
}

// Seconds as a timer shows them: "07:05".
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

const weekdays = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

export function weekday(isoDate: string): string {
  const [y, m, d] = isoDate.split("-").map(Number);
  return weekdays[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
}

// "26/04/2026 (tức 10/3 năm Bính Ngọ âm lịch)", from the platform's own calendar; the
// solar date alone when the calendar cannot be reached.
export async function withLunar(isoDate: string): Promise<string> {
  const solar = vnDate(isoDate);
  try {
    const { data } = await api.GET("/v1/calendar:convert", {
      params: { query: { solarDate: isoDate } },
    });
    const lunar = data?.lunar;
    if (!lunar?.day) return solar;
    const leap = lunar.leapMonth ? " nhuận" : "";
    return `${solar} (tức ${lunar.day}/${lunar.month}${leap} năm ${data?.canChiYear} âm lịch)`;
  } catch {
    return solar;
  }
}

export const opinionStates: Record<string, string> = {
  RECEIVED: "Đã tiếp nhận",
  CLASSIFIED: "Đã phân loại",
  ASSIGNED: "Đã giao cơ quan giải quyết",
  ANSWER_DRAFTED: "Đang soạn trả lời",
  ANSWER_APPROVED: "Đã duyệt nội dung trả lời",
  ANSWERED: "Đã trả lời",
  ROUTED_ELSEWHERE: "Chuyển nơi có thẩm quyền",
  MERGED: "Đã gộp với ý kiến cùng nội dung",
};

// The steps an opinion goes through, in order, for the follow page's timeline.
export const opinionSteps = ["RECEIVED", "CLASSIFIED", "ASSIGNED", "ANSWER_APPROVED", "ANSWERED"];

export const commitmentStates: Record<string, string> = {
  COMMITMENT_ASSIGNED: "Đã giao thực hiện",
  COMMITMENT_REPORTED: "Đã báo cáo kết quả",
  COMMITMENT_IN_PROGRESS: "Đang giải quyết",
  COMMITMENT_RESOLVED: "Đã giải quyết",
  COMMITMENT_ESCALATED: "Đã chuyển cấp trên",
  COMMITMENT_CANNOT_RESOLVE: "Không thể giải quyết",
};

export const sessionStates: Record<string, string> = {
  SESSION_ANNOUNCED: "Đã thông báo",
  SESSION_IN_PROGRESS: "Đang diễn ra",
  SESSION_CONCLUDED: "Đã kết thúc",
  SESSION_CLOSED: "Đã kết thúc",
  SESSION_POSTPONED: "Tạm hoãn",
  SESSION_CANCELLED: "Đã hủy",
};

export const noticeKinds: Record<string, string> = {
  NOTICE_ANNOUNCEMENT: "Thông báo tổ chức hội nghị",
  NOTICE_INVITATION: "Giấy mời",
  NOTICE_CONCLUSION: "Thông báo kết luận",
  NOTICE_REMINDER: "Nhắc việc",
  NOTICE_PETITION_REPLY: "Trả lời kiến nghị",
  NOTICE_GENERAL: "Thông báo",
};

export const dialogueForms: Record<string, string> = {
  IN_PERSON: "trực tiếp",
  ONLINE: "trực tuyến",
  HYBRID: "trực tiếp kết hợp trực tuyến",
};

export function label(table: Record<string, string>, value: string | undefined): string {
  return (value && table[value]) || "";
}
