// `/account`: the logged-in user's password and API tokens.
import { AccountView } from '../../../components/account/account-view';

export const metadata = { title: 'Account · Podvisor' };

export default function AccountPage() {
  return <AccountView />;
}
