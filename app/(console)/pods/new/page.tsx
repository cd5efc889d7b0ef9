// `/pods/new`: the create-pod form.
import { NewPodForm } from '../../../../components/forms/new-pod-form';
import { PageHeader } from '../../../../components/ui/page-header';

export const metadata = { title: 'New pod · Podvisor' };

export default function NewPodPage() {
  return (
    <>
      <PageHeader title="New pod" crumbs={[{ href: '/pods', label: 'Pods' }]} />
      <NewPodForm />
    </>
  );
}
