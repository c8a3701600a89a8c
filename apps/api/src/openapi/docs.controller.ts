import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { openApiDocumentSchema } from '@waymark/contract';
import { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ApiExcluded, ApiOperation } from './api-operation.decorator';
import { buildOpenApiDocument, registeredControllers, routesOf } from './openapi.document';

/** Swagger UI's static files, from the swagger-ui-dist package: nothing is fetched at run time. */
const UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Waymark API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script></body></html>`;

const INIT =
  "window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#ui', " +
  "presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });";

@Controller('docs')
export class DocsController {
  private document: string | undefined;
  // createRequire, not require.resolve: webpack turns a bare require.resolve into a module id.
  private readonly assetsDir = dirname(createRequire(__filename).resolve('swagger-ui-dist/package.json'));

  constructor(private readonly modules: ModulesContainer) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiExcluded('the Swagger UI page, not API')
  page(): string {
    return PAGE;
  }

  @Get('init.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  @ApiExcluded('the Swagger UI page, not API')
  init(): string {
    return INIT;
  }

  @Get('openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  @ApiOperation({
    operationId: 'getOpenApiDocument',
    tag: 'docs',
    summary: 'This OpenAPI 3.1 document',
    description: "Built from the routes this instance registered and the contract's zod schemas.",
    responses: { 200: { description: 'The document', schema: openApiDocumentSchema } },
  })
  openapi(): string {
    // Built from the routes Nest registered in this app, once, on first request.
    this.document ??= JSON.stringify(buildOpenApiDocument(routesOf(registeredControllers(this.modules))));
    return this.document;
  }

  @Get('assets/:file')
  @ApiExcluded('the Swagger UI page, not API')
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    if (!Object.hasOwn(UI_ASSETS, file)) throw new NotFoundException(`no asset ${file}`);
    void reply.header('content-type', UI_ASSETS[file]).header('cache-control', 'public, max-age=86400');
    return readFileSync(join(this.assetsDir, file));
  }
}
