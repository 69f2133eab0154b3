import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Tokens from an identity provider, verified against the key set it publishes. */
describe('JWT verification with JWT_JWKS_URL', () => {
  let t: TestApp;
  let jwks: Server;
  let providerKey: CryptoKey;
  const ISSUER = 'https://idp.example.com/';
  const AUDIENCE = 'billing-api';

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    providerKey = privateKey;
    const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
    jwks = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as { port: number };
    t = await startTestApp({
      JWT_SECRET: '',
      JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
  });
  afterAll(async () => {
    await t.close();
    jwks.close();
  });

  const sign = (key: CryptoKey, audience = AUDIENCE) =>
    new SignJWT({ email: 'idp-user@example.com', email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('idp|jwks-user')
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setExpirationTime('1h')
      .sign(key);

  it('accepts a token signed by the provider’s published key', async () => {
    const response = await t.request('POST', '/tenants', { token: await sign(providerKey), body: { name: 'JWKS Co' } });
    expect(response.status).toBe(201);
  });

  it('rejects a token signed by any other key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const response = await t.request('POST', '/tenants', { token: await sign(privateKey), body: { name: 'x' } });
    expect([response.status, response.body.error.code]).toEqual([401, 'invalid_token']);
  });

  it('rejects the provider’s token for another application', async () => {
    const response = await t.request('POST', '/tenants', {
      token: await sign(providerKey, 'someone-else'),
      body: { name: 'x' },
    });
    expect(response.status).toBe(401);
  });

  it('rejects an HS256 token made with a guessed secret (no algorithm confusion)', async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('guessed-secret-guessed-secret-guessed'));
    expect((await t.request('POST', '/tenants', { token: forged, body: { name: 'x' } })).status).toBe(401);
  });
});
