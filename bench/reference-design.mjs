// The issue's own reference points, measured in the same run as the service, on the same machine,
// database server and load generator: a bare Fastify route, and one conditional UPDATE … RETURNING
// per request on Fastify, for one hot row and spread over 1,000 rows. The issue quotes them as
// measured on these machines (75,000; 4,100; 10,900 req/s); measuring them here shows how fast
// the machine is running now, since its speed drifts over minutes.
import Fastify from 'fastify';
import pg from 'pg';
import { loadFromAnotherProcess } from './support.mjs';

export const ISSUE_REFERENCE = { bare: 75_000, hotRow: 4_100, thousandRows: 10_900 };

const ROWS = 1_000;
const TABLE = 'bench_reference_counters';

/** Starts the reference app on loopback, on its own table of the bench's database. */
async function startReferenceApp(databaseUrl) {
  // pg's default pool size (the issue names none); of 5, 10, 20 and 50 tried here, 10 did as well as any.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, used bigint NOT NULL DEFAULT 0, quota bigint NOT NULL)`);
  await pool.query(`INSERT INTO ${TABLE} (id, quota) SELECT g, 1000000000000 FROM generate_series(0, ${ROWS - 1}) g`);
  const app = Fastify();
  app.get('/hello', async () => ({ hello: 'world' }));
  app.post('/consume/:id', async (request, reply) => {
    const { rows } = await pool.query(
      `UPDATE ${TABLE} SET used = used + $2 WHERE id = $1 AND used + $2 <= quota RETURNING used`,
      [Number(request.params.id), request.body.text.length],
    );
    if (rows.length === 0) return reply.code(402).send({ code: 'quota_exceeded' });
    return { used: Number(rows[0].used) };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${app.server.address().port}`,
    usedInAll: async () => Number((await pool.query(`SELECT sum(used) AS used FROM ${TABLE}`)).rows[0].used),
    async stop() {
      await app.close();
      await pool.end();
    },
  };
}

/**
 * Sends the same load as the service's cases (`requests` at concurrency `connections`, the same
 * body) and returns each reference point's req/s and p99, and whether every update was counted once.
 */
export async function measureReferenceDesign(databaseUrl, { connections, requests, body }) {
  const reference = await startReferenceApp(databaseUrl);
  try {
    const consume = (id) => ({
      method: 'POST',
      path: `/consume/${id}`,
      headers: { 'content-type': 'application/json' },
      body,
    });
    const run = async (prepared) => {
      const result = await loadFromAnotherProcess(`${reference.url}/hello`, prepared, connections, requests);
      const failed = result.non2xx + result.errors + result.timeouts;
      return {
        requests_per_second: Math.round(result.requests.average),
        p99_ms: result.latency.p99,
        failed,
        total: result.requests.total,
      };
    };
    const bare = await run([{ method: 'GET', path: '/hello' }]);
    const hotRow = await run([consume(0)]);
    const thousandRows = await run(Array.from({ length: ROWS }, (_, id) => consume(id)));
    const charged = (hotRow.total + thousandRows.total) * JSON.parse(body).text.length;
    const usageExact = hotRow.failed + thousandRows.failed === 0 && (await reference.usedInAll()) === charged;
    return { bare, hot_row: hotRow, thousand_rows: thousandRows, usage_exact: usageExact };
  } finally {
    await reference.stop();
  }
}
