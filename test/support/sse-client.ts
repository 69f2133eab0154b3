import { EventSource } from 'eventsource';
import type { BillingEventPayload } from '../../src/billing-stream/billing-event.payload.js';

export interface StreamClient {
  /** Every payload received, in order. */
  events: BillingEventPayload[];
  /** The SSE `id:` of each event, in order. */
  ids: string[];
  /** Resolves once `count` events have arrived in all. */
  waitForCount(count: number, timeoutMs?: number): Promise<BillingEventPayload[]>;
  /** Resolves once the connection is open, so events published from now on reach it. */
  opened: Promise<void>;
  close(): void;
}

/** A real EventSource client (the `eventsource` package) with a bearer token, and Last-Event-ID when given. */
export function openStream(
  baseUrl: string,
  token: string,
  options: { lastEventId?: string; headers?: Record<string, string> } = {},
): StreamClient {
  const events: BillingEventPayload[] = [];
  const ids: string[] = [];
  const source = new EventSource(`${baseUrl}/billing/stream`, {
    fetch: (input, init) => {
      const headers: Record<string, string> = {
        ...(init.headers as Record<string, string>),
        authorization: `Bearer ${token}`,
        ...options.headers,
      };
      if (options.lastEventId && !Object.keys(headers).some((name) => name.toLowerCase() === 'last-event-id'))
        headers['last-event-id'] = options.lastEventId;
      return fetch(input, { ...init, headers });
    },
  });
  source.onmessage = (message) => {
    events.push(JSON.parse(message.data) as BillingEventPayload);
    ids.push(message.lastEventId);
  };
  const opened = new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = (error) => {
      if (source.readyState === EventSource.CLOSED)
        reject(new Error(`stream failed: ${error.message ?? ''} ${error.code ?? ''}`));
    };
  });
  return {
    events,
    ids,
    opened,
    async waitForCount(count, timeoutMs = 5_000) {
      const started = Date.now();
      while (events.length < count) {
        if (Date.now() - started > timeoutMs)
          throw new Error(
            `expected ${count} events within ${timeoutMs} ms, got ${events.length}: ${JSON.stringify(events.map((e) => e.type))}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
      return events;
    },
    close: () => source.close(),
  };
}

/** The raw text of a stream response, read until `done(text)` says enough; the reader stays open. */
export async function readStreamUntil(response: Response, done: (text: string) => boolean) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`the stream ended first; it sent:\n${text}`);
    text += decoder.decode(chunk.value, { stream: true });
  }
  return { text, reader };
}
