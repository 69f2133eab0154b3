import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';

/** The OpenAPI document, built on first use (start-up does not pay for it) and shared by /docs and /llms*.txt. */
@Injectable()
export class ApiDocument {
  private build?: () => OpenAPIObject;
  private built?: OpenAPIObject;

  setBuilder(build: () => OpenAPIObject): void {
    this.build = build;
    this.built = undefined;
  }

  get(): OpenAPIObject {
    if (!this.build) throw new Error('the OpenAPI document is not mounted');
    this.built ??= this.build();
    return this.built;
  }
}
