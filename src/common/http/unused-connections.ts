import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Node's server.close() ends idle keep-alive connections but waits for one that was opened and
 * never sent a byte (HTTP clients open spare connections) until the headers timeout, a minute.
 * Such a connection has no request to lose: shutdown destroys it instead of waiting.
 */
export function trackUnusedConnections(server: Server): { destroy(): void } {
  const unused = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('data', () => unused.delete(socket));
    socket.once('close', () => unused.delete(socket));
  });
  return {
    destroy: () => {
      for (const socket of unused) socket.destroy();
      unused.clear();
    },
  };
}
