import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge proc` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('proc')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('proc is not implemented yet');
    });
}
