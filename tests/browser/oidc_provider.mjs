// A small OpenID Connect provider for the browser tier, standing in for the province's: the
// discovery document, an authorization page where the test signs a person in (or cancels),
// a token endpoint that redeems each code once and checks PKCE (S256), the redirect URI and
// the client, and a JWKS whose keys the test can rotate. ID tokens are RS256.
import { createHash, generateKeyPairSync, randomBytes, createSign } from "node:crypto";
import http from "node:http";

const b64url = (buffer) => Buffer.from(buffer).toString("base64url");

function newKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" } };
}

export async function startProvider(port, clientId) {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = {
    issuer,
    keys: [newKey("key-1")],
    jwksFetches: 0,
    tokenRequests: [],
    // What the next ID token does wrong, for the tests of what must be refused.
    sabotage: null, // "stranger-key" | "audience" | "nonce" | "expired"
    rotate() {
      this.keys = [newKey(`key-${Date.now()}`)]; // the old key retired at once
    },
  };
  const codes = new Map();

  function idToken(grant) {
    const key = provider.keys[0];
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      aud: provider.sabotage === "audience" ? "another-app" : clientId,
      sub: grant.sub,
      nonce: provider.sabotage === "nonce" ? "not-this-sign-in" : grant.nonce,
      iat: now,
      exp: provider.sabotage === "expired" ? now - 600 : now + 300,
      preferred_username: grant.sub,
    };
    const signing = provider.sabotage === "stranger-key" ? newKey(key.kid) : key;
    const input = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: key.kid }))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256").update(input).sign(signing.privateKey);
    return `${input}.${b64url(signature)}`;
  }

  const send = (res, status, body, type = "application/json") => {
    res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
    res.end(type === "application/json" ? JSON.stringify(body) : body);
  };
  const readForm = (req) =>
    new Promise((resolve) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => resolve(new URLSearchParams(body)));
    });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === "/.well-known/openid-configuration") {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/jwks") {
      provider.jwksFetches += 1;
      return send(res, 200, { keys: provider.keys.map((k) => k.jwk) });
    }
    if (url.pathname === "/authorize" && req.method === "GET") {
      const q = url.searchParams;
      if (q.get("client_id") !== clientId || q.get("response_type") !== "code" ||
          q.get("code_challenge_method") !== "S256" || !q.get("code_challenge") || !q.get("state") ||
          !q.get("nonce") || !(q.get("scope") ?? "").split(" ").includes("openid")) {
        return send(res, 400, "bad authorization request", "text/plain");
      }
      const hidden = [...q].map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/"/g, "&quot;")}">`).join("");
      return send(res, 200, `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng định danh thử</title></head>
<body><main><h1>Cổng định danh thử</h1><form method="post" action="/authorize">${hidden}
<label for="sub">Mã định danh</label> <input id="sub" name="sub">
<button name="answer" value="allow">Đồng ý</button> <button name="answer" value="deny">Hủy</button></form></main></body></html>`, "text/html; charset=utf-8");
    }
    if (url.pathname === "/authorize" && req.method === "POST") {
      const form = await readForm(req);
      const back = new URL(form.get("redirect_uri"));
      back.searchParams.set("state", form.get("state"));
      if (form.get("answer") === "deny") {
        back.searchParams.set("error", "access_denied");
      } else {
        const code = b64url(randomBytes(24));
        codes.set(code, {
          sub: form.get("sub"), nonce: form.get("nonce"), challenge: form.get("code_challenge"),
          redirect: form.get("redirect_uri"), client: form.get("client_id"),
        });
        back.searchParams.set("code", code);
      }
      res.writeHead(302, { Location: back.toString() });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      const form = await readForm(req);
      const grant = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? ""); // once only
      const verifier = form.get("code_verifier") ?? "";
      provider.tokenRequests.push(Object.fromEntries(form));
      if (form.get("grant_type") !== "authorization_code" || !grant || grant.redirect !== form.get("redirect_uri") ||
          grant.client !== form.get("client_id") || b64url(createHash("sha256").update(verifier).digest()) !== grant.challenge) {
        return send(res, 400, { error: "invalid_grant" });
      }
      return send(res, 200, { access_token: b64url(randomBytes(16)), token_type: "Bearer", expires_in: 300, id_token: idToken(grant) });
    }
    send(res, 404, { error: "not_found" });
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  provider.close = () => new Promise((resolve) => server.close(resolve));
  return provider;
}
