'use client';
// Add a user with a role and a first password (the admin passes it on; the user can change it).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ROLES } from '../../server/auth/roles';
import { NewUserSchema } from '../../server/auth/schemas';
import { fieldErrorsOfServer } from '../forms/field-errors';
import { ModelForm } from '../forms/model-form';
import { validatorOf } from '../forms/schema-validation';
import { SelectField } from '../forms/select-field';
import { TextField } from '../forms/text-field';
import { showServerErrors, useSchemaForm } from '../forms/use-schema-form';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';

const validateUser = validatorOf(NewUserSchema);
const BLANK = { name: '', role: 'viewer', password: '' };

export function AddUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const feedback = useActionFeedback();
  const form = useSchemaForm(BLANK, validateUser);
  const callbacks = feedback((u: { name: string; role: string }) => `User ${u.name} added as ${u.role}`, () => form.reset(BLANK));
  const add = useMutation(
    trpc.admin.addUser.mutationOptions({
      ...callbacks,
      // The toast says what went wrong; field errors (from the server's own check) go by their field too.
      onError: (error) => (callbacks.onError(error), showServerErrors(form, fieldErrorsOfServer(error))),
      onSettled: () => void queryClient.invalidateQueries(trpc.admin.users.pathFilter()),
    }),
  );
  return (
    <section className="card" aria-labelledby="add-user-heading">
      <h2 id="add-user-heading">Add a user</h2>
      <ModelForm
        form={form}
        onValid={(input) => add.mutate(input)}
        label="Add a user"
        submit="Add user"
        busy={add.isPending}
      >
        <TextField path="name" errorPath="name" label="Username" autoComplete="off" />
        <SelectField path="role" errorPath="role" label="Role" options={ROLES} />
        <TextField path="password" errorPath="password" label="Password" type="password" autoComplete="new-password" hint="At least 10 characters" />
      </ModelForm>
    </section>
  );
}
