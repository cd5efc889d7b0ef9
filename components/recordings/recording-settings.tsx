'use client';
// The admin's recording settings: whether what is typed is recorded, and how many days recordings are kept.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { useToast } from '../ui/toast';

export function RecordingSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const settings = useQuery(trpc.recordings.settings.queryOptions());
  const save = useMutation(trpc.recordings.setSettings.mutationOptions());
  const [recordInput, setRecordInput] = useState(true);
  const [days, setDays] = useState('30');
  useEffect(() => {
    if (!settings.data) return;
    setRecordInput(settings.data.recordInput);
    setDays(String(settings.data.retentionDays));
  }, [settings.data]);
  if (!settings.data) return null;
  return (
    <section className="card" aria-labelledby="recording-settings-heading">
      <h2 id="recording-settings-heading">Recording settings</h2>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(
            { recordInput, retentionDays: Number(days) },
            {
              onSuccess: () => {
                toast({ kind: 'success', message: 'Recording settings saved' });
                void queryClient.invalidateQueries({ queryKey: trpc.recordings.pathKey() });
              },
              onError: (error) => toast({ kind: 'error', message: errorMessage(error) }),
            },
          );
        }}
      >
        <label className="checkbox">
          <input type="checkbox" checked={recordInput} onChange={(e) => setRecordInput(e.target.checked)} /> Record what is typed (off: output only; passwords typed at a prompt are then never stored)
        </label>
        <label>
          Keep recordings for (days)
          <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} inputMode="numeric" />
        </label>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
