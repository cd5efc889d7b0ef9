'use client';
// The new-pod form's submit flow: watch the pod's steps first (so none is missed), then call
// CreatePod or RunPod; for RunPod the pod page opens as soon as the pod is recorded, while the
// VM still boots (the page shows the remaining steps from the same feed). The form never waits
// blind: the steps appear under it as they happen.
import { useCallback, useEffect, useRef, useState } from 'react';
import { podRecorded, type StepReport } from '../live/call-steps';
import { useLiveSteps } from '../live/live-steps';

interface Pending {
  podId: string;
  call: () => Promise<unknown>;
}

export function useCreateFlow(openPod: (podId: string) => void) {
  const [pending, setPending] = useState<Pending | null>(null);
  const opened = useRef<string | null>(null);
  const fired = useRef(false);
  const onReport = useCallback(
    (all: StepReport[]) => {
      const podId = all[0]?.podId;
      if (podId && opened.current !== podId && podRecorded(all)) {
        opened.current = podId;
        openPod(podId);
      }
    },
    [openPod],
  );
  const live = useLiveSteps(pending?.podId ?? null, { replay: false, onReport });

  // Fire the call once the feed is connected (or could not be: the call matters more than its steps).
  useEffect(() => {
    if (!pending || fired.current || !(live.connected || live.failed)) return;
    fired.current = true;
    void pending.call();
  }, [pending, live.connected, live.failed]);

  const start = useCallback((podId: string, call: () => Promise<unknown>) => {
    fired.current = false;
    opened.current = null;
    setPending({ podId, call });
  }, []);

  /** After the call: open the pod unless the feed already did. */
  const finished = useCallback(
    (podId: string) => {
      if (opened.current !== podId) {
        opened.current = podId;
        openPod(podId);
      }
    },
    [openPod],
  );
  const reset = useCallback(() => setPending(null), []);
  return { reports: live.reports, start, finished, reset, active: pending !== null };
}
