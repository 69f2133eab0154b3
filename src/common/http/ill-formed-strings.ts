import type { FieldProblem } from '../errors/common.errors.js';

const PROBLEM = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** Postgres refuses NUL in text, and a lone surrogate has no UTF-8 encoding: either would end as a 500. */
export const isStorableString = (text: string) => text.isWellFormed() && !text.includes('\0');

/**
 * Every string in a parsed body, query or path parameter (keys included) that Postgres could not
 * store, by field path. Recursive: bodies reach here only through the nesting limit of
 * json-body-parser.ts, and query strings and path parameters are flat.
 */
export function unstorableStrings(value: unknown, field: string): FieldProblem[] {
  if (typeof value === 'string') {
    const name = field || 'body';
    return isStorableString(value) ? [] : [{ field: name, problems: [`${name} ${PROBLEM}`] }];
  }
  if (value === null || typeof value !== 'object') return [];
  const found: FieldProblem[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = field ? `${field}.${key}` : key;
    if (!isStorableString(key)) found.push({ field: path, problems: [`the name of ${path} ${PROBLEM}`] });
    found.push(...unstorableStrings(child, path));
  }
  return found;
}
