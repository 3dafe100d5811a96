/**
 * Time slicing of main-thread work: how the asynchronous netlink calls share
 * the event loop with the rest of the program.
 *
 * Reading a dump datagram that the kernel has already queued, and decoding
 * it, is cheap per step but adds up (100 000 connections are ~330 datagrams).
 * A worker-thread round trip per datagram would keep the event loop free but
 * costs ~50 µs of CPU each; instead the work runs on the main thread in
 * slices of at most `sliceMs`, between which the event loop turns
 * (`setImmediate`). The budget is per thread and spans calls: a caller that
 * awaits one call after another (everything resolving in microtasks, so the
 * event loop never turns on its own) still lets timers and I/O run every
 * `sliceMs`.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';

/**
 * A main-thread time budget. Long-running asynchronous work calls
 * {@link EventLoopSlicer.due} between small steps and, when it returns true,
 * awaits {@link EventLoopSlicer.yield} before the next step. The event loop is
 * then never held for more than `sliceMs` plus one step.
 *
 * A slice starts at the first step after the event loop has turned (detected
 * by a `setImmediate` queued when the slice began), so time spent by other
 * code between steps in the same turn — a consumer of an async iterator, the
 * next awaited call — counts against the same slice.
 */
export class EventLoopSlicer {
  /** Longest stretch of main-thread work between two turns of the event loop (ms). */
  readonly sliceMs: number;
  /** Times {@link yield} gave the event loop a turn (for tests and diagnostics). */
  yields = 0;
  private sliceStart = 0;
  private turned = true;
  /** Whether the current slice began in the check phase, right after one of our own `setImmediate`s. */
  private fromCheck = false;
  private generation = 0;

  /** @param sliceMs the slice length in ms (default 2; 0 yields at every look at the clock). */
  constructor(sliceMs = 2) {
    if (typeof sliceMs !== 'number' || !(sliceMs >= 0) || !Number.isFinite(sliceMs)) {
      throw new InvalidArgumentError(`sliceMs must be a finite number ≥ 0 (milliseconds), got ${sliceMs}`, sliceMs);
    }
    this.sliceMs = sliceMs;
  }

  /**
   * True when the current slice is used up and the caller should await
   * {@link yield} before its next step. Starts a new slice when the event loop
   * has turned since the last one began.
   */
  due(): boolean {
    if (this.turned) {
      this.begin(false);
      return false;
    }
    return performance.now() - this.sliceStart >= this.sliceMs;
  }

  /**
   * Let the event loop turn once — timers, I/O callbacks and other immediates
   * run — then start a new slice. A `setImmediate` queued from the check
   * phase runs in the next iteration, after its timers and poll phases; one
   * queued from elsewhere (a slice that began in an I/O callback or a timer)
   * runs in the check phase of the same iteration, before any timer, so
   * there it takes two hops.
   */
  async yield(): Promise<void> {
    this.yields++;
    await new Promise<void>((r) => setImmediate(r));
    if (!this.fromCheck) await new Promise<void>((r) => setImmediate(r));
    this.begin(true);
  }

  /** `await slicer.pause()`: yield only when the slice is used up (resolves at once otherwise). */
  pause(): Promise<void> | undefined {
    return this.due() ? this.yield() : undefined;
  }

  /** Start a slice; a marker immediate notes when a full turn of the event loop has passed since. */
  private begin(fromCheck: boolean): void {
    this.sliceStart = performance.now();
    this.turned = false;
    this.fromCheck = fromCheck;
    const g = ++this.generation;
    const mark = () => {
      if (g === this.generation) this.turned = true;
    };
    setImmediate(fromCheck ? mark : () => setImmediate(mark));
  }
}

/**
 * The slicer shared by every asynchronous netlink call on this thread (2 ms
 * slices) unless a socket is given its own: all of them take turns on the
 * same event loop, so they share one budget.
 */
export const defaultEventLoopSlicer: EventLoopSlicer = new EventLoopSlicer(2);
