'use client';
// Toasts for action results: a polite live region, errors stay until dismissed, successes fade.
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  message: string;
}
type ShowToast = (toast: Omit<Toast, 'id'>) => void;

const ToastContext = createContext<ShowToast>(() => undefined);
const SUCCESS_MS = 4_000;
let nextId = 1;

export const useToast = () => useContext(ToastContext);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback<ShowToast>(
    (toast) => {
      const id = nextId++;
      setToasts((all) => [...all.slice(-4), { ...toast, id }]);
      if (toast.kind !== 'error') setTimeout(() => dismiss(id), SUCCESS_MS);
    },
    [dismiss],
  );
  return (
    <ToastContext.Provider value={show}>
      {children}
      <ol className="toast-region" aria-label="Notifications" aria-live="polite">
        {toasts.map((t) => (
          <li key={t.id} className="toast" data-kind={t.kind} role={t.kind === 'error' ? 'alert' : 'status'}>
            <span>{t.message}</span>
            <button type="button" className="btn btn-ghost btn-small" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </li>
        ))}
      </ol>
    </ToastContext.Provider>
  );
}
