import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge ps` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('ps')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('ps is not implemented yet');
    });
}
