import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge exits` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('exits')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('exits is not implemented yet');
    });
}
