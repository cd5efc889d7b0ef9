'use client';
// Change one's own password. The server ends every login of the user when it changes, this one
// included, so success goes straight to the login page.
import { useMutation } from '@tanstack/react-query';
import { z } from 'zod';
import { PasswordSchema } from '../../server/auth/schemas';
import { ModelForm } from '../forms/model-form';
import { validatorOf, withConfirmation } from '../forms/schema-validation';
import { TextField } from '../forms/text-field';
import { useSchemaForm } from '../forms/use-schema-form';
import { useTRPC } from '../trpc/client';

const validateChange = validatorOf(withConfirmation(z.object({ password: z.string().min(1, 'is required'), newPassword: PasswordSchema }), 'newPassword'));
const BLANK = { password: '', newPassword: '', confirm: '' };

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const form = useSchemaForm(BLANK, validateChange);
  const change = useMutation(trpc.auth.changePassword.mutationOptions({ onSuccess: () => window.location.assign('/login?reason=password-changed') }));
  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <ModelForm
        form={form}
        onValid={(input) => change.mutate({ password: input.password, newPassword: input.newPassword })}
        label="Change password"
        error={change.error}
        submit="Change password"
        busy={change.isPending}
        actions={<span className="field-hint">This logs you out everywhere.</span>}
      >
        <TextField path="password" errorPath="password" label="Current password" type="password" autoComplete="current-password" />
        <TextField path="newPassword" errorPath="newPassword" label="New password" type="password" autoComplete="new-password" />
        <TextField path="confirm" errorPath="confirm" label="Confirm new password" type="password" autoComplete="new-password" />
      </ModelForm>
    </section>
  );
}
