// `/pods`: every pod, live.
import Link from 'next/link';
import { Suspense } from 'react';
import { PodList } from '../../components/pods/pod-list';
import { PageHeader } from '../../components/ui/page-header';

export default function PodsPage() {
  return (
    <>
      <PageHeader
        title="Pods"
        actions={
          <Link className="btn btn-primary" href="/pods/new" aria-keyshortcuts="n">
            New pod
          </Link>
        }
      />
      {/* The list reads its filters from the URL, which a static page only knows in the browser. */}
      <Suspense fallback={<p className="empty">Loading pods…</p>}>
        <PodList />
      </Suspense>
    </>
  );
}
