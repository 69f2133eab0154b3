import { describe, expect, it } from 'vitest';
import { SUMMARIZE_BODY } from './summarize.body.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';

const pipe = new JsonBodyPipe(SUMMARIZE_BODY);

function problemsOf(body: unknown): Array<{ field: string; problems: string[] }> {
  try {
    pipe.transform(body);
  } catch (error) {
    const { code, status, fields } = error as {
      code: string;
      status: number;
      fields: { details: Array<{ field: string; problems: string[] }> };
    };
    expect([code, status]).toEqual(['validation_failed', 400]);
    return fields.details;
  }
  throw new Error('expected the body to be refused');
}

describe('JsonBodyPipe', () => {
  it('passes a valid body through unchanged', () => {
    const body = { text: 'Hello.', mode: 'bullets', model: 'legal-v2' };
    expect(pipe.transform(body)).toBe(body);
  });

  it('lists every invalid, missing and unknown field, each once', () => {
    const details = problemsOf({ mode: 'poem', model: 'Bad Model!', extra: 1, other: 2 });
    expect(details.map((d) => d.field).sort()).toEqual(['extra', 'mode', 'model', 'other', 'text']);
    expect(details.find((d) => d.field === 'text')!.problems).toEqual(['text is required']);
    expect(details.find((d) => d.field === 'extra')!.problems).toEqual(['property extra should not exist']);
    expect(details.find((d) => d.field === 'mode')!.problems[0]).toMatch(/^mode must be equal to one of/);
  });

  it('refuses wrong types, an empty text and a body that is not an object', () => {
    expect(problemsOf({ text: 42 })).toEqual([{ field: 'text', problems: ['text must be string'] }]);
    expect(problemsOf({ text: '' })[0].field).toBe('text');
    expect(problemsOf(['text'])).toEqual([{ field: 'body', problems: ['body must be object'] }]);
    expect(problemsOf(undefined)[0].field).toBe('body');
  });
});
