// `/recordings`: recorded terminal sessions (operators: their own; admins: everyone's and the settings).
import { RecordingList } from '../../../components/recordings/recording-list';
import { PageHeader } from '../../../components/ui/page-header';

export const metadata = { title: 'Recordings · Podvisor' };

export default function RecordingsPage() {
  return (
    <>
      <PageHeader title="Terminal recordings" />
      <RecordingList />
    </>
  );
}
