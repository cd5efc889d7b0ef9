"""A console socket as conmon serves one (for test/integration/oci-relay.test.ts): Node.js cannot
receive SCM_RIGHTS, so this plays conmon's part. It listens on SOCKET, prints "listening", takes
one connection and the pty master sent on it (printing "name NAME", the data that came with it),
then copies the master's output to stdout until the pty's last slave closes, while obeying
commands on stdin, one a line: "resize ROWS COLUMNS" (TIOCSWINSZ on the master, which sends the
slave's foreground process SIGWINCH) and "write TEXT" (TEXT and a newline typed into the pty).

    console-socket.py SOCKET
"""

import fcntl
import os
import select
import socket
import struct
import sys
import termios


def main(path: str) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    print("listening", flush=True)
    conn, _ = server.accept()
    name, fds, _, _ = socket.recv_fds(conn, 1024, 1)
    master = fds[0]
    print(f"name {name.decode()}", flush=True)
    stdin_open = True
    pending = b""
    while True:
        ready, _, _ = select.select([master] + ([0] if stdin_open else []), [], [])
        if master in ready:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: every slave fd is closed
                return
            if not data:
                return
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        if 0 in ready:
            # os.read, not sys.stdin: a buffered reader would hide lines from select.
            data = os.read(0, 4096)
            stdin_open = bool(data)
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                obey(master, line.decode())


def obey(master: int, line: str) -> None:
    if line.startswith("resize "):
        rows, columns = map(int, line.split()[1:3])
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    elif line.startswith("write "):
        os.write(master, (line[len("write "):] + "\n").encode())
    else:
        raise ValueError(f"unknown command {line!r}")


if __name__ == "__main__":
    main(sys.argv[1])
