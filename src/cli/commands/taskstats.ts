import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge taskstats` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('taskstats')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('taskstats is not implemented yet');
    });
}
