// The browser tier for signing in at the province's OpenID Connect provider: a clerk whose
// account is linked to the provider's subject goes to the provider from the sign-in page and
// comes back signed in (authorization code with PKCE; the ID token verified against the
// provider's JWKS, followed when the provider rotates its keys). Each way it can go wrong
// (a cancel, a forged state, a changed verifier, a token of another key, audience or nonce,
// a person with no account) brings the clerk back to the sign-in page with the reason, and
// no session.
//   node tests/browser/oidc.mjs SOURCE_DIR BUILD_DIR
// The stack's planning program is started with DIALOGUE_OIDC_ISSUER pointing at the port
// this test's provider listens on (scripts/test).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { apiCall, check, launchBrowser, newCommune, newPage, startGateway, token } from "./harness.mjs";
import { startProvider } from "./oidc_provider.mjs";

let gateway, browser, provider;
const issuer = process.env.DIALOGUE_OIDC_ISSUER ?? "";
const commune = `oidc-${Date.now()}`;
const clerk = { username: `vanphong.oidc-${Date.now()}`, name: "Lê Thị Hoa", subject: `cccd-${Date.now()}` };
const call = (method, path, body, bearer) => apiCall(gateway.url, method, path, body, bearer);

before(async () => {
  assert.match(issuer, /^http:\/\/127\.0\.0\.1:\d+$/, "scripts/test sets DIALOGUE_OIDC_ISSUER");
  provider = await startProvider(Number(new URL(issuer).port), process.env.DIALOGUE_OIDC_CLIENT_ID);
  gateway = await startGateway();
  browser = await launchBrowser();
  await newCommune(gateway.url, commune, "Xã Định Danh", [["thon-mot", "Thôn Một"]]);
  // Linked to the provider's subject, with no password of its own.
  await call("POST", "/v1/accounts", {
    account: { username: clerk.username, displayName: clerk.name, tenant: `tenants/${commune}`, roles: ["chair"], oidcSubject: clerk.subject },
  }, token("", "admin"));
});

after(async () => {
  await browser?.close();
  gateway?.child.kill();
  await provider?.close();
});

// From the sign-in page to the provider, where `subject` signs in (or cancels), and back.
async function viaProvider(page, subject, { answer = "Đồng ý", beforeReturn } = {}) {
  await page.goto(`${gateway.url}/can-bo/dang-nhap`);
  await page.getByRole("link", { name: "Đăng nhập qua Cổng định danh thử" }).click();
  await page.waitForURL((u) => u.origin === issuer || u.searchParams.has("loi"));
  assert.equal(new URL(page.url()).origin, issuer, `sent to the provider, not back: ${page.url()}`);
  await page.getByLabel("Mã định danh").fill(subject);
  if (beforeReturn) await beforeReturn(page);
  await page.getByRole("button", { name: answer }).click();
  await page.waitForURL((u) => u.origin === gateway.url && !u.pathname.startsWith("/auth/"));
}

// A cookie of this browser by name. (All of them: Playwright leaves Secure cookies out of a
// lookup by an http:// address, though Chromium keeps and sends them on 127.0.0.1.)
async function cookie(page, name) {
  return (await page.context().cookies()).find((c) => c.name === name);
}
const sessionCookie = (page) => cookie(page, "dialogue_session");

async function refusedWith(page, words) {
  assert.equal(new URL(page.url()).pathname, "/can-bo/dang-nhap");
  await page.getByRole("alert").filter({ hasText: words }).waitFor();
  assert.equal(await sessionCookie(page), undefined, "no session");
}

test("a clerk linked to the provider signs in there, and again after the provider rotates its keys", async () => {
  for (const [width, height] of [[360, 780], [1280, 800]]) {
    const page = await newPage(browser, { width, height });
    await page.goto(`${gateway.url}/can-bo/dang-nhap`);
    await page.getByRole("link", { name: "Đăng nhập qua Cổng định danh thử" }).waitFor();
    await check(page, `oidc-sign-in-${width}`);
    await page.context().close();
  }
  const page = await newPage(browser, { width: 1280, height: 800 });
  await viaProvider(page, clerk.subject);
  assert.equal(new URL(page.url()).pathname, "/can-bo");
  await page.getByText(clerk.name).first().waitFor();
  const session = await sessionCookie(page);
  assert.ok(session?.httpOnly && session.secure && session.sameSite === "Strict", `the session is an HttpOnly, Secure, SameSite cookie: ${JSON.stringify(session)}`);
  assert.equal(await cookie(page, "dialogue_oidc"), undefined, "the sign-in's own cookie is cleared once used");
  // PKCE as RFC 7636 asks: a verifier of 43+ characters, sent only to the token endpoint.
  const redeemed = provider.tokenRequests.at(-1);
  assert.ok(redeemed.code_verifier.length >= 43 && !page.url().includes(redeemed.code_verifier));
  assert.equal(redeemed.client_id, process.env.DIALOGUE_OIDC_CLIENT_ID);
  await check(page, "oidc-signed-in");
  // The audit log says who signed in, and how.
  const { events } = await call("GET", `/v1/tenants/${commune}/auditEvents`, undefined, token(commune, "chair"));
  assert.ok(events.some((e) => e.action === "SIGN_IN" && e.actor === clerk.username && e.target === "oidc"), JSON.stringify(events));
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.waitForURL((u) => u.pathname === "/can-bo/dang-nhap");

  // The provider retires its key for a new one: the next sign-in fetches the JWKS again.
  const fetched = provider.jwksFetches;
  provider.rotate();
  await viaProvider(page, clerk.subject);
  assert.equal(new URL(page.url()).pathname, "/can-bo");
  await page.getByText(clerk.name).first().waitFor();
  assert.equal(provider.jwksFetches, fetched + 1, "the new key was fetched once");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("every way the provider's answer can fail ends on the sign-in page with the reason and no session", async () => {
  const fresh = () => newPage(browser, { width: 360, height: 780 });
  let page = await fresh();
  // A person the provider knows but no account is linked to.
  await viaProvider(page, "cccd-nobody");
  await refusedWith(page, "chưa có tài khoản nào");
  await check(page, "oidc-unknown-person");
  await page.context().close();

  // Cancelled at the provider.
  page = await fresh();
  await viaProvider(page, clerk.subject, { answer: "Hủy" });
  await refusedWith(page, "đã bị hủy");
  await page.context().close();

  // A callback this browser did not start (a forged or replayed link).
  page = await fresh();
  await page.goto(`${gateway.url}/auth/oidc/callback?code=stolen&state=guessed`);
  await refusedWith(page, "không do trình duyệt này bắt đầu");
  await page.context().close();

  // The verifier changed on the way: the provider refuses the code (PKCE).
  page = await fresh();
  await viaProvider(page, clerk.subject, {
    beforeReturn: async (p) => {
      const kept = await cookie(p, "dialogue_oidc");
      const [state, , nonce] = kept.value.split(".");
      await p.context().addCookies([{ ...kept, value: `${state}.${"x".repeat(43)}.${nonce}` }]);
    },
  });
  await refusedWith(page, "không xác nhận được");
  await page.context().close();

  // ID tokens the platform must not trust.
  for (const sabotage of ["stranger-key", "audience", "nonce", "expired"]) {
    provider.sabotage = sabotage;
    page = await fresh();
    await viaProvider(page, clerk.subject);
    await refusedWith(page, "Không tin được xác nhận");
    await page.context().close();
  }
  provider.sabotage = null;
  // And nothing of that is a sign-in in the commune's log.
  const { events } = await call("GET", `/v1/tenants/${commune}/auditEvents`, undefined, token(commune, "chair"));
  assert.equal(events.filter((e) => e.action === "SIGN_IN").length, 2, "only the two good sign-ins");
});
