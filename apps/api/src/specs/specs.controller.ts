import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError, SessionSpec } from '@waymark/domain';
import { ZodValidationPipe } from '@waymark/http';
import { currentRequestId } from '@waymark/logging';
import { RequireRole } from '../auth/require-role.decorator';
import { CreateSpecCommand } from './commands/create-spec/create-spec.command';
import { DeleteSpecCommand } from './commands/delete-spec/delete-spec.command';
import { UpdateSpecCommand } from './commands/update-spec/update-spec.command';
import { GetSpecQuery } from './queries/get-spec/get-spec.query';
import { ListSpecsQuery } from './queries/list-specs/list-specs.query';
import { SpecView, UpdateSpecBody, sessionSpecSchema, updateSpecBodySchema } from './specs.dto';

/** Session specs of a product (admin keys). Every change is an event, so a replay rebuilds them. */
@Controller('v1/products/:product/session-specs')
@RequireRole('admin')
export class SpecsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Param('product') product: string, @Body(new ZodValidationPipe(sessionSpecSchema)) spec: SessionSpec): Promise<SpecView> {
    return this.commands.execute(new CreateSpecCommand(product, spec, currentRequestId()));
  }

  @Get()
  list(@Param('product') product: string) {
    return this.queries.execute(new ListSpecsQuery(product));
  }

  @Get(':tag')
  get(@Param('product') product: string, @Param('tag') tag: string): Promise<SpecView> {
    return this.queries.execute(new GetSpecQuery(product, tag));
  }

  @Put(':tag')
  update(
    @Param('product') product: string,
    @Param('tag') tag: string,
    @Body(new ZodValidationPipe(updateSpecBodySchema)) body: UpdateSpecBody,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<SpecView> {
    if (body.tag !== undefined && body.tag !== tag) {
      throw DomainError.forField('INVALID_REQUEST', 'tag', 'the tag in the body must match the one in the path (tags cannot be renamed)');
    }
    return this.commands.execute(new UpdateSpecCommand(product, { ...body, tag }, parseIfMatch(ifMatch), currentRequestId()));
  }

  @Delete(':tag')
  remove(@Param('product') product: string, @Param('tag') tag: string) {
    return this.commands.execute(new DeleteSpecCommand(product, tag, currentRequestId()));
  }
}

/** `If-Match: "3"` (or `3`) → revision 3. */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const revision = Number(header.replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(revision) || revision < 1) {
    throw DomainError.forField('INVALID_REQUEST', 'if-match', 'If-Match must be the spec revision, e.g. "3"');
  }
  return revision;
}
