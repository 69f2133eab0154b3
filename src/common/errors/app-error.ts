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

/** Declares a module's error codes with their status and default message in one table. */
export function defineErrors<Code extends string>(table: Record<Code, { status: number; message: string }>) {
  return class extends AppError {
    constructor(code: Code, message?: string, fields?: Record<string, unknown>) {
      super(code, table[code].status, message ?? table[code].message, fields);
    }
  };
}
