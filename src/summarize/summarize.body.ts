import type { JSONSchemaType } from 'ajv';
import type { SummaryMode } from './summarizer.js';

export interface SummarizeBody {
  text: string;
  mode?: SummaryMode;
  model?: string;
}

/** The body of POST /v1/summarize: validated by JsonBodyPipe and published as is in the OpenAPI document. */
export const SUMMARIZE_BODY: JSONSchemaType<SummarizeBody> = {
  type: 'object',
  properties: {
    text: {
      type: 'string',
      minLength: 1,
      maxLength: 200_000,
      description: 'The text; its length in characters is the request’s cost.',
    },
    mode: {
      type: 'string',
      enum: ['brief', 'bullets', 'detailed'],
      nullable: true,
      default: 'brief',
      description: 'bullets and detailed need all_modes (starter and up).',
    },
    model: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9._-]{0,63}$',
      nullable: true,
      description: 'A custom model; needs custom_models (pro and up).',
    },
  },
  required: ['text'],
  additionalProperties: false,
};
