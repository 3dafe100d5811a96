/**
 * Live views (`listen --interval`, `delays`, `overflows`, `netstat
 * --interval`) behave like `top` on a terminal: the screen is redrawn in
 * place on the alternate screen, each frame is cut to the window (lines to
 * its width, rows to its height, with a "… N more" line), and `q` (or
 * Ctrl-C) quits and restores the terminal. When stdout is not a terminal
 * every frame is simply written out, one after the other.
 * @module
 */
import { truncate } from './format.js';
import { stdoutIsTTY, terminalColumns, terminalRows, write } from './output.js';
import { stopAll } from './util.js';

/** A live view; `frame()` draws one, `close()` restores the terminal. */
export interface LiveView {
  /** True when frames replace each other on a terminal. */
  readonly interactive: boolean;
  /** Show one frame (text with `\n` between lines). Returns false when stdout is closed. */
  frame(text: string): boolean;
  /** Leave the alternate screen, show the cursor, stop reading keys. */
  close(): void;
}

/** Cut `text` to `rows` × `columns`; the last row says how many lines were left out. Pure. */
export function fitFrame(text: string, columns: number | undefined, rows: number | undefined): string {
  let lines = text.split('\n');
  if (rows !== undefined && rows > 1 && lines.length > rows - 1) {
    const keep = rows - 2;
    const more = lines.length - keep;
    lines = [
      ...lines.slice(0, keep),
      `… ${more} more line${more === 1 ? '' : 's'} (enlarge the window or narrow the view)`,
    ];
  }
  if (columns !== undefined) lines = lines.map((l) => (l.length > columns ? fitLine(l, columns) : l));
  return lines.join('\n');
}

function fitLine(line: string, columns: number): string {
  // escape sequences (colours) take no room: drop them from lines that need cutting
  const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
  return plain.length > columns ? truncate(plain, columns) : line;
}

/**
 * Open a live view. On a terminal (and `interactive` not false): alternate
 * screen, hidden cursor, `q`/Ctrl-C read from stdin in raw mode call
 * {@link stopAll} (every loop's stop signal fires).
 */
export function openLiveView({ interactive = true } = {}): LiveView {
  const tty = interactive && stdoutIsTTY();
  if (!tty) {
    return {
      interactive: false,
      frame: (text) => write(`${text}\n`),
      close() {},
    };
  }
  write('\x1b[?1049h\x1b[?25l');
  const stdin = process.stdin;
  let raw = false;
  const onKey = (b: Buffer) => {
    for (const c of b) if (c === 0x71 /* q */ || c === 0x51 /* Q */ || c === 0x03 /* ^C */) stopAll();
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    raw = true;
    stdin.on('data', onKey);
    stdin.resume();
  }
  let closed = false;
  const restore = () => {
    if (closed) return;
    closed = true;
    if (raw) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
    write('\x1b[?25h\x1b[?1049l');
  };
  process.once('exit', restore);
  return {
    interactive: true,
    frame(text) {
      const fitted = fitFrame(text, terminalColumns(), terminalRows());
      return write(`\x1b[H${fitted.split('\n').join('\x1b[K\n')}\x1b[K\x1b[J`);
    },
    close() {
      process.off('exit', restore);
      restore();
    },
  };
}
