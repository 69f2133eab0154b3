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

/** Declares a module's error codes with their status and default message in one table. */
export function defineErrors<Code extends string>(table: Record<Code, ErrorCodeInfo>) {
  for (const [code, info] of Object.entries<ErrorCodeInfo>(table))
    if (!ERROR_CODES.has(code)) ERROR_CODES.set(code, info);
  return class extends AppError {
    static readonly codes: Readonly<Record<string, ErrorCodeInfo>> = table;

    constructor(code: Code, message?: string, fields?: Record<string, unknown>) {
      super(code, table[code].status, message ?? table[code].message, fields);
    }
  };
}
