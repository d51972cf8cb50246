// The front door: the communes on the platform.
import { api, get } from "../api/client";
import { h } from "../dom";
import { communePath, page } from "../layout";
import { lastId } from "../commune";

export async function communes(): Promise<void> {
  const list = await get(api.GET("/v1/tenants", { params: { query: { pageSize: 200 } } }));
  const tenants = list.tenants ?? [];
  page(
    null,
    "",
    h("h1", {}, "Đối thoại với Nhân dân"),
    h(
      "p",
      {},
      "Xem kế hoạch, lịch hội nghị đối thoại và thông báo của xã; gửi ý kiến, kiến nghị và theo dõi kết quả giải quyết.",
    ),
    h("h2", {}, "Chọn xã của bạn"),
    tenants.length
      ? h(
          "ul",
          { class: "cards" },
          tenants.map((t) =>
            h("li", {}, h("a", { href: communePath(lastId(t.name)) }, t.displayName ?? "")),
          ),
        )
      : h("p", {}, "Chưa có xã nào trên hệ thống."),
  );
}
