import { Controller, Get, Post } from '@nestjs/common';
import { z } from 'zod';
import { RequireRole } from '../auth/require-role.decorator';
import { ApiExcluded, ApiOperation } from './api-operation.decorator';
import { buildOpenApiDocument, openApiPath, routesOf } from './openapi.document';

const thing = z.object({ id: z.string() }).meta({ examples: [{ id: 'a' }] });

@Controller('v1/things')
@RequireRole('read')
class ThingsController {
  @Get(':id')
  @ApiOperation({
    operationId: 'getThing',
    tag: 'analytics',
    summary: 'A thing',
    responses: { 200: { description: 'The thing', schema: thing } },
    errors: ['NOT_FOUND'],
  })
  get(): void {}

  @Post()
  @ApiOperation({ operationId: 'createThing', tag: 'analytics', summary: 'New thing', body: thing, responses: { 201: { description: 'Made', schema: thing } } })
  create(): void {}

  @Get('page')
  @ApiExcluded('a page, not API')
  page(): void {}
}

@Controller('v1/undocumented')
class UndocumentedController {
  @Get()
  list(): void {}
}

@Controller('v1/twice')
class TwiceController {
  @Get()
  @ApiOperation({ operationId: 'getThing', tag: 'analytics', summary: 'Again', responses: { 200: { description: 'x', schema: thing } } })
  again(): void {}
}

type Doc = { paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }>> };

describe('the OpenAPI document from the routes', () => {
  it('reads routes as Nest registers them, with their operation, role and exclusion', () => {
    const routes = routesOf([ThingsController]);
    expect(routes.map((route) => `${route.method} ${route.path} ${route.roles?.join('|')} ${route.excluded ?? '-'}`)).toEqual([
      'GET /v1/things/:id read -',
      'POST /v1/things read -',
      'GET /v1/things/page read a page, not API',
    ]);
    expect(openApiPath('/v1/things/:id')).toBe('/v1/things/{id}');
  });

  it('documents every status: the operation’s own, the role’s, the body’s, the edge’s and the drain’s', () => {
    const document = buildOpenApiDocument(routesOf([ThingsController])) as unknown as Doc;
    expect(Object.keys(document.paths)).toEqual(['/v1/things', '/v1/things/{id}']);
    const get = document.paths['/v1/things/{id}'].get;
    expect(get.security).toEqual([{ apiKey: ['read'] }]);
    expect(Object.keys(get.responses).sort()).toEqual(['200', '400', '401', '403', '404', '408', '414', '429', '431', '500', '503']);
    const post = document.paths['/v1/things'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '413', '415']));
    expect(post.requestBody).toMatchObject({ content: { 'application/json': { example: { id: 'a' } } } });
  });

  it('refuses a route with neither @ApiOperation nor @ApiExcluded, and an operationId used twice', () => {
    expect(() => buildOpenApiDocument(routesOf([ThingsController, UndocumentedController]))).toThrow(
      'GET /v1/undocumented (UndocumentedController.list) has neither @ApiOperation nor @ApiExcluded',
    );
    expect(() => buildOpenApiDocument(routesOf([ThingsController, TwiceController]))).toThrow('operationId getThing is used twice');
  });
});
