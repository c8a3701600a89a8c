import { Module } from '@nestjs/common';

/** The user-data endpoints of issue 17 (erase, export): filled in by the erasure work. */
@Module({})
export class UsersModule {}
