// `/pods`: every pod, live.
import { Suspense } from 'react';
import { NewPodLink } from '../../../components/pods/new-pod-link';
import { PodList } from '../../../components/pods/pod-list';
import { PageHeader } from '../../../components/ui/page-header';

export default function PodsPage() {
  return (
    <>
      <PageHeader title="Pods" actions={<NewPodLink />} />
      {/* The list reads its filters from the URL, which a static page only knows in the browser. */}
      <Suspense fallback={<p className="empty">Loading pods…</p>}>
        <PodList />
      </Suspense>
    </>
  );
}
