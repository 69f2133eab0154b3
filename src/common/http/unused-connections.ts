import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Node's server.close() ends idle keep-alive connections but waits for one that was opened and
 * never sent a byte (HTTP clients open spare connections) until the headers timeout, a minute.
 * Such a connection has no request to lose: shutdown destroys it instead of waiting. No 'data'
 * listener: one would take the socket off Node's native HTTP parser for every request.
 */
export function trackUnusedConnections(server: Server): { destroy(): void } {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return {
    destroy: () => {
      for (const socket of open) if (socket.bytesRead === 0) socket.destroy();
    },
  };
}
