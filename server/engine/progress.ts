// Progress of long calls: every named step (PodSession.step) is reported as it starts and ends, with
// its duration, to the engine's listeners (vc.onProgress), and summed up on the call's own pod event
// ("steps: VM launched 1.2 s, agent ready 6.3 s") so the timeline shows where a slow boot spent its time.
import type { CallName } from './state.js';

export interface StepProgress {
  podId: string;
  call: CallName;
  /** The step's engine name: `hypervisor.startVm`, `agent.startContainer:c1`, … */
  step: string;
  /** What an operator reads: `VM launched`, `container c1 started`. */
  label: string;
  phase: 'start' | 'done' | 'failed';
  /** Since the call's first step. */
  elapsedMs: number;
  /** The step's own time; 0 at `start`. */
  durationMs: number;
}

export type ProgressListener = (progress: StepProgress) => void;

const LABELS: Record<string, string> = {
  'network.prepare': 'network prepared',
  'network.connect': 'network connected',
  'network.remove': 'network removed',
  'hypervisor.startVm': 'VM launched',
  'hypervisor.stopVm': 'VM stopped',
  'hypervisor.pauseVm': 'VM paused',
  'hypervisor.resumeVm': 'VM resumed',
  'agent.startSandbox': 'agent ready',
  'agent.stopSandbox': 'sandbox stopped',
  'runDir.remove': 'run directory removed',
  'agent.createContainer': 'container {} created',
  'agent.startContainer': 'container {} started',
  'agent.stopContainer': 'container {} stopped',
  'agent.probeContainer': 'container {} probed',
  'agent.signalContainer': 'container {} signalled',
  'agent.exec': 'process started in {}',
  'store.commit': 'recorded',
  'hypervisor.buildTemplate': 'template {} ready',
  'hypervisor.cloneVm': 'VM cloned from template {}',
  'hypervisor.coldBoot': 'VM cold-booted ({})',
};

/** The human label of a step name; an unknown name is shown as is rather than hidden. */
export function stepLabel(step: string): string {
  const colon = step.indexOf(':');
  const [kind, subject] = colon < 0 ? [step, ''] : [step.slice(0, colon), step.slice(colon + 1)];
  const label = LABELS[kind];
  return label ? label.replace('{}', subject) : step;
}

export const formatSeconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The engine's listeners. A listener that throws must not fail the call it watches. */
export class ProgressHub {
  private readonly listeners = new Set<ProgressListener>();

  on(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(progress: StepProgress): void {
    for (const listener of this.listeners) {
      try {
        listener(progress);
      } catch {
        // a display problem is not the call's problem
      }
    }
  }
}

/** One call's steps: times each one, reports it, and keeps the finished ones for the call's event. */
export class StepTrace {
  private readonly started = Date.now();
  private readonly finished: { label: string; durationMs: number }[] = [];

  constructor(
    private readonly podId: string,
    private readonly call: CallName,
    private readonly hub: ProgressHub,
  ) {}

  async run<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const label = stepLabel(step);
    const at = Date.now();
    const report = (phase: StepProgress['phase']) =>
      this.hub.emit({ podId: this.podId, call: this.call, step, label, phase, elapsedMs: Date.now() - this.started, durationMs: phase === 'start' ? 0 : Date.now() - at });
    report('start');
    try {
      const result = await fn();
      // The commit is the call's last step and the event it writes cannot include itself.
      if (!step.startsWith('store.commit:')) this.finished.push({ label, durationMs: Date.now() - at });
      report('done');
      return result;
    } catch (err) {
      report('failed');
      throw err;
    }
  }

  /** `message; steps: network prepared 0.1 s, VM launched 1.2 s`, or `message` when no step ran. */
  withSteps(message: string): string {
    if (this.finished.length === 0) return message;
    return `${message}; steps: ${this.finished.map((s) => `${s.label} ${formatSeconds(s.durationMs)}`).join(', ')}`;
  }
}
