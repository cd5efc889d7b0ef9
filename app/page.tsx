// `/`: the pod list.
import { PodTable } from '../components/pods/pod-table';

export default function HomePage() {
  return (
    <main>
      <h1>Pods</h1>
      <PodTable />
    </main>
  );
}
