import { Body, Controller, HttpCode, Get, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  EraseUserBody,
  ErasureReceipt,
  ExportUserParams,
  eraseUserBodySchema,
  erasureReceiptSchema,
  exportUserQuerySchema,
  userExportSchema,
} from '@waymark/contract';
import { DomainError, SessionCatalog } from '@waymark/domain';
import { currentRequestId } from '@waymark/logging';
import { Readable } from 'node:stream';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { allowsEnv } from '../auth/principal';
import { RequireRole } from '../auth/require-role.decorator';
import { ApiOperation } from '../openapi/api-operation.decorator';
import { EraseUserCommand } from './erasure/erase-user.command';
import { UserExport } from './export/user-export';

const NDJSON = 'application/x-ndjson';

/** One user's data: erase it, export it (issue 17; docs/privacy.md). */
@Controller('v1/users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly exports: UserExport,
    private readonly catalog: SessionCatalog,
  ) {}

  @Post('erase')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({
    operationId: 'eraseUser',
    tag: 'users',
    summary: "Erase one user's data (idempotent; a retry finishes an interrupted erasure)",
    description:
      "Revokes the user's live sessions (reason `erased`) and empties their session records, destroys the user's key (so the " +
      'events of theirs in the event log and its copies can no longer be read, by a replay either), deletes their rows from every ' +
      'read-model table once the projector has caught up, and records an IdentifierErased event without personal data. With ' +
      '`envs` or `tags`, only that part is erased and the key is kept (the receipt says what stays). Asked again, answers the ' +
      'first receipt (`repeated: true`) unless the user came back since. 503 STORE_UNAVAILABLE (with Retry-After) when the ' +
      'read model did not catch up in time: the erasure is recorded, and the same request again finishes it.',
    body: eraseUserBodySchema,
    responses: { 200: { description: 'The receipt: what was erased, when, and how much', schema: erasureReceiptSchema } },
    errors: ['PRODUCT_NOT_FOUND', 'ENV_NOT_FOUND', 'STORE_UNAVAILABLE'],
  })
  erase(@Body() body: EraseUserBody, @Req() request: AuthenticatedRequest): Promise<ErasureReceipt> {
    const envs = [...new Set(body.envs ?? [])].sort();
    const tags = [...new Set(body.tags ?? [])].sort();
    const principal = request.principal;
    if (principal) {
      // A key limited to some envs may erase only those, and must name them.
      if (envs.length === 0 && principal.envs !== '*' && !principal.envs.has('*')) {
        throw DomainError.forField('FORBIDDEN', 'envs', 'this API key is limited to some envs: name them in envs');
      }
      const refused = envs.findIndex((env) => !allowsEnv(principal, env));
      if (refused >= 0) throw DomainError.forField('FORBIDDEN', `envs.${refused}`, `this API key is not allowed on env '${envs[refused]}'`);
    }
    return this.commands.execute(new EraseUserCommand({ product: body.product, identifier: body.identifier, envs, tags, requestId: currentRequestId() }));
  }

  @Get('export')
  @RequireRole('read')
  @ApiOperation({
    operationId: 'exportUser',
    tag: 'users',
    summary: "Export one user's sessions and events as NDJSON (access request)",
    description:
      'Streams, one JSON value per line: an `export` line, each session of the user in the read model (every env and tag of ' +
      'the product) with the data it was started with, opened; each event of the user in time order (a SessionStarted with ' +
      'its data opened in `data.data`, a RefreshTokenReused with its request metadata in `data.request`); an `end` line ' +
      'with the counts (a stream cut short lacks it). The key must be allowed every env of the product.',
    query: exportUserQuerySchema,
    responses: { 200: { description: 'The export (NDJSON)', contentType: NDJSON, schema: userExportSchema } },
    errors: ['PRODUCT_NOT_FOUND'],
  })
  export(@Query() params: ExportUserParams, @Req() request: AuthenticatedRequest): StreamableFile {
    const principal = request.principal;
    if (principal && principal.envs !== '*' && !principal.envs.has('*')) {
      throw DomainError.forField('FORBIDDEN', 'product', "this API key is limited to some envs: an export covers all of the product's");
    }
    this.catalog.requireProduct(params.product);
    const lines = this.exports.lines(params.product, params.identifier);
    const body = Readable.from(
      (async function* () {
        for await (const line of lines) yield JSON.stringify(line) + '\n';
      })(),
    );
    return new StreamableFile(body, { type: NDJSON });
  }
}
