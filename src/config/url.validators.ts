import { ValidateBy, type ValidationOptions } from 'class-validator';

function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const isHttpUrl = (value: unknown) => ['http:', 'https:'].includes(parseUrl(value)?.protocol ?? '');

export const IsHttpUrl = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isHttpUrl',
      validator: { validate: isHttpUrl, defaultMessage: () => 'must be an http(s) URL, e.g. https://app.example.com' },
    },
    options,
  );

export const IsUrlList = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isUrlList',
      validator: {
        validate: (value) =>
          typeof value === 'string' &&
          value
            .split(',')
            .map((origin) => origin.trim())
            .filter(Boolean)
            .every(isHttpUrl),
        defaultMessage: () => 'must be a comma-separated list of http(s) origins, e.g. https://app.example.com',
      },
    },
    options,
  );

export const IsPostgresUrl = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isPostgresUrl',
      validator: {
        validate: (value) => {
          const url = parseUrl(value);
          return !!url && ['postgres:', 'postgresql:'].includes(url.protocol) && url.hostname !== '';
        },
        defaultMessage: () =>
          'must be a Postgres URL such as postgres://user:password@localhost:5432/billing (or unset it to use the embedded Postgres)',
      },
    },
    options,
  );
