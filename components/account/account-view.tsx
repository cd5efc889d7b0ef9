'use client';
// `/account`: who you are, your password, and your own API tokens.
import { RoleBadge } from '../auth/role-badge';
import { useSession } from '../auth/use-session';
import { FactList } from '../ui/fact-list';
import { PageHeader } from '../ui/page-header';
import { ChangePasswordForm } from './change-password-form';
import { TokenCreateForm } from './token-create-form';
import { TokenTable } from './token-table';

export function AccountView() {
  const { user } = useSession();
  if (!user) return <PageHeader title="Account" badge={<span role="status">Loading…</span>} />;
  return (
    <>
      <PageHeader title="Account" badge={<RoleBadge role={user.role} />} />
      <div className="detail-grid">
        <section className="card" aria-labelledby="me-heading">
          <h2 id="me-heading">You</h2>
          <FactList facts={[['Name', user.name], ['Role', user.role], ['Logged in by', user.via]]} />
        </section>
        <ChangePasswordForm />
        <section className="card span-2" aria-labelledby="tokens-heading">
          <h2 id="tokens-heading">API tokens</h2>
          <TokenCreateForm myRole={user.role} />
          <TokenTable owner={user.name} />
        </section>
      </div>
    </>
  );
}
