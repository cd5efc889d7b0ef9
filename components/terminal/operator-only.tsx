'use client';
// Terminals are shells into pods: the server serves them to operators only, and a viewer's page must
// not even ask (the refusals would fill the audit log). A viewer sees this note in their place.
import type { ReactNode } from 'react';
import { RoleGate } from '../auth/role-gate';

export function OperatorOnlyTerminal({ title, children }: { title: string; children: ReactNode }) {
  const denied = (
    <section className="card span-2" aria-label={title}>
      <h2>{title}</h2>
      <p className="empty">Terminals need the operator role.</p>
    </section>
  );
  return (
    <RoleGate need="operator" denied={denied}>
      {children}
    </RoleGate>
  );
}
