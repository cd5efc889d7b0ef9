'use client';
// Mutation callbacks every action button shares: a toast with the outcome, and a refetch of what
// the page shows (the live subscription would catch up too, half a second later).
import { useToast } from '../ui/toast';
import { errorMessage } from '../ui/error-message';
import { useRefetchState } from './use-refetch-state';

export function useActionFeedback() {
  const toast = useToast();
  const refetchState = useRefetchState();
  return <TData, TVariables>(success: (data: TData, variables: TVariables) => string, andThen?: (data: TData) => void) => ({
    onSuccess: (data: TData, variables: TVariables) => {
      toast({ kind: 'success', message: success(data, variables) });
      andThen?.(data);
    },
    onError: (error: unknown) => toast({ kind: 'error', message: errorMessage(error) }),
    onSettled: refetchState,
  });
}
