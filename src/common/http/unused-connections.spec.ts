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

  it('stops accepting, yet answers a connection opened a moment before whose request comes after', async () => {
    const { server, unused, connect } = await serverWith((_request, response) => response.end('answered'));
    const port = (server.address() as net.AddressInfo).port;
    const late = await connect();
    const received = new Promise<string>((resolve) => late.on('data', (chunk) => resolve(String(chunk))));
    let settled = false;
    const stopped = unused.stopAccepting(30_000).then(() => (settled = true));
    await vi.waitFor(() => expect(server.listening).toBe(false));
    // Still waiting for the connection's request, rather than letting shutdown destroy it.
    expect(settled).toBe(false);
    const refused = await new Promise<string>((resolve) =>
      net.connect(port, '127.0.0.1').once('error', (error: NodeJS.ErrnoException) => resolve(error.code!)),
    );
    expect(refused).toBe('ECONNREFUSED');
    late.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    await stopped;
    unused.destroy();
    expect(await received).toContain('answered');
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives a connection that never sends anything a moment only, then lets it be destroyed', async () => {
    const { server, unused, connect } = await serverWith((_request, response) => response.end('ok'));
    const spare = await connect();
    const ended = new Promise((resolve) => spare.once('close', resolve));
    await unused.stopAccepting(50);
    unused.destroy();
    await new Promise((resolve) => server.close(resolve));
    await ended;
    expect(spare.destroyed).toBe(true);
  });
});
