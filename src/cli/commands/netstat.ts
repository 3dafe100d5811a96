import type { Command } from 'commander';
import { UsageError } from '../util.js';

/** Register `raingauge netstat` (not implemented yet). */
export function register(program: Command): void {
  program
    .command('netstat')
    .description('(not implemented yet)')
    .action(() => {
      throw new UsageError('netstat is not implemented yet');
    });
}
