import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge listen` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('listen')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('listen is not implemented yet');
    });
}
