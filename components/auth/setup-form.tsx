'use client';
// `/setup`: the first run's form, which creates the first administrator and logs them in. The
// server accepts it only while no user exists; once one does, this page just says so.
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { NewUserSchema } from '../../server/auth/schemas';
import { ModelForm } from '../forms/model-form';
import { validatorOf, withConfirmation } from '../forms/schema-validation';
import { TextField } from '../forms/text-field';
import { useSchemaForm } from '../forms/use-schema-form';
import { useTRPC } from '../trpc/client';
import { useSession } from './use-session';

const validateSetup = validatorOf(withConfirmation(NewUserSchema.omit({ role: true }), 'password'));

export function SetupForm() {
  const trpc = useTRPC();
  const { needsSetup, isPending } = useSession();
  const form = useSchemaForm({ name: '', password: '', confirm: '' }, validateSetup);
  const setup = useMutation(trpc.auth.setup.mutationOptions({ onSuccess: () => window.location.assign('/') }));

  if (isPending) return <p className="empty" role="status">Loading…</p>;
  if (!needsSetup && !setup.isSuccess) {
    return (
      <div className="auth-form">
        <h1>Setup is over</h1>
        <p>A user already exists, so the first-run form is closed. An administrator adds further users.</p>
        <Link className="btn btn-primary" href="/login">
          Log in
        </Link>
      </div>
    );
  }
  return (
    <ModelForm
      form={form}
      onValid={(input) => setup.mutate({ name: input.name, password: input.password })}
      label="First-run setup"
      className="auth-form"
      error={setup.error}
      submit="Create administrator"
      busy={setup.isPending}
    >
      <h1>Welcome to Podvisor</h1>
      <p className="field-hint">No user exists yet: create the first administrator. This form works only until then.</p>
      <TextField path="name" errorPath="name" label="Username" autoComplete="username" />
      <TextField path="password" errorPath="password" label="Password" type="password" autoComplete="new-password" />
      <TextField path="confirm" errorPath="confirm" label="Confirm password" type="password" autoComplete="new-password" />
    </ModelForm>
  );
}
