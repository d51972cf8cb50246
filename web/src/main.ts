// The citizens' pages and the commune office's console: one small script, one route table. Every page is a plain link, so
// each loads on its own and works with the back button, bookmarks and a shared URL.
import "./style.css";
import { failure, loading, notFound } from "./layout";
import { communes } from "./pages/communes";
import { home } from "./pages/home";
import { submit } from "./pages/submit";
import { follow } from "./pages/follow";
import { notices, notice } from "./pages/notices";
import { dialogue } from "./pages/dialogue";
import { screen } from "./pages/screen";
import { speak } from "./pages/speak";
import { signInPage } from "./pages/console/signin";
import { desk } from "./pages/console/desk";
import { opinions } from "./pages/console/opinions";
import { importPage } from "./pages/console/import";
import { audit } from "./pages/console/audit";
import { noticesPage } from "./pages/console/notices";
import { commitmentsPage } from "./pages/console/commitments";
import { plansPage } from "./pages/console/plans";
import { sessionsPage } from "./pages/console/sessions";
import { hall } from "./pages/console/hall";
import { accountsPage } from "./pages/console/accounts";

const slug = "([a-z0-9-]+)";
const routes: [RegExp, (...args: string[]) => Promise<void>][] = [
  [/^\/$/, communes],
  [new RegExp(`^/xa/${slug}$`), home],
  [new RegExp(`^/xa/${slug}/gop-y$`), submit],
  [new RegExp(`^/xa/${slug}/theo-doi$`), (t) => follow(t, "")],
  [new RegExp(`^/xa/${slug}/theo-doi/([A-Za-z0-9-]+)$`), follow],
  [new RegExp(`^/xa/${slug}/thong-bao$`), notices],
  [new RegExp(`^/xa/${slug}/thong-bao/([0-9a-f-]+)$`), notice],
  [new RegExp(`^/xa/${slug}/de-nghi-doi-thoai$`), dialogue],
  [new RegExp(`^/xa/${slug}/hoi-nghi/([0-9a-f-]+)/man-hinh$`), screen],
  [new RegExp(`^/xa/${slug}/hoi-nghi/([0-9a-f-]+)/dang-ky$`), speak],
  [/^\/can-bo$/, desk],
  [/^\/can-bo\/dang-nhap$/, signInPage],
  [/^\/can-bo\/y-kien$/, () => opinions()],
  [/^\/can-bo\/y-kien\/nhap$/, importPage],
  [/^\/can-bo\/nhat-ky$/, audit],
  [/^\/can-bo\/thong-bao$/, noticesPage],
  [/^\/can-bo\/ket-luan$/, commitmentsPage],
  [/^\/can-bo\/ke-hoach$/, plansPage],
  [/^\/can-bo\/hoi-nghi$/, sessionsPage],
  [/^\/can-bo\/tai-khoan$/, accountsPage],
  [/^\/can-bo\/hoi-nghi\/([0-9a-f-]+)$/, (id) => hall(id)],
];

async function route(): Promise<void> {
  const path = location.pathname.replace(/\/+$/, "") || "/";
  for (const [pattern, render] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    loading();
    try {
      await render(...match.slice(1));
    } catch (error) {
      failure(error);
    }
    return;
  }
  notFound();
}

void route();
