import { EventEmitter2 } from '@nestjs/event-emitter';
import { emitHandled } from './emit-handled.js';

describe('emitHandled', () => {
  it('waits for the handler and hands its error to the caller', async () => {
    const events = new EventEmitter2();
    const seen: unknown[] = [];
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- emitAsync awaits what a listener returns
    events.on('probe', async (payload: unknown) => {
      await Promise.resolve();
      seen.push(payload);
    });
    await emitHandled(events, 'probe', { n: 1 }, 'ProbeModule');
    expect(seen).toEqual([{ n: 1 }]);

    events.removeAllListeners('probe');
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- emitAsync awaits what a listener returns
    events.on('probe', () => Promise.reject(new Error('could not write')));
    await expect(emitHandled(events, 'probe', {}, 'ProbeModule')).rejects.toThrow('could not write');
  });

  it('refuses to pass silently when no module handles the event', async () => {
    await expect(emitHandled(new EventEmitter2(), 'probe', {}, 'ProbeModule')).rejects.toThrow(
      'nothing handles probe: the application must import ProbeModule',
    );
  });
});
