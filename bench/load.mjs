// Runs autocannon in its own process (so the load generator never shares the app's event loop):
//   node bench/load.mjs <url> <requests.json> <connections> <amount>
// Sends <amount> requests in all. Connection j sends requests j, j + connections, j + 2 × connections…
// of the file, round and round (every connection sends them all if there are fewer requests than
// connections), so connections never send the same request at once.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

const [url, file, connections, amount] = process.argv.slice(2);
const prepared = JSON.parse(readFileSync(file, 'utf8'));
const count = Number(connections);
const shareOf = (j) => (prepared.length < count ? prepared : prepared.filter((_, i) => i % count === j));
let connected = 0;
const result = await autocannon({
  url,
  connections: count,
  amount: Number(amount),
  // autocannon notices the last response only at its next sample tick: 1 s by default, which
  // stretched every run to whole seconds (up to 20% low for a 5 s run). 10 ms keeps the end exact.
  sampleInt: 10,
  // Each connection's requests are built once, up front. A setupRequest() rebuilt every request:
  // 55–75 µs of the load generator's CPU per request at (b) instead of 40–55, on the two cores the
  // app and Postgres share with it.
  setupClient: (client) => client.setRequests(shareOf(connected++)),
});
// autocannon's own average is per sample, which quantises short runs; measure the run exactly.
const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
const perSecond = result.requests.total / seconds;
// How busy the load generator itself was: near one core means it, not the app, set the pace.
const cpu = process.cpuUsage();
const loadCpuShare = (cpu.user + cpu.system) / 1e6 / seconds;
process.stdout.write(
  JSON.stringify({
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    requests: { ...result.requests, average: perSecond },
    latency: result.latency,
    duration: seconds,
    load_cpu_share: loadCpuShare,
  }),
);
