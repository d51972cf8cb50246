// The commune a page belongs to: its name and hamlets, read once per page.
import { api, get } from "./api/client";
import { h } from "./dom";
import type { Commune } from "./layout";

export type Hamlet = { id: string; name: string; area: string };
// `parent`: the id of the district that hosts dialogues with the commune's people, or "";
// `kind`: "COMMUNE", "TOWNSHIP", "WARD" or "DISTRICT" (a level above communes).
export type CommuneInfo = Commune & { hamlets: Hamlet[]; voters: number; parent: string; kind: string };

export async function loadCommune(id: string): Promise<CommuneInfo> {
  const t = await get(api.GET("/v1/tenants/{tenant}", { params: { path: { tenant: id } } }));
  return {
    id,
    name: t.displayName ?? id,
    hamlets: (t.hamlets ?? []).map((x) => ({ id: x.id ?? "", name: x.displayName ?? x.id ?? "", area: x.area ?? "" })),
    voters: t.voterCount ?? 0,
    parent: lastId(t.parent),
    kind: t.kind ?? "",
  };
}

export function hamletName(commune: CommuneInfo, id: string | undefined): string {
  return commune.hamlets.find((x) => x.id === id)?.name ?? id ?? "";
}

// "tenants/t/sessions/abc" -> "abc"
export function lastId(name: string | undefined): string {
  return (name ?? "").split("/").pop() ?? "";
}

// The commune's hamlets to choose from by name, grouped by area where the commune has areas
// (khu vực, khu phố); the option values are their ids, or their names where the API takes
// free text (`by: "name"`).
export function hamletSelect(
  commune: CommuneInfo,
  id: string,
  by: "id" | "name" = "id",
  required = true,
): HTMLSelectElement {
  const option = (x: Hamlet) => h("option", { value: by === "id" ? x.id : x.name }, x.name);
  const areas = [...new Set(commune.hamlets.map((x) => x.area))];
  return h(
    "select",
    { id, name: id, required },
    h("option", { value: "" }, "— Chọn thôn, tổ dân phố —"),
    areas.length > 1 || areas[0]
      ? areas.map((area) => h("optgroup", { label: area || "Khác" }, commune.hamlets.filter((x) => x.area === area).map(option)))
      : commune.hamlets.map(option),
  );
}
