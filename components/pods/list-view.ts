// The pod list's rows as the table shows them: engine status joined with the system overview, then
// searched, filtered by state and sorted. Pure, so the table component only renders.
import { STATES, type PodStatus, type State } from '../../server/engine/types';
import { firstIpv4 } from './network-view';

export interface PodOverview {
  id: string;
  vcpus: number;
  memoryMiB: number;
  proxy: string;
  shim: string;
  network: string;
  since: string | null;
}

export interface PodRow {
  id: string;
  state: State;
  hypervisor: string;
  agent: string;
  accelerator: string;
  containers: number;
  runningContainers: number;
  /** For the bulk actions: deleting a pod depends on its containers' states too. */
  containerStates: { id: string; state: State }[];
  vcpus: number;
  memoryMiB: number;
  /** Milliseconds since the pod last started, for running and paused pods. */
  uptimeMs: number | null;
  /** The pod's first IPv4 address; '' without a network. */
  address: string;
  /** The VM process's newest CPU % (of one core) and resident memory; null when not sampled (no VM). */
  cpuPercent: number | null;
  rssBytes: number | null;
}

/** metrics.latest: each sampled pod's newest figures. */
export type PodFigures = Record<string, { cpuPercent: number; rssBytes: number }>;

export const SORT_KEYS = ['id', 'state', 'hypervisor', 'agent', 'accelerator', 'address', 'containers', 'vcpus', 'memoryMiB', 'uptimeMs', 'cpuPercent', 'rssBytes'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface ListView {
  search: string;
  state: State | 'all';
  sort: SortKey;
  descending: boolean;
}

export const DEFAULT_VIEW: ListView = { search: '', state: 'all', sort: 'id', descending: false };

/** The view from a deep link such as `/pods?q=web&state=running&sort=uptimeMs&desc=1`; unknown values fall back. */
export function viewFromParams(params: URLSearchParams): ListView {
  const state = params.get('state');
  const sort = params.get('sort');
  return {
    search: params.get('q') ?? '',
    state: (STATES as readonly string[]).includes(state ?? '') ? (state as State) : 'all',
    sort: (SORT_KEYS as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : DEFAULT_VIEW.sort,
    descending: params.get('desc') === '1',
  };
}

/** The query string that reproduces `view`, without the defaults ("" for the default view). */
export function paramsOfView(view: ListView): string {
  const params = new URLSearchParams();
  if (view.search) params.set('q', view.search);
  if (view.state !== 'all') params.set('state', view.state);
  if (view.sort !== DEFAULT_VIEW.sort) params.set('sort', view.sort);
  if (view.descending) params.set('desc', '1');
  const query = params.toString();
  return query ? `?${query}` : '';
}

export function toRows(statuses: PodStatus[], overviews: PodOverview[] | undefined, now: number, figures: PodFigures = {}): PodRow[] {
  const byId = new Map(overviews?.map((o) => [o.id, o]));
  return statuses.map((p) => {
    const o = byId.get(p.id);
    const up = (p.state === 'running' || p.state === 'paused') && o?.since;
    return {
      id: p.id,
      state: p.state,
      hypervisor: p.hypervisor,
      agent: p.agent,
      accelerator: p.vm?.accelerator ?? '',
      containers: p.containersStatus.length,
      runningContainers: p.containersStatus.filter((c) => c.state === 'running').length,
      containerStates: p.containersStatus.map(({ id, state }) => ({ id, state })),
      vcpus: o?.vcpus ?? 0,
      memoryMiB: o?.memoryMiB ?? 0,
      uptimeMs: up ? now - Date.parse(up) : null,
      address: firstIpv4(p.network),
      cpuPercent: figures[p.id]?.cpuPercent ?? null,
      rssBytes: figures[p.id]?.rssBytes ?? null,
    };
  });
}

export function applyView(rows: PodRow[], view: ListView): PodRow[] {
  const needle = view.search.trim().toLowerCase();
  const matches = (r: PodRow) => !needle || [r.id, r.hypervisor, r.agent, r.accelerator, r.address].some((f) => f.toLowerCase().includes(needle));
  const direction = view.descending ? -1 : 1;
  return rows
    .filter((r) => (view.state === 'all' || r.state === view.state) && matches(r))
    .sort((a, b) => {
      const [x, y] = [a[view.sort] ?? -1, b[view.sort] ?? -1];
      // Numeric collation: 10.209.0.9 before 10.209.0.10, web-2 before web-10.
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })) * direction || a.id.localeCompare(b.id);
    });
}
