import { Global, Module } from '@nestjs/common';
import { CreateSpecHandler } from './commands/create-spec/create-spec.handler';
import { DeleteSpecHandler } from './commands/delete-spec/delete-spec.handler';
import { UpdateSpecHandler } from './commands/update-spec/update-spec.handler';
import { GetSpecHandler } from './queries/get-spec/get-spec.handler';
import { ListSpecsHandler } from './queries/list-specs/list-specs.handler';
import { SpecCatalogSync } from './spec-catalog.sync';
import { SpecWriter } from './spec-writer';
import { SpecsController } from './specs.controller';

@Global()
@Module({
  controllers: [SpecsController],
  providers: [SpecCatalogSync, SpecWriter, CreateSpecHandler, UpdateSpecHandler, DeleteSpecHandler, ListSpecsHandler, GetSpecHandler],
  exports: [SpecCatalogSync],
})
export class SpecsModule {}
