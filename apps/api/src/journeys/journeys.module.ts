import { Module } from '@nestjs/common';
import { JourneysController } from './journeys.controller';
import { GetJourneyHandler } from './queries/get-journey/get-journey.handler';

@Module({
  controllers: [JourneysController],
  providers: [GetJourneyHandler],
})
export class JourneysModule {}
