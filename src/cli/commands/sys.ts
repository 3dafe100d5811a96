import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge sys` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('sys')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('sys is not implemented yet');
    });
}
