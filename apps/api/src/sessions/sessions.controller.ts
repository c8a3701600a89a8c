import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ZodValidationPipe } from '@waymark/http';
import { currentRequestId } from '@waymark/logging';
import { StartSessionCommand, StartSessionResult } from './commands/start-session/start-session.command';
import { StartSessionBody, startSessionBodySchema } from './start-session.dto';

@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  // Tokens must not be cached by anything between us and the caller.
  @Header('cache-control', 'no-store')
  start(@Body(new ZodValidationPipe(startSessionBodySchema)) body: StartSessionBody): Promise<StartSessionResult> {
    return this.commands.execute(new StartSessionCommand(body.product, body.env, body.tag, body.data, currentRequestId()));
  }
}
