// The login and first-run pages: one card in the middle, without the console's navigation.
import type { ReactNode } from 'react';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="auth-page">
      <p className="brand">
        <span className="brand-mark" aria-hidden="true">▣</span> Podvisor
      </p>
      <div className="card auth-card">{children}</div>
    </main>
  );
}
