'use client';
// The way to the create-pod form, for those who may create pods (operators and admins).
import { useRoleBlocker } from '../auth/use-session';
import { ActionLink } from '../ui/action-link';

export function NewPodLink({ children = 'New pod' }: { children?: string }) {
  return (
    <ActionLink className="btn btn-primary" href="/pods/new" shortcut="n" unavailableBecause={useRoleBlocker('operator')}>
      {children}
    </ActionLink>
  );
}
