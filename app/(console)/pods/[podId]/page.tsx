// `/pods/[podId]`: one pod.
import { PodDetail } from '../../../../components/pods/pod-detail';

export default async function PodPage({ params }: { params: Promise<{ podId: string }> }) {
  const { podId } = await params;
  return <PodDetail podId={decodeURIComponent(podId)} />;
}
