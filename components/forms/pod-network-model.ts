// The pod form's network section as plain values: its mapping to networkConfig and the port-mapping
// annotation, and the checks that would otherwise surface only when the pod starts (CreatePod accepts
// a bad port annotation, and a CNM pod without a netns that holds links).
import { z } from 'zod';
import { NetworkConfigSchema, type PodConfigInput } from '../../server/engine/types';
import { fieldErrorsOf, type FieldErrors } from './field-errors';
import { optionalNumber } from './text-parsers';

/**
 * The engine's PORTS_ANNOTATION and PortMappingSchema live in modules the browser bundle cannot load
 * (Node-style `.js` imports, node:fs); these twins are held equal to them by test/unit/pod-network-form.test.ts.
 */
export const PORTS_ANNOTATION = 'io.podvisor.network/ports';
export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
const Port = z.number().int().min(1).max(65535);
export const PortRowSchema = z.strictObject({ hostPort: Port, containerPort: Port, protocol: z.enum(PORT_PROTOCOLS) });

/** Where the engine reports a bad port annotation (cni-config.ts); the rows' own errors sit below it. */
export const PORTS_FIELD = `annotations["${PORTS_ANNOTATION}"]`;

export interface PortRow {
  hostPort: string;
  containerPort: string;
  protocol: string;
}

export interface NetworkFormValues {
  /** CNI only. */
  cniNetwork: string;
  /** Required for CNM (its links are what the pod gets); for CNI, empty means Podvisor creates one. */
  netNsPath: string;
  numInterfaces: string;
  interworkingModel: string;
  /** CNI only; rows left blank are ignored. */
  ports: PortRow[];
}

export const BLANK_PORT: PortRow = { hostPort: '', containerPort: '', protocol: 'tcp' };

export function defaultNetworkValues(): NetworkFormValues {
  const { cniNetwork, interworkingModel } = NetworkConfigSchema.parse({});
  return { cniNetwork, netNsPath: '', numInterfaces: '', interworkingModel, ports: [] };
}

/** Only the fields the model reads: a value typed under another model is hidden, so it is not sent. */
export function networkConfigOf(model: string, v: NetworkFormValues): PodConfigInput['networkConfig'] {
  if (model !== 'CNI' && model !== 'CNM') return undefined;
  const common = { netNsPath: v.netNsPath.trim(), numInterfaces: optionalNumber(v.numInterfaces), interworkingModel: v.interworkingModel as 'default' };
  return model === 'CNI' ? { ...common, cniNetwork: v.cniNetwork } : common;
}

const isBlank = (r: PortRow) => r.hostPort.trim() === '' && r.containerPort.trim() === '';
/** "" → NaN, so that a half-filled row reads "must be a number" rather than "required". */
const portOf = (text: string) => Number(text.trim() || Number.NaN);

/** The rows that say something, with their row index (for error keys that match the inputs). */
function filledRows(model: string, v: NetworkFormValues) {
  if (model !== 'CNI') return [];
  return v.ports.flatMap((r, index) => (isBlank(r) ? [] : [{ index, mapping: { hostPort: portOf(r.hostPort), containerPort: portOf(r.containerPort), protocol: r.protocol } }]));
}

/** The annotation the CNI driver reads, as the CLI's --publish writes it; {} when no row is filled. */
export function portsAnnotationOf(model: string, v: NetworkFormValues): Record<string, string> {
  const rows = filledRows(model, v);
  return rows.length ? { [PORTS_ANNOTATION]: JSON.stringify(rows.map((r) => r.mapping)) } : {};
}

/** Errors keyed where the engine would report them: networkConfig.netNsPath, the port annotation (per row), annotations. */
export function networkErrors(model: string, v: NetworkFormValues, annotations: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  const rows = filledRows(model, v);
  const seen = new Map<string, number>();
  for (const { index, mapping } of rows) {
    const parsed = PortRowSchema.safeParse(mapping);
    Object.assign(errors, fieldErrorsOf((parsed.error?.issues ?? []).map((i) => ({ path: [PORTS_FIELD, index, ...i.path], message: i.message }))));
    const key = `${mapping.hostPort}/${mapping.protocol}`;
    // The engine refuses this too, but only at start: one host port DNATed twice, the second rule never matches.
    if (parsed.success && seen.has(key)) errors[`${PORTS_FIELD}.${index}.hostPort`] = `maps ${key} again (row ${seen.get(key)! + 1})`;
    if (parsed.success && !seen.has(key)) seen.set(key, index);
  }
  if (model === 'CNM' && v.netNsPath.trim() === '') {
    errors['networkConfig.netNsPath'] = 'required for CNM: a network namespace that already holds the links, such as /run/netns/NAME';
  }
  if (rows.length && PORTS_ANNOTATION in annotations) errors['annotations'] = `${PORTS_ANNOTATION} is written by the port mappings in the network section: remove this line`;
  return errors;
}
