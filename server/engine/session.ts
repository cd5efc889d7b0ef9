// One API call's view of a pod: its records as loaded under the pod lock, the changes the call
// makes to them, and the events those changes produce. `change()` turns it into one commit.
import type { Logger } from 'pino';
import type { Drivers } from './drivers/registry.js';
import type { ContainerContext, PodContext } from './drivers/types.js';
import { EngineError } from './errors.js';
import type { NewPodEvent } from './events.js';
import type { StepTrace } from './progress.js';
import { assertTransition } from './state.js';
import type { Change, ContainerRecord, PodRecord } from './store/types.js';
import type { State } from './types.js';

export class PodSession {
  readonly containers: Map<string, ContainerRecord>;
  private readonly podStateBefore: State | null;
  private readonly containerStatesBefore = new Map<string, State>();
  private readonly deleted = new Set<string>();
  private podDeleted = false;
  /** Set by the engine when a mutating call starts: times and reports every step (progress.ts). */
  trace: StepTrace | null = null;

  constructor(
    public pod: PodRecord,
    containers: ContainerRecord[],
    readonly drivers: Drivers,
    readonly runDir: string,
    readonly log: Logger,
    isNew = false,
  ) {
    this.containers = new Map(containers.map((c) => [c.id, c]));
    this.podStateBefore = isNew ? null : pod.state;
    for (const c of containers) if (!isNew) this.containerStatesBefore.set(c.id, c.state);
  }

  get id(): string {
    return this.pod.id;
  }

  /** What drivers see: the config with its current containers, and the runtime state. */
  context(): PodContext {
    return {
      id: this.pod.id,
      config: { ...this.pod.config, containers: [...this.containers.values()].map((c) => c.config) },
      runDir: this.runDir,
      runtime: this.pod.runtime,
      log: this.log,
    };
  }

  /**
   * Runs one named step of the call (`hypervisor.startVm`, `agent.createContainer:c1`, …). The name
   * is announced to the host first: the Linux host ignores it, a fake host's fault plan may fail or
   * kill the process there. Undos are not steps: a rollback runs whatever is planned.
   */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = async () => {
      await this.drivers.host.checkpoint?.(name);
      return fn();
    };
    return this.trace ? this.trace.run(name, run) : run();
  }

  containerContext(c: ContainerRecord): ContainerContext {
    return { config: c.config, agentState: c.agentState };
  }

  container(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) {
      throw new EngineError('CONTAINER_NOT_FOUND', `Could not find the container "${id}" in pod "${this.pod.id}"`, {
        podId: this.pod.id,
        containerId: id,
      });
    }
    return c;
  }

  setRuntime(kind: keyof PodRecord['runtime'], state: PodRecord['runtime'][typeof kind]): void {
    this.pod = { ...this.pod, runtime: { ...this.pod.runtime, [kind]: state } };
  }

  setPodState(to: State): void {
    assertTransition('pod', this.pod.id, this.pod.state, to);
    this.pod = { ...this.pod, state: to };
  }

  setContainerState(id: string, to: State, patch: Partial<ContainerRecord> = {}): void {
    const c = this.container(id);
    if (c.state !== to) assertTransition('container', id, c.state, to);
    this.containers.set(id, { ...c, ...patch, state: to });
  }

  /** Records a fact the engine observed (a dead VM, an exited container) without a transition check. */
  forceContainerState(id: string, to: State, patch: Partial<ContainerRecord> = {}): void {
    this.containers.set(id, { ...this.container(id), ...patch, state: to });
  }

  /** After the VM is gone, nothing in it runs any more. */
  forceContainersStopped(): void {
    for (const c of [...this.containers.values()]) if (c.state !== 'stopped') this.forceContainerState(c.id, 'stopped');
  }

  forcePodState(to: State): void {
    this.pod = { ...this.pod, state: to };
  }

  putContainer(c: ContainerRecord): void {
    this.containers.set(c.id, c);
  }

  removeContainer(id: string): void {
    this.containers.delete(id);
    this.deleted.add(id);
  }

  removePod(): void {
    this.podDeleted = true;
  }

  /** The commit for a call that succeeded: every record it touched plus one event per state change. */
  change(call: string, containerId: string | null, message: string): Change {
    const events: NewPodEvent[] = [];
    const event = (cid: string | null, from: State | null, to: State | null, msg: string): NewPodEvent => ({
      podId: this.pod.id,
      call,
      containerId: cid,
      outcome: 'ok',
      errorCode: null,
      message: msg,
      fromState: from,
      toState: to,
    });
    // The call's own event carries its subject's state change; other objects that moved get one each.
    const podMoved = this.podStateBefore !== this.pod.state;
    const subjectBefore = containerId === null ? this.podStateBefore : (this.containerStatesBefore.get(containerId) ?? null);
    const subjectAfter = containerId === null ? this.pod.state : (this.containers.get(containerId)?.state ?? null);
    const subjectMoved = subjectBefore !== subjectAfter;
    events.push(event(containerId, subjectMoved ? subjectBefore : null, subjectMoved ? subjectAfter : null, message));
    if (podMoved && containerId !== null) events.push(event(null, this.podStateBefore, this.pod.state, `pod ${this.pod.state}`));
    for (const c of this.containers.values()) {
      const before = this.containerStatesBefore.get(c.id) ?? null;
      if (before !== c.state && c.id !== containerId) events.push(event(c.id, before, c.state, `container ${c.id} ${c.state}`));
    }
    return {
      upsertPod: this.pod,
      upsertContainers: [...this.containers.values()],
      deleteContainers: [...this.deleted],
      deletePod: this.podDeleted,
      events,
    };
  }

  /** The commit for a call that failed: only its error event; the call has rolled back its effects. */
  failure(call: string, containerId: string | null, err: EngineError): Change {
    return {
      events: [
        {
          podId: this.pod.id,
          call,
          containerId,
          outcome: 'error',
          errorCode: err.code,
          message: err.message,
          fromState: null,
          toState: null,
        },
      ],
    };
  }
}
