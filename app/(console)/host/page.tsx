// `/host`: the host's facts for pods (every role).
import { HostPanel } from '../../../components/shell/host-panel';
import { PageHeader } from '../../../components/ui/page-header';

export const metadata = { title: 'Host · Podvisor' };

export default function HostPage() {
  return (
    <>
      <PageHeader title="Host" />
      <HostPanel />
    </>
  );
}
