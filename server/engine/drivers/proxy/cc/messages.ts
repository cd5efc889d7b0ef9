// The JSON payloads of cc-proxy commands, responses and notifications (upstream's field names,
// plus what Podvisor needs noted as such). Shared by the ccProxy program, its clients and tests.
import { z } from 'zod';

export const RegisterVMSchema = z.object({
  containerId: z.string().min(1),
  ctlSerial: z.string().startsWith('/'),
  ioSerial: z.string().startsWith('/'),
  console: z.string().optional(),
  numIOStreams: z.number().int().min(0).max(64).default(0),
  /** Podvisor: how long to wait for the guest's READY (a TCG boot is slow). */
  readyTimeoutMs: z.number().int().positive().default(120_000),
});
export const UnregisterVMSchema = z.object({ containerId: z.string().min(1) });
export const AttachVMSchema = z.object({ containerId: z.string().min(1), numIOStreams: z.number().int().min(0).max(64).default(0) });
export const HyperSchema = z.object({
  hyperName: z.string().min(1),
  tokens: z.array(z.string()).default([]),
  data: z.record(z.string(), z.unknown()).nullable().default(null),
  /** Podvisor: the VM the command goes to (upstream bound a connection to one VM by AttachVM). */
  containerId: z.string().min(1),
});
export const ConnectShimSchema = z.object({ token: z.string().min(1) });
export const SignalSchema = z.object({ signalNumber: z.number().int().min(1).max(64), columns: z.number().int().min(0).max(65535).default(0), rows: z.number().int().min(0).max(65535).default(0) });

export const IoResponseSchema = z.object({ io: z.object({ URL: z.string(), tokens: z.array(z.string()) }) });
export const TokensResponseSchema = z.object({ tokens: z.array(z.string()) });
/** Hyper's answer: the ACK's payload as text ('' when it had none). */
export const HyperResponseSchema = z.object({ data: z.string() });
/** Podvisor: ConnectShim answers whether the token's process already exited (probe without waiting). */
export const ConnectShimResponseSchema = z.object({ exitCode: z.number().int().nullable() });

export const ProcessExitedSchema = z.object({ token: z.string(), exitCode: z.number().int() });
export type ProcessExited = z.infer<typeof ProcessExitedSchema>;
