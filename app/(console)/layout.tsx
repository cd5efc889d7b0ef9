// The console's shell: the left navigation and keyboard shortcuts around every page but the login ones.
import type { ReactNode } from 'react';
import { Sidebar } from '../../components/shell/sidebar';
import { KeyboardShortcuts } from '../../components/ui/keyboard-shortcuts';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <div className="shell">
        <Sidebar />
        <main className="main">{children}</main>
      </div>
      <KeyboardShortcuts />
    </>
  );
}
