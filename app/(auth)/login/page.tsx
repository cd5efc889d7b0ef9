// `/login`: where the server sends anyone without a session (with `next`, the page they asked for).
import { LoginForm } from '../../../components/auth/login-form';

export const metadata = { title: 'Log in · Podvisor' };

/** Why the user is here, when a page sent them on purpose (fixed texts: the URL cannot inject one). */
const NOTICES: Record<string, string> = {
  'password-changed': 'Your password was changed: log in with the new one.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next, reason } = await searchParams;
  return <LoginForm next={typeof next === 'string' ? next : undefined} notice={typeof reason === 'string' ? (NOTICES[reason] ?? null) : null} />;
}
