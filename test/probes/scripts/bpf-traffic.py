# Known socket traffic for the BPF/tracefs backend comparison. Waits for SIGUSR1 (no socket I/O before),
# then: UDP unconnected 10 x 100 B, UDP connected 5 x 50 B, TCP 20 x 64 B, UNIX stream 7 x 30 B,
# UNIX dgram 3 x 40 B, UNIX seqpacket 2 x 20 B; every send received once. Then exits.
import signal, socket

go = []
signal.signal(signal.SIGUSR1, lambda *_: go.append(1))
while not go:
    signal.pause()

a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(('127.0.0.1', 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(('127.0.0.1', 0))
for _ in range(10):
    a.sendto(b'x' * 100, b.getsockname()); b.recv(4096)
a.connect(b.getsockname())
for _ in range(5):
    a.send(b'y' * 50); b.recv(4096)
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM); l.bind(('127.0.0.1', 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
for _ in range(20):
    c.send(b'z' * 64); s.recv(64, socket.MSG_WAITALL)
for kind, n, size in ((socket.SOCK_STREAM, 7, 30), (socket.SOCK_DGRAM, 3, 40), (socket.SOCK_SEQPACKET, 2, 20)):
    p, q = socket.socketpair(socket.AF_UNIX, kind)
    for _ in range(n):
        p.send(b'u' * size); q.recv(4096)
    p.close(); q.close()
for x in (a, b, c, s, l):
    x.close()
