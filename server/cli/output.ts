// Everything the CLI prints on stdout: JSON for --json, otherwise upstream virtc-style action lines
// and tables aligned with spaces (tab stops misalign once a cell is wider than eight columns).
import type { AuditEntry, TokenView, UserView } from '../auth/index.js';
import type { ContainerStatus, EngineError, PodEvent, PodStatus } from '../engine/index.js';
import type { CliContext } from './context.js';

export const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
export const printText = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** Pads every column but the last to its widest cell, two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col]?.length ?? 0))) ?? [];
  const line = (row: readonly string[]) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ');
  return rows.map(line).join('\n');
}

const dash = (value: string | number | null) => (value === null || value === '' ? '-' : String(value));

export const podTable = (pods: PodStatus[]) =>
  formatTable([
    ['POD ID', 'STATE', 'HYPERVISOR', 'AGENT', 'CONTAINERS'],
    ...pods.map((p) => [p.id, p.state, p.hypervisor, p.agent, String(p.containersStatus.length)]),
  ]);

export const containerTable = (containers: ContainerStatus[]) =>
  formatTable([
    ['CONTAINER ID', 'STATE', 'PID', 'EXIT'],
    ...containers.map((c) => [c.id, c.state, dash(c.pid || null), dash(c.exitCode)]),
  ]);

/** The pod's interfaces with their addresses (both families), the model and the mapped ports. */
export function networkTable(pod: PodStatus): string {
  const net = pod.network;
  if (!net || net.interfaces.length === 0) return '';
  const ports = net.portMappings.map((p) => `${p.hostPort}->${p.containerPort}/${p.protocol}`).join(',');
  return formatTable([
    ['INTERFACE', 'MAC', 'ADDRESSES', 'GATEWAYS', 'MODEL', 'PORTS'],
    ...net.interfaces.map((i, n) => [i.name, i.mac, i.addresses.join(','), dash(i.gateways.join(',')), i.model, n === 0 ? dash(ports) : '-']),
  ]);
}

const HYPERVISOR_ROWS: [label: string, key: keyof PodStatus['effectiveHypervisorConfig'], unit?: string][] = [
  ['vCPUs', 'vcpus'],
  ['max vCPUs', 'maxVcpus'],
  ['memory', 'memoryMiB', ' MiB'],
  ['PCI bridges', 'defaultBridges'],
  ['block driver', 'blockDeviceDriver'],
  ['shared fs', 'sharedFs'],
  ['machine', 'machineType'],
  ['kernel', 'kernelPath'],
  ['image', 'imagePath'],
  ['initrd', 'initrdPath'],
  ['hypervisor', 'hypervisorPath'],
  ['firmware', 'firmwarePath'],
];

/** The hypervisor configuration with the defaults applied, and where each value came from. */
export function hypervisorTable(pod: PodStatus): string {
  const e = pod.effectiveHypervisorConfig;
  return formatTable([
    ['VM SETTING', 'VALUE', 'FROM'],
    ...HYPERVISOR_ROWS.map(([label, key, unit = '']) => [label, e[key].value === '' ? '-' : `${e[key].value}${unit}`, e[key].source]),
  ]);
}

/** `pod status`: the pod's row, a blank line, its containers as upstream prints them, then its network. */
export const podStatusText = (pod: PodStatus) => [podTable([pod]), containerTable(pod.containersStatus), hypervisorTable(pod), networkTable(pod), bootLine(pod)].filter(Boolean).join('\n\n');

/** How the VM came up: `VM cloned from template KEY (spawn 4 ms, …)` or `VM cold-booted: why not cloned (…)`. */
export function bootLine(pod: PodStatus): string {
  const boot = pod.vm?.boot;
  if (!boot) return '';
  const stages = boot.stages.map((s) => `${s.name} ${s.ms} ms`).join(', ');
  const how = boot.mode === 'cloned' ? `VM cloned from template ${boot.template}` : `VM cold-booted${boot.reason ? `: ${boot.reason}` : ''}`;
  const line = stages ? `${how} (${stages})` : how;
  return boot.agent ? `${line}\nagent: ${boot.agent}` : line;
}

/** `ok`, or the outcome with its error code: `error POD_NOT_FOUND`, `denied PERMISSION_DENIED`. */
const outcomeOf = (outcome: string, errorCode: string | null) => (outcome === 'ok' ? 'ok' : `${outcome} ${errorCode ?? ''}`.trim());

export const eventTable = (events: PodEvent[]) =>
  formatTable([
    ['TIME', 'CALL', 'CONTAINER', 'RESULT', 'STATE', 'MESSAGE'],
    ...events.map((e) => [
      e.time,
      e.call,
      dash(e.containerId),
      outcomeOf(e.outcome, e.errorCode),
      e.fromState && e.toState && e.fromState !== e.toState ? `${e.fromState}→${e.toState}` : '-',
      e.message,
    ]),
  ]);

export const userTable = (users: UserView[]) =>
  formatTable([['NAME', 'ROLE', 'STATUS', 'CREATED'], ...users.map((u) => [u.name, u.role, u.disabled ? 'disabled' : 'enabled', u.createdAt])]);

const tokenStatus = (t: TokenView, now = Date.now()) => (t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= now ? 'expired' : 'active');

export const tokenTable = (tokens: TokenView[]) =>
  formatTable([
    ['ID', 'NAME', 'USER', 'ROLE', 'STATUS', 'EXPIRES', 'LAST USED'],
    ...tokens.map((t) => [t.id, t.name, t.owner, t.role, tokenStatus(t), dash(t.expiresAt), dash(t.lastUsedAt)]),
  ]);

export const auditTable = (entries: AuditEntry[]) =>
  formatTable([
    ['TIME', 'ACTOR', 'VIA', 'ACTION', 'POD', 'CONTAINER', 'OUTCOME', 'MESSAGE'],
    ...entries.map((e) => [e.time, e.actor, e.via, e.action, dash(e.podId), dash(e.containerId), outcomeOf(e.outcome, e.errorCode), dash(e.message)]),
  ]);

/** A query's answer: JSON, or the human rendering of the same value. */
export function show<T>(ctx: CliContext, value: T, render: (value: T) => string): void {
  if (ctx.json) printJson(value);
  else printText(render(value));
}

/** An action's outcome: the upstream-style line, or with --json the state after the action. */
export async function announce(ctx: CliContext, line: string, stateAfter: () => Promise<unknown>): Promise<void> {
  if (ctx.json) printJson(await stateAfter());
  else printText(line);
}

/** Failures go to stderr as one line; with --json, stdout also gets them so a parser always sees JSON. */
export function printError(err: EngineError, json: boolean): void {
  process.stderr.write(`podvisor: ${err.code}: ${err.message}\n`);
  if (json) printJson({ error: err.toJSON() });
}
