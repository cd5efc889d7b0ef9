// `/recordings/[id]`: one recording, replayed in the browser.
import { RecordingReplay } from '../../../../components/recordings/recording-replay';
import { PageHeader } from '../../../../components/ui/page-header';

export const metadata = { title: 'Replay · Podvisor' };

export default async function ReplayPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageHeader title="Replay" crumbs={[{ href: '/recordings', label: 'Recordings' }]} />
      <RecordingReplay id={decodeURIComponent(id)} />
    </>
  );
}
