/**
 * `raingauge watch [--listen 127.0.0.1:PORT] [--delay S] [ADDR|PATH ...]`:
 * raindrops' Watcher as a command — an HTTP server with listener history
 * pages, tails, resets and a live chart (see docs/http.md).
 * @module
 */
import { once } from 'node:events';
import http from 'node:http';
import type { Command } from 'commander';
import { Watcher } from '../../http/watcher.js';
import { parseTcpListenerAddress } from '../../listeners/address.js';
import { parseDuration, stopSignal, UsageError } from '../util.js';
import { classifyListenArgs } from './listen.js';

/** Register `watch` on the program. */
export function register(program: Command): void {
  program
    .command('watch')
    .description("serve raindrops' Watcher: listener history pages, tails, resets and a live chart over HTTP")
    .argument('[listeners...]', 'ADDR:PORT or UNIX socket paths to watch (default: every listener)')
    .option('--listen <addr>', 'address to serve on (loopback unless told otherwise)', '127.0.0.1:9180')
    .option('--delay <seconds>', 'seconds between samples', '1')
    .option('--allow <cidr...>', 'client addresses or CIDR prefixes allowed besides none (default: loopback only)')
    .action(async (listeners: string[], o: { listen: string; delay: string; allow?: string[] }) => {
      const delay = parseDuration('--delay', o.delay);
      const t = classifyListenArgs(listeners);
      let bind: { host: string; port: number };
      try {
        const a = parseTcpListenerAddress(o.listen);
        bind = {
          host:
            a.family === 6 ? o.listen.slice(1, o.listen.indexOf(']')) : o.listen.slice(0, o.listen.lastIndexOf(':')),
          port: a.port,
        };
      } catch (e) {
        throw new UsageError(`--listen: ${(e as Error).message}`, o.listen);
      }
      const watcher = new Watcher({
        listeners: listeners.length ? [...t.tcp, ...t.unix] : undefined,
        delay,
        allow: o.allow,
        onError: (e) => process.stderr.write(`raingauge watch: sample failed: ${e.message}\n`),
      });
      const server = http.createServer(watcher.handler);
      server.listen(bind.port, bind.host);
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
      process.stderr.write(`raingauge watch: serving on http://${o.listen}/\n`);
      const stop = stopSignal();
      await new Promise<void>((r) => stop.signal.addEventListener('abort', () => r(), { once: true }));
      stop.dispose();
      watcher.close();
      server.close();
      server.closeAllConnections();
    });
}
