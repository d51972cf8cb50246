// The commune a page belongs to: its name and hamlets, read once per page.
import { api, get } from "./api/client";
import { h } from "./dom";
import type { Commune } from "./layout";

export type Hamlet = { id: string; name: string };
export type CommuneInfo = Commune & { hamlets: Hamlet[]; voters: number };

export async function loadCommune(id: string): Promise<CommuneInfo> {
  const t = await get(api.GET("/v1/tenants/{tenant}", { params: { path: { tenant: id } } }));
  return {
    id,
    name: t.displayName ?? id,
    hamlets: (t.hamlets ?? []).map((x) => ({ id: x.id ?? "", name: x.displayName ?? x.id ?? "" })),
    voters: t.voterCount ?? 0,
  };
}

export function hamletName(commune: CommuneInfo, id: string | undefined): string {
  return commune.hamlets.find((x) => x.id === id)?.name ?? id ?? "";
}

// "tenants/t/sessions/abc" -> "abc"
export function lastId(name: string | undefined): string {
  return (name ?? "").split("/").pop() ?? "";
}

// The commune's hamlets to choose from by name; the option values are their ids, or their
// names where the API takes free text (`by: "name"`).
export function hamletSelect(
  commune: CommuneInfo,
  id: string,
  by: "id" | "name" = "id",
  required = true,
): HTMLSelectElement {
  return h(
    "select",
    { id, name: id, required },
    h("option", { value: "" }, "— Chọn thôn, tổ dân phố —"),
    commune.hamlets.map((x) => h("option", { value: by === "id" ? x.id : x.name }, x.name)),
  );
}
