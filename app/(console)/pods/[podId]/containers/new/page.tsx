// `/pods/[podId]/containers/new`: the create-container form.
import { NewContainerForm } from '../../../../../../components/forms/new-container-form';
import { PageHeader } from '../../../../../../components/ui/page-header';

export default async function NewContainerPage({ params }: { params: Promise<{ podId: string }> }) {
  const podId = decodeURIComponent((await params).podId);
  return (
    <>
      <PageHeader title="New container" crumbs={[{ href: '/pods', label: 'Pods' }, { href: `/pods/${podId}`, label: podId }]} />
      <NewContainerForm podId={podId} />
    </>
  );
}
