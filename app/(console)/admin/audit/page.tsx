// `/admin/audit`: the audit log (admins only).
import { AuditLog } from '../../../../components/admin/audit-log';
import { PageHeader } from '../../../../components/ui/page-header';

export const metadata = { title: 'Audit log · Podvisor' };

export default function AuditPage() {
  return (
    <>
      <PageHeader title="Audit log" />
      <AuditLog />
    </>
  );
}
