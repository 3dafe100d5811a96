import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge overflows` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('overflows')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('overflows is not implemented yet');
    });
}
