import { AppError, defineErrors, ERROR_CODES } from './app-error.js';

describe('defineErrors', () => {
  it('makes a named error class, so logs say which module threw', () => {
    const ProbeError = defineErrors('ProbeError', { probe_failed: { status: 418, message: 'The probe failed.' } });
    const error = new ProbeError('probe_failed');
    expect(ProbeError.name).toBe('ProbeError');
    expect(error.name).toBe('ProbeError');
    expect(error).toBeInstanceOf(AppError);
    expect([error.code, error.status, error.message]).toEqual(['probe_failed', 418, 'The probe failed.']);
    expect(ERROR_CODES.get('probe_failed')).toEqual({ status: 418, message: 'The probe failed.' });
  });

  it('refuses a code another table already declared, whatever the message', () => {
    defineErrors('FirstError', { probe_twice: { status: 400, message: 'one' } });
    expect(() => defineErrors('SecondError', { probe_twice: { status: 400, message: 'two' } })).toThrow(
      /probe_twice is declared by both FirstError and SecondError/,
    );
    expect(ERROR_CODES.get('probe_twice')?.message).toBe('one');
  });
});
