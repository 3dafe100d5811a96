import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge trace` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('trace')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('trace is not implemented yet');
    });
}
