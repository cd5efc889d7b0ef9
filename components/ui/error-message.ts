// What to tell the operator about a failed call: the engine's own message when there is one.
export function errorMessage(error: unknown): string {
  const engineError = (error as { data?: { engineError?: { message?: string } | null } })?.data?.engineError;
  if (engineError?.message) return engineError.message;
  return error instanceof Error ? error.message : String(error);
}
