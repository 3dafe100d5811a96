/**
 * Typed errors of the tracefs layer.
 * @module
 */
import { InvalidArgumentError, NotSupportedError } from '../errors.js';

/** tracefs is not mounted and could not be mounted (not root, or the kernel lacks CONFIG_TRACING). */
export class TracefsUnavailableError extends NotSupportedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('tracefs', message, options);
  }
}

/**
 * A tracepoint does not exist on this kernel. `event` is `system:name`,
 * `sinceKernel` the first kernel version that has it, when known.
 */
export class TracepointMissingError extends NotSupportedError {
  readonly event: string;
  readonly sinceKernel: string | undefined;
  constructor(event: string, sinceKernel?: string, detail?: string) {
    super(
      `tracepoint:${event}`,
      `the kernel has no tracepoint ${event} (${
        sinceKernel ? `added in Linux ${sinceKernel}` : 'not compiled into this kernel'
      }; events/${event.replace(':', '/')} is missing)${detail ? `: ${detail}` : ''}`,
    );
    this.event = event;
    this.sinceKernel = sinceKernel;
  }
}

/**
 * The kernel rejected an event filter. `kernelExplanation` is the text the
 * kernel left in the instance's `error_log` (e.g. `Field not found` with a
 * caret under the offending position).
 */
export class TraceFilterError extends InvalidArgumentError {
  readonly event: string;
  readonly filter: string;
  readonly kernelExplanation: string;
  constructor(event: string, filter: string, kernelExplanation: string) {
    super(
      `the kernel rejected the filter ${JSON.stringify(filter)} on ${event}: ${
        kernelExplanation || '(error_log gave no explanation)'
      }`,
      filter,
    );
    this.event = event;
    this.filter = filter;
    this.kernelExplanation = kernelExplanation;
  }
}
