// `/admin/settings`: host-wide settings (admins only).
import { HostDevicePatterns } from '../../../../components/admin/host-device-patterns';
import { HostPathRoots } from '../../../../components/admin/host-path-roots';
import { PageHeader } from '../../../../components/ui/page-header';

export const metadata = { title: 'Settings · Podvisor' };

export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" />
      <div className="detail-grid">
        <HostPathRoots />
        <HostDevicePatterns />
      </div>
    </>
  );
}
