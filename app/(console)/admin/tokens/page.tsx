// `/admin/tokens`: every user's API tokens, to revoke any (admins only).
import { TokenTable } from '../../../../components/account/token-table';
import { PageHeader } from '../../../../components/ui/page-header';

export const metadata = { title: 'API tokens · Podvisor' };

export default function TokensPage() {
  return (
    <>
      <PageHeader title="API tokens" />
      <section className="card">
        <p className="field-hint">Everyone&apos;s tokens. Create your own on your Account page.</p>
        <TokenTable />
      </section>
    </>
  );
}
