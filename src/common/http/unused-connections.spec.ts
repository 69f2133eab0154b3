import http from 'node:http';
import net from 'node:net';
import { trackUnusedConnections } from './unused-connections.js';

async function serverWith(handler: http.RequestListener) {
  const server = http.createServer(handler);
  const unused = trackUnusedConnections(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const connect = async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  };
  return { server, unused, connect };
}

describe('trackUnusedConnections', () => {
  it('lets the server close although a client opened a connection and never used it', async () => {
    const { server, unused, connect } = await serverWith((_request, response) => response.end('ok'));
    const spare = await connect();
    const ended = new Promise((resolve) => spare.once('close', resolve));
    const closed = new Promise((resolve) => server.close(resolve));
    unused.destroy();
    await closed;
    await ended;
    expect(spare.destroyed).toBe(true);
  });

  it('leaves alone a connection whose request is being answered', async () => {
    let answer!: () => void;
    const { server, unused, connect } = await serverWith((_request, response) => (answer = () => response.end('late')));
    const busy = await connect();
    const received = new Promise<string>((resolve) => busy.on('data', (chunk) => resolve(String(chunk))));
    const arrived = new Promise((resolve) => server.once('request', resolve));
    busy.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await arrived;
    unused.destroy();
    expect(busy.destroyed).toBe(false);
    answer();
    expect(await received).toContain('late');
    await new Promise((resolve) => server.close(resolve));
  });
});
