// What each pod's long calls are doing right now, for pages that open after the call began: the
// engine reports steps once (vc.onProgress), this board keeps each pod's recent ones (bounded) and
// hands them to late subscribers before the live ones, so the pod page the new-pod form opens
// mid-RunPod still shows the steps that ran before it loaded.
import { EventEmitter } from 'node:events';
import type { StepProgress, VC } from '../engine/index.js';

/** A step as the board keeps it: numbered so a subscriber can tell a replay from a new one. */
export interface BoardStep extends StepProgress {
  seq: number;
  /** Wall-clock time of the report (the engine's times are relative to the call). */
  at: number;
}

const KEEP_PER_POD = 64;
/** Steps older than this are history (the timeline keeps them), not "in progress". */
const KEEP_MS = 10 * 60_000;

export class ProgressBoard {
  private readonly pods = new Map<string, BoardStep[]>();
  private readonly events = new EventEmitter();
  private seq = 0;
  private readonly off: () => void;

  constructor(engine: Pick<VC, 'onProgress'>) {
    // One listener per server however many pages watch: subscribers listen here, not on the engine.
    this.events.setMaxListeners(0);
    this.off = engine.onProgress((p) => this.add(p));
  }

  private add(progress: StepProgress): void {
    const step: BoardStep = { ...progress, seq: ++this.seq, at: Date.now() };
    const kept = (this.pods.get(step.podId) ?? []).filter((s) => step.at - s.at < KEEP_MS);
    kept.push(step);
    this.pods.set(step.podId, kept.slice(-KEEP_PER_POD));
    this.events.emit('step', step);
  }

  /** The pod's recent steps, oldest first. */
  recent(podId: string, now = Date.now()): BoardStep[] {
    return (this.pods.get(podId) ?? []).filter((s) => now - s.at < KEEP_MS);
  }

  /** Calls `listener` for each new step of the pod until the returned function is called. */
  watch(podId: string, listener: (step: BoardStep) => void): () => void {
    const onStep = (step: BoardStep) => {
      if (step.podId === podId) listener(step);
    };
    this.events.on('step', onStep);
    return () => void this.events.off('step', onStep);
  }

  close(): void {
    this.off();
    this.events.removeAllListeners();
  }
}

const boards = new WeakMap<object, ProgressBoard>();

/** The one board of an engine (the console builds a tRPC context per request, the board outlives them). */
export function progressBoardOf(engine: Pick<VC, 'onProgress'>): ProgressBoard {
  let board = boards.get(engine);
  if (!board) {
    board = new ProgressBoard(engine);
    boards.set(engine, board);
  }
  return board;
}

/** Unhooks the engine's board, if it has one (the console closing). */
export function closeProgressBoard(engine: object): void {
  boards.get(engine)?.close();
  boards.delete(engine);
}
