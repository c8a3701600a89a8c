import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ErasureReceipt } from '@waymark/contract';
import { DomainError, SessionCatalog } from '@waymark/domain';
import { EraseUserCommand } from './erase-user.command';
import { UserErasure } from './user-erasure';

@CommandHandler(EraseUserCommand)
export class EraseUserHandler implements ICommandHandler<EraseUserCommand, ErasureReceipt> {
  constructor(
    private readonly erasure: UserErasure,
    private readonly catalog: SessionCatalog,
  ) {}

  execute({ request }: EraseUserCommand): Promise<ErasureReceipt> {
    // An unknown product is the caller's mistake; an unknown env too (the field named by its index).
    const product = this.catalog.requireProduct(request.product);
    request.envs.forEach((env, index) => {
      if (!product.envs.includes(env)) {
        throw DomainError.forField('ENV_NOT_FOUND', `envs.${index}`, `env '${env}' is not defined for product '${request.product}'`);
      }
    });
    return this.erasure.erase(request);
  }
}
