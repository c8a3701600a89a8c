import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError, SessionSpec } from '@waymark/domain';
import {
  createSpecBodySchema,
  SpecDeleted,
  specDeletedSchema,
  SpecList,
  specListSchema,
  SpecView,
  specViewSchema,
  UpdateSpecBody,
  updateSpecBodySchema,
} from '@waymark/contract';
import { currentRequestId } from '@waymark/logging';
import { RequireRole } from '../auth/require-role.decorator';
import { ApiOperation } from '../openapi/api-operation.decorator';
import { CreateSpecCommand } from './commands/create-spec/create-spec.command';
import { DeleteSpecCommand } from './commands/delete-spec/delete-spec.command';
import { UpdateSpecCommand } from './commands/update-spec/update-spec.command';
import { GetSpecQuery } from './queries/get-spec/get-spec.query';
import { ListSpecsQuery } from './queries/list-specs/list-specs.query';

const PRODUCT = { product: { description: 'The product tag', example: 'my-product-tag' } };
const PRODUCT_AND_TAG = { ...PRODUCT, tag: { description: 'The session tag', example: 'checkout' } };

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
  @ApiOperation({
    operationId: 'createSessionSpec',
    tag: 'session specs',
    summary: 'Create a session spec',
    params: PRODUCT,
    body: createSpecBodySchema,
    responses: { 201: { description: 'Created', schema: specViewSchema } },
    errors: ['PRODUCT_NOT_FOUND', 'SESSION_SPEC_EXISTS', 'SESSION_SPEC_CONFLICT', 'STORE_UNAVAILABLE'],
  })
  create(@Param('product') product: string, @Body() spec: SessionSpec): Promise<SpecView> {
    return this.commands.execute(new CreateSpecCommand(product, spec, currentRequestId()));
  }

  @Get()
  @ApiOperation({
    operationId: 'listSessionSpecs',
    tag: 'session specs',
    summary: "List a product's session specs",
    params: PRODUCT,
    responses: { 200: { description: 'Specs', schema: specListSchema } },
    errors: ['PRODUCT_NOT_FOUND'],
  })
  list(@Param('product') product: string): Promise<SpecList> {
    return this.queries.execute(new ListSpecsQuery(product));
  }

  @Get(':tag')
  @ApiOperation({
    operationId: 'getSessionSpec',
    tag: 'session specs',
    summary: 'Fetch a session spec',
    params: PRODUCT_AND_TAG,
    responses: { 200: { description: 'The spec', schema: specViewSchema } },
    errors: ['PRODUCT_NOT_FOUND', 'SPEC_NOT_FOUND'],
  })
  get(@Param('product') product: string, @Param('tag') tag: string): Promise<SpecView> {
    return this.queries.execute(new GetSpecQuery(product, tag));
  }

  @Put(':tag')
  @ApiOperation({
    operationId: 'updateSessionSpec',
    tag: 'session specs',
    summary: 'Update a session spec (applies to sessions started afterwards)',
    params: PRODUCT_AND_TAG,
    headers: { 'if-match': { description: 'Refuse (409) unless the spec is still at this revision', example: '"1"' } },
    body: updateSpecBodySchema,
    responses: { 200: { description: 'Updated', schema: specViewSchema } },
    errors: ['PRODUCT_NOT_FOUND', 'SPEC_NOT_FOUND', 'SESSION_SPEC_CONFLICT', 'STORE_UNAVAILABLE'],
  })
  update(
    @Param('product') product: string,
    @Param('tag') tag: string,
    @Body() body: UpdateSpecBody,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<SpecView> {
    if (body.tag !== undefined && body.tag !== tag) {
      throw DomainError.forField('INVALID_REQUEST', 'tag', 'the tag in the body must match the one in the path (tags cannot be renamed)');
    }
    return this.commands.execute(new UpdateSpecCommand(product, { ...body, tag }, parseIfMatch(ifMatch), currentRequestId()));
  }

  @Delete(':tag')
  @ApiOperation({
    operationId: 'deleteSessionSpec',
    tag: 'session specs',
    summary: 'Delete a session spec (issued tokens stay valid until they expire)',
    params: PRODUCT_AND_TAG,
    responses: { 200: { description: 'Deleted', schema: specDeletedSchema } },
    errors: ['PRODUCT_NOT_FOUND', 'SPEC_NOT_FOUND', 'SESSION_SPEC_CONFLICT', 'STORE_UNAVAILABLE'],
  })
  remove(@Param('product') product: string, @Param('tag') tag: string): Promise<SpecDeleted> {
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
