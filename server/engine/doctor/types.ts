// What `doctor` reports: one finding per thing on the host that disagrees with the store.
export type FindingKind = 'deadVm' | 'orphanProcess' | 'orphanRunDir' | 'orphanNetns' | 'staleLock';

export interface DoctorFinding {
  kind: FindingKind;
  /** The pod the thing belongs to when known (a record's id, or a run dir's / cache folder's name). */
  podId: string | null;
  /** What was found: "qemu pid 123", a path, a netns name. */
  subject: string;
  /** Why it is a finding, in words. */
  detail: string;
  /** True once repaired (a dead VM's pod is always marked stopped; the rest only with fix). */
  fixed: boolean;
  /** Why the repair failed, when it did. */
  error?: string;
}

export interface DoctorReport {
  fix: boolean;
  findings: DoctorFinding[];
}

export interface DoctorOptions {
  fix?: boolean;
}
