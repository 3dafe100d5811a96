# Bench helper: time Raindrops::Linux.tcp_listener_stats (raindrops' C extension)
# for all listeners and for one address, reusing one InetDiagSocket as its docs advise.
# Usage: ruby raindrops.rb RUNS ADDR  -> one JSON line on stdout.
require 'raindrops'
require 'json'

runs = Integer(ARGV[0])
addr = ARGV[1]
sock = Raindrops::InetDiagSocket.new
clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
cpu = -> { Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) }
median = ->(a) { s = a.sort; s.size.odd? ? s[s.size / 2] : (s[s.size / 2 - 1] + s[s.size / 2]) / 2.0 }
all = nil
Raindrops::Linux.tcp_listener_stats(nil, sock)
c_all = []
t_all = Array.new(runs) do
  c0 = cpu.call
  t0 = clock.call
  all = Raindrops::Linux.tcp_listener_stats(nil, sock)
  t = (clock.call - t0) * 1000
  c_all << (cpu.call - c0) * 1000
  t
end
one = nil
c_one = []
t_one = Array.new(runs) do
  c0 = cpu.call
  t0 = clock.call
  one = Raindrops::Linux.tcp_listener_stats([addr], sock)
  t = (clock.call - t0) * 1000
  c_one << (cpu.call - c0) * 1000
  t
end
out = {
  all_ms: median.call(t_all),
  one_ms: median.call(t_one),
  all_cpu_ms: median.call(c_all),
  one_cpu_ms: median.call(c_one),
  all: all.to_h { |k, v| [k, { active: v.active, queued: v.queued }] },
  one: one.to_h { |k, v| [k, { active: v.active, queued: v.queued }] },
  version: Raindrops.const_defined?(:VERSION) ? Raindrops::VERSION : nil,
}
puts JSON.generate(out)
