// `/setup`: the first run, before any user exists.
import { SetupForm } from '../../../components/auth/setup-form';

export const metadata = { title: 'Set up · Podvisor' };

export default function SetupPage() {
  return <SetupForm />;
}
