'use client';
// Set a new password for another user; the server ends that user's logins and terminals.
import { useMutation } from '@tanstack/react-query';
import { z } from 'zod';
import { PasswordSchema } from '../../server/auth/schemas';
import { ModelForm } from '../forms/model-form';
import { validatorOf, withConfirmation } from '../forms/schema-validation';
import { TextField } from '../forms/text-field';
import { useSchemaForm } from '../forms/use-schema-form';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';

const validateReset = validatorOf(withConfirmation(z.object({ password: PasswordSchema }), 'password'));

export function ResetPasswordForm({ name, onDone }: { name: string; onDone: () => void }) {
  const trpc = useTRPC();
  const feedback = useActionFeedback();
  const form = useSchemaForm({ password: '', confirm: '' }, validateReset);
  const reset = useMutation(trpc.admin.updateUser.mutationOptions(feedback(() => `Password of ${name} reset; their logins ended`, onDone)));
  return (
    <ModelForm
      form={form}
      onValid={(input) => reset.mutate({ name, password: input.password })}
      label={`Reset password of ${name}`}
      className="card"
      submit="Set password"
      busy={reset.isPending}
      actions={
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      }
    >
      <h2>Reset the password of {name}</h2>
      <TextField path="password" errorPath="password" label="New password" type="password" autoComplete="new-password" />
      <TextField path="confirm" errorPath="confirm" label="Confirm new password" type="password" autoComplete="new-password" />
    </ModelForm>
  );
}
