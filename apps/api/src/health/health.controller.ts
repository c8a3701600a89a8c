import { Controller, Get } from '@nestjs/common';

/** Liveness only; readiness with store checks belongs to the operations work. */
@Controller('health')
export class HealthController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
