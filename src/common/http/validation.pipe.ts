import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { type FieldProblem, validationFailed } from '../errors/common.errors.js';
import { unstorableStrings } from './ill-formed-strings.js';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** What the client sent, rather than what the server supplies (custom decorators: actor, tenant). */
const FROM_CLIENT = new Set<ArgumentMetadata['type']>(['body', 'query', 'param']);

/**
 * class-validator's async validate() costs promises per rule on every request, and no rule in this
 * service is async. A custom async rule would be skipped here: give it its own pipe instead.
 */
class SyncValidationPipe extends ValidationPipe {
  /** First, for every route: strings Postgres cannot store, wherever the client put them. */
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (FROM_CLIENT.has(metadata.type)) {
      const unstorable = unstorableStrings(value, metadata.data ?? '');
      if (unstorable.length > 0) throw validationFailed(unstorable);
    }
    return super.transform(value, metadata);
  }

  protected override validate(object: object, validatorOptions?: ValidatorOptions): ValidationError[] {
    return validateSync(object, validatorOptions);
  }
}

/** Whitelisting DTO validation whose failures list every field, in the common error shape. */
export const createValidationPipe = () =>
  new SyncValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => validationFailed(flatten(errors)),
  });
