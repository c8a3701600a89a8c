import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { ApiExcluded } from '../openapi/api-operation.decorator';
import { ConsoleFiles } from './console-files';

/**
 * Only the console's own files: scripts, styles, data fetched from the API on this
 * origin. No inline script or style is needed (Vite's build has none), so none is allowed.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The analyst console at /console: hashed assets cached for a year, index.html never
 * cached (it names the current assets), and every other path under /console answered
 * with index.html, so a view's URL (/console/user?…) can be reloaded or shared. A
 * missing asset is a problem+json 404 like any unknown path, not a page.
 */
@Controller('console')
@ApiExcluded('the analyst console: a web page and its files, not API')
export class ConsoleController {
  constructor(@Inject(ConsoleFiles) private readonly files: ConsoleFiles) {}

  @Get()
  index(@Res() reply: FastifyReply): void {
    this.sendIndex(reply);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const found = this.files.get(`assets/${file}`);
    if (!found) throw new NotFoundException(`no console asset ${file}`);
    void reply
      .header('content-type', found.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', CONSOLE_CSP)
      .send(found.body);
  }

  @Get('*')
  page(@Res() reply: FastifyReply): void {
    this.sendIndex(reply);
  }

  private sendIndex(reply: FastifyReply): void {
    const index = this.files.get('index.html');
    if (!index) throw new NotFoundException('the console is not built: run `npm run build` (or `npm run build:console`)');
    void reply
      .header('content-type', index.contentType)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CONSOLE_CSP)
      .send(index.body);
  }
}
