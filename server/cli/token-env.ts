/** The env variable holding the API token: never a flag, which `ps` and the shell history would show. */
export const TOKEN_ENV = 'PODVISOR_TOKEN';
