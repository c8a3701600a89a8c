import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';
import { ConsoleFiles } from './console-files';

/** Serves the analyst console (apps/console, built into dist/console) at /console. */
@Module({
  controllers: [ConsoleController],
  providers: [{ provide: ConsoleFiles, useFactory: () => ConsoleFiles.locate() }],
})
export class ConsoleModule {}
