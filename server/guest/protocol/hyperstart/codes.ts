// The hyperstart control codes, as virtcontainers uses them (the cc-agent-compatible table; upstream
// hyperstart itself diverges from 23 on). Deprecated codes stay in the table so a frame carrying one
// is recognised and refused with ERROR instead of being mistaken for garbage.
export const HYPERSTART_CODES = {
  VERSION: 0,
  STARTPOD: 1,
  GETPOD: 2,
  STOPPOD: 3,
  DESTROYPOD: 4,
  RESTARTCONTAINER: 5,
  EXECCMD: 6,
  FINISHCMD: 7,
  READY: 8,
  ACK: 9,
  ERROR: 10,
  WINSIZE: 11,
  PING: 12,
  FINISHPOD: 13,
  NEXT: 14,
  WRITEFILE: 15,
  READFILE: 16,
  NEWCONTAINER: 17,
  KILLCONTAINER: 18,
  ONLINECPUMEM: 19,
  SETUPINTERFACE: 20,
  SETUPROUTE: 21,
  REMOVECONTAINER: 22,
  PSCONTAINER: 23,
  PROCESSASYNCEVENT: 24,
} as const;

export type HyperstartCommand = keyof typeof HYPERSTART_CODES;

const NAMES = new Map<number, HyperstartCommand>(Object.entries(HYPERSTART_CODES).map(([name, code]) => [code, name as HyperstartCommand]));

export function commandName(code: number): HyperstartCommand | null {
  return NAMES.get(code) ?? null;
}

/** The code of a command named as virtcontainers names them (`newcontainer`, `winsize`, …). */
export function commandCode(name: string): number {
  const code = (HYPERSTART_CODES as Record<string, number>)[name.toUpperCase()];
  if (code === undefined) throw new Error(`unknown hyperstart command ${name}`);
  return code;
}

/** The guest port names, found by name under /dev/virtio-ports (host side: hyper.sock / tty.sock). */
export const HYPERSTART_CONTROL_PORT = 'sh.hyper.channel.0';
export const HYPERSTART_STREAM_PORT = 'sh.hyper.channel.1';
