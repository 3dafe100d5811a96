import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { counterKind, flattenCounters, netCounters } from '../../src/netstat/index.ts';
import { have, needNetns, repoRoot, runCapture, runInNetns, skipBecause } from '../helpers/env.ts';

const script = (name: string) => join(repoRoot, 'test/netstat/scripts', name);

function lastJson(stdout: string) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

describe('live in a private network namespace', () => {
  test('ListenOverflows, AttemptFails and friends move by exactly what was provoked', async (t) => {
    if (needNetns(t)) return;
    const B = 2;
    const K = 3;
    const M = 4;
    const r = await runInNetns(script('provoke.ts'), [String(B), String(K), String(M)], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r.stdout);
    // a fresh namespace starts from zero
    assert.equal(out.before.Tcp.ActiveOpens, 0);
    assert.equal(out.before.TcpExt.ListenOverflows, 0);
    assert.deepEqual(out.extraErrors, Array(K).fill('ETIMEDOUT'));
    assert.deepEqual(out.refusedErrors, Array(M).fill('ECONNREFUSED'));
    const d = out.delta;
    // each extra client sends 2 SYNs (tcp_syn_retries=1), each dropped by tcp_conn_request() on the full accept queue
    assert.equal(d.TcpExt.ListenOverflows, 2 * K, 'ListenOverflows');
    assert.equal(d.TcpExt.ListenDrops, 2 * K, 'ListenDrops');
    assert.equal(d.TcpExt.TCPSynRetrans, K, 'one SYN retransmission per extra client');
    assert.equal(d.TcpExt.TCPTimeouts, 2 * K, 'two RTO expiries per extra client (retransmit, then give up)');
    assert.equal(d.Tcp.RetransSegs, K);
    // timed-out SYN_SENT sockets and refused connects both end in tcp_done() from SYN_SENT
    assert.equal(d.Tcp.AttemptFails, K + M, 'AttemptFails');
    assert.equal(out.refusedDelta.Tcp.AttemptFails, M, 'AttemptFails from the refused connects alone');
    assert.equal(out.refusedDelta.Tcp.ActiveOpens, M);
    assert.equal(out.refusedDelta.Tcp.OutRsts, M, 'one RST per connect to the closed port');
    assert.equal(d.Tcp.ActiveOpens, B + 1 + K + M, 'ActiveOpens');
    assert.equal(d.Tcp.PassiveOpens, B + 1, 'PassiveOpens: the queued handshakes');
    assert.equal(d.Tcp.CurrEstab, 2 * (B + 1), 'CurrEstab gauge: both ends of the queued connections');
    assert.equal(d.Tcp.EstabResets, 0);
    assert.equal(d.TcpExt.SyncookiesSent, 0);
  });

  test('Tcp CurrEstab counts ESTABLISHED and CLOSE_WAIT (Linux ≥ 6.10); a reset counts in EstabResets', async (t) => {
    if (needNetns(t)) return;
    const r = await runInNetns(script('closewait.ts'), [], 30_000);
    assert.equal(r.code, 0, r.stderr);
    const o = lastJson(r.stdout);
    assert.equal(o.start, 0);
    assert.equal(o.established, 2, 'both ends of a loopback connection');
    assert.equal(o.closeWait, 1, 'server in CLOSE_WAIT still counted, client in FIN_WAIT2 not');
    assert.equal(o.closed, 0);
    assert.equal(o.estabResets, 2, 'an RST closes both ends straight from ESTABLISHED');
  });

  test('UDP and ICMP: NoPorts, port unreachables, InDatagrams on read, RcvbufErrors', async (t) => {
    if (needNetns(t)) return;
    const N = 3;
    const R = 5;
    const r = await runInNetns(script('udp.ts'), [String(N), String(R)], 30_000);
    assert.equal(r.code, 0, r.stderr);
    const o = lastJson(r.stdout);
    assert.equal(o.icmpMsgBefore, null, 'a fresh namespace has no IcmpMsg section yet');
    assert.equal(o.closedPort.Udp.NoPorts, N);
    assert.equal(o.closedPort.Udp.OutDatagrams, N);
    assert.equal(o.closedPort.Icmp.OutMsgs, N, 'one port unreachable sent per datagram');
    assert.equal(o.closedPort.Icmp.InMsgs, N, 'and received back over loopback');
    assert.deepEqual(o.closedPort.IcmpMsg, { InType3: N, OutType3: N }, 'new section counted from zero');
    assert.equal(o.got, R);
    assert.equal(o.reader.Udp.InDatagrams, R, 'counted when read');
    assert.equal(o.reader.Udp.NoPorts, 0);
    assert.equal(o.stuck.Udp.OutDatagrams, 200);
    assert.equal(o.stuck.Udp.InDatagrams, 0, 'nothing read');
    assert.ok(
      o.stuck.Udp.RcvbufErrors > 0 && o.stuck.Udp.RcvbufErrors < 200,
      `RcvbufErrors ${o.stuck.Udp.RcvbufErrors}`,
    );
    assert.equal(o.stuck.Udp.InErrors, o.stuck.Udp.RcvbufErrors, 'each buffer drop is also an InErrors');
  });

  test('raingauge overflows names the full listener, its process and the fix', async (t) => {
    if (needNetns(t)) return;
    const r = await runInNetns(script('overflows-cli.ts'), [], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r.stdout);
    assert.equal(out.jsonCode, 0);
    assert.equal(out.json.length, 2);
    const key = `127.0.0.1:${out.port}`;
    const drop = out.json.find((rep: { dropped: boolean }) => rep.dropped);
    assert.ok(drop, `a report with drops: ${JSON.stringify(out.json)}`);
    assert.ok(drop.counters.ListenOverflows >= 1);
    assert.ok(drop.counters.ListenDrops >= drop.counters.ListenOverflows);
    const full = drop.full.find((f: { key: string }) => f.key === key);
    assert.ok(full, `listener ${key} reported full: ${JSON.stringify(drop)}`);
    assert.equal(full.queued, 3, 'backlog 2 holds 3');
    assert.equal(full.backlog, 2);
    assert.equal(full.limitedBy, 'listen-backlog');
    assert.deepEqual(full.owners, [{ pid: out.listenerPid, command: 'node' }]);
    assert.equal(typeof drop.limits.somaxconn, 'number');
    assert.ok(drop.advice.some((a: string) => a.includes(key) && /listen\(\) backlog/.test(a)));
    assert.equal(out.textCode, 0);
    assert.match(out.text, /DROPS in/);
    assert.match(out.text, new RegExp(`${key.replace(/\./g, '\\.')} {2}queued 3/2 FULL`));
    assert.match(out.text, new RegExp(`${out.listenerPid}/node`));
    assert.match(out.text, /what to change:/);
  });

  test('raingauge netstat: --json, --delta with history, --reset, --explain, --interval', async (t) => {
    if (needNetns(t)) return;
    const dir = mkdtempSync(join(tmpdir(), 'rg-netstat-cli-'));
    process.env.RAINGAUGE_NETSTAT_HISTORY = join(dir, 'history.json');
    try {
      const r = await runInNetns(script('netstat-cli.ts'), [], 60_000);
      assert.equal(r.code, 0, r.stderr);
      const o = lastJson(r.stdout);
      // first --delta: no history yet → totals since the namespace started (fresh: zeros)
      assert.equal(o.first.code, 0);
      const first = JSON.parse(o.first.out);
      assert.equal(first.Tcp.AttemptFails, 0);
      assert.ok('TcpExt' in first, 'Tcp* matches TcpExt too');
      // second --delta: exactly the 3 refused connects since the first run
      const second = JSON.parse(o.second.out);
      assert.deepEqual(second, { Tcp: { ActiveOpens: 3, AttemptFails: 3, CurrEstab: 0 } });
      const third = JSON.parse(o.third.out);
      assert.deepEqual(third, { Tcp: { AttemptFails: 0 } }, 'nothing since the second run');
      assert.match(o.table.out, /^counter +value +delta +rate\/s +meaning$/m);
      assert.match(o.table.out, /^TcpExtListenOverflows +0 +0 +0\.00 +A listener's accept queue was full$/m);
      assert.match(o.table.out, /^TcpAttemptFails +3 +0/m);
      // --reset: forget history → totals again
      assert.deepEqual(JSON.parse(o.reset.out), { Tcp: { AttemptFails: 3 } });
      const abs = JSON.parse(o.absolute.out);
      assert.equal(abs.Tcp.MaxConn, -1);
      assert.equal(abs.Tcp.AttemptFails, 3);
      assert.ok(Object.keys(abs).includes('Ip6'));
      assert.match(o.prometheus.out, /^node_netstat_Tcp_ActiveOpens 3$/m);
      assert.match(o.prometheus.out, /^# TYPE node_netstat_TcpExt_ListenOverflows untyped$/m);
      assert.doesNotMatch(o.prometheus.out, /AttemptFails/, 'not in node_exporter’s default set');
      assert.match(o.explain.out, /^TcpExt ListenOverflows {2}\(counter, LINUX_MIB_LISTENOVERFLOWS\)/);
      assert.match(o.explain.out, /node_netstat_TcpExt_ListenOverflows/);
      assert.match(o.explain.out, /tcp_v4_syn_recv_sock/);
      const ej = JSON.parse(o.explainJson.out);
      assert.equal(ej.proto, 'Tcp');
      assert.equal(ej.name, 'AttemptFails');
      assert.equal(ej.value, 3);
      assert.equal(ej.nodeExporterDefault, false);
      assert.equal(o.unknown.code, 2);
      assert.equal(o.badInterval.code, 2);
      assert.equal(o.interval.code, 0);
      const samples = o.interval.out
        .trim()
        .split('\n')
        .map((l: string) => JSON.parse(l));
      assert.equal(samples.length, 2);
      assert.equal(samples[0].Tcp.AttemptFails + samples[1].Tcp.AttemptFails, 1);
    } finally {
      delete process.env.RAINGAUGE_NETSTAT_HISTORY;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const TWO_32 = 2n ** 32n;

/**
 * Whether nstat's value `v` is one of ours between two reads (`lo`..`hi`: other traffic may move a
 * counter between them). iproute2 6.1's nstat prints some counters modulo 2^32 (IpExtInOctets of a
 * busy host: ours 13414630108, nstat 529728220): then `v` must be some value of the range modulo 2^32.
 */
function nstatAgrees(lo: bigint, hi: bigint, v: bigint): boolean {
  if (lo <= v && v <= hi) return true;
  if (hi < TWO_32 || v >= TWO_32) return false;
  let x = lo - (lo % TWO_32) + v;
  if (x < lo) x += TWO_32;
  return x <= hi;
}

describe('nstatAgrees (the comparison rule of the nstat test)', () => {
  test('exact, between two reads, and modulo 2^32 beyond it', () => {
    assert.equal(nstatAgrees(5n, 5n, 5n), true);
    assert.equal(nstatAgrees(5n, 9n, 7n), true);
    assert.equal(nstatAgrees(5n, 9n, 10n), false);
    assert.equal(nstatAgrees(5n, 9n, 4n), false);
    assert.equal(nstatAgrees(13414630108n, 13414630108n, 529728220n), true, 'the reported case');
    assert.equal(nstatAgrees(13414630100n, 13414630200n, 529728220n), true);
    assert.equal(nstatAgrees(13414630108n, 13414630108n, 529728221n), false);
    // a range that crosses a multiple of 2^32
    assert.equal(nstatAgrees(2n * TWO_32 - 2n, 2n * TWO_32 + 3n, 1n), true);
    assert.equal(nstatAgrees(2n * TWO_32 - 2n, 2n * TWO_32 + 3n, TWO_32 - 1n), true);
    assert.equal(nstatAgrees(2n * TWO_32 - 2n, 2n * TWO_32 + 3n, 10n), false);
  });
});

describe('live on this system: compared with nstat', () => {
  test('same counter names as `nstat -asz`, values between two of our reads', async (t) => {
    if (!have('nstat')) {
      skipBecause(t, 'needs nstat (iproute2)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'rg-nstat-'));
    try {
      const before = netCounters();
      const r = await runCapture('sh', ['-c', `NSTAT_HISTORY=${dir}/h nstat -asz --json`], 20_000);
      const after = netCounters();
      assert.equal(r.code, 0, r.stderr);
      const theirs: Record<string, number> = JSON.parse(r.stdout).kernel;
      const ours = new Map(flattenCounters(after).map((c) => [c.nstatName, c]));
      const oursBefore = new Map(flattenCounters(before).map((c) => [c.nstatName, c.value]));
      // nstat skips these gauges on purpose (its "useless" list); everything else must be the same set
      const nstatSkips = [
        'IpForwarding',
        'IpDefaultTTL',
        'TcpRtoAlgorithm',
        'TcpRtoMin',
        'TcpRtoMax',
        'TcpMaxConn',
        'TcpCurrEstab',
      ];
      const theirNames = Object.keys(theirs).filter((n) => !n.startsWith('Sctp')); // /proc/net/sctp/snmp is not read
      // a counter may appear between the reads (IcmpMsg types are printed once seen): compare with both reads
      const stable = [...ours.keys()].filter((n) => !nstatSkips.includes(n) && oursBefore.has(n));
      assert.deepEqual(
        stable.filter((n) => !theirNames.includes(n)),
        [],
        'every counter we read (nstat’s skipped gauges aside) is in nstat',
      );
      assert.deepEqual(
        theirNames.filter((n) => !ours.has(n)),
        [],
        'every counter nstat printed is one we read',
      );
      assert.ok(theirNames.length >= stable.length);
      let compared = 0;
      for (const name of theirNames) {
        const c = ours.get(name)!;
        if (counterKind(c.proto, c.name) === 'gauge') continue;
        const lo = BigInt(oursBefore.get(name) ?? 0);
        const hi = BigInt(c.value);
        const v = BigInt(theirs[name]!);
        assert.ok(nstatAgrees(lo, hi, v), `${name}: ours ${lo}..${hi}, nstat ${v}`);
        compared++;
      }
      assert.ok(compared > 300, `compared ${compared}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
