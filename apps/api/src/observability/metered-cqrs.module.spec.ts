import { Module } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler, IQueryHandler, Query, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DomainError } from '@waymark/domain';
import { WaymarkMetrics } from '@waymark/metrics';
import { meteredCqrsModule } from './metered-cqrs.module';

class CountedCommand extends Command<string> {
  constructor(readonly refuse: 'no' | 'domain' | 'crash') {
    super();
  }
}

@CommandHandler(CountedCommand)
class CountedHandler implements ICommandHandler<CountedCommand> {
  async execute({ refuse }: CountedCommand): Promise<string> {
    if (refuse === 'domain') throw DomainError.forField('IDENTIFIER_MISSING', 'data', 'no identifier');
    if (refuse === 'crash') throw new Error('boom');
    return 'done';
  }
}

class CountedQuery extends Query<number> {}

@QueryHandler(CountedQuery)
class CountedQueryHandler implements IQueryHandler<CountedQuery> {
  async execute(): Promise<number> {
    return 42;
  }
}

@Module({ providers: [CountedHandler, CountedQueryHandler] })
class HandlersModule {}

describe('the metered CQRS buses', () => {
  let moduleRef: TestingModule;
  let metrics: WaymarkMetrics;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [meteredCqrsModule(), HandlersModule] }).compile();
    await moduleRef.init();
    metrics = moduleRef.get(WaymarkMetrics, { strict: false });
  });

  afterAll(() => moduleRef.close());

  async function count(type: string, outcome: string): Promise<number> {
    const { values } = await metrics.commands.get();
    return values.find((value) => value.labels.type === type && value.labels.outcome === outcome)?.value ?? 0;
  }

  it('count each command by type with outcome ok, the DomainError code, or error, and pass results and errors through', async () => {
    const commands = moduleRef.get(CommandBus);
    await expect(commands.execute(new CountedCommand('no'))).resolves.toBe('done');
    await expect(commands.execute(new CountedCommand('no'))).resolves.toBe('done');
    await expect(commands.execute(new CountedCommand('domain'))).rejects.toMatchObject({ code: 'IDENTIFIER_MISSING' });
    await expect(commands.execute(new CountedCommand('crash'))).rejects.toThrow('boom');

    expect(await count('CountedCommand', 'ok')).toBe(2);
    expect(await count('CountedCommand', 'IDENTIFIER_MISSING')).toBe(1);
    expect(await count('CountedCommand', 'error')).toBe(1);
  });

  it('count queries in the same counter', async () => {
    await expect(moduleRef.get(QueryBus).execute(new CountedQuery())).resolves.toBe(42);
    expect(await count('CountedQuery', 'ok')).toBe(1);
  });

  it('are the buses every injector gets (CqrsModule registered the handlers on them)', () => {
    expect(moduleRef.get(CommandBus).constructor.name).toBe('MeteredCommandBus');
    expect(moduleRef.get(QueryBus).constructor.name).toBe('MeteredQueryBus');
  });
});
