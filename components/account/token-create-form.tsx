'use client';
// Create an API token for scripts and the remote CLI, with a role up to one's own and an optional
// expiry. The token's text exists only in this answer: it is shown once, with a copy button.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { roleAtLeast, ROLES, type Role } from '../../server/auth/roles';
import { TokenCreateSchema } from '../../server/auth/schemas';
import { ModelForm } from '../forms/model-form';
import { validatorOf } from '../forms/schema-validation';
import { SelectField } from '../forms/select-field';
import { TextField } from '../forms/text-field';
import { useSchemaForm } from '../forms/use-schema-form';
import { useTRPC } from '../trpc/client';
import { OnceSecret } from './once-secret';

type Values = { name: string; role: string; expiresInDays: string };

const validateToken = validatorOf(TokenCreateSchema);
/** The days field is text: empty means "never expires", anything else must be a whole number. */
const toInput = (v: Values) => ({ name: v.name, role: v.role, expiresInDays: v.expiresInDays.trim() === '' ? undefined : Number(v.expiresInDays) });
const validateValues = (v: Values) => validateToken(toInput(v));
const blank = (role: Role): Values => ({ name: '', role, expiresInDays: '90' });

export function TokenCreateForm({ myRole }: { myRole: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useSchemaForm(blank(myRole), validateValues);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: ({ token, view }) => {
        setCreated({ name: view.name, token });
        form.reset(blank(myRole));
        void queryClient.invalidateQueries(trpc.tokens.list.pathFilter());
      },
    }),
  );
  return (
    <>
      <ModelForm
        form={form}
        onValid={(input) => create.mutate(input)}
        label="New API token"
        error={create.error}
        submit="Create token"
        busy={create.isPending}
      >
        <div className="form-grid">
          <TextField path="name" errorPath="name" label="Token name" placeholder="ci-deploy" />
          <SelectField path="role" errorPath="role" label="Token role" options={ROLES.filter((r) => roleAtLeast(myRole, r))} hint="At most your own role" />
          <TextField path="expiresInDays" errorPath="expiresInDays" label="Expires in (days)" inputMode="numeric" hint="Empty: never expires" />
        </div>
      </ModelForm>
      {created && (
        <OnceSecret label={`API token ${created.name}`} secret={created.token} onDone={() => setCreated(null)}>
          Copy this token now: it is not shown again. Send it as <code>Authorization: Bearer …</code>.
        </OnceSecret>
      )}
    </>
  );
}
