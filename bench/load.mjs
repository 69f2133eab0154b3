// Runs autocannon in its own process (so the load generator never shares the app's event loop),
// sending pre-built requests in order: node bench/load.mjs <url> <requests.json> <connections>
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

const [url, file, connections] = process.argv.slice(2);
const prepared = JSON.parse(readFileSync(file, 'utf8'));
let next = 0;
const result = await autocannon({
  url,
  connections: Number(connections),
  amount: prepared.length,
  // autocannon notices the last response only at its next sample tick: 1 s by default, which
  // stretched every run to whole seconds (up to 20% low for a 5 s run). 10 ms keeps the end exact.
  sampleInt: 10,
  requests: [{ setupRequest: (request) => ({ ...request, ...prepared[next++ % prepared.length] }) }],
});
// autocannon's own average is per sample, which quantises short runs; measure the run exactly.
const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
const perSecond = result.requests.total / seconds;
// How busy the load generator itself was: near one core means it, not the app, set the pace.
const cpu = process.cpuUsage();
const loadCpuShare = (cpu.user + cpu.system) / 1e6 / seconds;
process.stdout.write(JSON.stringify({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, requests: { ...result.requests, average: perSecond }, latency: result.latency, duration: seconds, load_cpu_share: loadCpuShare }));
