// `/admin/users`: who may use the console, with which role (admins only; the server sends others away).
import { AddUserForm } from '../../../../components/admin/add-user-form';
import { UserTable } from '../../../../components/admin/user-table';
import { PageHeader } from '../../../../components/ui/page-header';

export const metadata = { title: 'Users · Podvisor' };

export default function UsersPage() {
  return (
    <>
      <PageHeader title="Users" />
      <div className="detail-grid">
        <UserTable />
        <AddUserForm />
      </div>
    </>
  );
}
