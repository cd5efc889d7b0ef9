// `/pods/[podId]/containers/[containerId]`: one container.
import { ContainerDetail } from '../../../../../../components/containers/container-detail';

export default async function ContainerPage({ params }: { params: Promise<{ podId: string; containerId: string }> }) {
  const { podId, containerId } = await params;
  return <ContainerDetail podId={decodeURIComponent(podId)} containerId={decodeURIComponent(containerId)} />;
}
