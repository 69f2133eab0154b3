/**
 * The base of every module's coded error. Services throw these, never HTTP exceptions; the
 * exception filter turns `code`, `status` and `fields` into the one JSON error shape.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ErrorCodeInfo {
  status: number;
  message: string;
}

/** Every code any module declared, for the OpenAPI document and /llms-full.txt. */
export const ERROR_CODES = new Map<string, ErrorCodeInfo>();
/** Which table declared each code. */
const OWNERS = new Map<string, string>();

/**
 * Declares a module's error codes with their status and default message in one table, as a named
 * error class (logs show `BillingError`, not an anonymous class). A code belongs to one table: one
 * declared twice stops the process at import, so the published message is never a matter of which
 * module loaded first.
 */
export function defineErrors<Code extends string>(name: string, table: Record<Code, ErrorCodeInfo>) {
  for (const code of Object.keys(table)) {
    const owner = OWNERS.get(code);
    if (owner && owner !== name)
      throw new Error(`error code ${code} is declared by both ${owner} and ${name}: declare it once`);
  }
  for (const [code, info] of Object.entries<ErrorCodeInfo>(table)) {
    ERROR_CODES.set(code, info);
    OWNERS.set(code, name);
  }
  const errorClass = class extends AppError {
    static readonly codes: Readonly<Record<string, ErrorCodeInfo>> = table;

    constructor(code: Code, message?: string, fields?: Record<string, unknown>) {
      super(code, table[code].status, message ?? table[code].message, fields);
    }
  };
  Object.defineProperty(errorClass, 'name', { value: name });
  return errorClass;
}
