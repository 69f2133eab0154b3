import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import { ClsService } from 'nestjs-cls';
import { BILLING_EVENT_TYPES } from '../../src/common/events/billing-event.js';
import { BillingEvents } from '../../src/billing-stream/billing-events.js';
import { compTenant, setUsed, summarize } from '../support/metering.js';
import { type ServiceProcess, startService } from '../support/service-process.js';
import { openStream, readStreamUntil, type StreamClient } from '../support/sse-client.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

/** GET /billing/stream: normalized events, per tenant, resumable, across instances. */
describe('billing event stream', () => {
  let t: TestApp;
  const streams: StreamClient[] = [];
  const open = async (token: string, options?: Parameters<typeof openStream>[2], app: { baseUrl: string } = t) => {
    const stream = openStream(app.baseUrl, token, options);
    streams.push(stream);
    await stream.opened;
    return stream;
  };
  beforeAll(async () => {
    t = await startTestApp({ BILLING_STREAM_KEEPALIVE_SECONDS: '1' });
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(() => t.close());

  /**
   * Publishes a marker event and waits for it on `stream`: every event committed for that stream
   * before it has arrived by then, so what came before the marker is all there will be.
   */
  const passMarker = async (stream: StreamClient, tenantId: string, env = 'test') => {
    const label = `marker-${randomUUID()}`;
    await t.app
      .get(ClsService)
      .run(() => t.app.get(BillingEvents).publish({ tenantId, env, type: 'invoice.updated', data: { label } }));
    await vi.waitFor(() => expect(stream.events.at(-1)?.data.label).toBe(label), { timeout: 5_000 });
    return { label, before: stream.events.slice(0, -1) };
  };

  const removeComp = async (operator: string, tenantId: string) => {
    const response = await t.request('DELETE', `/admin/tenants/${tenantId}/comp?env=test`, { token: operator });
    expect(response.status).toBe(200);
  };

  it('sends an entitlement change as a BillingEventPayload whose SSE id is its id', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const stream = await open(apiKey);
    await compTenant(t, tenantId, 'pro');
    const [event] = await stream.waitForCount(1);
    expect(Object.keys(event).sort()).toEqual(['data', 'env', 'id', 'occurred_at', 'tenant_id', 'type']);
    expect(event).toMatchObject({
      type: 'entitlement.updated',
      tenant_id: tenantId,
      env: 'test',
      data: { plan_id: 'pro', source: 'comp', comped: true, limits: { monthly_characters: 1_000_000 } },
    });
    expect(stream.ids).toEqual([event.id]);
    expect(new Date(event.occurred_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('is open to every member of the tenant, and to nobody unauthenticated', async () => {
    const { apiKey } = await t.createTenant();
    const memberKey = (
      await t.request('POST', '/tenants/current/api-keys', { token: apiKey, body: { name: 'viewer', role: 'member' } })
    ).body.key;
    await expect(open(memberKey)).resolves.toBeDefined();
    const anonymous = await fetch(`${t.baseUrl}/billing/stream`);
    expect([anonymous.status, (await anonymous.json()).error.code]).toEqual([401, 'unauthenticated']);
  });

  it('never shows one tenant’s events to another, whatever it asks for', async () => {
    const a = await t.createTenant('Stream A');
    const b = await t.createTenant('Stream B');
    const streamA = await open(a.apiKey);
    const streamB = await open(b.apiKey);
    const operator = await compTenant(t, a.tenantId, 'starter');
    await removeComp(operator, a.tenantId);
    const aEvents = await streamA.waitForCount(2);
    // B then gets its own event, so its stream was live all along and only ever saw B.
    await compTenant(t, b.tenantId, 'pro');
    const [bEvent] = await streamB.waitForCount(1);
    expect(streamB.events.map((e) => e.tenant_id)).toEqual([b.tenantId]);
    expect(bEvent.data).toMatchObject({ plan_id: 'pro' });

    // Replaying from before A's events, with B's key, gives B's events only.
    const replayB = await open(b.apiKey, { lastEventId: String(Number(aEvents[0].id) - 1) });
    expect((await passMarker(replayB, b.tenantId)).before.map((e) => e.id)).toEqual([bEvent.id]);

    // A user of A naming B's tenant is refused before any stream starts.
    const token = await t.mintToken('idp|stream-user', 'stream-user@example.com');
    const ownTenant = (await t.request('POST', '/tenants', { token, body: { name: 'Own' } })).body.id;
    expect(ownTenant).toBeDefined();
    const crossing = await fetch(`${t.baseUrl}/billing/stream`, {
      headers: { authorization: `Bearer ${token}`, 'x-tenant-id': b.tenantId },
    });
    expect(crossing.status).toBe(403);
    await crossing.body?.cancel();
  });

  it('keeps envs apart: the live stream does not see test events', async () => {
    const token = await t.mintToken('idp|stream-envs', 'stream-envs@example.com');
    const tenantId = (await t.request('POST', '/tenants', { token, body: { name: 'Envs' } })).body.id;
    const live = await open(token, { headers: { 'x-tenant-id': tenantId, 'x-env': 'live' } });
    const test = await open(token, { headers: { 'x-tenant-id': tenantId, 'x-env': 'test' } });
    await compTenant(t, tenantId, 'pro');
    await test.waitForCount(1);
    expect((await passMarker(live, tenantId, 'live')).before).toEqual([]);
  });

  it('replays exactly the missed events to a client reconnecting with Last-Event-ID, then goes on live', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const first = await open(apiKey);
    const operator = await compTenant(t, tenantId, 'starter');
    await removeComp(operator, tenantId);
    const seen = await first.waitForCount(2);
    first.close();

    await compTenant(t, tenantId, 'pro');
    await removeComp(operator, tenantId);
    const [{ id: lastMissed }] = await t.query<{ id: string }>(
      'SELECT max(id)::text AS id FROM billing_events WHERE tenant_id = $1',
      [tenantId],
    );

    const resumed = await open(apiKey, { lastEventId: seen[1].id });
    const replayed = await resumed.waitForCount(2);
    expect(replayed.map((e) => e.data.plan_id)).toEqual(['pro', 'free']);
    expect(replayed[1].id).toBe(lastMissed);
    await compTenant(t, tenantId, 'enterprise');
    const ids = (await passMarker(resumed, tenantId)).before.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toBeGreaterThan(Number(seen[1].id));
  });

  it('takes the last id from the query string too, and refuses one that is not an event id', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await compTenant(t, tenantId, 'pro');
    const response = await fetch(`${t.baseUrl}/billing/stream?last_event_id=0`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const { text, reader } = await readStreamUntil(response, (sent) => sent.includes('entitlement.updated'));
    await reader.cancel();
    expect(text).toMatch(/^id: \d+$/m);

    for (const bad of ['abc', '-1', '1e9', '12345678901234567890']) {
      const refused = await fetch(`${t.baseUrl}/billing/stream`, {
        headers: { authorization: `Bearer ${apiKey}`, 'last-event-id': bad },
      });
      const body = await refused.json();
      expect([refused.status, body.error.code, body.error.details[0].field]).toEqual([
        400,
        'validation_failed',
        'Last-Event-ID',
      ]);
    }
  });

  it('writes keep-alive comments while nothing happens', async () => {
    const { apiKey } = await t.createTenant();
    const response = await fetch(`${t.baseUrl}/billing/stream`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const started = Date.now();
    const { text, reader } = await readStreamUntil(
      response,
      (sent) => (sent.match(/^: keep-alive$/gm) ?? []).length >= 2,
    );
    await reader.cancel();
    // Two with BILLING_STREAM_KEEPALIVE_SECONDS=1 take about two seconds; the default is 15.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(text).not.toMatch(/^data:/m);
  });

  describe('usage thresholds', () => {
    /** An enterprise comp (10,000,000 characters, no hourly limit) with `used` already spent, and its stream. */
    const tenantAt = async (used: number) => {
      const { apiKey, tenantId } = await t.createTenant();
      await compTenant(t, tenantId, 'enterprise');
      const periodStart = new Date((await t.request('GET', '/usage', { token: apiKey })).body.current.period_start);
      await setUsed(t, tenantId, used, periodStart);
      return { apiKey, tenantId, periodStart, stream: await open(apiKey) };
    };
    const spend = (apiKey: string, characters: number, extra: Record<string, unknown> = {}) =>
      summarize(t, apiKey, { text: 'x'.repeat(characters), ...extra });
    const thresholds = (stream: StreamClient) =>
      stream.events
        .filter((e) => e.type === 'usage.threshold_reached')
        .map((e) => [e.data.threshold_percent, e.data.used]);

    it('announces 80% once, whichever of many parallel requests gets there', async () => {
      const { apiKey, tenantId, periodStart, stream } = await tenantAt(7_999_990);
      const responses = await Promise.all(Array.from({ length: 20 }, () => spend(apiKey, 5)));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      await stream.waitForCount(1);
      // Then 100%: a second 80% would have been published before it.
      await setUsed(t, tenantId, 9_999_990, periodStart);
      expect((await spend(apiKey, 10)).status).toBe(200);
      await vi.waitFor(() => expect(thresholds(stream).map(([percent]) => percent)).toContain(100));
      expect(thresholds(stream).map(([percent]) => percent)).toEqual([80, 100]);
      expect(stream.events[0].data).toMatchObject({
        meter: 'characters',
        threshold_percent: 80,
        limit: 10_000_000,
        period_start: periodStart.toISOString(),
      });
      expect(stream.events[0].data.used).toBeGreaterThanOrEqual(8_000_000);
    });

    it('announces nothing for a request that was refunded, and the crossing that then succeeds', async () => {
      const { apiKey, stream } = await tenantAt(7_999_990);
      const failed = await spend(apiKey, 20, { mode: 'poetry' });
      expect([failed.status, failed.body.error.code]).toEqual([400, 'validation_failed']);
      // Had the refunded request announced 80%, it would say 8,000,010 and this one would be deduplicated.
      expect((await spend(apiKey, 30)).status).toBe(200);
      await stream.waitForCount(1);
      expect(thresholds(stream)).toEqual([[80, 8_000_020]]);
    });

    it('announces 100% when a request lands on the quota, or is refused for it', async () => {
      const exact = await tenantAt(9_999_990);
      expect((await spend(exact.apiKey, 10)).status).toBe(200);
      await exact.stream.waitForCount(2);
      expect(thresholds(exact.stream).sort()).toEqual([
        [100, 10_000_000],
        [80, 10_000_000],
      ]);

      const refused = await tenantAt(9_999_990);
      const response = await spend(refused.apiKey, 50);
      expect([response.status, response.body.error.code]).toEqual([402, 'quota_exceeded']);
      await refused.stream.waitForCount(2);
      expect(
        thresholds(refused.stream)
          .map(([percent]) => percent)
          .sort(),
      ).toEqual([100, 80]);
      expect((await spend(refused.apiKey, 50)).status).toBe(402);
      await passMarker(refused.stream, refused.tenantId);
      expect(thresholds(refused.stream)).toHaveLength(2);
    });

    it('announces nothing for a request merely too big for the plan', async () => {
      const { apiKey, tenantId, periodStart, stream } = await tenantAt(10);
      const response = await t.request('POST', '/usage/consume', {
        token: apiKey,
        body: { meter: 'characters', amount: 20_000_000 },
      });
      expect([response.status, response.body.code]).toEqual([402, 'quota_exceeded']);
      // Then a real crossing of 80%: anything the refusal announced would have come first.
      await setUsed(t, tenantId, 7_999_990, periodStart);
      expect((await spend(apiKey, 20)).status).toBe(200);
      await stream.waitForCount(1);
      expect(thresholds(stream)).toEqual([[80, 8_000_010]]);
    });

    it('announces through POST /usage/consume too, after its transaction commits', async () => {
      const { apiKey, stream } = await tenantAt(7_999_990);
      const consumed = await t.request('POST', '/usage/consume', {
        token: apiKey,
        body: { meter: 'characters', amount: 20, idempotency_key: 'threshold-1' },
      });
      expect(consumed.status).toBe(200);
      await stream.waitForCount(1);
      expect(thresholds(stream)).toEqual([[80, 8_000_010]]);
    });
  });

  it('orders one tenant’s events by commit, and publishes nothing for a rolled-back change', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const stream = await open(apiKey);
    const events = t.app.get(BillingEvents);
    const txHost = t.app.get(TransactionHost);
    const inTransaction = (fn: () => Promise<void>) => t.app.get(ClsService).run(() => txHost.withTransaction(fn));
    const publish = (label: string) =>
      events.publish({ tenantId, env: 'test', type: 'invoice.updated', data: { label } });

    let releaseA!: () => void;
    let publishedA!: () => void;
    const held = new Promise<void>((resolve) => (releaseA = resolve));
    const aPublished = new Promise<void>((resolve) => (publishedA = resolve));
    const a = inTransaction(async () => {
      await publish('A');
      publishedA();
      await held;
    });
    await aPublished;
    await inTransaction(() => publish('B'));
    await expect(
      inTransaction(async () => {
        await publish('rolled back');
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    releaseA();
    await a;

    const { label: marker, before } = await passMarker(stream, tenantId);
    expect(before.map((e) => e.data.label)).toEqual(['B', 'A']);
    expect(Number(stream.ids[1])).toBeGreaterThan(Number(stream.ids[0]));
    const replay = await open(apiKey, { lastEventId: '0' });
    await replay.waitForCount(3);
    expect(replay.events.map((e) => e.data.label)).toEqual(['B', 'A', marker]);
  });

  it('keeps what a transaction published when a savepoint inside it rolls back, and drops only the savepoint’s', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const stream = await open(apiKey);
    const events = t.app.get(BillingEvents);
    const txHost = t.app.get(TransactionHost);
    const publish = (label: string) =>
      events.publish({ tenantId, env: 'test', type: 'invoice.updated', data: { label } });
    await t.app.get(ClsService).run(() =>
      txHost.withTransaction(async () => {
        await publish('outer');
        await txHost
          .withTransaction(Propagation.Nested, async () => {
            await publish('inside the savepoint');
            throw new Error('the nested change failed');
          })
          .catch(() => undefined);
        await txHost.withTransaction(Propagation.Nested, () => publish('released savepoint'));
        await publish('after');
      }),
    );
    expect((await passMarker(stream, tenantId)).before.map((e) => e.data.label)).toEqual([
      'outer',
      'released savepoint',
      'after',
    ]);
  });

  it('documents every event type it can send in docs/billing/stream.md', () => {
    const headings = readFileSync(new URL('../../docs/billing/stream.md', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('### '))
      .join('\n');
    for (const type of BILLING_EVENT_TYPES) expect(headings).toContain(`\`${type}\``);
  });

  describe('across instances', () => {
    let b: ServiceProcess;
    beforeAll(async () => {
      b = await startService({
        DATABASE_URL: t.databaseUrl,
        JWT_SECRET: TEST_JWT_SECRET,
        ENABLE_BILLING: 'false',
        LOG_LEVEL: 'warn',
      });
      await b.waitForHealth();
    });
    afterAll(async () => {
      if (b.child.exitCode === null) b.child.kill('SIGTERM');
      await b.exited;
    });

    it('delivers an event published on one instance to a client connected to another', async () => {
      const { apiKey, tenantId } = await t.createTenant();
      const onB = await open(apiKey, {}, { baseUrl: `http://127.0.0.1:${b.port}` });
      const started = Date.now();
      await compTenant(t, tenantId, 'pro');
      const [event] = await onB.waitForCount(1, 2_000);
      expect(event).toMatchObject({ type: 'entitlement.updated', tenant_id: tenantId, data: { plan_id: 'pro' } });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('ends open streams when an instance shuts down, so it stops promptly', async () => {
      const { apiKey } = await t.createTenant();
      const response = await fetch(`http://127.0.0.1:${b.port}/billing/stream`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      const { reader } = await readStreamUntil(response, (sent) => sent.includes(': connected'));
      const started = Date.now();
      b.child.kill('SIGTERM');
      let done = false;
      while (!done) done = (await reader.read()).done;
      expect(await b.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});
