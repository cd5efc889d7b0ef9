"""The terminal half of `podvisor-oci create/exec --console-socket` (server/oci/pty-handoff.ts).

An OCI runtime with a terminal must send the pty master to the client's console socket as
SCM_RIGHTS ancillary data (runc's protocol; conmon reads it with recvfd), which Node.js cannot do
without a native addon. This stdlib-only program does that, makes the slave the controlling
terminal and stdio of this process, and then execs the relay: the relay keeps this PID (the one
the runtime writes to --pid-file, a child of conmon) and finds a terminal on fds 0-2.

    pty_handoff.py CONSOLE_SOCKET ROWS COLUMNS PROGRAM [ARG...]

ROWS and COLUMNS: the process's consoleSize, 0 0 when the client gave none. Fds above 2 (the
relay's ready pipe) pass through the exec untouched. Exit status 1 with one line on stderr when
the handoff fails; the relay is then never started.
"""

import fcntl
import os
import socket
import struct
import sys
import termios
import tty


def hand_off(console_socket: str, rows: int, columns: int) -> None:
    master, slave = os.openpty()
    # Raw before conmon sees the master: conmon adds ONLCR to what it reads back, and the guest's
    # pty already does the line discipline, so this one must pass bytes through unchanged.
    tty.setraw(slave)
    if rows > 0 and columns > 0:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(console_socket)
        # The data is the pty's name, as runc sends it; conmon needs some data beside the fd.
        socket.send_fds(sock, [os.ttyname(slave).encode()], [master])
    os.close(master)
    # podvisor-oci spawns us detached, so we may already lead a session; a controlling terminal
    # needs one, and it makes conmon's resizes reach the relay as SIGWINCH.
    if os.getsid(0) != os.getpid():
        os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    if slave > 2:
        os.close(slave)


def main(argv: list[str]) -> int:
    if len(argv) < 5:
        print("usage: pty_handoff.py CONSOLE_SOCKET ROWS COLUMNS PROGRAM [ARG...]", file=sys.stderr)
        return 2
    console_socket, rows, columns, program = argv[1], int(argv[2]), int(argv[3]), argv[4]
    try:
        hand_off(console_socket, rows, columns)
    except OSError as err:
        print(f"podvisor-oci: the terminal for console socket {console_socket}: {err}", file=sys.stderr)
        return 1
    os.execv(program, argv[4:])
    return 1  # not reached: execv replaces this process or raises


if __name__ == "__main__":
    sys.exit(main(sys.argv))
