// The one typed client of the gateway's JSON API. Its types come from the gateway's own
// /openapi.json (npm run api), so a contract change that breaks a page fails the typecheck.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { ApiError, errorOf } from "./errors";

export const api = createClient<paths>({ baseUrl: "" });

// A message of the contract by its full name: Of<"dialogue.v1.Session">.
export type Of<K extends keyof components["schemas"]> = components["schemas"][K];

type Result<T> = { data?: T; error?: unknown; response: Response };

// The answer of a call, or an ApiError with a Vietnamese message: what the API said
// (by its reason code), or that the server cannot be reached.
export async function get<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError("NETWORK", 0, "");
  }
  if (result.error !== undefined || result.data === undefined) {
    throw errorOf(result.response.status, result.error);
  }
  return result.data;
}
