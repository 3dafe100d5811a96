/**
 * One scrape as text: run the collectors, add the meta families, encode.
 * Used by `serve`'s `/metrics`, by `serve --once` and by the middleware's
 * stats path.
 * @module
 */
import {
  type Collector,
  type RunCollectorsOptions,
  runCollectors,
  scrapeFamilies,
  selectCollectors,
} from './collector.js';
import { contentTypeFor, type ExpositionFamily, type ExpositionFormat, encodeFamilies } from './exposition.js';

/** The result of {@link scrape}. */
export interface ScrapeOutput {
  /** The exposition text. */
  text: string;
  /** Its Content-Type. */
  contentType: string;
  /** The families, before encoding. */
  families: ExpositionFamily[];
}

/**
 * Run `collectors` (filtered by `include`/`exclude`) and encode the result
 * in `format` (default text 0.0.4).
 *
 * @throws {CollectorSelectionError} for an unknown collector name or both lists given.
 */
export async function scrape(
  collectors: readonly Collector[],
  opts: RunCollectorsOptions & { format?: ExpositionFormat } = {},
): Promise<ScrapeOutput> {
  const results = await runCollectors(selectCollectors(collectors, opts.include, opts.exclude), opts);
  const families = scrapeFamilies(results);
  const format = opts.format ?? 'prometheus';
  return { text: encodeFamilies(families, { format }), contentType: contentTypeFor(format), families };
}
