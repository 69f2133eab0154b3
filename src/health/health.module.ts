import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ServerDrain } from '../common/http/server-drain.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  // Readiness is what a drain is seen by; the composition root begins it (main.ts) and marks answers.
  providers: [ServerDrain],
  exports: [ServerDrain],
})
export class HealthModule {}
