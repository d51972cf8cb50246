// The console's sign-in, as the gateway keeps it: an HttpOnly cookie the page never sees,
// and a CSRF token the page sends back (X-CSRF-Token) with every change it makes.
import { api } from "../api/client";
import { ApiError, errorOf } from "../api/errors";
import type { Of } from "../api/client";

export type Account = Of<"dialogue.v1.Account">;
export type Signed = { account: Account; csrfToken: string; expireTime: string };

let csrf = "";

// Every change the typed client makes carries the session's CSRF token.
api.use({
  onRequest({ request }) {
    if (csrf && request.method !== "GET" && request.method !== "HEAD") {
      request.headers.set("X-CSRF-Token", csrf);
    }
    return request;
  },
});

// Headers for a change made with fetch() outside the typed client (a file upload).
function changeHeaders(): Record<string, string> {
  return csrf ? { "X-CSRF-Token": csrf } : {};
}

// A JSON call made with fetch() where the typed client does not reach (the gateway's own
// /auth routes, a file upload): the session's CSRF token on a change, the answer parsed, a
// failure as an ApiError.
export async function send<T>(method: string, path: string, body?: string, contentType = "application/json"): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { "Content-Type": contentType, ...(method !== "GET" ? changeHeaders() : {}) },
      body,
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError("NETWORK", 0, "");
  }
  const json: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw errorOf(response.status, json);
  return json as T;
}

async function call(method: string, path: string, body?: unknown): Promise<Signed | null> {
  const signed = await send<Partial<Signed>>(method, path, body === undefined ? undefined : JSON.stringify(body));
  csrf = signed.csrfToken ?? "";
  return signed.account ? (signed as Signed) : null;
}

// Who is signed in in this browser, or null.
export async function currentSession(): Promise<Signed | null> {
  try {
    return await call("GET", "/auth/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

// `totpCode`: the authenticator app's 6 digits, for an account with a second factor.
export async function signIn(username: string, password: string, totpCode = ""): Promise<Signed> {
  const signed = await call("POST", "/auth/sign-in", { username, password, totpCode: totpCode || undefined });
  if (!signed) throw new ApiError("", 502, "");
  return signed;
}

export async function signOut(): Promise<void> {
  await call("POST", "/auth/sign-out", {});
  csrf = "";
}

// The commune id of a staff account ("tenants/dien-chau" → "dien-chau"), or "".
export function communeOf(account: Account): string {
  return (account.tenant ?? "").replace(/^tenants\//, "");
}

const roleNames: Record<string, string> = {
  chair: "Chủ trì hội nghị",
  government_office: "Văn phòng HĐND-UBND",
  party_office: "Văn phòng Đảng ủy",
  front: "Ủy ban MTTQ",
  department: "Phòng chuyên môn",
  secretary: "Thư ký",
  hamlet_lead: "Trưởng thôn",
  province: "Cấp tỉnh",
  admin: "Quản trị hệ thống",
};

export function roleName(role: string): string {
  return roleNames[role] ?? role;
}
