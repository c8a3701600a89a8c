import { SetMetadata, UsePipes, applyDecorators } from '@nestjs/common';
import { DomainErrorCode } from '@waymark/domain';
import { RouteValidationPipe } from '@waymark/http';
import { z } from 'zod';

export const API_OPERATION = 'waymark:api-operation';
export const API_EXCLUDED = 'waymark:api-excluded';

/** The document's tags; every operation has one (their descriptions are in openapi.document.ts). */
export type ApiTag = 'sessions' | 'journeys' | 'session specs' | 'analytics' | 'users' | 'operations' | 'health' | 'docs';

/**
 * Codes an operation may answer besides those every operation of its kind can (bad
 * request, key, role, rate, body, edge, shutdown, 500): the domain's codes, and
 * NOT_FOUND for a Nest NotFoundException. Their statuses come from libs/http's mapping.
 */
export type ApiErrorCode = DomainErrorCode | 'NOT_FOUND';

/** A success answer: JSON by default; other media types name their own schema. */
export interface ApiResponse {
  description: string;
  schema: z.ZodType;
  /** `application/json` unless said otherwise. */
  contentType?: string;
  /** More media types the same status may answer with (content negotiation). */
  alternatives?: Record<string, z.ZodType>;
}

export interface ApiOperationOptions {
  /** Unique and stable: SDK and client generators name methods after it. */
  operationId: string;
  summary: string;
  description?: string;
  tag: ApiTag;
  /** The JSON body: validated by this schema (RouteValidationPipe) and documented from it. */
  body?: z.ZodType;
  /** The query string: validated by this schema and documented parameter by parameter. */
  query?: z.ZodObject | z.ZodType;
  /** Path parameters (`:product`): documented, not validated here. */
  params?: Record<string, { description: string; example: string }>;
  /** Request headers the operation reads. */
  headers?: Record<string, { description: string; example: string }>;
  responses: Record<number, ApiResponse>;
  errors?: ApiErrorCode[];
}

/**
 * Describes a route for the OpenAPI document (built from Nest's routes and this
 * metadata, openapi.document.ts) and validates its body and query with the same schemas,
 * so each schema is named once, here.
 */
export function ApiOperation(options: ApiOperationOptions): MethodDecorator {
  return applyDecorators(SetMetadata(API_OPERATION, options), UsePipes(new RouteValidationPipe({ body: options.body, query: options.query })));
}

/** A route the API document leaves out on purpose (pages and static files, not API); says why. */
export function ApiExcluded(reason: string): MethodDecorator & ClassDecorator {
  return SetMetadata(API_EXCLUDED, reason);
}
