/**
 * Regenerates the synthesized fixtures of test/fixtures/taskstats/ from the
 * real captures (run by hand: node --import tsx test/taskstats/make-fixtures.ts).
 *
 * - stats-v16.bin: the STATS payload of reply-pid-self.bin (a real reply of this kernel)
 * - stats-v8.bin … stats-v15.bin, stats-v17.bin: the same values in each older/newer layout
 * - broken-*.bin: deliberately damaged messages
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeTaskstatsMessage } from '../../src/taskstats/message.ts';
import { encodeTaskstatsRecord } from './synth.ts';

const dir = fileURLToPath(new URL('../fixtures/taskstats/', import.meta.url));
const reply = readFileSync(`${dir}reply-pid-self.bin`);
const msg = decodeTaskstatsMessage(reply, 16, reply.readUInt32LE(0));
const stats = msg.entries[0]!.stats;
// the raw STATS attribute: nlmsghdr 16 + genl 4 + AGGR_PID hdr 4 + PID attr 8 + STATS hdr 4
const raw = reply.subarray(36, 36 + 560);
if (raw.readUInt16LE(0) !== 16) throw new Error('expected a version-16 capture');
writeFileSync(`${dir}stats-v16.bin`, raw);
for (const v of [8, 9, 10, 11, 12, 13, 14, 15]) {
  writeFileSync(`${dir}stats-v${v}.bin`, encodeTaskstatsRecord(v, stats as unknown as Record<string, unknown>));
}
writeFileSync(
  `${dir}stats-v17.bin`,
  encodeTaskstatsRecord(
    17,
    stats as unknown as Record<string, unknown>,
    Buffer.from('v17-tail-bytes-0123456789abcdef'),
  ),
);
const group = readFileSync(`${dir}event-exit-group.bin`);
writeFileSync(`${dir}broken-event-truncated-1024.bin`, group.subarray(0, 1024));
const badVersion = Buffer.from(raw);
badVersion.writeUInt16LE(7, 0);
writeFileSync(`${dir}broken-stats-v7.bin`, badVersion);
writeFileSync(`${dir}broken-stats-v16-short.bin`, raw.subarray(0, 500));
process.stdout.write(`fixtures written to ${dir}\n`);
