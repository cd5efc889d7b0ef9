'use client';
// `/login`: username and password; on success a full page load of `next`, so every query starts
// afresh as the new user. A fresh install has no user yet: it goes to /setup instead.
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { LoginSchema } from '../../server/auth/schemas';
import { ModelForm } from '../forms/model-form';
import { validatorOf } from '../forms/schema-validation';
import { TextField } from '../forms/text-field';
import { useSchemaForm } from '../forms/use-schema-form';
import { useTRPC } from '../trpc/client';
import { safeNextPath } from './safe-next';
import { useSession } from './use-session';

const validateLogin = validatorOf(LoginSchema);

export function LoginForm({ next, notice }: { next: string | undefined; notice: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { user, needsSetup } = useSession();
  const form = useSchemaForm({ username: '', password: '' }, validateLogin);
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: () => window.location.assign(safeNextPath(next)) }));
  useEffect(() => {
    if (needsSetup) router.replace('/setup');
  }, [needsSetup, router]);

  return (
    <ModelForm
      form={form}
      onValid={(input) => login.mutate(input)}
      label="Log in"
      className="auth-form"
      error={login.error}
      submit="Log in"
      busy={login.isPending}
    >
      <h1>Log in to Podvisor</h1>
      {notice && <p role="status">{notice}</p>}
      {user && (
        <p className="field-hint">
          You are logged in as {user.name}. <Link href="/">Go to the console</Link>
        </p>
      )}
      <TextField path="username" errorPath="username" label="Username" autoComplete="username" />
      <TextField path="password" errorPath="password" label="Password" type="password" autoComplete="current-password" />
    </ModelForm>
  );
}
