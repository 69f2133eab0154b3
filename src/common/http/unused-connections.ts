import net from 'node:net';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long a connection just opened gets to send its request once the listener has stopped. */
const FIRST_BYTE_GRACE_MS = 500;
const SETTLE_POLL_MS = 10;
const MAX_BACKLOG_POLLS = 100;

export interface UnusedConnections {
  /**
   * Stops accepting connections without ending any, then resolves once no connection opened less
   * than `graceMs` ago is still waiting for its first byte.
   */
  stopAccepting(graceMs?: number): Promise<void>;
  /** Destroys every connection that never sent a byte. */
  destroy(): void;
}

/**
 * Node's server.close() ends idle keep-alive connections but waits for one that was opened and
 * never sent a byte (HTTP clients open spare connections) until the headers timeout, a minute.
 * Such a connection has no request to lose: shutdown destroys it instead of waiting. But one opened
 * a moment ago usually has its request on the way, and server.close() would destroy it too (Node
 * counts it idle): the client would see a reset and could not tell whether its POST ran. So the
 * listener stops first and such connections get a moment to send; they are answered, told to
 * close. No 'data' listener: one would take the socket off Node's native HTTP parser for every request.
 */
export function trackUnusedConnections(server: Server): UnusedConnections {
  const open = new Map<Socket, number>();
  let accepted = 0;
  server.on('connection', (socket: Socket) => {
    accepted++;
    open.set(socket, Date.now());
    socket.once('close', () => open.delete(socket));
  });
  const awaitingFirstByte = (graceMs: number) => {
    const now = Date.now();
    for (const [socket, openedAt] of open) if (socket.bytesRead === 0 && now - openedAt < graceMs) return true;
    return false;
  };
  return {
    async stopAccepting(graceMs = FIRST_BYTE_GRACE_MS) {
      // Connections the kernel completed while the process was busy wait in the backlog until the
      // loop's poll phase accepts them, and closing the listener resets them: so close only just
      // after a poll phase that accepted nothing new (an immediate runs right after it).
      for (let polls = 0, seen = -1; seen !== accepted && polls < MAX_BACKLOG_POLLS; polls++) {
        seen = accepted;
        await new Promise((resolve) => setImmediate(resolve));
      }
      // net's close, not http's: http's would also destroy every connection it counts idle, at once.
      if (server.listening) net.Server.prototype.close.call(server);
      while (awaitingFirstByte(graceMs)) await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    },
    destroy: () => {
      for (const socket of open.keys()) if (socket.bytesRead === 0) socket.destroy();
    },
  };
}
