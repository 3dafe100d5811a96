import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge delays` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('delays')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('delays is not implemented yet');
    });
}
