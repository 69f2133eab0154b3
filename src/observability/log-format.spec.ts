import { chooseLogFormat, formatMessage, loadPrettyFormatter, stdoutFormat } from './log-format.js';

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const strip = (line: string) => line.replace(ANSI_COLOUR, '');
const notInstalled = () => {
  throw Object.assign(new Error("Cannot find module 'pino-pretty'\nRequire stack: …"), { code: 'MODULE_NOT_FOUND' });
};

describe('log format', () => {
  it.each([
    [true, 'development', 'pretty'],
    [true, 'test', 'pretty'],
    [true, 'production', 'json'],
    [false, 'development', 'json'],
    [undefined, 'development', 'json'],
  ] as const)('a terminal %s in %s gets %s', (isTTY, nodeEnv, expected) => {
    expect(chooseLogFormat({ isTTY }, nodeEnv)).toBe(expected);
  });

  it('does not load pino-pretty when stdout is not a terminal', () => {
    const load = vi.fn(notInstalled);
    expect(stdoutFormat({ isTTY: false }, 'development', load)).toEqual({});
    expect(load).not.toHaveBeenCalled();
  });

  it('falls back to JSON in a terminal when pino-pretty is not installed, and says why', () => {
    const chosen = stdoutFormat({ isTTY: true }, 'development', notInstalled);
    expect(chosen.format).toBeUndefined();
    expect(chosen.notice).toBe("pino-pretty could not be loaded (Cannot find module 'pino-pretty'); logging JSON");
    expect(loadPrettyFormatter(notInstalled)).toBeInstanceOf(Error);
  });

  it('writes readable lines in a terminal: context, message, then request id and tenant', () => {
    const { format } = stdoutFormat({ isTTY: true }, 'development');
    const line = JSON.stringify({
      level: 30,
      time: '2026-01-02T03:04:05.678Z',
      service: 'billing',
      context: 'Tenants',
      reqId: 'r-1',
      tenantId: 't-1',
      env: 'live',
      msg: 'hello',
      extra: 42,
    });
    const lines = strip(format!(line)).split('\n');
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.678\] INFO: \[Tenants\] hello {2}r-1 t-1\/live$/);
    expect(lines[1]).toBe('    extra: 42');
    expect(strip(format!(line))).not.toContain('billing');
  });

  it('reads the request line as method, URL, status and duration', () => {
    const log = {
      reqId: 'r-2',
      req: { method: 'GET', url: '/usage?x=1', route: '/usage' },
      res: { statusCode: 404 },
      responseTime: 3,
      msg: 'request completed',
    };
    const colors = { gray: (s: string) => `<${s}>` } as never;
    expect(formatMessage(log, 'msg', 'warn', { colors })).toBe('GET /usage?x=1 404 in 3 ms<  r-2>');
    expect(formatMessage({ msg: 'no request' }, 'msg', 'info', { colors })).toBe('no request');
    expect(formatMessage({ msg: 'a job', tenantId: 't-9' }, 'msg', 'info', { colors })).toBe('a job<  t-9>');
  });
});
