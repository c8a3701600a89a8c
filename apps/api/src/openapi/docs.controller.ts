import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from './openapi.document';

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

const INIT = `window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });`;

@Controller('docs')
export class DocsController {
  private readonly document = JSON.stringify(buildOpenApiDocument());
  // The package says where it is: `require.resolve` would be rewritten to a module id by
  // the webpack build (the built API then failed to start), a plain require stays external.
  private readonly assetsDir = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('init.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  init(): string {
    return INIT;
  }

  @Get('openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  openapi(): string {
    return this.document;
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    if (!Object.hasOwn(UI_ASSETS, file)) throw new NotFoundException(`no asset ${file}`);
    void reply.header('content-type', UI_ASSETS[file]).header('cache-control', 'public, max-age=86400');
    return readFileSync(join(this.assetsDir, file));
  }
}
