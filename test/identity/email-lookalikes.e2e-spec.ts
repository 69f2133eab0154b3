import { DataSource } from 'typeorm';
import { NormalizedEmails1763700001300 } from '../../migrations/1763700001300-normalized-emails.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** U+212A KELVIN SIGN: NFKC and lower-casing both turn it into a plain `k`. */
const KELVIN = '\u212A';
/** Full-width letters, which NFKC turns into ASCII. */
const fullWidth = (letter: string) => String.fromCodePoint(letter.codePointAt(0)! - 0x61 + 0xff41);

describe('email addresses and their look-alikes', () => {
  let t: TestApp;
  let ownerToken: string;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp();
    ownerToken = await t.mintToken('idp|lookalike-owner', 'lookalike-owner@example.com');
    tenantId = (await t.request('POST', '/tenants', { token: ownerToken, body: { name: 'Look-alikes' } })).body.id;
  });
  afterAll(() => t.close());

  const invite = (email: string) =>
    t.request('POST', '/tenants/current/members', { token: ownerToken, tenantId, body: { email, role: 'admin' } });
  const signInTo = async (subject: string, email: string) =>
    t.request('GET', '/tenants/current', { token: await t.mintToken(subject, email), tenantId });

  it('does not let a look-alike address verified by the identity provider claim the plain one’s invitation', async () => {
    expect((await invite('kelvin@example.com')).status).toBe(201);

    const lookAlike = await signInTo('idp|kelvin-sign', `${KELVIN}elvin@example.com`);
    expect(lookAlike.status).toBe(403);
    expect(lookAlike.body.error.code).toBe('not_a_member');
    // Signed in, but without an address: the look-alike proves only itself, so it can claim nothing later either.
    expect(await t.query('SELECT email FROM users WHERE subject = $1', ['idp|kelvin-sign'])).toEqual([{ email: null }]);

    const plain = await signInTo('idp|kelvin', 'Kelvin@Example.com');
    expect(plain.status).toBe(200);
    expect(plain.body.role).toBe('admin');
  });

  it('stores an invitation to a look-alike spelling as the address it imitates, once', async () => {
    const lookAlike = `${fullWidth('m')}allory@${fullWidth('e')}xample.com`;
    const invited = await invite(lookAlike);
    expect(invited.status).toBe(201);
    expect(invited.body.email).toBe('mallory@example.com');
    const again = await invite('MALLORY@example.com');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_member');
    expect((await signInTo('idp|mallory', 'mallory@example.com')).status).toBe(200);
  });

  it('normalises the addresses stored before, without letting a look-alike keep a claim', async () => {
    const insertUser = async (email: string, subject: string | null = null) =>
      (
        await t.query<{ id: string }>('INSERT INTO users (subject, email) VALUES ($1, $2) RETURNING id', [
          subject,
          email,
        ])
      )[0].id;
    const invitedAlone = await insertUser(`${fullWidth('n')}ed@example.com`);
    const holder = await insertUser('olga@example.com', 'idp|olga');
    const duplicate = await insertUser(`${fullWidth('o')}lga@example.com`);
    await t.query("INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, 'member')", [
      tenantId,
      duplicate,
    ]);
    const signedIn = await insertUser(`${fullWidth('p')}eter@example.com`, 'idp|peter');

    const runner = t.app.get(DataSource).createQueryRunner();
    try {
      await new NormalizedEmails1763700001300().up(runner);
    } finally {
      await runner.release();
    }

    const emailOf = async (id: string) =>
      (await t.query<{ email: string | null }>('SELECT email FROM users WHERE id = $1', [id]))[0]?.email;
    expect(await emailOf(invitedAlone)).toBe('ned@example.com');
    expect(await emailOf(duplicate)).toBeUndefined();
    expect(
      await t.query('SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2', [tenantId, holder]),
    ).toEqual([{ role: 'member' }]);
    expect(await emailOf(signedIn)).toBeNull();
    expect(await emailOf(holder)).toBe('olga@example.com');
  });
});
