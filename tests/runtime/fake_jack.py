"""fake_jack.py SERVER SECONDS — a JACK server that listens and will not let anybody in.

It listens on jackd2's request socket for SERVER (/dev/shm/jack_SERVER_UID_0) and hangs up on
every connection, for SECONDS or until SIGTERM; then it prints how many connections it refused and
removes the socket. The live tests use it to check that a program asks such a server again, then says that
the server is there but refused it."""
import os
import signal
import socket
import sys
import time

path = "/dev/shm/jack_%s_%d_0" % (sys.argv[1], os.getuid())
if os.path.exists(path):
    os.unlink(path)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
listener.listen(16)
listener.settimeout(0.05)
print("listening", flush=True)
refused = 0
end = time.monotonic() + float(sys.argv[2])
try:
    while time.monotonic() < end:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        conn.close()
        refused += 1
finally:
    os.unlink(path)
    print("refused", refused, flush=True)
