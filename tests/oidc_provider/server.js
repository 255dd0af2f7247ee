// A real OpenID Connect provider on loopback, for the test suite only (tests/oidc.py
// starts it). panva's certified oidc-provider does the protocol; this file only
// configures it and serves a sign-in page in place of its development interactions.
//
//   node server.js config.json
//
// config.json: {"host", "port" (0 for any), "accounts": {login: {password, claims}},
// "jwks": {"keys": [private JWK]}, "clients": [client metadata]}.
// Prints one line "READY <issuer>" once listening; stops on SIGTERM.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const host = config.host || '127.0.0.1';

// Accounts by lower-cased login (the sign-in form) and by sub (findAccount).
const byLogin = new Map();
const bySub = new Map();
for (const [login, account] of Object.entries(config.accounts || {})) {
  const claims = { sub: login, ...account.claims };
  if (!claims.name && (claims.given_name || claims.family_name)) {
    claims.name = [claims.given_name, claims.family_name].filter(Boolean).join(' ');
  }
  const entry = { password: account.password, claims };
  byLogin.set(login.toLowerCase(), entry);
  bySub.set(claims.sub, entry);
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function signInPage(uid, login = '', error = '') {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - test identity provider</title></head>
<body>
<main>
<h1>Sign in to the test identity provider</h1>
${error ? `<p role="alert" id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<p><label for="login">Email address</label><br>
<input id="login" name="login" type="text" autocomplete="username" value="${escape(login)}" required></p>
<p><label for="password">Password</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Continue</button></p>
</form>
</main>
</body>
</html>`;
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

// GET shows the sign-in form (login prompt) or grants consent without asking (consent
// prompt); POST checks the password and finishes the login prompt.
async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session, grantId } = details;

  if (prompt.name === 'consent') {
    // Grant exactly what the prompt says is missing, as the consent page would on "Allow".
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const result = { consent: { grantId: await grant.save() } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  }

  if (req.method !== 'POST') return send(res, 200, signInPage(uid));

  const form = await readForm(req);
  const login = (form.get('login') || '').trim();
  const account = byLogin.get(login.toLowerCase());
  if (!account || account.password !== form.get('password')) {
    return send(res, 200, signInPage(uid, login, 'The email address or password is not right.'));
  }
  const result = { login: { accountId: account.claims.sub } };
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

let provider;
let handle; // provider.callback(), made once
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (/^\/interaction\/[^/]+$/.test(path)) {
    interaction(provider, req, res).catch((err) => {
      // Usually an expired or missing interaction cookie (SessionNotFound).
      console.error(err);
      if (!res.headersSent) send(res, 400, `<p>${escape(err.message)}</p>`);
    });
    return;
  }
  handle(req, res);
});

server.listen(config.port || 0, host, () => {
  const issuer = `http://${host}:${server.address().port}`;
  provider = new Provider(issuer, {
    clients: config.clients || [],
    jwks: config.jwks,
    findAccount: async (ctx, sub) => {
      const account = bySub.get(sub);
      return account && { accountId: sub, claims: async () => ({ ...account.claims }) };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    scopes: ['openid', 'email', 'profile'],
    // Scope claims in the ID token too, not only from userinfo.
    conformIdTokenClaims: false,
    // oidc-provider 9 requires PKCE only for public clients by default; require it for all.
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    features: {
      devInteractions: { enabled: false }, // our own sign-in page instead
      registration: { enabled: true }, // open dynamic registration: loopback only
    },
    interactions: { url: (ctx, i) => `/interaction/${i.uid}` },
    // Signed cookies with a key made per run. Over plain http oidc-provider sets them
    // without "secure" (it follows ctx.secure, and proxy stays off).
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
  });
  provider.proxy = false;
  handle = provider.callback();
  console.log(`READY ${issuer}`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections(); // keep-alive connections would hold close() open
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
